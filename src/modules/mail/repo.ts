// Reading mail: the staff see the mail of the clients open to them (B1 rules); "Nouveaux courriers"
// is what is not archived yet, sorted and filtered as in seed 000; a client's archive is all of it.
// The management centre sees the mail it sent, archived or not ("Courriers envoyés").
import type { Knex } from 'knex';
import type { MailItemRow } from '../../db/mailTables.ts';
import { runPrepared, type FirmTrx } from '../../db/withFirm.ts';
import type { SessionUser } from '../../http/context.ts';
import { NotFound } from '../../lib/errors.ts';
import { visibleTo } from '../clients/repo.ts';
import type { MailListQuery } from './schemas.ts';

export type Person = Pick<SessionUser, 'id' | 'role' | 'name'>;

export function visibleMail(trx: FirmTrx, firmId: string, person: Person): Knex.QueryBuilder {
  const q = trx('mailItems')
    .join('clients', (j) => j.on('clients.firmId', 'mailItems.firmId').andOn('clients.id', 'mailItems.clientId'))
    .where('mailItems.firmId', firmId)
    .where('clients.inTrash', false);
  if (person.role === 'centre') q.where('mailItems.fromCentre', true);
  return visibleTo(q, firmId, person);
}

export type MailListRow = Pick<MailItemRow, 'id' | 'clientId' | 'type' | 'subject' | 'needsReply' | 'replyBy' | 'name' | 'createdAt' | 'readAt' | 'answeredAt' | 'archivedAt'> & {
  clientName: string;
  clientNumber: number;
};

const COLUMNS = ['mailItems.id', 'mailItems.clientId', 'mailItems.type', 'mailItems.subject', 'mailItems.needsReply', 'mailItems.replyBy', 'mailItems.name', 'mailItems.createdAt', 'mailItems.readAt', 'mailItems.answeredAt', 'mailItems.archivedAt', 'clients.name as clientName', 'clients.number as clientNumber'];
const ORDER: Record<NonNullable<MailListQuery['sort']>, [string, 'asc' | 'desc'][]> = {
  number: [['clients.number', 'asc'], ['mailItems.createdAt', 'desc']],
  name: [['clients.nameKey', 'asc'], ['mailItems.createdAt', 'desc']],
  newest: [['mailItems.createdAt', 'desc'], ['mailItems.id', 'desc']],
  oldest: [['mailItems.createdAt', 'asc'], ['mailItems.id', 'asc']],
};

/** "Nouveaux courriers": not archived, for all the clients the person may see; for the centre, all it sent. */
export async function newMail(trx: FirmTrx, firmId: string, person: Person, f: MailListQuery, perPage: number) {
  const filtered = () => {
    const q = visibleMail(trx, firmId, person);
    if (person.role !== 'centre') q.whereNull('mailItems.archivedAt');
    if (f.filter === 'noReply') q.where('mailItems.needsReply', false);
    if (f.filter === 'toAnswer') q.where('mailItems.needsReply', true).whereNull('mailItems.answeredAt');
    if (f.type) q.where('mailItems.type', f.type);
    return q;
  };
  // Prepared: planning these joins under row-level security cost more than running them.
  const [{ n }] = (await runPrepared(trx, filtered().count({ n: '*' }))) as [{ n: string }];
  const total = Number(n);
  const pages = Math.max(1, Math.ceil(total / perPage));
  const page = Math.min(f.page ?? 1, pages);
  const q = filtered().select(COLUMNS).limit(perPage).offset((page - 1) * perPage);
  for (const [column, dir] of ORDER[f.sort ?? 'newest']) q.orderBy(column, dir);
  return { rows: await runPrepared<MailListRow>(trx, q), total, page, pages };
}

/** A client's mail archive, newest first (the last 500). */
export function archiveOf(trx: FirmTrx, firmId: string, person: Person, clientId: string): Promise<MailListRow[]> {
  return visibleMail(trx, firmId, person).where('mailItems.clientId', clientId).select(COLUMNS).orderBy('mailItems.createdAt', 'desc').limit(500) as Promise<MailListRow[]>;
}

export async function findMail(trx: FirmTrx, firmId: string, person: Person, id: string): Promise<MailItemRow> {
  if (!/^\d{1,18}$/.test(id)) throw new NotFound();
  const row = (await visibleMail(trx, firmId, person).where('mailItems.id', id).first('mailItems.*')) as MailItemRow | undefined;
  if (!row) throw new NotFound();
  return row;
}
