// Answers to mail (G4) and supervised replies (I2). Someone in charge of the client answers a mail
// that needs it (text and attachments). A supervisor's answer, or any answer when the firm does not
// supervise, goes out at once; a collaborator's waits for a supervisor, who approves it (as written
// or edited) or rejects it with a comment; the collaborator reworks a rejected one. Only approved
// answers reach the mail's sender. Two supervisors deciding at once: the second is told, nothing
// changes twice (a conditional UPDATE). Every step is in the activity log, shown on the mail.
import type { Request, Response } from 'express';
import type { MailItemRow, MailReplyRow } from '../../db/mailTables.ts';
import type { FirmRow } from '../../db/tables.ts';
import { asPerson, withFirm, type FirmTrx } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import type { SentFile } from '../../http/attachment.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../../lib/errors.ts';
import { checkDisplayName } from '../../lib/files/name.ts';
import type { FileKind } from '../../lib/files/type.ts';
import { composeMail, enqueueMail } from '../../lib/mail/outbox.ts';
import { UploadEngine } from '../../lib/storage/uploadEngine.ts';
import type { FieldErrors } from '../../lib/validation.ts';
import { recordActivity } from '../activity/service.ts';
import { accessOf } from '../clients/repo.ts';
import { firmStorage, removeStored } from '../documents/store.ts';
import { notify } from '../notifications/service.ts';
import { findMail, type Person } from './repo.ts';

const MAX_BODY = 10_000;

/** Who may answer: the supervisor, or a collaborator who may modify the client (assigned, or "write"). */
export async function mayAnswer(trx: FirmTrx, firmId: string, person: Person, mail: MailItemRow): Promise<boolean> {
  if (person.role === 'supervisor') return true;
  if (person.role !== 'collaborator') return false;
  const client = (await trx('clients').where({ firmId, id: mail.clientId }).first('id', 'collaboratorId'))!;
  return (await accessOf(trx, firmId, person, client)) !== 'read';
}

const supervised = (firm: FirmRow, person: Person) => firm.superviseReplies && person.role !== 'supervisor';

export type ReplyOutcome = { ok: true; status: MailReplyRow['status'] } | { ok: false; errors: FieldErrors; status: number };

/**
 * The mail's answers, with their files and their history (newest step last). The centre gets only
 * the answers that went out to it: the firm's supervision is its own business.
 */
export async function repliesOf(trx: FirmTrx, firmId: string, mailId: string, person: Person) {
  const outside = person.role === 'centre';
  const replies = await trx('mailReplies')
    .leftJoin('users as a', (j) => j.on('a.firmId', 'mailReplies.firmId').andOn('a.id', 'mailReplies.authorId'))
    .where({ 'mailReplies.firmId': firmId, 'mailReplies.mailId': mailId })
    .modify((q) => (outside ? q.where('mailReplies.status', 'sent') : q))
    .orderBy('mailReplies.id')
    .select('mailReplies.*', trx.raw(`trim(a.first_name || ' ' || a.last_name) AS author_name`));
  const ids = replies.map((r: { id: string }) => r.id);
  const files = ids.length ? await trx('mailReplyFiles').where('firmId', firmId).whereIn('replyId', ids).select('id', 'replyId', 'name', 'size') : [];
  const history = ids.length && !outside
    ? await trx('activityLog').where({ firmId, objectType: 'mailReply' }).whereIn('objectId', ids).orderBy('id').select('at', 'action', 'actorName', 'objectId', 'details')
    : [];
  return (replies as (MailReplyRow & { authorName: string | null })[]).map((r) => ({
    ...r,
    files: files.filter((f: { replyId: string }) => f.replyId === r.id),
    history: history.filter((h: { objectId: string }) => h.objectId === r.id),
  }));
}

/** Writes an answer (text and attachments); sent at once, or queued for a supervisor. */
export async function writeReply(deps: AppDeps, firm: FirmRow, person: Person, mailId: string, req: Request, res: Response): Promise<ReplyOutcome> {
  // Checked before a byte of the attachments is stored.
  await asPerson(deps, firm, person, async (trx) => {
    const mail = await findMail(trx, firm.id, person, mailId);
    if (!(await mayAnswer(trx, firm.id, person, mail))) throw new Forbidden('courriers:errors.notInCharge');
  });
  const policy = { maxBytes: firm.uploadMaxMb * 1024 * 1024, kinds: firm.uploadKinds as FileKind[] };
  const received = await new UploadEngine(await firmStorage(deps, firm.id), policy).receive(req, res, { field: 'files', maxFiles: 10, policy });
  if (!received.ok && received.error.key !== 'validation.fileMissing') return { ok: false, errors: { files: received.error }, status: received.status };
  const files = received.ok ? received.files : [];
  const keys = files.map((f) => f.key);
  const body = typeof (req.body as { body?: unknown }).body === 'string' ? (req.body as { body: string }).body.trim() : '';
  const refuse = async (errors: FieldErrors, status = 400): Promise<ReplyOutcome> => {
    await removeStored(deps, firm.id, keys);
    return { ok: false, errors, status };
  };
  if (!body) return refuse({ body: { key: 'validation.required' } });
  if (body.length > MAX_BODY) return refuse({ body: { key: 'validation.tooLong', params: { max: MAX_BODY } } });
  const names: string[] = [];
  for (const f of files) {
    const check = checkDisplayName(f.originalName);
    if (!check.ok) return refuse({ files: { key: `documents:errors.name.${check.reason}`, params: { name: f.originalName.slice(0, 80) } } });
    names.push(check.name);
  }
  try {
    const outcome = await asPerson(deps, firm, person, async (trx): Promise<ReplyOutcome> => {
      const mail = await findMail(trx, firm.id, person, mailId);
      if (!mail.needsReply) return { ok: false, errors: { body: { key: 'courriers:errors.needsNoReply' } }, status: 400 };
      const live = await trx('mailReplies').where({ firmId: firm.id, mailId: mail.id }).whereIn('status', ['pending', 'sent']).first('id');
      if (live) return { ok: false, errors: { body: { key: 'courriers:errors.alreadyAnswered' } }, status: 409 };
      const status = supervised(firm, person) ? 'pending' : 'sent';
      const [row] = await trx('mailReplies').insert({ firmId: firm.id, mailId: mail.id, authorId: person.id, body, status }).returning('id');
      const replyId = String(row!.id);
      if (files.length) await trx('mailReplyFiles').insert(files.map((f, i) => ({ firmId: firm.id, replyId, name: names[i]!, mime: f.mime, size: String(f.size), sha256: f.sha256, storageKey: f.key })));
      await recordActivity(trx, firm.id, { action: 'courriers.replyWritten', actor: person, clientId: mail.clientId, objectType: 'mailReply', objectId: replyId, objectLabel: mail.subject, details: { files: files.length } });
      if (status === 'sent') await deliver(deps, trx, firm, person, mail, replyId, body);
      else await tellSupervisors(deps, trx, firm, mail);
      return { ok: true, status };
    });
    if (!outcome.ok) await removeStored(deps, firm.id, keys);
    return outcome;
  } catch (err) {
    await removeStored(deps, firm.id, keys);
    throw err;
  }
}

/** The answer goes out: the mail is answered, its sender told (the answer's text and a link). */
async function deliver(deps: AppDeps, trx: FirmTrx, firm: FirmRow, actor: Person, mail: MailItemRow, replyId: string, body: string) {
  await trx('mailReplies').where({ firmId: firm.id, id: replyId }).update({ status: 'sent', sentAt: new Date(), updatedAt: new Date() });
  await trx('mailItems').where({ firmId: firm.id, id: mail.id }).update({ answeredAt: new Date() });
  const sender = mail.senderId ? await trx('users').where({ firmId: firm.id, id: mail.senderId, active: true }).first('id', 'email', 'locale') : undefined;
  if (sender) await notify(trx, firm.id, [sender.id], { kind: 'mail', key: 'courriers:notifications.answered', params: { subject: mail.subject }, href: `/mail/${mail.id}` });
  if (sender?.email) {
    const t = deps.i18n.getFixedT(sender.locale ?? firm.defaultLocale);
    const lien = new URL(`/mail/${mail.id}`, deps.firms.urlFor(firm, deps.config.publicUrl)).toString();
    await enqueueMail(trx, firm.id, composeMail(t, sender.email, 'courriers:mail.answered', { objet: mail.subject, reponse: body, lien, cabinet: firm.siteName || firm.name }));
  }
  await recordActivity(trx, firm.id, { action: 'courriers.replySent', actor, clientId: mail.clientId, objectType: 'mailReply', objectId: replyId, objectLabel: mail.subject });
}

async function tellSupervisors(deps: AppDeps, trx: FirmTrx, firm: FirmRow, mail: MailItemRow) {
  const supervisors: { id: string; email: string | null; locale: string | null }[] = await trx('users').where({ firmId: firm.id, role: 'supervisor', active: true }).select('id', 'email', 'locale');
  await notify(trx, firm.id, supervisors.map((s) => s.id), { kind: 'supervision', key: 'courriers:notifications.toApprove', params: { subject: mail.subject }, href: '/supervision/replies' });
  const lien = new URL('/supervision/replies', deps.firms.urlFor(firm, deps.config.publicUrl)).toString();
  for (const s of supervisors) {
    if (!s.email) continue;
    const t = deps.i18n.getFixedT(s.locale ?? firm.defaultLocale);
    await enqueueMail(trx, firm.id, composeMail(t, s.email, 'courriers:mail.toApprove', { objet: mail.subject, lien, cabinet: firm.siteName || firm.name }));
  }
}

/** The answers waiting for a supervisor, oldest first. */
export function pendingReplies(trx: FirmTrx, firmId: string) {
  return trx('mailReplies')
    .join('mailItems as m', (j) => j.on('m.firmId', 'mailReplies.firmId').andOn('m.id', 'mailReplies.mailId'))
    .join('clients as c', (j) => j.on('c.firmId', 'm.firmId').andOn('c.id', 'm.clientId'))
    .leftJoin('users as a', (j) => j.on('a.firmId', 'mailReplies.firmId').andOn('a.id', 'mailReplies.authorId'))
    .where({ 'mailReplies.firmId': firmId, 'mailReplies.status': 'pending' })
    .orderBy('mailReplies.createdAt')
    .limit(200)
    .select('mailReplies.id', 'mailReplies.body', 'mailReplies.createdAt', 'mailReplies.updatedAt', 'm.id as mailId', 'm.subject', 'm.replyBy', 'c.name as clientName', 'c.number as clientNumber', trx.raw(`trim(a.first_name || ' ' || a.last_name) AS author_name`));
}

/** The supervisor's decision: approve (the text as they left it, edited or not) or reject with a comment. */
export async function decide(deps: AppDeps, firm: FirmRow, person: Person, replyId: string, decision: { approve: true; body: string } | { approve: false; comment: string }): Promise<void> {
  if (person.role !== 'supervisor') throw new Forbidden();
  if (!/^\d{1,18}$/.test(replyId)) throw new NotFound();
  await asPerson(deps, firm, person, async (trx) => {
    const reply = await trx('mailReplies').where({ firmId: firm.id, id: replyId }).first();
    if (!reply) throw new NotFound();
    const mail = (await trx('mailItems').where({ firmId: firm.id, id: reply.mailId }).first())!;
    const changes = decision.approve
      ? { status: 'sent' as const, body: decision.body, decidedBy: person.id, decidedAt: new Date(), decisionComment: '' }
      : { status: 'rejected' as const, decidedBy: person.id, decidedAt: new Date(), decisionComment: decision.comment };
    // Only a pending answer can be decided: the second of two tabs changes nothing.
    const changed = await trx('mailReplies').where({ firmId: firm.id, id: reply.id, status: 'pending' }).update({ ...changes, updatedAt: new Date() });
    if (!changed) throw new Conflict('courriers:errors.alreadyDecided');
    if (decision.approve) {
      if (decision.body !== reply.body) await recordActivity(trx, firm.id, { action: 'courriers.replyEdited', actor: person, clientId: mail.clientId, objectType: 'mailReply', objectId: reply.id, objectLabel: mail.subject });
      await recordActivity(trx, firm.id, { action: 'courriers.replyApproved', actor: person, clientId: mail.clientId, objectType: 'mailReply', objectId: reply.id, objectLabel: mail.subject });
      await deliver(deps, trx, firm, person, mail, reply.id, decision.body);
    } else {
      await recordActivity(trx, firm.id, { action: 'courriers.replyRejected', actor: person, clientId: mail.clientId, objectType: 'mailReply', objectId: reply.id, objectLabel: mail.subject, details: { comment: decision.comment } });
    }
    const author = reply.authorId ? await trx('users').where({ firmId: firm.id, id: reply.authorId }).first('id', 'email', 'locale') : undefined;
    if (author) await notify(trx, firm.id, [author.id], { kind: 'supervision', key: decision.approve ? 'courriers:notifications.approved' : 'courriers:notifications.rejected', params: { subject: mail.subject }, href: `/mail/${mail.id}` });
    if (author?.email) {
      const t = deps.i18n.getFixedT(author.locale ?? firm.defaultLocale);
      const lien = new URL(`/mail/${mail.id}`, deps.firms.urlFor(firm, deps.config.publicUrl)).toString();
      await enqueueMail(trx, firm.id, composeMail(t, author.email, decision.approve ? 'courriers:mail.approved' : 'courriers:mail.rejected', { objet: mail.subject, commentaire: decision.approve ? '' : decision.comment, lien, cabinet: firm.siteName || firm.name }));
    }
  });
}

/** The author reworks a rejected answer: it waits for a supervisor again. */
export async function rework(deps: AppDeps, firm: FirmRow, person: Person, replyId: string, body: string): Promise<void> {
  if (!/^\d{1,18}$/.test(replyId)) throw new NotFound();
  if (!body || body.length > MAX_BODY) throw new Invalid('courriers:errors.bodyRequired');
  await asPerson(deps, firm, person, async (trx) => {
    const reply = await trx('mailReplies').where({ firmId: firm.id, id: replyId }).first();
    if (!reply) throw new NotFound();
    const mail = await findMail(trx, firm.id, person, reply.mailId);
    if (reply.authorId !== person.id) throw new Forbidden('courriers:errors.notTheAuthor');
    const status = supervised(firm, person) ? 'pending' : 'sent';
    const changed = await trx('mailReplies').where({ firmId: firm.id, id: reply.id, status: 'rejected' }).update({ body, status: 'pending', updatedAt: new Date() });
    if (!changed) throw new Conflict('courriers:errors.alreadyDecided');
    await recordActivity(trx, firm.id, { action: 'courriers.replyReworked', actor: person, clientId: mail.clientId, objectType: 'mailReply', objectId: reply.id, objectLabel: mail.subject });
    if (status === 'sent') await deliver(deps, trx, firm, person, mail, reply.id, body);
    else await tellSupervisors(deps, trx, firm, mail);
  });
}

/** An attachment of an answer, for staff who may see the mail. */
export async function replyFile(deps: AppDeps, firm: FirmRow, person: Person, mailId: string, fileId: string): Promise<SentFile> {
  if (!/^\d{1,18}$/.test(fileId)) throw new NotFound();
  const file = await asPerson(deps, firm, person, async (trx) => {
    const mail = await findMail(trx, firm.id, person, mailId);
    const f = await trx('mailReplyFiles')
      .join('mailReplies as r', (j) => j.on('r.firmId', 'mailReplyFiles.firmId').andOn('r.id', 'mailReplyFiles.replyId'))
      .where({ 'mailReplyFiles.firmId': firm.id, 'mailReplyFiles.id': fileId, 'r.mailId': mail.id })
      .modify((q) => (person.role === 'centre' ? q.where('r.status', 'sent') : q))
      .first('mailReplyFiles.name', 'mailReplyFiles.mime', 'mailReplyFiles.size', 'mailReplyFiles.storageKey');
    if (!f) throw new NotFound();
    return f;
  });
  const storage = await firmStorage(deps, firm.id);
  return { name: file.name, size: Number(file.size), mime: file.mime, open: async () => (await storage.open(file.storageKey)).stream };
}

export async function setSupervision(deps: AppDeps, firm: FirmRow, person: Person, on: boolean): Promise<void> {
  if (person.role !== 'supervisor') throw new Forbidden();
  await withFirm(deps.db, firm.id, async (trx) => {
    await trx('firms').where({ id: firm.id }).update({ superviseReplies: on, updatedAt: new Date() });
    await recordActivity(trx, firm.id, { action: on ? 'courriers.supervisionOn' : 'courriers.supervisionOff', actor: person });
  });
  await deps.firms.refresh();
}
