// Reading clients: who may see which (B1), the list with its search, sort and paging, one client.
import type { Knex } from 'knex';
import type { FirmTrx } from '../../db/withFirm.ts';
import type { AccessLevel, ClientAttributeRow, ClientGroupRow, ClientRow, UserRow } from '../../db/tables.ts';
import type { SessionUser } from '../../http/context.ts';
import { NotFound } from '../../lib/errors.ts';
import type { ListQuery } from './schemas.ts';

export type StaffUser = Pick<SessionUser, 'id' | 'role'>;

/**
 * A supervisor sees every client; a collaborator the clients assigned to them and those shared with
 * them (B3 collaborator access). Everyone else sees none.
 */
export function visibleTo(q: Knex.QueryBuilder, firmId: string, user: StaffUser): Knex.QueryBuilder {
  if (user.role === 'supervisor') return q;
  // The management centre knows the firm's current clients (B7's list), nothing more.
  if (user.role === 'centre') return q.whereNull('clients.departedOn').where('clients.inTrash', false);
  if (user.role !== 'collaborator') return q.whereRaw('false');
  return q.where((w) =>
    w.where('clients.collaboratorId', user.id).orWhereExists((sub) =>
      sub.select(1).from('clientAccess').where('clientAccess.firmId', firmId).where('clientAccess.userId', user.id).whereRaw('?? = ??', ['clientAccess.clientId', 'clients.id']),
    ),
  );
}

const SORTS = { number: ['clients.number'], name: ['clients.nameKey', 'clients.id'], city: ['clients.cityKey', 'clients.id'], profession: ['clients.professionKey', 'clients.id'] } as const;

export interface ClientListRow extends Pick<ClientRow, 'id' | 'number' | 'name' | 'city' | 'profession' | 'siret' | 'blocked' | 'blockReason' | 'inTrash' | 'departedOn' | 'collaboratorId'> {
  collaboratorName: string | null;
}

/** The filters of the list (search, view, group, collaborator), shared by the page, its count and the export. */
export function filtered(trx: FirmTrx, firmId: string, user: StaffUser, f: ListQuery): Knex.QueryBuilder {
  const q = trx('clients').where('clients.firmId', firmId);
  visibleTo(q, firmId, user);
  const view = f.view ?? 'active';
  if (view === 'trash') q.where('clients.inTrash', true);
  else {
    q.where('clients.inTrash', false);
    if (view === 'departed') q.whereNotNull('clients.departedOn');
    else q.whereNull('clients.departedOn');
    if (view === 'unassigned') q.whereNull('clients.collaboratorId');
    if (view === 'blocked') q.where('clients.blocked', true);
  }
  if (f.group) q.where('clients.groupId', f.group);
  if (f.collaborator) q.where('clients.collaboratorId', f.collaborator);
  const text = f.q?.trim();
  if (text) {
    // "3306" finds client n° 3306; words find every client whose sheet holds them all, accents ignored.
    const words = text.split(/\s+/).filter(Boolean).slice(0, 8);
    q.where((w) => {
      if (/^\d{1,9}$/.test(text)) w.orWhere('clients.number', Number(text));
      w.orWhere((all) => {
        for (const word of words) all.whereRaw(`clients.search_text LIKE '%' || app_fold(?) || '%'`, [word.replace(/[\\%_]/g, (c) => `\\${c}`)]);
      });
    });
  }
  return q;
}

export async function listClients(trx: FirmTrx, firmId: string, user: StaffUser, f: ListQuery, perPage: number): Promise<{ rows: ClientListRow[]; total: number; page: number; pages: number }> {
  const [{ n }] = (await filtered(trx, firmId, user, f).count({ n: '*' })) as { n: string }[] as [{ n: string }];
  const total = Number(n);
  const pages = Math.max(1, Math.ceil(total / perPage));
  const page = Math.min(f.page ?? 1, pages);
  const dir = f.dir ?? 'asc';
  // A deferred join: the page's ids come from the index alone (page 400 skips 9,975 index entries,
  // not 9,975 rows), then only its rows are read.
  const ids = filtered(trx, firmId, user, f).select('clients.id').limit(perPage).offset((page - 1) * perPage);
  for (const column of SORTS[f.sort ?? 'name']) ids.orderBy(column, dir);
  const q = trx('clients')
    .where('clients.firmId', firmId)
    .whereIn('clients.id', ids)
    .leftJoin('users as collaborator', (j) => j.on('collaborator.firmId', 'clients.firmId').andOn('collaborator.id', 'clients.collaboratorId'))
    .select('clients.id', 'clients.number', 'clients.name', 'clients.city', 'clients.profession', 'clients.siret', 'clients.blocked', 'clients.blockReason', 'clients.inTrash', 'clients.departedOn', 'clients.collaboratorId')
    .select(trx.raw(`nullif(trim(collaborator.first_name || ' ' || collaborator.last_name), '') AS collaborator_name`));
  for (const column of SORTS[f.sort ?? 'name']) q.orderBy(column, dir);
  return { rows: (await q) as ClientListRow[], total, page, pages };
}

/** One client the user may see, or 404 (another firm's, or one not open to them, looks absent). */
export async function findVisibleClient(trx: FirmTrx, firmId: string, user: StaffUser, id: string): Promise<ClientRow> {
  if (!/^\d{1,18}$/.test(id)) throw new NotFound();
  const q = trx('clients').where('clients.firmId', firmId).where('clients.id', id).first('clients.*');
  visibleTo(q, firmId, user);
  const client = (await q) as ClientRow | undefined;
  if (!client) throw new NotFound();
  return client;
}

/** What this user may do with a client: a supervisor everything; a collaborator per their access. */
export async function accessOf(trx: FirmTrx, firmId: string, user: StaffUser, client: Pick<ClientRow, 'id' | 'collaboratorId'>): Promise<AccessLevel | 'all'> {
  if (user.role === 'supervisor') return 'all';
  if (client.collaboratorId === user.id) return 'write';
  const row = await trx('clientAccess').where({ firmId, clientId: client.id, userId: user.id }).first('level');
  return row?.level ?? 'read';
}

export type StaffOption = Pick<UserRow, 'id' | 'firstName' | 'lastName' | 'code' | 'role' | 'departedOn'>;

/** The firm's staff who can be given clients: collaborators and supervisors still active. */
export function staffOptions(trx: FirmTrx, firmId: string): Promise<StaffOption[]> {
  return trx('users')
    .where({ firmId, active: true })
    .whereIn('role', ['collaborator', 'supervisor'])
    .orderBy([{ column: 'lastName' }, { column: 'firstName' }])
    .select('id', 'firstName', 'lastName', 'code', 'role', 'departedOn');
}

export function groupsOf(trx: FirmTrx, firmId: string): Promise<ClientGroupRow[]> {
  return trx('clientGroups').where({ firmId }).orderBy('name');
}

export function attributesOf(trx: FirmTrx, firmId: string): Promise<ClientAttributeRow[]> {
  return trx('clientAttributes').where({ firmId }).orderBy([{ column: 'label' }, { column: 'id' }]);
}

/** Clients that look like this one: the same SIRET, or the same name and postcode (B4). */
export function likelyDuplicates(trx: FirmTrx, firmId: string, c: { name: string; postcode: string; siret: string | null }, exceptId?: string): Promise<Pick<ClientRow, 'id' | 'number' | 'name' | 'city' | 'inTrash'>[]> {
  const q = trx('clients')
    .where({ firmId })
    .where((w) => {
      if (c.siret) w.orWhere('siret', c.siret);
      if (c.postcode) w.orWhere((n) => n.whereRaw('name_key = app_fold(?)', [c.name]).where('postcode', c.postcode));
      else w.orWhereRaw('false');
    })
    .select('id', 'number', 'name', 'city', 'inTrash')
    .orderBy('number')
    .limit(5);
  if (exceptId) q.whereNot('id', exceptId);
  return q;
}

/** The contacts a user may attach to a client: all the firm's for a supervisor; for a collaborator, those of their clients. */
export function contactsOpenTo(trx: FirmTrx, firmId: string, user: StaffUser) {
  const q = trx('users').where({ 'users.firmId': firmId, 'users.role': 'contact', 'users.active': true } as Record<string, unknown>).orderBy(['users.lastName', 'users.firstName']);
  if (user.role !== 'supervisor') {
    q.whereIn('users.id', trx('clientContacts').where('clientContacts.firmId', firmId).whereIn('clientContacts.clientId', visibleTo(trx('clients').where('clients.firmId', firmId), firmId, user).select('clients.id')).select('clientContacts.userId'));
  }
  return q.select('users.id', 'users.firstName', 'users.lastName', 'users.identifier', 'users.email');
}

export type ClientContact = Pick<UserRow, 'id' | 'locale' | 'firstName' | 'lastName'> & { email: string };

/** A client's active contacts that have an email: whom a dossier, a copy or a message about the client is announced to. */
export function reachableContactsOf(trx: FirmTrx, firmId: string, clientId: string): Promise<ClientContact[]> {
  return trx('users')
    .join('clientContacts as cc', (j) => j.on('cc.firmId', 'users.firmId').andOn('cc.userId', 'users.id'))
    .where({ 'users.firmId': firmId, 'cc.clientId': clientId, 'users.active': true })
    .whereNotNull('users.email')
    .select('users.id', 'users.email', 'users.locale', 'users.firstName', 'users.lastName') as Promise<ClientContact[]>;
}
