// D2: the permissions of a client's folders for each contact and each collaborator, "Faire
// cascader" (a folder's permissions copied to all its sub-folders), and "Voir comme".
import type { FolderLevel } from '../../db/documentTables.ts';
import type { FirmRow, UserRow } from '../../db/tables.ts';
import { asPerson, type FirmTrx } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import { Forbidden, NotFound } from '../../lib/errors.ts';
import type { FieldErrors } from '../../lib/validation.ts';
import { recordActivity } from '../activity/service.ts';
import { displayName } from '../users/repo.ts';
import { folderIn, mayShape, openClient, type Opened } from './folders.ts';
import { effectiveLevel, type ClientStanding } from './levels.ts';
import type { PermissionsForm } from './schemas.ts';
import type { Person } from './standing.ts';
import { subtreeIds, treeFor } from './tree.ts';

export type Member = Pick<UserRow, 'id' | 'firstName' | 'lastName' | 'identifier' | 'email'> & {
  kind: 'contact' | 'collaborator';
  standing: ClientStanding;
  own: FolderLevel | null;
  level: FolderLevel;
};

/** The people a client's folders can be opened to: its contacts, and the collaborators who may see it (supervisors see all). */
export async function membersOf(trx: FirmTrx, firmId: string, clientId: string, collaboratorId: string | null, folderId: string | null): Promise<Member[]> {
  const rows = (await trx('users')
    .leftJoin('clientContacts as cc', (j) => j.on('cc.firmId', 'users.firmId').andOn('cc.userId', 'users.id').andOnVal('cc.clientId', clientId))
    .leftJoin('clientAccess as ca', (j) => j.on('ca.firmId', 'users.firmId').andOn('ca.userId', 'users.id').andOnVal('ca.clientId', clientId))
    .leftJoin('folderPermissions as p', (j) => j.on('p.firmId', 'users.firmId').andOn('p.userId', 'users.id').andOnVal('p.folderId', folderId ?? '0'))
    .where('users.firmId', firmId)
    .where((w) =>
      w
        .where((c) => c.where('users.role', 'contact').whereNotNull('cc.userId'))
        .orWhere((c) => c.where('users.role', 'collaborator').where((x) => x.whereNotNull('ca.userId').orWhere('users.id', collaboratorId ?? '0'))),
    )
    .orderBy(['users.role', 'users.lastName', 'users.firstName'])
    .select('users.id', 'users.role', 'users.firstName', 'users.lastName', 'users.identifier', 'users.email', 'ca.level as access', 'p.level as own')) as (Member & {
    role: 'contact' | 'collaborator';
    access: 'read' | 'write' | null;
  })[];
  return rows.map((r) => {
    const standing: ClientStanding = r.role === 'contact' ? { role: 'contact' } : { role: 'collaborator', access: r.id === collaboratorId ? 'write' : (r.access ?? 'read') };
    return { ...r, kind: r.role, standing, level: 'none' as FolderLevel };
  });
}

export interface PermissionsPage extends Opened {
  folder: Opened['tree'][number] | undefined;
  members: Member[];
}

export async function permissionsPage(deps: AppDeps, firm: FirmRow, actor: Person, clientId: string, folderId: string | undefined): Promise<PermissionsPage> {
  return asPerson(deps, firm, actor, async (trx) => {
    const o = await openClient(trx, firm.id, actor, clientId);
    if (!mayShape(o.standing)) throw new Forbidden('documents:errors.permissionsForbidden');
    const folder = folderId ? folderIn(o, folderId, 'read') : o.tree[0];
    const client = await trx('clients').where({ firmId: firm.id, id: o.client.id }).first('collaboratorId');
    const members = await membersOf(trx, firm.id, o.client.id, client?.collaboratorId ?? null, folder?.id ?? null);
    for (const m of members) m.level = folder ? effectiveLevel(m.standing, { ...folder, own: m.own }) : 'none';
    return { ...o, folder, members };
  });
}

export async function savePermissions(deps: AppDeps, firm: FirmRow, actor: Person, clientId: string, folderId: string, form: PermissionsForm): Promise<{ ok: true } | { ok: false; errors: FieldErrors }> {
  return asPerson(deps, firm, actor, async (trx) => {
    const o = await openClient(trx, firm.id, actor, clientId);
    if (!mayShape(o.standing)) throw new Forbidden('documents:errors.permissionsForbidden');
    const folder = folderIn(o, folderId, 'read');
    const client = await trx('clients').where({ firmId: firm.id, id: o.client.id }).first('collaboratorId');
    const members = await membersOf(trx, firm.id, o.client.id, client?.collaboratorId ?? null, folder.id);
    const stranger = [...form.people.keys()].find((id) => !members.some((m) => m.id === id));
    if (stranger) return { ok: false as const, errors: { [`user_${stranger}`]: { key: 'validation.choice' } } };

    await trx('folders').where({ firmId: firm.id, id: folder.id }).update({ contactLevel: form.contactLevel, staffLevel: form.staffLevel });
    await trx('folderPermissions').where({ firmId: firm.id, folderId: folder.id }).delete();
    const rows = [...form.people].map(([userId, level]) => ({ firmId: firm.id, folderId: folder.id, userId, level }));
    if (rows.length) await trx('folderPermissions').insert(rows);
    await recordActivity(trx, firm.id, {
      action: 'documents.permissionsSaved',
      actor,
      clientId: o.client.id,
      objectType: 'folder',
      objectId: folder.id,
      objectLabel: folder.name,
      details: { contactLevel: form.contactLevel, staffLevel: form.staffLevel, people: Object.fromEntries([...form.people].map(([id, level]) => [displayName(members.find((m) => m.id === id)!), level])) },
    });
    return { ok: true as const };
  });
}

/** "Faire cascader": the folder's defaults and personal permissions replace those of every sub-folder. */
export async function cascadePermissions(deps: AppDeps, firm: FirmRow, actor: Person, clientId: string, folderId: string): Promise<number> {
  return asPerson(deps, firm, actor, async (trx) => {
    const o = await openClient(trx, firm.id, actor, clientId);
    if (!mayShape(o.standing)) throw new Forbidden('documents:errors.permissionsForbidden');
    const folder = folderIn(o, folderId, 'read');
    const below = (await subtreeIds(trx, firm.id, folder.id)).filter((id) => id !== folder.id);
    if (below.length) {
      await trx('folders').where('firmId', firm.id).whereIn('id', below).update({ contactLevel: folder.contactLevel, staffLevel: folder.staffLevel });
      await trx('folderPermissions').where('firmId', firm.id).whereIn('folderId', below).delete();
      await trx.raw(
        `INSERT INTO folder_permissions (firm_id, folder_id, user_id, level)
         SELECT p.firm_id, d.id, p.user_id, p.level FROM folder_permissions p CROSS JOIN unnest(?::bigint[]) AS d(id)
         WHERE p.firm_id = ? AND p.folder_id = ?`,
        [below, firm.id, folder.id],
      );
    }
    await recordActivity(trx, firm.id, { action: 'documents.permissionsCascaded', actor, clientId: o.client.id, objectType: 'folder', objectId: folder.id, objectLabel: folder.name, details: { folders: below.length } });
    return below.length;
  });
}

/** "Voir comme": the tree exactly as one of the client's contacts or collaborators sees it. */
export async function viewAs(trx: FirmTrx, firmId: string, o: Opened, memberId: string) {
  if (!mayShape(o.standing)) throw new Forbidden('documents:errors.permissionsForbidden');
  const client = await trx('clients').where({ firmId, id: o.client.id }).first('collaboratorId');
  const member = (await membersOf(trx, firmId, o.client.id, client?.collaboratorId ?? null, null)).find((m) => m.id === memberId);
  if (!member) throw new NotFound();
  return { member, tree: await treeFor(trx, firmId, o.client.id, member.id, member.standing) };
}
