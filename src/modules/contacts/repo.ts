// Reading contacts: who may see which, the list with its search, sort and paging, one contact.
// A contact is a user with the role "contact", linked to one or more clients (client_contacts).
import type { Knex } from 'knex';
import type { ClientRow, UserRow } from '../../db/tables.ts';
import type { FirmTrx } from '../../db/withFirm.ts';
import { NotFound } from '../../lib/errors.ts';
import { visibleTo, type StaffUser } from '../clients/repo.ts';
import type { ContactListQuery } from './schemas.ts';

export type ContactRow = Pick<UserRow, 'id' | 'identifier' | 'email' | 'firstName' | 'lastName' | 'phone' | 'jobTitle' | 'locale' | 'copyEmails' | 'lastLoginAt' | 'createdAt'> & {
  activated: boolean;
};

export type LinkedClient = Pick<ClientRow, 'id' | 'number' | 'name'>;

const COLUMNS = ['users.id', 'users.identifier', 'users.email', 'users.firstName', 'users.lastName', 'users.phone', 'users.jobTitle', 'users.locale', 'users.copyEmails', 'users.lastLoginAt', 'users.createdAt'];

/** The clients linked to a contact (the outer query's `users`) that the user may see. */
function linkedClients(trx: FirmTrx, firmId: string, user: StaffUser): Knex.QueryBuilder {
  const q = trx('clientContacts')
    .join('clients', (j) => j.on('clients.firmId', 'clientContacts.firmId').andOn('clients.id', 'clientContacts.clientId'))
    .where('clientContacts.firmId', firmId)
    .whereRaw('?? = ??', ['clientContacts.userId', 'users.id']);
  return visibleTo(q, firmId, user);
}

/**
 * A supervisor sees every contact of the firm; a collaborator the contacts of the clients open to
 * them (B1's rule). A contact linked to no client is the supervisor's to see.
 */
export function contactsVisibleTo(trx: FirmTrx, firmId: string, user: StaffUser): Knex.QueryBuilder {
  const q = trx('users').where('users.firmId', firmId).where('users.role', 'contact');
  if (user.role !== 'supervisor') q.whereExists(linkedClients(trx, firmId, user).select(trx.raw('1')));
  return q;
}

const likeWord = (word: string) => word.replace(/[\\%_]/g, (c) => `\\${c}`);

export function searchContacts(trx: FirmTrx, firmId: string, user: StaffUser, f: ContactListQuery): Knex.QueryBuilder {
  const q = contactsVisibleTo(trx, firmId, user);
  if (f.access) q.where('users.passwordHash', f.access === 'activated' ? 'is not' : 'is', null);
  const words = (f.q ?? '').split(/\s+/).filter(Boolean).slice(0, 8);
  if (words.length) {
    // Every word in the contact's name, identifier, email, phone or function, accents ignored; or
    // every word in the name (or the number) of one of their clients.
    q.where((w) => {
      w.where((all) => {
        for (const word of words) all.whereRaw(`users.search_text LIKE '%' || app_fold(?) || '%'`, [likeWord(word)]);
      });
      w.orWhereExists(
        linkedClients(trx, firmId, user)
          .select(trx.raw('1'))
          .where((all) => {
            for (const word of words) all.where((one) => (/^\d{1,9}$/.test(word) ? one.where('clients.number', Number(word)) : one.whereRaw(`clients.name_key LIKE '%' || app_fold(?) || '%'`, [likeWord(word)])));
          }),
      );
    });
  }
  return q;
}

const SORTS = { name: ['users.nameKey', 'users.id'], email: ['users.email', 'users.id'], lastLogin: ['users.lastLoginAt', 'users.id'] } as const;

export interface ContactListRow extends ContactRow {
  clients: LinkedClient[];
  /** Whether the user may change it (mayManage). */
  manageable: boolean;
}

export async function listContacts(trx: FirmTrx, firmId: string, user: StaffUser, f: ContactListQuery, perPage: number): Promise<{ rows: ContactListRow[]; total: number; page: number; pages: number }> {
  const [{ n }] = (await searchContacts(trx, firmId, user, f).count({ n: '*' })) as [{ n: string }];
  const total = Number(n);
  const pages = Math.max(1, Math.ceil(total / perPage));
  const page = Math.min(f.page ?? 1, pages);
  const q = withDetails(trx, firmId, user, searchContacts(trx, firmId, user, f))
    .limit(perPage)
    .offset((page - 1) * perPage);
  const dir = f.dir ?? (f.sort === 'lastLogin' ? 'desc' : 'asc');
  for (const column of SORTS[f.sort ?? 'name']) q.orderBy(column, dir, column === 'users.lastLoginAt' ? (dir === 'asc' ? 'first' : 'last') : undefined);
  return { rows: (await q) as ContactListRow[], total, page, pages };
}

/** The contact's columns, whether the account is activated, and the clients the user may see. */
export function withDetails(trx: FirmTrx, firmId: string, user: StaffUser, q: Knex.QueryBuilder): Knex.QueryBuilder {
  const clients = linkedClients(trx, firmId, user)
    .select(trx.raw(`coalesce(json_agg(json_build_object('id', clients.id::text, 'number', clients.number, 'name', clients.name) ORDER BY clients.name_key), '[]')`))
    .as('clients');
  const manageable =
    user.role === 'supervisor'
      ? trx.raw('true AS manageable')
      : trx.raw('EXISTS (?) AS manageable', [manageableClients(trx, firmId, user).join('clientContacts', (j) => j.on('clientContacts.firmId', 'clients.firmId').andOn('clientContacts.clientId', 'clients.id')).whereRaw('?? = ??', ['clientContacts.userId', 'users.id']).select(trx.raw('1'))]);
  return q.select(...COLUMNS, trx.raw('users.password_hash IS NOT NULL AS activated'), manageable, clients);
}

/** One contact the user may see, or 404 (another firm's, or one not open to them, looks absent). */
export async function findVisibleContact(trx: FirmTrx, firmId: string, user: StaffUser, id: string): Promise<ContactListRow> {
  if (!/^\d{1,18}$/.test(id)) throw new NotFound();
  const contact = (await withDetails(trx, firmId, user, contactsVisibleTo(trx, firmId, user).where('users.id', id)).first()) as ContactListRow | undefined;
  if (!contact) throw new NotFound();
  return contact;
}

/** The clients whose contacts this user may change: all for a supervisor; for a collaborator, those they may modify (B3). */
export function manageableClients(trx: FirmTrx, firmId: string, user: StaffUser): Knex.QueryBuilder {
  const q: Knex.QueryBuilder = trx('clients').where('clients.firmId', firmId);
  if (user.role === 'supervisor') return q;
  if (user.role !== 'collaborator') return q.whereRaw('false');
  return q.where((w) =>
    w.where('clients.collaboratorId', user.id).orWhereExists((sub) =>
      sub.select(1).from('clientAccess').where('clientAccess.firmId', firmId).where('clientAccess.userId', user.id).where('clientAccess.level', 'write').whereRaw('?? = ??', ['clientAccess.clientId', 'clients.id']),
    ),
  );
}

/** Whether the user may change this contact: a supervisor always; a collaborator when one of its clients is theirs to modify. */
export async function mayManage(trx: FirmTrx, firmId: string, user: StaffUser, contactId: string): Promise<boolean> {
  if (user.role === 'supervisor') return true;
  const row = await manageableClients(trx, firmId, user)
    .whereExists((sub) => sub.select(1).from('clientContacts').where('clientContacts.firmId', firmId).where('clientContacts.userId', contactId).whereRaw('?? = ??', ['clientContacts.clientId', 'clients.id']))
    .first(trx.raw('1 AS found'));
  return Boolean(row);
}
