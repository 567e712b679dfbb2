import type { Request, RequestHandler } from 'express';
import type { i18n } from 'i18next';
import type { Flash } from '../context.ts';
import { pageT } from '../../lib/i18n/index.ts';

/** Language (the user's, else the firm's), translation, the signed-in user and flash messages for views. */
export function viewLocals(i18n: i18n): RequestHandler {
  return (req, res, next) => {
    const locale = req.user?.locale ?? req.firm.defaultLocale;
    res.locals.locale = locale;
    const t = pageT(i18n, locale);
    res.locals.t = t;
    // 'clients.created' reads activity:actions.clients.created, else clients:activity.created: a
    // module keeps the words of its actions in its own catalogue.
    res.locals.actionLabel = (action: string) => {
      const dot = action.indexOf('.');
      return t([`activity:actions.${action}`, `${action.slice(0, dot)}:activity.${action.slice(dot + 1)}`]);
    };
    res.locals.currentUser = req.user;
    res.locals.path = req.path;
    let taken: Flash[] | undefined;
    Object.defineProperty(res.locals, 'flashes', {
      // Taken from the session on first read and kept for this response: every res.render copies
      // the locals (so reads the getter), and the page and its layout are two renders.
      get: () => {
        if (!taken) {
          taken = req.session?.flash ?? [];
          if (taken.length && req.session) delete req.session.flash;
        }
        return taken;
      },
      configurable: true,
      enumerable: true,
    });
    next();
  };
}

/** A message shown on the next page (post, then redirect). */
export function flash(req: Request, type: Flash['type'], key: string, params?: Flash['params']): void {
  (req.session.flash ??= []).push({ type, key, ...(params && { params }) });
}
