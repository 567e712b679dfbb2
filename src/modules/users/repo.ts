import type { FirmTrx } from '../../db/withFirm.ts';
import type { Locale, Role, UserRow } from '../../db/tables.ts';
import { NotFound } from '../../lib/errors.ts';
import type { SessionUser } from '../../http/context.ts';

type Trx = FirmTrx;

/** An active user whose identifier or email is `login` (case ignored). */
export function findUserByLogin(trx: Trx, firmId: string, login: string): Promise<UserRow | undefined> {
  const l = login.trim().toLowerCase();
  return trx('users')
    .where({ firmId, active: true })
    .andWhere((q) => q.whereRaw('lower(identifier) = ?', [l]).orWhereRaw('lower(email) = ?', [l]))
    .orderByRaw('lower(identifier) = ? DESC', [l])
    .first();
}

export async function getUser(trx: Trx, firmId: string, id: string): Promise<UserRow> {
  if (!/^\d{1,18}$/.test(id)) throw new NotFound();
  const user = await trx('users').where({ firmId, id }).first();
  if (!user) throw new NotFound();
  return user;
}

export function listUsers(trx: Trx, firmId: string): Promise<UserRow[]> {
  return trx('users')
    .where({ firmId })
    .orderByRaw(`array_position(ARRAY['supervisor', 'collaborator', 'centre', 'contact'], role)`)
    .orderBy(['lastName', 'firstName']);
}

export async function setPassword(trx: Trx, firmId: string, id: string, passwordHash: string): Promise<void> {
  await trx('users').where({ firmId, id }).update({ passwordHash, passwordChangedAt: new Date(), updatedAt: new Date() });
}

export async function updateProfile(
  trx: Trx,
  firmId: string,
  id: string,
  profile: { firstName: string; lastName: string; email: string | null; phone: string; jobTitle: string; locale: Locale | null },
): Promise<void> {
  await trx('users').where({ firmId, id }).update({ ...profile, updatedAt: new Date() });
}

export async function emailTaken(trx: Trx, firmId: string, email: string, exceptId: string): Promise<boolean> {
  const row = await trx('users').where({ firmId }).whereRaw('lower(email) = lower(?)', [email]).whereNot({ id: exceptId }).first('id');
  return Boolean(row);
}

export async function recordLogin(trx: Trx, firmId: string, id: string): Promise<void> {
  await trx('users').where({ firmId, id }).update({ lastLoginAt: new Date() });
}

export function displayName(u: Pick<UserRow, 'firstName' | 'lastName' | 'identifier'>): string {
  return `${u.firstName} ${u.lastName}`.trim() || u.identifier;
}

export function toSessionUser(u: UserRow): SessionUser {
  return { id: u.id, firmId: u.firmId, role: u.role as Role, name: displayName(u), locale: u.locale };
}
