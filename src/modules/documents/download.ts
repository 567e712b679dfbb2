// D3: a file downloaded by whoever may read its folder. Each download is counted and logged (who,
// when, from which address) in the transaction that allows it, then the file is streamed.
import type { FileRow } from '../../db/documentTables.ts';
import type { FirmRow } from '../../db/tables.ts';
import { asPerson, type FirmTrx } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import type { SentFile } from '../../http/attachment.ts';
import { NotFound } from '../../lib/errors.ts';
import { recordActivity } from '../activity/service.ts';
import { folderIn, openClient } from './folders.ts';
import type { Person } from './standing.ts';
import { firmStorage } from './store.ts';
import { extensionOf } from './upload.ts';

export type Downloadable = Pick<FileRow, 'id' | 'clientId' | 'folderId' | 'name' | 'mime' | 'size' | 'storageKey' | 'kind' | 'version'>;

/** A live file of a folder the person may read, or 404 (another firm's, a closed folder's, a deleted one). */
export async function readableFile(trx: FirmTrx, firmId: string, person: Person, fileId: string) {
  if (!/^\d{1,18}$/.test(fileId)) throw new NotFound();
  const file = (await trx('files')
    .where({ firmId, id: fileId })
    .whereNull('deletedAt')
    .first('id', 'clientId', 'folderId', 'name', 'title', 'comment', 'mime', 'size', 'storageKey', 'kind', 'version', 'downloadCount', 'clientDownloadedAt', 'uploadedAt', 'uploadedBy')) as
    | (Downloadable & Pick<FileRow, 'title' | 'comment' | 'downloadCount' | 'clientDownloadedAt' | 'uploadedAt' | 'uploadedBy'>)
    | undefined;
  if (!file || !file.folderId) throw new NotFound();
  const opened = await openClient(trx, firmId, person, file.clientId);
  const folder = folderIn(opened, file.folderId, 'read');
  return { file, folder, opened };
}

/** Counts one download of `file` by `person` (a contact's marks the file "Téléchargé") and logs it. */
export async function countDownload(trx: FirmTrx, firmId: string, person: Person | null, file: Pick<Downloadable, 'id' | 'clientId' | 'name'>, folderName: string, ip: string | null, via?: string): Promise<void> {
  const byClient = !person || person.role === 'contact';
  await trx('files')
    .where({ firmId, id: file.id })
    .update({ downloadCount: trx.raw('download_count + 1') as unknown as number, ...(byClient ? { clientDownloadedAt: trx.raw('coalesce(client_downloaded_at, now())') as unknown as Date } : {}) });
  await recordActivity(trx, firmId, {
    action: 'documents.downloaded', actor: person, clientId: file.clientId, objectType: 'file', objectId: file.id, objectLabel: file.name, ip,
    details: { folder: folderName, format: extensionOf(file.name), ...(via ? { via } : {}) },
  });
}

export async function downloadFile(deps: AppDeps, firm: FirmRow, person: Person, fileId: string, ip: string | null): Promise<SentFile> {
  const file = await asPerson(deps, firm, person, async (trx) => {
    const { file, folder } = await readableFile(trx, firm.id, person, fileId);
    await countDownload(trx, firm.id, person, file, folder.name, ip);
    return file;
  });
  const storage = await firmStorage(deps, firm.id);
  return { name: file.name, size: Number(file.size), mime: file.mime, open: async () => (await storage.open(file.storageKey)).stream };
}
