import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { requireUser } from '../../http/middleware/auth.ts';
import { flash } from '../../http/middleware/locals.ts';
import { renderPage } from '../../http/render.ts';
import { parseForm, type FieldErrors } from '../../lib/validation.ts';
import { passwordChangeSchema, profileSchema } from './schemas.ts';
import { changeOwnPassword, getOwnAccount, updateOwnProfile } from './service.ts';
import type { SessionUser } from '../../http/context.ts';

export function accountRoutes(deps: AppDeps): Router {
  const r = Router();
  r.use('/account', requireUser);

  async function show(req: Request, res: Response, overrides: { values?: Record<string, unknown>; errors?: FieldErrors; passwordErrors?: FieldErrors } = {}, status = 200) {
    const user = await getOwnAccount(deps, req.firm, req.user!);
    const values = overrides.values ?? { ...user, email: user.email ?? '', locale: user.locale ?? req.firm.defaultLocale };
    renderPage(res, 'account/show', { title: res.locals.t('account:title'), account: user, values, errors: overrides.errors ?? {}, passwordErrors: overrides.passwordErrors ?? {} }, status);
  }

  /** The session keeps a copy of the user's name and language: refresh it after a change. */
  function refreshSessionUser(req: Request, user: SessionUser) {
    const passport = (req.session as unknown as { passport?: { user?: SessionUser } }).passport;
    if (passport) passport.user = user;
    req.user = user;
  }

  r.get('/account', (req, res) => show(req, res));

  r.post('/account', async (req, res) => {
    const form = parseForm(profileSchema, req.body);
    if (!form.ok) return show(req, res, { values: req.body, errors: form.errors }, 400);
    const outcome = await updateOwnProfile(deps, req.firm, req.user!, form.data);
    if (!outcome.ok) return show(req, res, { values: req.body, errors: outcome.errors }, 400);
    refreshSessionUser(req, outcome.user);
    flash(req, 'success', 'account:profile.saved');
    res.redirect(303, '/account');
  });

  r.post('/account/password', async (req, res) => {
    const form = parseForm(passwordChangeSchema, req.body);
    if (!form.ok) return show(req, res, { passwordErrors: form.errors }, 400);
    const outcome = await changeOwnPassword(deps, req.firm, req.user!, req.sessionID, form.data);
    if (!outcome.ok) return show(req, res, { passwordErrors: outcome.errors }, 400);
    flash(req, 'success', 'account:password.changed');
    res.redirect(303, '/account');
  });

  return r;
}
