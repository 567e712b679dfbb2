// D1: a client's folders — create, rename, move, delete (a folder with content asks first), and a
// tree template applied to the client. Each change is one transaction with its activity entry.
import type { FolderLevel } from '../../db/documentTables.ts';
import type { FirmRow } from '../../db/tables.ts';
import { asPerson, type FirmTrx } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import { Forbidden, NotFound } from '../../lib/errors.ts';
import type { FieldErrors } from '../../lib/validation.ts';
import { recordActivity } from '../activity/service.ts';
import { atLeast, type ClientStanding } from './levels.ts';
import { standingOf, type ClientRef, type Person } from './standing.ts';
import { removeStored } from './store.ts';
import { subtreeIds, treeFor, type TreeFolder } from './tree.ts';

export type FolderResult = { ok: true; id: string } | { ok: false; errors: FieldErrors };

/** Who may shape a client's tree (folders at the top, templates, permissions): the supervisor and the staff who may modify the client. */
export const mayShape = (s: ClientStanding) => s.role === 'supervisor' || (s.role === 'collaborator' && s.access === 'write');

export interface Opened {
  client: ClientRef;
  standing: ClientStanding;
  tree: TreeFolder[];
}

export async function openClient(trx: FirmTrx, firmId: string, person: Person, clientId: string): Promise<Opened> {
  const { client, standing } = await standingOf(trx, firmId, person, clientId);
  const tree = await treeFor(trx, firmId, client.id, person.id, standing);
  return { client, standing, tree };
}

/** A folder of the opened tree with at least `wanted`; one the person cannot see is absent (404). */
export function folderIn(o: Opened, folderId: string, wanted: FolderLevel): TreeFolder {
  const f = o.tree.find((x) => x.id === folderId);
  if (!f) throw new NotFound();
  if (!atLeast(f.level, wanted)) throw new Forbidden('documents:errors.readOnlyFolder');
  return f;
}

const exists = (field: string): FolderResult => ({ ok: false, errors: { [field]: { key: 'documents:errors.folderExists' } } });
const isNameTaken = (err: unknown) => (err as { constraint?: string }).constraint === 'folders_name_key';

export async function createFolder(deps: AppDeps, firm: FirmRow, person: Person, clientId: string, form: { name: string; parent: string | null }): Promise<FolderResult> {
  try {
    return await asPerson(deps, firm, person, async (trx) => {
      const o = await openClient(trx, firm.id, person, clientId);
      const parent = form.parent ? folderIn(o, form.parent, 'full') : undefined;
      if (!parent && !mayShape(o.standing)) throw new Forbidden('documents:errors.readOnlyFolder');
      // A sub-folder starts with its parent's permissions, as the user expects from "cascade".
      const defaults = parent ? { contactLevel: parent.contactLevel, staffLevel: parent.staffLevel } : {};
      const [row] = await trx('folders').insert({ firmId: firm.id, clientId: o.client.id, parentId: parent?.id ?? null, name: form.name, ...defaults }).returning('id');
      const id = String(row!.id);
      if (parent) {
        await trx.raw(
          `INSERT INTO folder_permissions (firm_id, folder_id, user_id, level) SELECT firm_id, ?, user_id, level FROM folder_permissions WHERE firm_id = ? AND folder_id = ?`,
          [id, firm.id, parent.id],
        );
      }
      await recordActivity(trx, firm.id, { action: 'documents.folderCreated', actor: person, clientId: o.client.id, objectType: 'folder', objectId: id, objectLabel: form.name });
      return { ok: true as const, id };
    });
  } catch (err) {
    if (isNameTaken(err)) return exists('name');
    throw err;
  }
}

export async function renameFolder(deps: AppDeps, firm: FirmRow, person: Person, clientId: string, folderId: string, name: string): Promise<FolderResult> {
  try {
    return await asPerson(deps, firm, person, async (trx) => {
      const o = await openClient(trx, firm.id, person, clientId);
      const f = folderIn(o, folderId, 'full');
      await trx('folders').where({ firmId: firm.id, id: f.id }).update({ name });
      await recordActivity(trx, firm.id, { action: 'documents.folderRenamed', actor: person, clientId: o.client.id, objectType: 'folder', objectId: f.id, objectLabel: name, details: { from: f.name } });
      return { ok: true as const, id: f.id };
    });
  } catch (err) {
    if (isNameTaken(err)) return exists('name');
    throw err;
  }
}

export async function moveFolder(deps: AppDeps, firm: FirmRow, person: Person, clientId: string, folderId: string, parentId: string | null): Promise<FolderResult> {
  try {
    return await asPerson(deps, firm, person, async (trx) => {
      const o = await openClient(trx, firm.id, person, clientId);
      const f = folderIn(o, folderId, 'full');
      const target = parentId ? folderIn(o, parentId, 'full') : undefined;
      if (!target && !mayShape(o.standing)) throw new Forbidden('documents:errors.readOnlyFolder');
      if (target && (await subtreeIds(trx, firm.id, f.id)).includes(target.id)) return { ok: false as const, errors: { parent: { key: 'documents:errors.moveIntoItself' } } };
      await trx('folders').where({ firmId: firm.id, id: f.id }).update({ parentId: target?.id ?? null });
      await recordActivity(trx, firm.id, {
        action: 'documents.folderMoved', actor: person, clientId: o.client.id, objectType: 'folder', objectId: f.id, objectLabel: f.name, details: { to: target?.name ?? '/' },
      });
      return { ok: true as const, id: f.id };
    });
  } catch (err) {
    if (isNameTaken(err)) return exists('parent');
    throw err;
  }
}

export type DeleteOutcome = { deleted: true; parentId: string | null } | { deleted: false; folders: number; files: number };

/** Deletes a folder and all it holds; with content, only once `confirmed`. Stored files go after the commit. */
export async function deleteFolder(deps: AppDeps, firm: FirmRow, person: Person, clientId: string, folderId: string, confirmed: boolean): Promise<DeleteOutcome> {
  const outcome = await asPerson(deps, firm, person, async (trx) => {
    const o = await openClient(trx, firm.id, person, clientId);
    const f = folderIn(o, folderId, 'full');
    const ids = await subtreeIds(trx, firm.id, f.id);
    const files: { storageKey: string; deletedAt: Date | null }[] = await trx('files').where('firmId', firm.id).whereIn('folderId', ids).select('storageKey', 'deletedAt');
    const live = files.filter((x) => !x.deletedAt).length;
    if (!confirmed && (ids.length > 1 || live > 0)) return { deleted: false as const, folders: ids.length - 1, files: live, keys: [] };
    await trx('folders').where({ firmId: firm.id, id: f.id }).delete();
    await recordActivity(trx, firm.id, {
      action: 'documents.folderDeleted', actor: person, clientId: o.client.id, objectType: 'folder', objectId: f.id, objectLabel: f.name, details: { folders: ids.length - 1, files: files.length },
    });
    return { deleted: true as const, parentId: f.parentId, keys: files.map((x) => x.storageKey) };
  });
  await removeStored(deps, firm.id, outcome.keys);
  return outcome.deleted ? { deleted: true, parentId: outcome.parentId } : { deleted: false, folders: outcome.folders, files: outcome.files };
}
