// Supervision (I1, I3): the firm's collaborators, their accounts, and who is in charge of which client.
import type { ClientRow, FirmRow, UserRow } from '../../db/tables.ts';
import { withFirm, type FirmTrx } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import type { SessionUser } from '../../http/context.ts';
import { NotFound } from '../../lib/errors.ts';
import type { FieldErrors } from '../../lib/validation.ts';
import { recordActivity } from '../activity/service.ts';
import { queuePasswordLink } from '../auth/service.ts';
import { endSessionsOf } from '../auth/sessions.ts';
import { displayName, emailTaken } from '../users/repo.ts';
import type { CollaboratorForm } from './schemas.ts';

export type Staff = Pick<UserRow, 'id' | 'role' | 'code' | 'identifier' | 'firstName' | 'lastName' | 'email' | 'phone' | 'jobTitle' | 'departedOn' | 'active' | 'passwordHash' | 'lastLoginAt'> & { clients: number };

/** Supervisors and collaborators, with the number of clients each is in charge of. */
export function listStaff(trx: FirmTrx, firmId: string): Promise<Staff[]> {
  return trx('users')
    .where('users.firmId', firmId)
    .whereIn('users.role', ['supervisor', 'collaborator'])
    .select('users.id', 'users.role', 'users.code', 'users.identifier', 'users.firstName', 'users.lastName', 'users.email', 'users.phone', 'users.jobTitle', 'users.departedOn', 'users.active', 'users.passwordHash', 'users.lastLoginAt')
    .select(trx.raw('(SELECT count(*)::int FROM clients c WHERE c.firm_id = users.firm_id AND c.collaborator_id = users.id AND NOT c.in_trash) AS clients'))
    .orderByRaw("users.code = '', users.code, users.last_name, users.first_name") as Promise<Staff[]>;
}

export async function getStaff(trx: FirmTrx, firmId: string, id: string): Promise<UserRow> {
  if (!/^\d{1,18}$/.test(id)) throw new NotFound();
  const user = await trx('users').where({ firmId, id }).whereIn('role', ['supervisor', 'collaborator']).first();
  if (!user) throw new NotFound();
  return user;
}

type SaveResult = { ok: true; id: string } | { ok: false; errors: FieldErrors };

const refused = (field: string, key: string): SaveResult => ({ ok: false, errors: { [field]: { key } } });

const today = () => new Date().toISOString().slice(0, 10);

/** Creates or updates a collaborator. Gone (departure date reached): the account no longer opens. */
export async function saveCollaborator(deps: AppDeps, firm: FirmRow, actor: SessionUser, id: string | undefined, form: CollaboratorForm): Promise<SaveResult> {
  try {
    return await withFirm(deps.db, firm.id, async (trx): Promise<SaveResult> => {
      const current = id ? await getStaff(trx, firm.id, id) : undefined;
      if (form.email && (await emailTaken(trx, firm.id, form.email, current?.id ?? '0'))) return refused('email', 'supervision:errors.emailTaken');
      const gone = Boolean(form.departedOn && form.departedOn <= today());
      if (current && gone && current.id === actor.id) return refused('departedOn', 'supervision:errors.selfDeparture');
      let userId: string;
      if (current) {
        await trx('users').where({ firmId: firm.id, id: current.id }).update({ ...form, active: !gone, updatedAt: new Date() });
        userId = current.id;
        if (gone && current.active) await endSessionsOf(trx, firm.id, current.id);
      } else {
        const [row] = await trx('users').insert({ ...form, firmId: firm.id, role: 'collaborator', active: !gone }).returning('id');
        userId = (row as { id: string }).id;
      }
      await recordActivity(trx, firm.id, { action: current ? 'supervision.collaboratorUpdated' : 'supervision.collaboratorCreated', actor, objectType: 'user', objectId: userId, objectLabel: displayName({ ...form, identifier: form.identifier }) });
      return { ok: true as const, id: userId };
    });
  } catch (err) {
    if ((err as { constraint?: string }).constraint === 'users_identifier_key') return refused('identifier', 'supervision:errors.identifierTaken');
    throw err;
  }
}

/**
 * "Activer les comptes": each collaborator (or the one chosen) who has no password yet gets a link to
 * choose one. Returns how many links left, and who could not get one (no email).
 */
export async function activateAccounts(deps: AppDeps, firm: FirmRow, actor: SessionUser, onlyId?: string): Promise<{ sent: number; withoutEmail: string[] }> {
  return withFirm(deps.db, firm.id, async (trx) => {
    const q = trx('users').where({ firmId: firm.id, role: 'collaborator', active: true }).whereNull('passwordHash');
    if (onlyId) {
      await getStaff(trx, firm.id, onlyId);
      q.where({ id: onlyId });
    }
    const users = await q;
    const withoutEmail: string[] = [];
    let sent = 0;
    for (const u of users) {
      const outcome = await queuePasswordLink(deps, trx, firm, actor, u);
      if ('noEmail' in outcome) withoutEmail.push(displayName(u));
      else sent++;
    }
    return { sent, withoutEmail };
  });
}

/** Reassigns clients (one, or all of a collaborator's) to another collaborator, in one transaction, each logged. */
export async function reassign(deps: AppDeps, firm: FirmRow, actor: SessionUser, scope: { clientId: string } | { fromId: string }, toId: string): Promise<number> {
  return withFirm(deps.db, firm.id, async (trx) => {
    const to = await getStaff(trx, firm.id, toId);
    if (!to.active) throw new NotFound();
    const clients: Pick<ClientRow, 'id' | 'number' | 'name' | 'collaboratorId'>[] = await trx('clients')
      .where({ firmId: firm.id })
      .modify((w) => ('clientId' in scope ? w.where('id', /^\d{1,18}$/.test(scope.clientId) ? scope.clientId : '0') : w.where('collaboratorId', scope.fromId)))
      .forUpdate()
      .select('id', 'number', 'name', 'collaboratorId');
    if ('clientId' in scope && !clients.length) throw new NotFound();
    if ('fromId' in scope) await getStaff(trx, firm.id, scope.fromId);
    const moving = clients.filter((c) => c.collaboratorId !== to.id);
    if (!moving.length) return 0;
    const names = new Map((await trx('users').where({ firmId: firm.id }).whereIn('id', moving.flatMap((c) => (c.collaboratorId ? [c.collaboratorId] : []))).select('id', 'firstName', 'lastName', 'identifier')).map((u: Pick<UserRow, 'id' | 'firstName' | 'lastName' | 'identifier'>) => [u.id, displayName(u)]));
    await trx('clients').where({ firmId: firm.id }).whereIn('id', moving.map((c) => c.id)).update({ collaboratorId: to.id, version: trx.raw('version + 1') as unknown as number, updatedAt: new Date() });
    for (const c of moving) {
      await recordActivity(trx, firm.id, {
        action: 'clients.assigned',
        actor,
        clientId: c.id,
        objectType: 'client',
        objectId: c.id,
        objectLabel: `${c.name} (n° ${c.number})`,
        details: { changes: [{ field: 'collaboratorId', from: c.collaboratorId ? (names.get(c.collaboratorId) ?? null) : null, to: displayName(to) }], fromId: c.collaboratorId, toId: to.id },
      });
    }
    return moving.length;
  });
}

/** I3: the assignment history, newest first, for the firm or one collaborator (from or to). */
export function assignmentHistory(trx: FirmTrx, firmId: string, collaboratorId?: string) {
  const q = trx('activityLog').where({ firmId, action: 'clients.assigned' }).orderBy('id', 'desc').limit(500);
  if (collaboratorId) q.where((w) => w.whereRaw(`details ->> 'fromId' = ?`, [collaboratorId]).orWhereRaw(`details ->> 'toId' = ?`, [collaboratorId]));
  return q;
}
