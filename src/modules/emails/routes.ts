// Paramètres › "Modèles d'emails" and "Serveur d'envoi" (K1), for the supervisor.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { requireRole } from '../../http/middleware/auth.ts';
import { flash } from '../../http/middleware/locals.ts';
import { renderPage } from '../../http/render.ts';
import { NotFound } from '../../lib/errors.ts';
import { LOCALES, isLocale, type Locale } from '../../lib/i18n/index.ts';
import { kindById, kindsOfFirm, type MailKindSpec } from '../../lib/mail/templates.ts';
import { parseForm, type FieldErrors } from '../../lib/validation.ts';
import { langSchema, SECURITIES, smtpSchema, templateSchema } from './schemas.ts';
import { findSmtp, queueTestMail, removeSmtp, saveSmtp, testMailState } from './smtp.ts';
import { defaultText, findTemplate, listTemplates, preview, resetTemplate, saveTemplate, templateErrors } from './templates.ts';

declare module 'express-session' {
  interface SessionData {
    /** The outbox id of the last "Envoyer un email de test", whose state the page shows. */
    smtpTestMailId?: string;
  }
}

export function emailRoutes(deps: AppDeps): Router {
  const r = Router();
  r.use(['/settings/emails', '/settings/smtp'], requireRole('supervisor'));

  /** A kind this firm sends; another module's, or none, does not exist here. */
  const specOf = (req: Request): MailKindSpec => {
    const spec = kindById(String(req.params.id));
    if (!spec || (spec.module && !req.firm.modules.includes(spec.module))) throw new NotFound();
    return spec;
  };

  r.get('/settings/emails', async (req, res) => {
    const kinds = kindsOfFirm(req.firm.modules);
    const custom = new Set((await listTemplates(deps, req.firm, req.user!)).map((t) => `${t.kind}|${t.lang}`));
    renderPage(res, 'settings/emails', { title: res.locals.t('emails:templates.title'), kinds, custom, locales: LOCALES });
  });

  /** The editor of one kind in one language: the firm's text (or Passerelle's), maybe a preview. */
  const showEditor = async (
    req: Request,
    res: Response,
    spec: MailKindSpec,
    lang: Locale,
    opts: { values?: Record<string, unknown>; errors?: FieldErrors; preview?: { subject: string; text: string }; status?: number } = {},
  ) => {
    const saved = await findTemplate(deps, req.firm, req.user!, spec, lang);
    const fallback = defaultText(deps, spec, lang);
    const values = opts.values ?? { subject: saved?.subject ?? fallback.subject, body: saved?.body ?? fallback.body };
    const footer = deps.i18n.getFixedT(lang)('mail:footer', { cabinet: req.firm.siteName || req.firm.name });
    renderPage(
      res,
      'settings/emails-edit',
      { title: res.locals.t(`emails:kinds.${spec.id}.name`), spec, lang, saved, values, errors: opts.errors ?? {}, preview: opts.preview, footer, locales: LOCALES },
      opts.status ?? 200,
    );
  };

  r.get('/settings/emails/:id', async (req, res) => {
    const spec = specOf(req);
    const lang = isLocale(req.query.lang) ? req.query.lang : req.firm.defaultLocale;
    await showEditor(req, res, spec, lang);
  });

  r.post('/settings/emails/:id', async (req, res) => {
    const spec = specOf(req);
    const form = parseForm(templateSchema, req.body);
    const lang = formLang(req, form.ok ? form.data.lang : undefined);
    if (!form.ok) return showEditor(req, res, spec, lang, { values: req.body, errors: form.errors, status: 400 });
    const result = await saveTemplate(deps, req.firm, req.user!, spec, form.data);
    if (!result.ok) return showEditor(req, res, spec, lang, { values: req.body, errors: result.errors, status: 400 });
    flash(req, 'success', 'emails:templates.saved');
    res.redirect(303, `/settings/emails/${spec.id}?lang=${lang}`);
  });

  // "Aperçu": the text typed, not saved, filled with sample values.
  r.post('/settings/emails/:id/preview', async (req, res) => {
    const spec = specOf(req);
    const form = parseForm(templateSchema, req.body);
    const lang = formLang(req, form.ok ? form.data.lang : undefined);
    const errors = form.ok ? templateErrors(spec, form.data.subject, form.data.body) : form.errors;
    if (!form.ok || Object.keys(errors).length) return showEditor(req, res, spec, lang, { values: req.body, errors, status: 400 });
    await showEditor(req, res, spec, lang, { values: req.body, preview: preview(deps, req.firm, spec, lang, form.data.subject, form.data.body) });
  });

  r.post('/settings/emails/:id/reset', async (req, res) => {
    const spec = specOf(req);
    const form = parseForm(langSchema, req.body);
    if (!form.ok) return showEditor(req, res, spec, req.firm.defaultLocale, { errors: form.errors, status: 400 });
    await resetTemplate(deps, req.firm, req.user!, spec, form.data.lang);
    flash(req, 'success', 'emails:templates.resetDone');
    res.redirect(303, `/settings/emails/${spec.id}?lang=${form.data.lang}`);
  });

  const showSmtp = async (req: Request, res: Response, opts: { values?: Record<string, unknown>; errors?: FieldErrors; status?: number } = {}) => {
    const { settings, myEmail } = await findSmtp(deps, req.firm, req.user!);
    const testId = req.session.smtpTestMailId;
    const lastTest = testId ? await testMailState(deps, req.firm, req.user!, testId) : undefined;
    const values = opts.values ?? (settings ? { ...settings } : { port: 587, security: 'starttls', fromName: req.firm.siteName || req.firm.name });
    // The password typed never comes back, whatever happened.
    delete values.password;
    renderPage(
      res,
      'settings/emails-server',
      { title: res.locals.t('emails:smtp.title'), settings, myEmail, values, errors: opts.errors ?? {}, lastTest, securities: SECURITIES, platformFrom: deps.config.mailFrom },
      opts.status ?? 200,
    );
  };

  r.get('/settings/smtp', (req, res) => showSmtp(req, res));

  r.post('/settings/smtp', async (req, res) => {
    const form = parseForm(smtpSchema, req.body);
    if (!form.ok) return showSmtp(req, res, { values: { ...req.body }, errors: form.errors, status: 400 });
    await saveSmtp(deps, req.firm, req.user!, form.data);
    flash(req, 'success', 'emails:smtp.saved');
    res.redirect(303, '/settings/smtp');
  });

  r.post('/settings/smtp/delete', async (req, res) => {
    await removeSmtp(deps, req.firm, req.user!);
    flash(req, 'success', 'emails:smtp.removed');
    res.redirect(303, '/settings/smtp');
  });

  r.post('/settings/smtp/test', async (req, res) => {
    const result = await queueTestMail(deps, req.firm, req.user!);
    if ('noEmail' in result) {
      flash(req, 'danger', 'emails:smtp.testNoEmail');
    } else {
      req.session.smtpTestMailId = result.mailId;
      flash(req, 'success', 'emails:smtp.testQueued', { email: result.sentTo });
    }
    res.redirect(303, '/settings/smtp');
  });

  return r;
}

/** The language of a posted form, even a refused one (to show the same editor again). */
function formLang(req: Request, parsed: Locale | undefined): Locale {
  const posted = (req.body as Record<string, unknown> | undefined)?.lang;
  return parsed ?? (isLocale(posted) ? posted : req.firm.defaultLocale);
}
