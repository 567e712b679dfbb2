// "Nouveaux courriers" (seed 000): the list, putting a document in a client's mail, opening it, and
// a client's mail archive (the sheet's "Archives courriers" tab). Staff and the centre (index.ts); the
// centre also gets the firm's list of its members ("adhérents") to put mail in.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { sendFileStream } from '../../http/attachment.ts';
import { flash } from '../../http/middleware/locals.ts';
import { listLink } from '../../http/listLink.ts';
import { renderPage } from '../../http/render.ts';
import { asPerson, type FirmTrx } from '../../db/withFirm.ts';
import { Invalid } from '../../lib/errors.ts';
import type { FieldErrors } from '../../lib/validation.ts';
import { requireRole } from '../../http/middleware/auth.ts';
import { CLIENT_TABS } from '../clients/routes.ts';
import { findVisibleClient, listClients } from '../clients/repo.ts';
import { archiveOf, findMail, newMail } from './repo.ts';
import { decide, pendingReplies, repliesOf, replyFile, rework, setSupervision, writeReply } from './replies.ts';
import { MAIL_FILTERS, MAIL_SORTS, MAIL_TYPES, mailListQuery, membersQuery } from './schemas.ts';
import { copyToClient } from './copy.ts';
import { openMail, putMail } from './service.ts';

export function mailRoutes(deps: AppDeps): Router {
  const r = Router();
  const asUser = <T>(req: Request, work: (trx: FirmTrx) => Promise<T>) => asPerson(deps, req.firm, req.user!, work);

  r.get('/mail', async (req, res) => {
    const query = mailListQuery.parse(req.query);
    const list = await asUser(req, (trx) => newMail(trx, req.firm.id, req.user!, query, req.firm.rowsPerPage));
    const centre = req.user!.role === 'centre';
    renderPage(res, 'courriers/index', { title: res.locals.t(centre ? 'courriers:sent.title' : 'courriers:title'), centre, list, query, linkTo: listLink('/mail', query), sorts: MAIL_SORTS, filters: MAIL_FILTERS, types: MAIL_TYPES });
  });

  r.get('/mail/members', requireRole('centre'), async (req, res) => {
    const query = membersQuery.parse(req.query);
    const list = await asUser(req, (trx) => listClients(trx, req.firm.id, req.user!, { ...query, view: 'active', sort: 'number' }, req.firm.rowsPerPage));
    renderPage(res, 'courriers/members', { title: res.locals.t('courriers:members.title'), list, query, linkTo: listLink('/mail/members', query) });
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

  async function showMail(req: Request, res: Response, errors: FieldErrors = {}, values: Record<string, unknown> = {}, status = 200) {
    const user = req.user!;
    const data = await asUser(req, async (trx) => {
      const mail = await findMail(trx, req.firm.id, user, String(req.params.id));
      const client = (await trx('clients').where({ firmId: req.firm.id, id: mail.clientId }).first('id', 'number', 'name'))!;
      const sender = mail.senderId ? await trx('users').where({ firmId: req.firm.id, id: mail.senderId }).first('firstName', 'lastName', 'identifier') : undefined;
      return { mail, client, sender, replies: await repliesOf(trx, req.firm.id, mail.id, user) };
    });
    const live = data.replies.find((r) => r.status !== 'rejected');
    const centre = user.role === 'centre';
    renderPage(res, 'courriers/show', { title: data.mail.subject, ...data, centre, canReply: !centre && data.mail.needsReply && !live, supervised: req.firm.superviseReplies && user.role !== 'supervisor', errors, values }, status);
  }

  r.get('/mail/:id', (req, res) => showMail(req, res));

  r.post('/mail/:id/replies', async (req, res) => {
    const outcome = await writeReply(deps, req.firm, req.user!, String(req.params.id), req, res);
    if (!outcome.ok) return showMail(req, res, outcome.errors, (req.body ?? {}) as Record<string, unknown>, outcome.status);
    flash(req, 'success', outcome.status === 'sent' ? 'courriers:reply.sent' : 'courriers:reply.queued');
    res.redirect(303, `/mail/${req.params.id}`);
  });

  r.post('/mail/:id/replies/:replyId/rework', async (req, res) => {
    await rework(deps, req.firm, req.user!, String(req.params.replyId), String((req.body as { body?: string }).body ?? '').trim());
    flash(req, 'success', req.firm.superviseReplies && req.user!.role !== 'supervisor' ? 'courriers:reply.queued' : 'courriers:reply.sent');
    res.redirect(303, `/mail/${req.params.id}`);
  });

  r.post('/mail/:id/copy', requireRole('supervisor', 'collaborator'), async (req, res) => {
    const { contacts } = await copyToClient(deps, req.firm, req.user!, String(req.params.id));
    flash(req, 'success', contacts ? 'courriers:copy.done' : 'courriers:copy.doneNoContact', { count: contacts });
    res.redirect(303, `/mail/${req.params.id}`);
  });

  r.get('/mail/:id/files/:fileId', async (req, res) => {
    await sendFileStream(res, await replyFile(deps, req.firm, req.user!, String(req.params.id), String(req.params.fileId)));
  });

  // I2, the supervisor's queue: "Réponses à valider". A client's archive is the firm's staff's.
  r.use('/supervision/replies', requireRole('supervisor'));
  r.use('/clients', requireRole('supervisor', 'collaborator'));

  r.get('/supervision/replies', async (req, res) => {
    const pending = await asUser(req, (trx) => pendingReplies(trx, req.firm.id));
    renderPage(res, 'courriers/queue', { title: res.locals.t('courriers:queue.title'), pending });
  });

  r.post('/supervision/replies/setting', async (req, res) => {
    await setSupervision(deps, req.firm, req.user!, (req.body as { supervise?: string }).supervise === 'yes');
    flash(req, 'success', 'courriers:queue.settingSaved');
    res.redirect(303, '/supervision/replies');
  });

  r.post('/supervision/replies/:replyId/approve', async (req, res) => {
    const body = String((req.body as { body?: string }).body ?? '').trim();
    if (!body || body.length > 10_000) throw new Invalid('courriers:errors.bodyRequired');
    await decide(deps, req.firm, req.user!, String(req.params.replyId), { approve: true, body });
    flash(req, 'success', 'courriers:queue.approved');
    res.redirect(303, '/supervision/replies');
  });

  r.post('/supervision/replies/:replyId/reject', async (req, res) => {
    const comment = String((req.body as { comment?: string }).comment ?? '').trim();
    if (!comment || comment.length > 2000) throw new Invalid('courriers:errors.commentRequired');
    await decide(deps, req.firm, req.user!, String(req.params.replyId), { approve: false, comment });
    flash(req, 'success', 'courriers:queue.rejected');
    res.redirect(303, '/supervision/replies');
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
