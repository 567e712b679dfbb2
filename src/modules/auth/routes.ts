import { Router, type Request, type Response } from 'express';
import type { PassportInstance } from '../../http/passport.ts';
import type { AppDeps } from '../../deps.ts';
import type { SessionUser } from '../../http/context.ts';
import { flash } from '../../http/middleware/locals.ts';
import { renderPage } from '../../http/render.ts';
import { FORM_ERROR, parseForm, type FieldError } from '../../lib/validation.ts';
import { forgotSchema, loginSchema, newPasswordSchema } from './schemas.ts';
import { passwordLinkIsValid, requestPasswordReset, setPasswordWithLink } from './service.ts';

/** Only a path of this site may follow a login: never another host. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}

export function authRoutes(deps: AppDeps, passport: PassportInstance): Router {
  const r = Router();

  const showLogin = (req: Request, res: Response, values: Record<string, unknown>, errors: Record<string, FieldError> = {}, status = 200) =>
    renderPage(res, 'auth/login', { title: res.locals.t('auth:login.title'), values, errors, next: safeNext(values.next) }, status);

  r.get('/login', (req, res) => {
    if (req.user) return res.redirect(303, '/');
    showLogin(req, res, { next: req.query.next });
  });

  r.post('/login', (req, res, next) => {
    const form = parseForm(loginSchema, req.body);
    const values = { identifier: (req.body as Record<string, unknown>)?.identifier, next: (req.body as Record<string, unknown>)?.next };
    if (!form.ok) return showLogin(req, res, values, form.errors, 400);
    passport.authenticate('local', (err: unknown, user: SessionUser | false, info?: { error?: FieldError }) => {
      if (err) return next(err);
      if (!user) return showLogin(req, res, values, { [FORM_ERROR]: info?.error ?? { key: 'auth:login.invalid' } }, 401);
      req.login(user, (loginErr) => {
        if (loginErr) return next(loginErr);
        res.redirect(303, safeNext(form.data.next));
      });
    })(req, res, next);
  });

  r.post('/logout', (req, res, next) => {
    req.logout((err) => {
      if (err) return next(err);
      flash(req, 'info', 'auth:logout.done');
      res.redirect(303, '/login');
    });
  });

  r.get('/password/forgot', (req, res) => {
    renderPage(res, 'auth/forgot', { title: res.locals.t('auth:forgot.title') });
  });

  r.post('/password/forgot', async (req, res) => {
    const form = parseForm(forgotSchema, req.body);
    if (!form.ok) return renderPage(res, 'auth/forgot', { title: res.locals.t('auth:forgot.title'), values: req.body, errors: form.errors }, 400);
    const outcome = await requestPasswordReset(deps, req.firm, form.data.identifier, req.ip ?? '');
    if (outcome === 'refused') {
      return renderPage(res, 'auth/forgot', { title: res.locals.t('auth:forgot.title'), values: req.body, errors: { [FORM_ERROR]: { key: 'auth:forgot.tooMany' } } }, 429);
    }
    renderPage(res, 'auth/forgot-sent', { title: res.locals.t('auth:forgot.title') });
  });

  r.get('/password/reset/:token', async (req, res) => {
    const valid = await passwordLinkIsValid(deps, req.firm, req.params.token);
    if (!valid) return renderPage(res, 'auth/link-expired', { title: res.locals.t('auth:reset.expiredTitle') }, 410);
    renderPage(res, 'auth/reset', { title: res.locals.t('auth:reset.title'), token: req.params.token });
  });

  r.post('/password/reset/:token', async (req, res) => {
    const token = req.params.token;
    const form = parseForm(newPasswordSchema, req.body);
    if (!form.ok) return renderPage(res, 'auth/reset', { title: res.locals.t('auth:reset.title'), token, errors: form.errors }, 400);
    const result = await setPasswordWithLink(deps, req.firm, token, form.data.password, req.ip ?? '');
    if (result.ok) {
      flash(req, 'success', 'auth:reset.done');
      return res.redirect(303, '/login');
    }
    if ('expired' in result) return renderPage(res, 'auth/link-expired', { title: res.locals.t('auth:reset.expiredTitle') }, 410);
    renderPage(res, 'auth/reset', { title: res.locals.t('auth:reset.title'), token, errors: result.errors }, 400);
  });

  return r;
}
