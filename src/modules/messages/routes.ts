// "Messages" (seed 001 §V, seed 000 "Dialogue OGA"): "Messages reçus" and "Messages envoyés",
// "Nouveau message", a message's page ("Répondre", "Annuler"), its attachments, and the
// "Exportation Excel". Every role has them (index.ts); what each sees is repo.ts's business.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { sendFileStream } from '../../http/attachment.ts';
import { flash } from '../../http/middleware/locals.ts';
import { listLink } from '../../http/listLink.ts';
import { renderPage } from '../../http/render.ts';
import { Conflict, Forbidden } from '../../lib/errors.ts';
import { parseForm, type FieldErrors } from '../../lib/validation.ts';
import { sendXlsx } from '../../lib/xlsx/http.ts';
import { MAX_FILE_BYTES, MAX_FILES } from './attachments.ts';
import { messageExport } from './export.ts';
import { CONTACT_OPTIONS, recipientOptions } from './recipients.ts';
import { COUNT_CAP, findMessage, listMessages, stateOf } from './repo.ts';
import { BOXES, composeQuery, listQuery, MAX_BODY, MAX_SUBJECT, replySchema, STATES } from './schemas.ts';
import { asPerson } from '../../db/withFirm.ts';
import { cancelMessage, messageFile, openMessage, sendMessage } from './service.ts';
import { heldCount, historyOf, rework } from './supervision.ts';

const today = () => new Date().toISOString().slice(0, 10);
/** The states a box can filter on: what was received is never held. */
const STATES_OF = { received: ['toRead', 'read', 'cancelled'], sent: STATES } as const;
const LIMITS = { maxSubject: MAX_SUBJECT, maxBody: MAX_BODY, maxFiles: MAX_FILES, maxMb: MAX_FILE_BYTES / 1024 / 1024 };

export function messageRoutes(deps: AppDeps): Router {
  const r = Router();
  const id = (req: Request) => String(req.params.id);

  r.get('/messages', async (req, res) => {
    const query = listQuery.parse(req.query);
    const box = query.box ?? 'received';
    const user = req.user!;
    const data = await asPerson(deps, req.firm, user, async (trx) => ({
      list: await listMessages(trx, req.firm.id, user, { ...query, box }, req.firm.rowsPerPage),
      held: user.role === 'supervisor' ? await heldCount(trx, req.firm.id) : 0,
    }));
    renderPage(res, 'messages/index', { title: res.locals.t(`messages:boxes.${box}`), ...data, query, box, boxes: BOXES, states: STATES_OF[box], linkTo: listLink('/messages', query), stateOf, countCap: COUNT_CAP });
  });

  r.get('/messages/export.xlsx', async (req, res) => {
    const query = listQuery.parse(req.query);
    const { sheet, rows } = messageExport(deps, req.firm, req.user!, query, res.locals.t);
    await sendXlsx(res, `${res.locals.t('messages:export.filename')} ${today()}.xlsx`, sheet, rows);
  });

  async function showNew(req: Request, res: Response, values: Record<string, unknown>, errors: FieldErrors = {}, status = 200) {
    const search = composeQuery.parse(req.query).q;
    const choice = await asPerson(deps, req.firm, req.user!, (trx) => recipientOptions(trx, req.firm, req.user!, search));
    renderPage(res, 'messages/new', { title: res.locals.t('messages:new.title'), ...choice, search, values, errors, limits: LIMITS, contactLimit: CONTACT_OPTIONS, reply: undefined }, status);
  }

  r.get('/messages/new', (req, res) => showNew(req, res, { to: composeQuery.parse(req.query).to ?? '' }));

  r.post('/messages', async (req, res) => {
    const outcome = await sendMessage(deps, req.firm, req.user!, req, res);
    if (!outcome.ok) return showNew(req, res, (req.body ?? {}) as Record<string, unknown>, outcome.errors, outcome.status);
    flash(req, 'success', outcome.status === 'pending' ? 'messages:new.held' : 'messages:new.sent');
    res.redirect(303, `/messages/${outcome.id}`);
  });

  async function showReply(req: Request, res: Response, values: Record<string, unknown>, errors: FieldErrors = {}, status = 200) {
    const user = req.user!;
    const data = await asPerson(deps, req.firm, user, async (trx) => {
      const { message, standing } = await findMessage(trx, req.firm.id, user, id(req));
      if (standing !== 'recipient') throw new Forbidden('messages:errors.notTheRecipient');
      if (message.status === 'cancelled') throw new Conflict('messages:errors.cancelledByItsSender');
      return { original: message };
    });
    const subject = values.subject ?? res.locals.t('messages:reply.subject', { subject: data.original.subject }).slice(0, MAX_SUBJECT);
    // The centre answers from the address the message was written to.
    const fromName = user.role === 'centre' && data.original.recipientKind === 'address' ? `${user.name} · ${data.original.recipientName}` : user.name;
    renderPage(res, 'messages/new', { title: res.locals.t('messages:reply.title'), options: [], more: false, search: undefined, values: { ...values, subject }, errors, limits: LIMITS, contactLimit: CONTACT_OPTIONS, reply: { ...data, fromName } }, status);
  }

  r.get('/messages/:id/reply', (req, res) => showReply(req, res, {}));

  r.post('/messages/:id/reply', async (req, res) => {
    const outcome = await sendMessage(deps, req.firm, req.user!, req, res, id(req));
    if (!outcome.ok) return showReply(req, res, (req.body ?? {}) as Record<string, unknown>, outcome.errors, outcome.status);
    flash(req, 'success', outcome.status === 'pending' ? 'messages:new.held' : 'messages:reply.sent');
    res.redirect(303, `/messages/${outcome.id}`);
  });

  async function show(req: Request, res: Response, errors: FieldErrors = {}, values: Record<string, unknown> = {}, status = 200) {
    const user = req.user!;
    const data = await openMessage(deps, req.firm, user, id(req));
    const { message, standing } = data;
    const staff = user.role === 'supervisor' || user.role === 'collaborator';
    // A supervised message's history: held, refused, reworked, approved.
    const supervised = message.decidedAt || message.status === 'pending' || message.status === 'rejected';
    const history = staff && standing !== 'recipient' && supervised ? await asPerson(deps, req.firm, user, (trx) => historyOf(trx, req.firm.id, message.id)) : [];
    renderPage(
      res,
      'messages/show',
      {
        title: message.subject,
        ...data,
        state: stateOf(message),
        history,
        canReply: standing === 'recipient' && message.status === 'sent',
        canCancel: standing === 'sender' && !message.readAt && message.status !== 'cancelled',
        canRework: standing === 'sender' && message.status === 'rejected',
        errors,
        values,
        limits: LIMITS,
      },
      status,
    );
  }

  r.get('/messages/:id', (req, res) => show(req, res));

  r.post('/messages/:id/cancel', async (req, res) => {
    try {
      await cancelMessage(deps, req.firm, req.user!, id(req));
    } catch (err) {
      // Read a moment ago, or cancelled from another tab: the page says so.
      if (err instanceof Conflict) return show(req, res, { _form: { key: err.messageKey } }, {}, err.status);
      throw err;
    }
    flash(req, 'success', 'messages:cancel.done');
    res.redirect(303, `/messages/${id(req)}`);
  });

  r.post('/messages/:id/rework', async (req, res) => {
    const form = parseForm(replySchema, req.body);
    const outcome = form.ok ? await rework(deps, req.firm, req.user!, id(req), form.data).catch((err: unknown) => {
      if (err instanceof Conflict) return { ok: false as const, errors: { _form: { key: err.messageKey } }, status: err.status };
      throw err;
    }) : { ok: false as const, errors: form.errors, status: 400 };
    if (!outcome.ok) return show(req, res, outcome.errors, (req.body ?? {}) as Record<string, unknown>, outcome.status);
    flash(req, 'success', outcome.status === 'pending' ? 'messages:new.held' : 'messages:new.sent');
    res.redirect(303, `/messages/${id(req)}`);
  });

  r.get('/messages/:id/files/:fileId', async (req, res) => {
    await sendFileStream(res, await messageFile(deps, req.firm, req.user!, id(req), String(req.params.fileId)));
  });

  return r;
}
