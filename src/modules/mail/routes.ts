// "Nouveaux courriers" (seed 000): the list, putting a document in a client's mail, opening it, and
// a client's mail archive (the sheet's "Archives courriers" tab). Staff only (index.ts).
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { sendFileStream } from '../../http/attachment.ts';
import { flash } from '../../http/middleware/locals.ts';
import { listLink } from '../../http/listLink.ts';
import { renderPage } from '../../http/render.ts';
import { withFirm } from '../../db/withFirm.ts';
import type { FieldErrors } from '../../lib/validation.ts';
import { CLIENT_TABS } from '../clients/routes.ts';
import { findVisibleClient } from '../clients/repo.ts';
import { archiveOf, newMail } from './repo.ts';
import { MAIL_FILTERS, MAIL_SORTS, MAIL_TYPES, mailListQuery } from './schemas.ts';
import { openMail, putMail } from './service.ts';

export function mailRoutes(deps: AppDeps): Router {
  const r = Router();
  const asUser = <T>(req: Request, work: Parameters<typeof withFirm<T>>[2]) => withFirm(deps.db, req.firm.id, work, { id: req.user!.id, role: req.user!.role });

  r.get('/mail', async (req, res) => {
    const query = mailListQuery.parse(req.query);
    const list = await asUser(req, (trx) => newMail(trx, req.firm.id, req.user!, query, req.firm.rowsPerPage));
    renderPage(res, 'courriers/index', { title: res.locals.t('courriers:title'), list, query, linkTo: listLink('/mail', query), sorts: MAIL_SORTS, filters: MAIL_FILTERS, types: MAIL_TYPES });
  });

  const showNew = (res: Response, values: Record<string, unknown>, errors: FieldErrors = {}, status = 200) =>
    renderPage(res, 'courriers/new', { title: res.locals.t('courriers:new.title'), values, errors, types: MAIL_TYPES }, status);

  r.get('/mail/new', async (req, res) => {
    const clientId = typeof req.query.client === 'string' && /^\d{1,18}$/.test(req.query.client) ? req.query.client : undefined;
    const client = clientId ? await asUser(req, (trx) => findVisibleClient(trx, req.firm.id, req.user!, clientId)) : undefined;
    showNew(res, { clientNumber: client ? String(client.number) : '', type: 'information' });
  });

  r.post('/mail', async (req, res) => {
    const outcome = await putMail(deps, req.firm, req.user!, req, res);
    if (!outcome.ok) return showNew(res, (req.body ?? {}) as Record<string, unknown>, outcome.errors, outcome.status);
    flash(req, 'success', 'courriers:new.done');
    res.redirect(303, '/mail');
  });

  r.get('/mail/:id/document', async (req, res) => {
    await sendFileStream(res, await openMail(deps, req.firm, req.user!, String(req.params.id), req.ip ?? null));
  });

  r.get('/clients/:id/mail', async (req, res) => {
    const data = await asUser(req, async (trx) => {
      const client = await findVisibleClient(trx, req.firm.id, req.user!, String(req.params.id));
      return { client, rows: await archiveOf(trx, req.firm.id, req.user!, client.id) };
    });
    renderPage(res, 'courriers/archive', { title: `${res.locals.t('clients:tabs.mail')} — ${data.client.name}`, ...data, tabs: CLIENT_TABS, tab: 'mail' });
  });

  return r;
}
