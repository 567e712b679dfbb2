// D3: a file's details and access history; its title and comment changed; deleted to the trash,
// restored from it, or deleted for good when a supervisor empties the trash.
import { asPerson } from '../../db/withFirm.ts';
import type { FirmRow } from '../../db/tables.ts';
import type { AppDeps } from '../../deps.ts';
import { Forbidden, NotFound } from '../../lib/errors.ts';
import { recordActivity } from '../activity/service.ts';
import { readableFile } from './download.ts';
import { folderIn, openClient } from './folders.ts';
import type { Person } from './standing.ts';
import { removeStored } from './store.ts';

/** The file and who accessed it (newest first): staff only. */
export async function fileDetails(deps: AppDeps, firm: FirmRow, person: Person, fileId: string) {
  if (person.role === 'contact') throw new NotFound();
  return asPerson(deps, firm, person, async (trx) => {
    const { file, folder, opened } = await readableFile(trx, firm.id, person, fileId);
    const history = await trx('activityLog')
      .where({ firmId: firm.id, objectType: 'file', objectId: file.id })
      .orderBy('id', 'desc')
      .limit(500)
      .select('at', 'action', 'actorName', 'ip', 'details');
    return { file, folder, client: opened.client, history };
  });
}

export async function describeFile(deps: AppDeps, firm: FirmRow, person: Person, fileId: string, form: { title: string; comment: string }): Promise<string> {
  return asPerson(deps, firm, person, async (trx) => {
    const { file, folder } = await readableFile(trx, firm.id, person, fileId);
    if (folder.level !== 'full') throw new Forbidden('documents:errors.readOnlyFolder');
    await trx('files').where({ firmId: firm.id, id: file.id }).update(form);
    await recordActivity(trx, firm.id, { action: 'documents.fileChanged', actor: person, clientId: file.clientId, objectType: 'file', objectId: file.id, objectLabel: file.name, details: { folder: folder.name } });
    return file.clientId;
  });
}

/** To the trash: out of every list and download at once; the stored file stays until the trash is emptied. */
export async function trashFile(deps: AppDeps, firm: FirmRow, person: Person, fileId: string): Promise<{ clientId: string; folderId: string }> {
  return asPerson(deps, firm, person, async (trx) => {
    const { file, folder } = await readableFile(trx, firm.id, person, fileId);
    if (folder.level !== 'full') throw new Forbidden('documents:errors.readOnlyFolder');
    await trx('files').where({ firmId: firm.id, id: file.id }).update({ deletedAt: new Date(), deletedBy: person.id });
    await recordActivity(trx, firm.id, { action: 'documents.fileTrashed', actor: person, clientId: file.clientId, objectType: 'file', objectId: file.id, objectLabel: file.name, details: { folder: folder.name } });
    return { clientId: file.clientId, folderId: folder.id };
  });
}

/** A client's trash, for staff who may shape its tree (who could have deleted). */
export async function trashOf(deps: AppDeps, firm: FirmRow, person: Person, clientId: string) {
  if (person.role === 'contact') throw new NotFound();
  return asPerson(deps, firm, person, async (trx) => {
    const o = await openClient(trx, firm.id, person, clientId);
    const folders = new Map(o.tree.map((f) => [f.id, f]));
    const rows = await trx('files')
      .leftJoin('users as u', (j) => j.on('u.firmId', 'files.firmId').andOn('u.id', 'files.deletedBy'))
      .where({ 'files.firmId': firm.id, 'files.clientId': o.client.id })
      .whereNotNull('files.deletedAt')
      .orderBy('files.deletedAt', 'desc')
      .limit(1000)
      .select('files.id', 'files.name', 'files.title', 'files.size', 'files.folderId', 'files.deletedAt', trx.raw(`nullif(trim(u.first_name || ' ' || u.last_name), '') AS deleted_by_name`));
    // Only what the person could see where it was.
    const files = (rows as { id: string; name: string; title: string; size: string; folderId: string | null; deletedAt: Date; deletedByName: string | null }[])
      .filter((r) => r.folderId && folders.get(r.folderId)?.level === 'full')
      .map((r) => ({ ...r, folderName: folders.get(r.folderId!)!.name }));
    return { ...o, files };
  });
}

export async function restoreFile(deps: AppDeps, firm: FirmRow, person: Person, fileId: string): Promise<{ clientId: string; folderId: string }> {
  if (person.role === 'contact' || !/^\d{1,18}$/.test(fileId)) throw new NotFound();
  return asPerson(deps, firm, person, async (trx) => {
    const file = await trx('files').where({ firmId: firm.id, id: fileId }).whereNotNull('deletedAt').first('id', 'clientId', 'folderId', 'name');
    if (!file?.folderId) throw new NotFound();
    const folder = folderIn(await openClient(trx, firm.id, person, file.clientId), file.folderId, 'full');
    await trx('files').where({ firmId: firm.id, id: file.id }).update({ deletedAt: null, deletedBy: null });
    await recordActivity(trx, firm.id, { action: 'documents.fileRestored', actor: person, clientId: file.clientId, objectType: 'file', objectId: file.id, objectLabel: file.name, details: { folder: folder.name } });
    return { clientId: file.clientId, folderId: folder.id };
  });
}

/** "Vider la corbeille": the supervisor deletes a client's trashed files for good. */
export async function emptyTrash(deps: AppDeps, firm: FirmRow, person: Person, clientId: string): Promise<number> {
  if (person.role !== 'supervisor') throw new Forbidden();
  const keys = await asPerson(deps, firm, person, async (trx) => {
    const o = await openClient(trx, firm.id, person, clientId);
    const gone: { storageKey: string }[] = await trx('files').where({ firmId: firm.id, clientId: o.client.id }).whereNotNull('deletedAt').delete().returning('storageKey');
    await recordActivity(trx, firm.id, { action: 'documents.trashEmptied', actor: person, clientId: o.client.id, details: { files: gone.length } });
    return gone.map((g) => g.storageKey);
  });
  await removeStored(deps, firm.id, keys);
  return keys.length;
}
