// D3: files uploaded into a folder. The person's level is checked before a byte is stored; the
// files stream to disk (type from the content, the firm's kinds and size limit); then one
// transaction records them all. If anything fails, no file stays on disk and no row is written.
import { asPerson } from '../../db/withFirm.ts';
import type { Request, Response } from 'express';
import type { FirmRow } from '../../db/tables.ts';
import type { AppDeps } from '../../deps.ts';
import type { FileKind } from '../../lib/files/type.ts';
import { checkDisplayName } from '../../lib/files/name.ts';
import { UploadEngine, type StoredUpload } from '../../lib/storage/uploadEngine.ts';
import type { FieldError } from '../../lib/validation.ts';
import { recordActivity } from '../activity/service.ts';
import { folderIn, openClient } from './folders.ts';
import type { Person } from './standing.ts';
import { firmStorage, removeStored } from './store.ts';

export const MAX_FILES_PER_UPLOAD = 20;

export type UploadOutcome = { ok: true; count: number; folderId: string } | { ok: false; error: FieldError; status: number };

export async function uploadFiles(deps: AppDeps, firm: FirmRow, person: Person, clientId: string, folderId: string, req: Request, res: Response): Promise<UploadOutcome> {
  // Refused before reading the body: a person without the right stores nothing, not even for a moment.
  await asPerson(deps, firm, person, async (trx) => folderIn(await openClient(trx, firm.id, person, clientId), folderId, 'full'));

  const storage = await firmStorage(deps, firm.id);
  const policy = { maxBytes: firm.uploadMaxMb * 1024 * 1024, kinds: firm.uploadKinds as FileKind[] };
  const engine = new UploadEngine(storage, policy);
  const received = await engine.receive(req, res, { field: 'files', maxFiles: MAX_FILES_PER_UPLOAD, policy });
  if (!received.ok) return { ok: false, error: received.error, status: received.status };

  const body = (req.body ?? {}) as Record<string, unknown>;
  const text = (v: unknown, max: number) => (typeof v === 'string' ? v.trim().slice(0, max) : '');
  const title = text(body.title, 255);
  const comment = text(body.comment, 2000);
  const keys = received.files.map((f) => f.key);
  try {
    const named: { file: StoredUpload; name: string }[] = [];
    for (const file of received.files) {
      // One file may be renamed in the form ("Donner un nom au fichier joint"); the extension stays.
      const wanted = received.files.length === 1 && text(body.name, 255) ? withExtension(text(body.name, 255), file.originalName) : file.originalName;
      const check = checkDisplayName(wanted);
      if (!check.ok) {
        await removeStored(deps, firm.id, keys);
        return { ok: false, error: { key: `documents:errors.name.${check.reason}`, params: { name: wanted.slice(0, 80) } }, status: 400 };
      }
      named.push({ file, name: check.name });
    }
    await asPerson(deps, firm, person, async (trx) => {
      const o = await openClient(trx, firm.id, person, clientId);
      const folder = folderIn(o, folderId, 'full');
      const rows = await trx('files')
        .insert(named.map(({ file, name }) => ({
          firmId: firm.id, clientId: o.client.id, folderId: folder.id, name, title, comment, kind: file.kind, mime: file.mime, size: String(file.size), sha256: file.sha256, storageKey: file.key, uploadedBy: person.id,
        })))
        .returning(['id', 'name']);
      for (const row of rows) {
        await recordActivity(trx, firm.id, {
          action: 'documents.uploaded', actor: person, clientId: o.client.id, objectType: 'file', objectId: String(row.id), objectLabel: row.name, ip: req.ip ?? null, details: { folder: folder.name, format: extensionOf(row.name) },
        });
      }
    });
    return { ok: true, count: named.length, folderId };
  } catch (err) {
    await removeStored(deps, firm.id, keys);
    throw err;
  }
}

export const extensionOf = (name: string) => /\.([^./\\]{1,10})$/.exec(name)?.[1]?.toLowerCase() ?? '';

/** "Bilan 2025" for "scan.pdf" becomes "Bilan 2025.pdf": the name given keeps the file's extension. */
function withExtension(name: string, original: string): string {
  const ext = extensionOf(original);
  return ext && extensionOf(name) !== ext ? `${name}.${ext}` : name;
}
