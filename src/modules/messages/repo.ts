// Reading messages: who sees which, "Messages reçus" and "Messages envoyés" with their filters and
// paging, one message, its files. A person sees what they sent and what was delivered to them; the
// centre's people also see what was delivered to the centre's addresses; a contact only about their
// own clients (the database says the same: see the migration); a supervisor also opens the messages
// held for approval.
import type { Knex } from 'knex';
import type { MessageFileRow, MessageRow } from '../../db/messageTables.ts';
import type { FirmTrx } from '../../db/withFirm.ts';
import type { SessionUser } from '../../http/context.ts';
import { NotFound } from '../../lib/errors.ts';
import type { ListQuery, MessageState } from './schemas.ts';

export type Person = Pick<SessionUser, 'id' | 'role' | 'name'>;

/** About one of the contact's own clients. */
function ofOwnClients(q: Knex.QueryBuilder, trx: FirmTrx, firmId: string, person: Person): Knex.QueryBuilder {
  if (person.role !== 'contact') return q;
  return q.whereExists((s) => s.select(trx.raw('1')).from('clientContacts as cc').where('cc.firmId', firmId).where('cc.userId', person.id).whereRaw('cc.client_id = messages.client_id'));
}

/** Delivered to the person (or, for the centre's people, to one of the centre's addresses). */
function received(w: Knex.QueryBuilder, person: Person): Knex.QueryBuilder {
  return w.whereNotNull('messages.sentAt').where((r) => {
    r.where('messages.recipientUserId', person.id);
    if (person.role === 'centre') r.orWhere('messages.recipientKind', 'address');
  });
}

export function receivedBy(trx: FirmTrx, firmId: string, person: Person): Knex.QueryBuilder {
  return ofOwnClients(received(trx('messages').where('messages.firmId', firmId), person), trx, firmId, person);
}

export function sentBy(trx: FirmTrx, firmId: string, person: Person): Knex.QueryBuilder {
  return ofOwnClients(trx('messages').where('messages.firmId', firmId).where('messages.senderId', person.id), trx, firmId, person);
}

/** The state users see (seed 001 §V.1: "à consulter", "consulté", "annulé"; and, held, the supervision's). */
export function stateOf(m: Pick<MessageRow, 'status' | 'readAt'>): MessageState {
  if (m.status === 'sent') return m.readAt ? 'read' : 'toRead';
  return m.status;
}

const STATE_FILTERS: Record<MessageState, (q: Knex.QueryBuilder) => Knex.QueryBuilder> = {
  toRead: (q) => q.where('messages.status', 'sent').whereNull('messages.readAt'),
  read: (q) => q.where('messages.status', 'sent').whereNotNull('messages.readAt'),
  cancelled: (q) => q.where('messages.status', 'cancelled'),
  pending: (q) => q.where('messages.status', 'pending'),
  rejected: (q) => q.where('messages.status', 'rejected'),
};

/** The list's filters (box, state, words), shared by the page, its count and the export. */
export function filteredMessages(trx: FirmTrx, firmId: string, person: Person, f: ListQuery): Knex.QueryBuilder {
  const q = f.box === 'sent' ? sentBy(trx, firmId, person) : receivedBy(trx, firmId, person);
  if (f.state) STATE_FILTERS[f.state](q);
  for (const word of (f.q ?? '').split(/\s+/).filter(Boolean).slice(0, 8)) {
    q.whereRaw(`messages.search_text LIKE '%' || app_fold(?) || '%'`, [word.replace(/[\\%_]/g, (c) => `\\${c}`)]);
  }
  return q;
}

/** The order of a box: received by delivery, sent by writing; the id settles ties (and keysets). */
export function orderOf(f: ListQuery): { column: string; dir: 'asc' | 'desc' } {
  return { column: f.box === 'sent' ? 'messages.createdAt' : 'messages.sentAt', dir: f.sort === 'oldest' ? 'asc' : 'desc' };
}

export interface MessageListRow extends Pick<MessageRow, 'id' | 'subject' | 'senderName' | 'recipientName' | 'recipientKind' | 'status' | 'createdAt' | 'sentAt' | 'readAt' | 'clientId' | 'inReplyTo'> {
  clientName: string | null;
  clientNumber: number | null;
  fileCount: string;
}

/** The columns of a list row, with the client's name and the number of attachments. */
export function withListColumns(trx: FirmTrx, q: Knex.QueryBuilder): Knex.QueryBuilder {
  return q
    .leftJoin('clients', (j) => j.on('clients.firmId', 'messages.firmId').andOn('clients.id', 'messages.clientId'))
    .select('messages.id', 'messages.subject', 'messages.senderName', 'messages.recipientName', 'messages.recipientKind', 'messages.status', 'messages.createdAt', 'messages.sentAt', 'messages.readAt', 'messages.clientId', 'messages.inReplyTo', 'clients.name as clientName', 'clients.number as clientNumber')
    .select(trx.raw('(SELECT count(*) FROM message_files f WHERE f.firm_id = messages.firm_id AND f.message_id = messages.id) AS file_count'));
}

export async function listMessages(trx: FirmTrx, firmId: string, person: Person, f: ListQuery, perPage: number) {
  const [{ n }] = (await filteredMessages(trx, firmId, person, f).count({ n: '*' })) as [{ n: string }];
  const total = Number(n);
  const pages = Math.max(1, Math.ceil(total / perPage));
  const page = Math.min(f.page ?? 1, pages);
  const { column, dir } = orderOf(f);
  // A deferred join: the page's ids walk the box's index only, then only its rows are read.
  const ids = filteredMessages(trx, firmId, person, f).select('messages.id').orderBy([{ column, order: dir }, { column: 'messages.id', order: dir }]).limit(perPage).offset((page - 1) * perPage);
  const rows = (await withListColumns(trx, trx('messages').where('messages.firmId', firmId).whereIn('messages.id', ids)).orderBy([{ column, order: dir }, { column: 'messages.id', order: dir }])) as MessageListRow[];
  return { rows, total, page, pages };
}

/** How the person stands to a message they may open. */
export type Standing = 'sender' | 'recipient' | 'supervisor';

/**
 * One message the person may open: theirs (sent or delivered to them, or to the centre's addresses
 * for its people), or, for a supervisor, one held for approval. Else 404: another firm's message, or
 * another person's, looks absent.
 */
export async function findMessage(trx: FirmTrx, firmId: string, person: Person, id: string): Promise<{ message: MessageRow; standing: Standing }> {
  if (!/^\d{1,18}$/.test(id)) throw new NotFound();
  const q = trx('messages')
    .where('messages.firmId', firmId)
    .where('messages.id', id)
    .where((w) => {
      w.where('messages.senderId', person.id).orWhere((r) => received(r, person));
      if (person.role === 'supervisor') w.orWhere('messages.status', 'pending');
    });
  const message = (await ofOwnClients(q, trx, firmId, person).first('messages.*')) as MessageRow | undefined;
  if (!message) throw new NotFound();
  const standing: Standing =
    message.senderId === person.id ? 'sender' : message.sentAt && (message.recipientUserId === person.id || (person.role === 'centre' && message.recipientKind === 'address')) ? 'recipient' : 'supervisor';
  return { message, standing };
}

export function filesOf(trx: FirmTrx, firmId: string, messageId: string): Promise<Pick<MessageFileRow, 'id' | 'name' | 'mime' | 'size'>[]> {
  return trx('messageFiles').where({ firmId, messageId }).orderBy('id').select('id', 'name', 'mime', 'size');
}

/**
 * The message answered, shown quoted under a reply: always one of the reader's own (a reply goes to
 * the original's sender); a supervisor reading a held reply sees what it answers.
 */
export async function originalOf(trx: FirmTrx, firmId: string, person: Person, message: Pick<MessageRow, 'inReplyTo'>, standing: Standing): Promise<MessageRow | undefined> {
  if (!message.inReplyTo) return undefined;
  if (standing === 'supervisor') return trx('messages').where({ firmId, id: message.inReplyTo }).first();
  return findMessage(trx, firmId, person, message.inReplyTo).then(
    (found) => found.message,
    (err: unknown) => {
      if (err instanceof NotFound) return undefined;
      throw err;
    },
  );
}
