// A message's attachments (H2, seed 000: "Seuls les fichiers avec l'extension 'png' 'jpg' 'jpeg'
// 'gif' 'pdf' peuvent être téléchargés. Leur taille ne doit pas dépasser 5 Mo"). The type comes from
// the content, and the name's extension must say the same thing: an executable renamed .pdf, or a
// PNG named .gif, is refused. All the files of a message are kept, or none.
import type { Request, Response } from 'express';
import type { FirmRow } from '../../db/tables.ts';
import type { AppDeps } from '../../deps.ts';
import { checkDisplayName } from '../../lib/files/name.ts';
import { extensionOf } from '../../lib/files/type.ts';
import { UploadEngine, type StoredUpload } from '../../lib/storage/uploadEngine.ts';
import type { FieldError } from '../../lib/validation.ts';
import { firmStorage, removeStored } from '../documents/store.ts';

export const MAX_FILE_BYTES = 5 * 1024 * 1024;
export const MAX_FILES = 10;
/** The detected type, and the extensions a file of that type may have. */
const ACCEPTED: Record<string, readonly string[]> = {
  'application/pdf': ['pdf'],
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg'],
  'image/gif': ['gif'],
};

export interface Attachment {
  upload: StoredUpload;
  /** The checked display name. */
  name: string;
}

export type Received = { ok: true; files: Attachment[]; keys: string[] } | { ok: false; error: FieldError; status: number };

/** Parses the multipart form (its fields land in req.body) and stores its files, checked; none is kept on a refusal. */
export async function receiveAttachments(deps: AppDeps, firm: FirmRow, req: Request, res: Response): Promise<Received> {
  const policy = { maxBytes: MAX_FILE_BYTES, kinds: ['pdf', 'image'] as const };
  const received = await new UploadEngine(await firmStorage(deps, firm.id), policy).receive(req, res, { field: 'files', maxFiles: MAX_FILES, policy });
  if (!received.ok) {
    if (received.error.key === 'validation.fileMissing') return { ok: true, files: [], keys: [] };
    const error =
      received.error.key === 'validation.fileTooLarge' ? { key: 'messages:errors.fileTooLarge' } : received.error.key === 'validation.fileType' ? { key: 'messages:errors.fileType' } : received.error;
    return { ok: false, error, status: received.status };
  }
  const keys = received.files.map((f) => f.key);
  const refuse = async (error: FieldError, status: number): Promise<Received> => {
    await removeStored(deps, firm.id, keys);
    return { ok: false, error, status };
  };
  const files: Attachment[] = [];
  for (const upload of received.files) {
    const shown = upload.originalName.slice(0, 80);
    if (!ACCEPTED[upload.mime]?.includes(extensionOf(upload.originalName))) return refuse({ key: 'messages:errors.fileTypeOf', params: { name: shown } }, 415);
    const name = checkDisplayName(upload.originalName);
    if (!name.ok) return refuse({ key: `documents:errors.name.${name.reason}`, params: { name: shown } }, 400);
    files.push({ upload, name: name.name });
  }
  return { ok: true, files, keys };
}
