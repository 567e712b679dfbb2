// "Comptes utilisateurs": the supervisor sees the firm's accounts and can send any of them a link
// to set a new password (A3). Managing collaborators and contacts comes with their own modules.
import { Router } from 'express';
import type { AppDeps } from '../../deps.ts';
import { requireRole } from '../../http/middleware/auth.ts';
import { flash } from '../../http/middleware/locals.ts';
import { renderPage } from '../../http/render.ts';
import { withFirm } from '../../db/withFirm.ts';
import { sendPasswordLink } from '../auth/service.ts';
import { listUsers } from './repo.ts';

export function userRoutes(deps: AppDeps): Router {
  const r = Router();
  r.use('/settings/users', requireRole('supervisor'));

  r.get('/settings/users', async (req, res) => {
    const users = await withFirm(deps.db, req.firm.id, (trx) => listUsers(trx, req.firm.id));
    renderPage(res, 'users/index', { title: res.locals.t('users:title'), users });
  });

  r.post('/settings/users/:id/password-link', async (req, res) => {
    const outcome = await sendPasswordLink(deps, req.firm, req.user!, req.params.id);
    if ('noEmail' in outcome) flash(req, 'danger', 'users:linkNoEmail');
    else flash(req, 'success', 'users:linkSent', { email: outcome.sentTo });
    res.redirect(303, '/settings/users');
  });

  return r;
}
