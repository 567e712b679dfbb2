// Reading files: a folder's files page by page, one file with its access history.
import type { FileRow } from '../../db/documentTables.ts';
import type { FirmTrx } from '../../db/withFirm.ts';

export type FileListRow = Pick<FileRow, 'id' | 'folderId' | 'name' | 'title' | 'comment' | 'kind' | 'size' | 'downloadCount' | 'clientDownloadedAt' | 'uploadedAt'> & {
  uploaderName: string | null;
};

export async function filesIn(trx: FirmTrx, firmId: string, folderId: string, page: number, perPage: number): Promise<{ rows: FileListRow[]; total: number; page: number; pages: number }> {
  const base = () => trx('files').where('files.firmId', firmId).where('files.folderId', folderId).whereNull('files.deletedAt');
  const [{ n }] = (await base().count({ n: '*' })) as [{ n: string }];
  const total = Number(n);
  const pages = Math.max(1, Math.ceil(total / perPage));
  const current = Math.min(Math.max(1, page), pages);
  const rows = (await base()
    .leftJoin('users as u', (j) => j.on('u.firmId', 'files.firmId').andOn('u.id', 'files.uploadedBy'))
    .orderBy([{ column: 'files.uploadedAt', order: 'desc' }, { column: 'files.id', order: 'desc' }])
    .limit(perPage)
    .offset((current - 1) * perPage)
    .select('files.id', 'files.folderId', 'files.name', 'files.title', 'files.comment', 'files.kind', 'files.size', 'files.downloadCount', 'files.clientDownloadedAt', 'files.uploadedAt')
    .select(trx.raw(`nullif(trim(u.first_name || ' ' || u.last_name), '') AS uploader_name`))) as FileListRow[];
  return { rows, total, page: current, pages };
}
