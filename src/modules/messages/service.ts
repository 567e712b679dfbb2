// Writing, reading and cancelling messages (H1–H3). A message lives in the product; its recipient
// is told by email (a link, never the attachments) and in the app. A message to one of the centre's
// addresses is also emailed to that address, with its text (the address is a mailbox of the centre).
// When the firm supervises its collaborators' messages to clients, such a message waits for a
// supervisor (supervision.ts) and reaches the contact only once approved.
import type { Request, Response } from 'express';
import type { MessageRow, MessageStatus } from '../../db/messageTables.ts';
import type { FirmRow } from '../../db/tables.ts';
import { asPerson, type FirmTrx } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import type { SentFile } from '../../http/attachment.ts';
import { Conflict, Forbidden, NotFound } from '../../lib/errors.ts';
import { composeMail, enqueueMail } from '../../lib/mail/outbox.ts';
import { FORM_ERROR, parseForm, type FieldErrors } from '../../lib/validation.ts';
import { recordActivity } from '../activity/service.ts';
import { firmStorage, removeStored } from '../documents/store.ts';
import { notify } from '../notifications/service.ts';
import { receiveAttachments } from './attachments.ts';
import { replyRecipient, resolveRecipient, type Recipient } from './recipients.ts';
import { filesOf, findMessage, originalOf, type Person } from './repo.ts';
import { messageSchema, replySchema, type MessageForm } from './schemas.ts';

const linkTo = (deps: AppDeps, firm: FirmRow, path: string) => new URL(path, deps.firms.urlFor(firm, deps.config.publicUrl)).toString();
const cabinetOf = (firm: FirmRow) => firm.siteName || firm.name;

/** A collaborator's message to a client's contact waits for a supervisor when the firm says so. */
export const isHeld = (firm: FirmRow, person: Person, recipient: Pick<Recipient, 'isContact'>) => firm.superviseMessages && person.role === 'collaborator' && recipient.isContact;

export type SendOutcome = { ok: true; id: string; status: MessageStatus } | { ok: false; errors: FieldErrors; status: number };

/** A message the person received and may answer: delivered, not cancelled. */
async function answerable(trx: FirmTrx, firm: FirmRow, person: Person, id: string): Promise<MessageRow> {
  const { message, standing } = await findMessage(trx, firm.id, person, id);
  if (standing !== 'recipient') throw new Forbidden('messages:errors.notTheRecipient');
  if (message.status === 'cancelled') throw new Conflict('messages:errors.cancelledByItsSender');
  return message;
}

/**
 * "Nouveau message" (H2), or the answer to `replyTo` (H3): subject, text and attachments, to the
 * recipient chosen (or, for an answer, the original's sender). All or nothing: a refusal keeps no
 * file and no row.
 */
export async function sendMessage(deps: AppDeps, firm: FirmRow, person: Person, req: Request, res: Response, replyTo?: string): Promise<SendOutcome> {
  // The message answered is checked before a byte of the attachments is stored.
  if (replyTo) await asPerson(deps, firm, person, (trx) => answerable(trx, firm, person, replyTo));
  const received = await receiveAttachments(deps, firm, req, res);
  if (!received.ok) return { ok: false, errors: { files: received.error }, status: received.status };
  const { files, keys } = received;
  const refuse = async (errors: FieldErrors, status = 400): Promise<SendOutcome> => {
    await removeStored(deps, firm.id, keys);
    return { ok: false, errors, status };
  };
  const form = parseForm(replyTo ? replySchema : messageSchema, req.body);
  if (!form.ok) return refuse(form.errors);
  try {
    const outcome = await asPerson(deps, firm, person, async (trx): Promise<SendOutcome> => {
      const original = replyTo ? await answerable(trx, firm, person, replyTo) : undefined;
      const resolution = original ? await replyRecipient(trx, firm, person, original) : await resolveRecipient(trx, firm, person, (form.data as MessageForm).to);
      if (!resolution.ok) return { ok: false, errors: { [original ? FORM_ERROR : 'to']: resolution.error }, status: 400 };
      const recipient = resolution.recipient;
      // The centre answers from the address the message was sent to.
      const fromAddress = person.role === 'centre' && original?.recipientKind === 'address' ? await trx('messageAddresses').where({ firmId: firm.id, id: original.recipientAddressId! }).first('id', 'label') : undefined;
      const held = isHeld(firm, person, recipient);
      const [row] = await trx('messages')
        .insert({
          firmId: firm.id,
          senderId: person.id,
          senderAddressId: fromAddress?.id ?? null,
          senderName: (fromAddress ? `${person.name} · ${fromAddress.label}` : person.name).slice(0, 300),
          recipientKind: recipient.kind,
          recipientUserId: recipient.userId,
          recipientAddressId: recipient.addressId,
          recipientName: recipient.name.slice(0, 300),
          clientId: recipient.clientId,
          inReplyTo: original?.id ?? null,
          subject: form.data.subject,
          body: form.data.body,
          status: held ? 'pending' : 'sent',
          sentAt: held ? null : new Date(),
        })
        .returning('*');
      const message = row as MessageRow;
      if (files.length) {
        await trx('messageFiles').insert(files.map((f) => ({ firmId: firm.id, messageId: message.id, name: f.name, mime: f.upload.mime, size: String(f.upload.size), sha256: f.upload.sha256, storageKey: f.upload.key })));
      }
      await recordActivity(trx, firm.id, {
        action: original ? 'messages.replied' : 'messages.sent',
        actor: person,
        clientId: message.clientId,
        objectType: 'message',
        objectId: message.id,
        objectLabel: message.subject,
        details: { to: message.recipientName, files: files.length, held },
      });
      if (held) await tellSupervisors(deps, trx, firm, message);
      else await announce(deps, trx, firm, message, files.map((f) => f.name));
      return { ok: true, id: message.id, status: message.status };
    });
    if (!outcome.ok) await removeStored(deps, firm.id, keys);
    return outcome;
  } catch (err) {
    await removeStored(deps, firm.id, keys);
    throw err;
  }
}

/**
 * A delivered message is announced: to a person, an email with a link (never the text nor the
 * attachments) and a notification; to one of the centre's addresses, an email with the text and the
 * names of the attachments (Reply-To the writer), and a notification to each of the centre's people.
 */
export async function announce(deps: AppDeps, trx: FirmTrx, firm: FirmRow, message: MessageRow, fileNames: string[]): Promise<void> {
  const href = `/messages/${message.id}`;
  const tags = { expediteur: message.senderName, objet: message.subject, lien: linkTo(deps, firm, href), cabinet: cabinetOf(firm) };
  if (message.recipientKind === 'user') {
    if (!message.recipientUserId) return;
    const user = await trx('users').where({ firmId: firm.id, id: message.recipientUserId, active: true }).first('id', 'email', 'locale');
    if (!user) return;
    if (user.email) await enqueueMail(trx, firm.id, composeMail(deps.i18n.getFixedT(user.locale ?? firm.defaultLocale), user.email, 'messages:mail.new', tags));
    await notify(trx, firm.id, [user.id], { kind: 'message', key: 'messages:notifications.new', params: { name: message.senderName, subject: message.subject }, href });
    return;
  }
  const address = (await trx('messageAddresses').where({ firmId: firm.id, id: message.recipientAddressId! }).first('email', 'label'))!;
  const t = deps.i18n.getFixedT(firm.defaultLocale);
  const writer = message.senderId ? await trx('users').where({ firmId: firm.id, id: message.senderId }).first('email') : undefined;
  const mail = composeMail(t, address.email, 'messages:mail.toAddress', { ...tags, destinataire: address.label, message: message.body, pieces: fileNames.length ? fileNames.join(', ') : t('messages:mail.noFiles') });
  await enqueueMail(trx, firm.id, writer?.email ? { ...mail, replyTo: writer.email } : mail);
  const centre: { id: string }[] = await trx('users').where({ firmId: firm.id, role: 'centre', active: true }).select('id');
  await notify(trx, firm.id, centre.map((u) => u.id), { kind: 'message', key: 'messages:notifications.toAddress', params: { name: message.senderName, subject: message.subject, address: address.label }, href });
}

/** A held message: the supervisors are told by email and in the app. */
export async function tellSupervisors(deps: AppDeps, trx: FirmTrx, firm: FirmRow, message: MessageRow): Promise<void> {
  const supervisors: { id: string; email: string | null; locale: string | null }[] = await trx('users').where({ firmId: firm.id, role: 'supervisor', active: true }).select('id', 'email', 'locale');
  const tags = { auteur: message.senderName, destinataire: message.recipientName, objet: message.subject, lien: linkTo(deps, firm, '/supervision/messages'), cabinet: cabinetOf(firm) };
  for (const s of supervisors) if (s.email) await enqueueMail(trx, firm.id, composeMail(deps.i18n.getFixedT(s.locale ?? firm.defaultLocale), s.email, 'messages:mail.toApprove', tags));
  await notify(trx, firm.id, supervisors.map((s) => s.id), { kind: 'supervision', key: 'messages:notifications.toApprove', params: { name: message.senderName, subject: message.subject }, href: '/supervision/messages' });
}

/**
 * A message's page: the message, its files, and the one it answers. Opening a message delivered to
 * the person marks it "consulté" (the first of the centre's people to open one of its addresses'
 * messages reads it for the centre).
 */
export async function openMessage(deps: AppDeps, firm: FirmRow, person: Person, id: string) {
  return asPerson(deps, firm, person, async (trx) => {
    const { message, standing } = await findMessage(trx, firm.id, person, id);
    if (standing === 'recipient' && message.status === 'sent' && !message.readAt) {
      const [read] = await trx('messages').where({ firmId: firm.id, id: message.id, status: 'sent' }).whereNull('readAt').update({ readAt: new Date(), readBy: person.id, updatedAt: new Date() }).returning(['readAt', 'readBy']);
      if (read) Object.assign(message, read);
    }
    // A cancelled message is withdrawn: its recipient keeps its subject, not its text nor its files.
    const withdrawn = message.status === 'cancelled' && standing === 'recipient';
    const files = withdrawn ? [] : await filesOf(trx, firm.id, message.id);
    const original = await originalOf(trx, firm.id, person, message, standing);
    const client = message.clientId ? await trx('clients').where({ firmId: firm.id, id: message.clientId }).first('id', 'name', 'number') : undefined;
    return { message: withdrawn ? { ...message, body: '' } : message, standing, files, original, client, withdrawn };
  });
}

/**
 * "Annuler": the sender withdraws a message its recipient has not read (or one still held). One
 * conditional UPDATE: a message read a moment before cannot be cancelled after.
 */
export async function cancelMessage(deps: AppDeps, firm: FirmRow, person: Person, id: string): Promise<void> {
  await asPerson(deps, firm, person, async (trx) => {
    const { message, standing } = await findMessage(trx, firm.id, person, id);
    if (standing !== 'sender') throw new Forbidden('messages:errors.notTheSender');
    const changed = await trx('messages')
      .where({ firmId: firm.id, id: message.id, senderId: person.id })
      .whereIn('status', ['sent', 'pending', 'rejected'])
      .whereNull('readAt')
      .update({ status: 'cancelled', cancelledAt: new Date(), updatedAt: new Date() });
    if (!changed) {
      const now = (await trx('messages').where({ firmId: firm.id, id: message.id }).first('status', 'readAt'))!;
      throw new Conflict(now.readAt ? 'messages:errors.alreadyRead' : 'messages:errors.alreadyCancelled');
    }
    await recordActivity(trx, firm.id, { action: 'messages.cancelled', actor: person, clientId: message.clientId, objectType: 'message', objectId: message.id, objectLabel: message.subject });
    // The centre's mailbox got the text by email: it is told the message is withdrawn.
    if (message.status === 'sent' && message.recipientKind === 'address') {
      const address = (await trx('messageAddresses').where({ firmId: firm.id, id: message.recipientAddressId! }).first('email'))!;
      const t = deps.i18n.getFixedT(firm.defaultLocale);
      await enqueueMail(trx, firm.id, composeMail(t, address.email, 'messages:mail.cancelled', { expediteur: message.senderName, objet: message.subject, cabinet: cabinetOf(firm) }));
    }
  });
}

/** An attachment, for those who may open its message (not a cancelled message's recipient). */
export async function messageFile(deps: AppDeps, firm: FirmRow, person: Person, messageId: string, fileId: string): Promise<SentFile> {
  if (!/^\d{1,18}$/.test(fileId)) throw new NotFound();
  const file = await asPerson(deps, firm, person, async (trx) => {
    const { message, standing } = await findMessage(trx, firm.id, person, messageId);
    if (message.status === 'cancelled' && standing === 'recipient') throw new NotFound();
    const f = await trx('messageFiles').where({ firmId: firm.id, messageId: message.id, id: fileId }).first('name', 'mime', 'size', 'storageKey');
    if (!f) throw new NotFound();
    return f;
  });
  const storage = await firmStorage(deps, firm.id);
  return { name: file.name, size: Number(file.size), mime: file.mime, open: async () => (await storage.open(file.storageKey)).stream };
}
