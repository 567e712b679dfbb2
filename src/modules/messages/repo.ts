// Reading messages: who sees which, "Messages reçus" and "Messages envoyés" with their filters and
// paging, one message, its files. A person sees what they sent and what was delivered to them; the
// centre's people also see what was delivered to the centre's addresses; a contact only about their
// own clients (the database says the same: see the migration); a supervisor also opens the messages
// held for approval.
import type { Knex } from 'knex';
import type { MessageFileRow, MessageRow, MessageState } from '../../db/messageTables.ts';
import type { FirmTrx } from '../../db/withFirm.ts';
import type { SessionUser } from '../../http/context.ts';
import { NotFound } from '../../lib/errors.ts';
import { CURSOR, type ListQuery } from './schemas.ts';

export type Person = Pick<SessionUser, 'id' | 'role' | 'name'>;

/**
 * About one of the contact's own clients. Their few clients are read once into an array: a join
 * (what EXISTS or IN become) would make PostgreSQL read the whole box instead of its first page.
 */
function ofOwnClients(q: Knex.QueryBuilder, trx: FirmTrx, firmId: string, person: Person): Knex.QueryBuilder {
  if (person.role !== 'contact') return q;
  return q.whereRaw('messages.client_id = ANY (ARRAY(?))', [trx('clientContacts').where({ firmId, userId: person.id }).select('clientId')]);
}

/** Delivered to the person (or, for the centre's people, to one of the centre's addresses). */
function received(w: Knex.QueryBuilder, person: Person): Knex.QueryBuilder {
  return w.whereNotNull('messages.sentAt').where((r) => {
    r.where('messages.recipientUserId', person.id);
    if (person.role === 'centre') r.orWhere('messages.recipientKind', 'address');
  });
}

/** The state users see (seed 001 §V.1: "à consulter", "consulté", "annulé"; and, held, the supervision's). */
export function stateOf(m: Pick<MessageRow, 'status' | 'readAt'>): MessageState {
  if (m.status === 'sent') return m.readAt ? 'read' : 'toRead';
  return m.status;
}

/**
 * A box as ranges of its indexes: "Messages envoyés" is one (by sender); "Messages reçus" one (by
 * recipient) — two for the centre's people: what went to the centre's addresses and what went to
 * them. Each part is read in order by its own index and the parts are merged: an OR would make
 * PostgreSQL collect and sort the whole box.
 */
export function boxParts(trx: FirmTrx, firmId: string, person: Person, f: ListQuery): (() => Knex.QueryBuilder)[] {
  const base = () => trx('messages').where('messages.firmId', firmId);
  const filtered = (q: Knex.QueryBuilder) => {
    if (f.state) q.where('messages.state', f.state);
    for (const word of (f.q ?? '').split(/\s+/).filter(Boolean).slice(0, 8)) {
      q.whereRaw(`messages.search_text LIKE '%' || app_fold(?) || '%'`, [word.replace(/[\\%_]/g, (c) => `\\${c}`)]);
    }
    return ofOwnClients(q, trx, firmId, person);
  };
  if (f.box === 'sent') return [() => filtered(base().where('messages.senderId', person.id))];
  const parts = [() => filtered(base().whereNotNull('messages.sentAt').where('messages.recipientUserId', person.id))];
  if (person.role === 'centre') parts.unshift(() => filtered(base().whereNotNull('messages.sentAt').where('messages.recipientKind', 'address')));
  return parts;
}

export interface MessageListRow extends Pick<MessageRow, 'id' | 'subject' | 'senderName' | 'recipientName' | 'recipientKind' | 'status' | 'state' | 'createdAt' | 'sentAt' | 'readAt' | 'clientId' | 'inReplyTo'> {
  clientName: string | null;
  clientNumber: number | null;
  fileCount: string;
  /** The row's place in its box (see CURSOR). */
  cursor: string;
}

/** The column a box is ordered by: received by delivery, sent by writing; the id settles ties. */
const orderColumn = (f: ListQuery) => (f.box === 'sent' ? 'created_at' : 'sent_at');

/**
 * Up to `limit` rows of the box after `after` (a cursor) in `order`, each part read by its index
 * from the cursor on, then merged.
 */
export async function sliceOf(trx: FirmTrx, parts: (() => Knex.QueryBuilder)[], f: ListQuery, order: 'asc' | 'desc', after: string | undefined, limit: number): Promise<MessageListRow[]> {
  const column = `messages.${orderColumn(f)}`;
  const from = after ? CURSOR.exec(after) : null;
  const rows: MessageListRow[] = [];
  for (const part of parts) {
    const q = part()
      .leftJoin('clients', (j) => j.on('clients.firmId', 'messages.firmId').andOn('clients.id', 'messages.clientId'))
      .select('messages.id', 'messages.subject', 'messages.senderName', 'messages.recipientName', 'messages.recipientKind', 'messages.status', 'messages.state', 'messages.createdAt', 'messages.sentAt', 'messages.readAt', 'messages.clientId', 'messages.inReplyTo', 'clients.name as clientName', 'clients.number as clientNumber')
      .select(trx.raw('(SELECT count(*) FROM message_files f WHERE f.firm_id = messages.firm_id AND f.message_id = messages.id) AS file_count'))
      // Microseconds, in UTC: a JavaScript Date would drop them, and the next page would skip or repeat rows.
      .select(trx.raw(`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '_' || messages.id AS cursor`))
      .orderBy([{ column, order }, { column: 'messages.id', order }])
      .limit(limit);
    if (from) q.whereRaw(`(${column}, messages.id) ${order === 'desc' ? '<' : '>'} (?::timestamptz, ?::bigint)`, [from[1]!, from[2]!]);
    rows.push(...((await q) as MessageListRow[]));
  }
  const key = (r: MessageListRow) => {
    const [at, id] = r.cursor.split('_') as [string, string];
    return `${at}_${id.padStart(18, '0')}`; // fixed width: compared as strings
  };
  rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * (order === 'asc' ? 1 : -1));
  return rows.slice(0, limit);
}

/**
 * A box's reads are short ranges of an index, but the row-level security policies make PostgreSQL
 * overestimate them: past its threshold it compiles the query (JIT), which took 100 ms for a batch
 * of the export that ran in 10 ms (1,000,000 messages, bench notes in the migration 20261126000011).
 */
export async function noJit(trx: FirmTrx): Promise<void> {
  await trx.raw('SET LOCAL jit = off');
}

/** Counting stops here: "plus de 10 000 messages" is as useful as the exact figure, and costs nothing. */
export const COUNT_CAP = 10_000;

export async function countOf(trx: FirmTrx, parts: (() => Knex.QueryBuilder)[], cap = COUNT_CAP): Promise<{ total: number; capped: boolean }> {
  let total = 0;
  for (const part of parts) {
    const [row] = (await trx.raw('SELECT count(*) AS n FROM (?) c', [part().select(trx.raw('1')).limit(cap + 1)])).rows as { n: string }[];
    total += Number(row!.n);
  }
  return { total: Math.min(total, cap), capped: total > cap };
}

/**
 * A page of a box, by keyset: `next` (the rows after a cursor, in the box's order) or `prev` (those
 * before one); as fast on the thousandth page as on the first.
 */
export async function listMessages(trx: FirmTrx, firmId: string, person: Person, f: ListQuery, perPage: number) {
  await noJit(trx);
  const parts = boxParts(trx, firmId, person, f);
  const shown = f.sort === 'oldest' ? 'asc' : 'desc';
  const backwards = Boolean(f.prev) && !f.next;
  const cursor = backwards ? f.prev : f.next;
  let rows = await sliceOf(trx, parts, f, backwards ? (shown === 'asc' ? 'desc' : 'asc') : shown, cursor, perPage + 1);
  const more = rows.length > perPage;
  rows = rows.slice(0, perPage);
  if (backwards) rows.reverse();
  const { total, capped } = await countOf(trx, parts);
  if (!rows.length && cursor) return listMessages(trx, firmId, person, { ...f, next: undefined, prev: undefined }, perPage);
  return {
    rows,
    total,
    capped,
    next: (backwards || more) && rows.length ? rows.at(-1)!.cursor : undefined,
    prev: (backwards ? more : Boolean(cursor)) && rows.length ? rows[0]!.cursor : undefined,
  };
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
