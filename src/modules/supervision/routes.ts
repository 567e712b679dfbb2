// "Supervision" (seed 000): Gestion collaborateur (I1) and Gestion dossiers (I3), for the supervisor.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { withFirm } from '../../db/withFirm.ts';
import { requireRole } from '../../http/middleware/auth.ts';
import { flash } from '../../http/middleware/locals.ts';
import { renderPage } from '../../http/render.ts';
import { parseForm, type FieldErrors } from '../../lib/validation.ts';
import { displayName } from '../users/repo.ts';
import { collaboratorSchema, reassignSchema } from './schemas.ts';
import { activateAccounts, assignmentHistory, getStaff, listStaff, reassign, saveCollaborator } from './service.ts';

export function supervisionRoutes(deps: AppDeps): Router {
  const r = Router();
  r.use('/supervision', requireRole('supervisor'));
  const inFirm = <T>(req: Request, work: Parameters<typeof withFirm<T>>[2]) => withFirm(deps.db, req.firm.id, work);

  r.get('/supervision', async (req, res) => {
    const staff = await inFirm(req, (trx) => listStaff(trx, req.firm.id));
    renderPage(res, 'supervision/index', { title: res.locals.t('supervision:title'), staff, today: new Date().toISOString().slice(0, 10) });
  });

  r.post('/supervision/activate', async (req, res) => {
    const outcome = await activateAccounts(deps, req.firm, req.user!);
    flashActivation(req, outcome);
    res.redirect(303, '/supervision');
  });

  const showForm = (res: Response, id: string | undefined, values: Record<string, unknown>, errors: FieldErrors = {}, status = 200) =>
    renderPage(res, 'supervision/form', { title: res.locals.t(id ? 'supervision:form.editTitle' : 'supervision:form.newTitle'), id, values, errors }, status);

  r.get('/supervision/collaborators/new', (_req, res) => showForm(res, undefined, {}));

  r.get('/supervision/collaborators/:id', async (req, res) => {
    const user = await inFirm(req, (trx) => getStaff(trx, req.firm.id, req.params.id));
    showForm(res, user.id, { ...user, email: user.email ?? '', departedOn: user.departedOn ?? '' });
  });

  for (const path of ['/supervision/collaborators', '/supervision/collaborators/:id']) {
    r.post(path, async (req, res) => {
      const id = (req.params as { id?: string }).id;
      const form = parseForm(collaboratorSchema, req.body);
      if (!form.ok) return showForm(res, id, req.body, form.errors, 400);
      const result = await saveCollaborator(deps, req.firm, req.user!, id, form.data);
      if (!result.ok) return showForm(res, id, req.body, result.errors, 400);
      flash(req, 'success', id ? 'supervision:saved' : 'supervision:created');
      res.redirect(303, '/supervision');
    });
  }

  r.post('/supervision/collaborators/:id/activate', async (req, res) => {
    const outcome = await activateAccounts(deps, req.firm, req.user!, req.params.id);
    flashActivation(req, outcome);
    res.redirect(303, '/supervision');
  });

  r.get('/supervision/collaborators/:id/clients', async (req, res) => {
    const [collaborator, clients, staff] = await inFirm(req, async (trx) => {
      const c = await getStaff(trx, req.firm.id, req.params.id);
      const list = await trx('clients').where({ firmId: req.firm.id, collaboratorId: c.id, inTrash: false }).orderBy('nameKey').select('id', 'number', 'name', 'city', 'profession');
      return [c, list, await listStaff(trx, req.firm.id)] as const;
    });
    renderPage(res, 'supervision/clients', { title: res.locals.t('supervision:clients.title', { name: displayName(collaborator) }), collaborator, clients, staff: staff.filter((s) => s.active && s.id !== collaborator.id) });
  });

  const reassignRoute = (scopeOf: (req: Request) => { clientId: string } | { fromId: string }, back: (req: Request) => string) => async (req: Request, res: Response) => {
    const form = parseForm(reassignSchema, req.body);
    if (!form.ok) {
      flash(req, 'danger', 'supervision:reassign.choose');
      return res.redirect(303, back(req));
    }
    const moved = await reassign(deps, req.firm, req.user!, scopeOf(req), form.data.to);
    flash(req, 'success', 'supervision:reassign.done', { count: moved });
    res.redirect(303, back(req));
  };

  r.post('/supervision/collaborators/:id/reassign', reassignRoute((req) => ({ fromId: String(req.params.id) }), (req) => `/supervision/collaborators/${req.params.id}/clients`));
  r.post('/supervision/clients/:clientId/reassign', reassignRoute((req) => ({ clientId: String(req.params.clientId) }), (req) => (typeof req.query.back === 'string' && /^\/supervision\/collaborators\/\d+\/clients$/.test(req.query.back) ? req.query.back : '/supervision')));

  r.get('/supervision/assignments', async (req, res) => {
    const collaboratorId = typeof req.query.collaborator === 'string' && /^\d{1,18}$/.test(req.query.collaborator) ? req.query.collaborator : undefined;
    const [history, collaborator] = await inFirm(req, async (trx) => [await assignmentHistory(trx, req.firm.id, collaboratorId), collaboratorId ? await getStaff(trx, req.firm.id, collaboratorId) : undefined] as const);
    renderPage(res, 'supervision/assignments', { title: res.locals.t('supervision:assignments.title'), history, collaborator });
  });

  return r;
}

function flashActivation(req: Request, outcome: { sent: number; withoutEmail: string[] }) {
  if (outcome.sent) flash(req, 'success', 'supervision:activation.sent', { count: outcome.sent });
  if (outcome.withoutEmail.length) flash(req, 'danger', 'supervision:activation.noEmail', { names: outcome.withoutEmail.join(', ') });
  if (!outcome.sent && !outcome.withoutEmail.length) flash(req, 'info', 'supervision:activation.none');
}
