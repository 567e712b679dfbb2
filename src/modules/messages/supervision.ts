// Supervision of messages to clients ("Superviser aussi les messages de mes collaborateurs aux
// clients", as mail/replies.ts does for answers to mail). When on, a collaborator's message to a
// client's contact is held ('pending'); the supervisors are emailed; one approves it (as written or
// edited) or rejects it with a comment; the author is emailed the decision and may rework a refused
// one. Only an approved message reaches the contact, once: a second decision from another tab
// changes nothing (a conditional UPDATE) and is told so.
import type { MessageRow } from '../../db/messageTables.ts';
import type { FirmRow } from '../../db/tables.ts';
import { asPerson, withFirm, type FirmTrx } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import { Conflict, Forbidden, NotFound } from '../../lib/errors.ts';
import { composeMail, enqueueMail } from '../../lib/mail/outbox.ts';
import type { FieldErrors } from '../../lib/validation.ts';
import { recordActivity } from '../activity/service.ts';
import { notify } from '../notifications/service.ts';
import { resolveRecipient } from './recipients.ts';
import { findMessage, type Person } from './repo.ts';
import { announce, isHeld, tellSupervisors } from './service.ts';

/** The held messages, oldest first, with their client and attachments. */
export async function heldMessages(trx: FirmTrx, firmId: string) {
  const rows = (await trx('messages')
    .leftJoin('clients', (j) => j.on('clients.firmId', 'messages.firmId').andOn('clients.id', 'messages.clientId'))
    .where('messages.firmId', firmId)
    .where('messages.status', 'pending')
    .orderBy([{ column: 'messages.createdAt' }, { column: 'messages.id' }])
    .limit(200)
    .select('messages.*', 'clients.name as clientName', 'clients.number as clientNumber')) as (MessageRow & { clientName: string | null; clientNumber: number | null })[];
  const ids = rows.map((r) => r.id);
  const files: { id: string; messageId: string; name: string; size: string }[] = ids.length ? await trx('messageFiles').where('firmId', firmId).whereIn('messageId', ids).orderBy('id').select('id', 'messageId', 'name', 'size') : [];
  return rows.map((r) => ({ ...r, files: files.filter((f) => f.messageId === r.id) }));
}

/** How many wait, up to 1,000 (shown "999+"). */
export async function heldCount(trx: FirmTrx, firmId: string): Promise<number> {
  const { rows } = (await trx.raw('SELECT count(*) AS n FROM (?) h', [trx('messages').where({ firmId, status: 'pending' }).select(trx.raw('1')).limit(1000)])) as { rows: { n: string }[] };
  return Number(rows[0]!.n);
}

export type Decision = { approve: true; subject: string; body: string } | { approve: false; comment: string };

/** The supervisor's decision on a held message. */
export async function decide(deps: AppDeps, firm: FirmRow, person: Person, id: string, decision: Decision): Promise<void> {
  if (person.role !== 'supervisor') throw new Forbidden();
  if (!/^\d{1,18}$/.test(id)) throw new NotFound();
  await asPerson(deps, firm, person, async (trx) => {
    const held = await trx('messages').where({ firmId: firm.id, id }).first();
    if (!held) throw new NotFound();
    const now = new Date();
    const changes = decision.approve
      ? { status: 'sent' as const, subject: decision.subject, body: decision.body, sentAt: now }
      : { status: 'rejected' as const, decisionComment: decision.comment };
    // Only a held message is decided: the second of two tabs changes nothing.
    const [message] = (await trx('messages')
      .where({ firmId: firm.id, id: held.id, status: 'pending' })
      .update({ ...changes, decidedBy: person.id, decidedAt: now, updatedAt: now })
      .returning('*')) as MessageRow[];
    if (!message) throw new Conflict('messages:errors.alreadyDecided');
    const base = { actor: person, clientId: message.clientId, objectType: 'message', objectId: message.id, objectLabel: message.subject };
    if (decision.approve) {
      if (decision.subject !== held.subject || decision.body !== held.body) await recordActivity(trx, firm.id, { ...base, action: 'messages.edited' });
      await recordActivity(trx, firm.id, { ...base, action: 'messages.approved' });
      const files: { name: string }[] = await trx('messageFiles').where({ firmId: firm.id, messageId: message.id }).orderBy('id').select('name');
      await announce(deps, trx, firm, message, files.map((f) => f.name));
    } else {
      await recordActivity(trx, firm.id, { ...base, action: 'messages.rejected', details: { comment: decision.comment } });
    }
    await tellAuthor(deps, trx, firm, message, decision);
  });
}

async function tellAuthor(deps: AppDeps, trx: FirmTrx, firm: FirmRow, message: MessageRow, decision: Decision) {
  if (!message.senderId) return;
  const author = await trx('users').where({ firmId: firm.id, id: message.senderId, active: true }).first('id', 'email', 'locale');
  if (!author) return;
  const href = `/messages/${message.id}`;
  const kind = decision.approve ? 'approved' : 'rejected';
  if (author.email) {
    const lien = new URL(href, deps.firms.urlFor(firm, deps.config.publicUrl)).toString();
    const tags = { objet: message.subject, destinataire: message.recipientName, commentaire: decision.approve ? '' : decision.comment, lien, cabinet: firm.siteName || firm.name };
    await enqueueMail(trx, firm.id, composeMail(deps.i18n.getFixedT(author.locale ?? firm.defaultLocale), author.email, `messages:mail.${kind}`, tags));
  }
  await notify(trx, firm.id, [author.id], { kind: 'supervision', key: `messages:notifications.${kind}`, params: { subject: message.subject }, href });
}

export type ReworkOutcome = { ok: true; status: MessageRow['status'] } | { ok: false; errors: FieldErrors; status: number };

/** The author reworks a refused message: held again (or sent, if the firm no longer supervises). */
export async function rework(deps: AppDeps, firm: FirmRow, person: Person, id: string, form: { subject: string; body: string }): Promise<ReworkOutcome> {
  return asPerson(deps, firm, person, async (trx): Promise<ReworkOutcome> => {
    const { message, standing } = await findMessage(trx, firm.id, person, id);
    if (standing !== 'sender') throw new Forbidden('messages:errors.notTheSender');
    // The contact must still be one the author may write to.
    const recipient = message.recipientUserId && message.clientId ? await resolveRecipient(trx, firm, person, `contact:${message.recipientUserId}:${message.clientId}`) : undefined;
    if (!recipient?.ok) return { ok: false, errors: { _form: recipient?.error ?? { key: 'messages:errors.recipientUnknown' } }, status: 400 };
    const held = isHeld(firm, person, recipient.recipient);
    const now = new Date();
    const [changed] = (await trx('messages')
      .where({ firmId: firm.id, id: message.id, senderId: person.id, status: 'rejected' })
      .update({ subject: form.subject, body: form.body, status: held ? 'pending' : 'sent', sentAt: held ? null : now, updatedAt: now })
      .returning('*')) as MessageRow[];
    if (!changed) throw new Conflict('messages:errors.alreadyDecided');
    await recordActivity(trx, firm.id, { action: 'messages.reworked', actor: person, clientId: changed.clientId, objectType: 'message', objectId: changed.id, objectLabel: changed.subject });
    if (held) await tellSupervisors(deps, trx, firm, changed);
    else {
      const files: { name: string }[] = await trx('messageFiles').where({ firmId: firm.id, messageId: changed.id }).orderBy('id').select('name');
      await announce(deps, trx, firm, changed, files.map((f) => f.name));
    }
    return { ok: true, status: changed.status };
  });
}

/** The decisions taken on a message (its history), for its author and the supervisors. */
export function historyOf(trx: FirmTrx, firmId: string, messageId: string) {
  return trx('activityLog').where({ firmId, objectType: 'message', objectId: messageId }).orderBy('id').select('at', 'action', 'actorName', 'details');
}

export async function setSupervision(deps: AppDeps, firm: FirmRow, person: Person, on: boolean): Promise<void> {
  if (person.role !== 'supervisor') throw new Forbidden();
  await withFirm(deps.db, firm.id, async (trx) => {
    await trx('firms').where({ id: firm.id }).update({ superviseMessages: on, updatedAt: new Date() });
    await recordActivity(trx, firm.id, { action: on ? 'messages.supervisionOn' : 'messages.supervisionOff', actor: person });
  });
  await deps.firms.refresh();
}
