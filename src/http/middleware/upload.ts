import type { Request, Response } from 'express';
import multer from 'multer';
import { fileTypeFromBuffer } from 'file-type';
import type { FieldError } from '../../lib/validation.ts';

export interface UploadedFile {
  originalName: string;
  mime: string; // detected from the content, never from the name or the browser's claim
  buffer: Buffer;
}

/**
 * Reads one small file field into memory (logos, avatars). The type is detected from the bytes and
 * must be in `allowed`. Large documents stream to disk through the documents module instead.
 */
export async function receiveSmallFile(
  req: Request,
  res: Response,
  field: string,
  { maxBytes, allowed }: { maxBytes: number; allowed: string[] },
): Promise<{ file: UploadedFile } | { error: FieldError }> {
  const parse = multer({ storage: multer.memoryStorage(), limits: { fileSize: maxBytes, files: 1, fields: 20, parts: 25 } }).single(field);
  try {
    await new Promise<void>((resolve, reject) => parse(req, res, (err: unknown) => (err ? reject(err) : resolve())));
  } catch (err) {
    if (err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE') return { error: { key: 'validation.fileTooLarge', params: { max: Math.round(maxBytes / 1024) } } };
    return { error: { key: 'validation.fileInvalid' } };
  }
  const f = req.file;
  if (!f || f.size === 0) return { error: { key: 'validation.fileMissing' } };
  const type = await fileTypeFromBuffer(f.buffer);
  if (!type || !allowed.includes(type.mime)) return { error: { key: 'validation.fileType' } };
  return { file: { originalName: f.originalname, mime: type.mime, buffer: f.buffer } };
}
