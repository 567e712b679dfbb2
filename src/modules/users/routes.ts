// "Comptes utilisateurs": the supervisor sees the firm's accounts and can send any of them a link
// to set a new password (A3), and opens or closes the management centre's accounts. Managing
// collaborators and contacts comes with their own modules.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { requireRole } from '../../http/middleware/auth.ts';
import { flash } from '../../http/middleware/locals.ts';
import { renderPage } from '../../http/render.ts';
import { withFirm } from '../../db/withFirm.ts';
import { sendPasswordLink } from '../auth/service.ts';
import { parseForm, type FieldErrors } from '../../lib/validation.ts';
import { centreAccountSchema, createCentreAccount, setCentreAccountActive } from './centre.ts';
import { listUsers } from './repo.ts';

export function userRoutes(deps: AppDeps): Router {
  const r = Router();
  r.use('/settings/users', requireRole('supervisor'));

  const showUsers = async (req: Request, res: Response, values: Record<string, unknown> = {}, errors: FieldErrors = {}, status = 200) => {
    const users = await withFirm(deps.db, req.firm.id, (trx) => listUsers(trx, req.firm.id));
    renderPage(res, 'users/index', { title: res.locals.t('users:title'), users, values, errors }, status);
  };

  r.get('/settings/users', (req, res) => showUsers(req, res));

  r.post('/settings/users/centre', async (req, res) => {
    const form = parseForm(centreAccountSchema, req.body);
    const outcome = form.ok ? await createCentreAccount(deps, req.firm, req.user!, form.data) : form;
    if (!outcome.ok) return showUsers(req, res, (req.body ?? {}) as Record<string, unknown>, outcome.errors, 400);
    flash(req, 'success', 'users:centre.created', { email: form.ok ? form.data.email : '' });
    res.redirect(303, '/settings/users');
  });

  for (const [action, active] of [['close', false], ['reopen', true]] as const) {
    r.post(`/settings/users/:id/centre-${action}`, async (req, res) => {
      await setCentreAccountActive(deps, req.firm, req.user!, req.params.id as string, active);
      flash(req, 'success', `users:centre.${action}d`);
      res.redirect(303, '/settings/users');
    });
  }

  r.post('/settings/users/:id/password-link', async (req, res) => {
    const outcome = await sendPasswordLink(deps, req.firm, req.user!, req.params.id);
    if ('noEmail' in outcome) flash(req, 'danger', 'users:linkNoEmail');
    else flash(req, 'success', 'users:linkSent', { email: outcome.sentTo });
    res.redirect(303, '/settings/users');
  });

  return r;
}
