// D7: a folder and its sub-folders as one ZIP, streamed. Only the folders the person may read are
// in it (a sub-folder closed to them is not even named), and every file counts as downloaded.
import { asPerson } from '../../db/withFirm.ts';
import type { FirmRow } from '../../db/tables.ts';
import type { AppDeps } from '../../deps.ts';
import { AppError } from '../../lib/errors.ts';
import type { ZipSourceEntry } from '../../lib/zip/stream.ts';
import { recordActivity } from '../activity/service.ts';
import { folderIn, openClient } from './folders.ts';
import type { Person } from './standing.ts';
import { firmStorage } from './store.ts';

/** Beyond this, the ZIP is refused: ask for sub-folders one by one. */
export const MAX_ZIP_FILES = 10_000;

export async function folderZip(deps: AppDeps, firm: FirmRow, person: Person, clientId: string, folderId: string, ip: string | null): Promise<{ filename: string; entries: AsyncIterable<ZipSourceEntry>; count: number }> {
  const { root, files } = await asPerson(deps, firm, person, async (trx) => {
    const o = await openClient(trx, firm.id, person, clientId);
    const root = folderIn(o, folderId, 'read');
    const byId = new Map(o.tree.map((f) => [f.id, f]));
    // The folder's readable sub-folders, each with its path inside the ZIP.
    const paths = new Map<string, string>();
    for (const f of o.tree) {
      if (f.id !== root.id && !f.path.includes(root.id)) continue;
      const below = f.path.slice(f.path.indexOf(root.id) + 1).map((id) => byId.get(id)!.name);
      paths.set(f.id, f.id === root.id ? '' : [...below, f.name].join('/'));
    }
    const rows: { id: string; name: string; folderId: string; storageKey: string; uploadedAt: Date }[] = await trx('files')
      .where('firmId', firm.id)
      .whereIn('folderId', [...paths.keys()])
      .whereNull('deletedAt')
      .orderBy('id')
      .limit(MAX_ZIP_FILES + 1)
      .select('id', 'name', 'folderId', 'storageKey', 'uploadedAt');
    if (rows.length > MAX_ZIP_FILES) return { root, files: undefined };
    const ids = rows.map((r) => r.id);
    if (ids.length) {
      const byClient = person.role === 'contact';
      await trx('files')
        .where('firmId', firm.id)
        .whereIn('id', ids)
        .update({ downloadCount: trx.raw('download_count + 1') as unknown as number, ...(byClient ? { clientDownloadedAt: trx.raw('coalesce(client_downloaded_at, now())') as unknown as Date } : {}) });
    }
    await recordActivity(trx, firm.id, { action: 'documents.zipDownloaded', actor: person, clientId: o.client.id, objectType: 'folder', objectId: root.id, objectLabel: root.name, ip, details: { files: ids.length } });
    return { root, files: rows.map((r) => ({ ...r, path: [paths.get(r.folderId), r.name].filter(Boolean).join('/') })) };
  });
  if (!files) throw new TooManyForZip();
  const storage = await firmStorage(deps, firm.id);
  async function* entries(): AsyncGenerator<ZipSourceEntry> {
    for (const f of files!) yield { name: f.path, mtime: f.uploadedAt, open: async () => (await storage.open(f.storageKey)).stream };
  }
  return { filename: `${root.name}.zip`, entries: entries(), count: files.length };
}

export class TooManyForZip extends AppError {
  constructor() {
    super(413, 'zip_too_many', 'documents:errors.zipTooMany');
  }
}
