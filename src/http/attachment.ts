// Downloads under their original name: the Content-Disposition header, and a stored file streamed
// as an attachment.
import type { ServerResponse } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Longest name sent, in characters; the extension is kept when a longer one is cut. */
const MAX_SENT_NAME = 150;

/**
 * `attachment` with an ASCII `filename` for old clients and the exact name in `filename*` (RFC 6266,
 * RFC 8187). Control and invisible formatting characters (which could, say, reverse the extension
 * on screen) are dropped and characters no file system takes are replaced (see safeFilename).
 */
export function contentDisposition(filename: string, fallback = 'download'): string {
  const name = safeFilename(filename, fallback);
  const ascii = name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[’‘]/g, "'")
    .replace(/[^\x20-\x7e]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * A name any file system takes: NFC, no control or format characters, `"` becomes `'`, `\ / < > :
 * | ? *` become `_`, runs of white space one space, no dots or spaces at the end (Windows drops them),
 * at most MAX_SENT_NAME characters with the extension kept. Accents and apostrophes stay.
 */
export function safeFilename(filename: string, fallback = 'download'): string {
  const name = filename
    .toWellFormed()
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replaceAll('"', "'")
    .replace(/[\\/<>:|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[. ]+$/, '');
  const chars = [...name];
  if (chars.length <= MAX_SENT_NAME) return name || fallback;
  const ext = /\.[^. ]{1,10}$/.exec(name)?.[0] ?? '';
  return chars.slice(0, MAX_SENT_NAME - ext.length).join('').trimEnd() + ext;
}

/**
 * Starts a download streamed from `source`: for HEAD, the headers alone and the source closed
 * (undefined); otherwise the source's first item, read before a byte is sent, so that a source
 * failing at once (a bad query, a missing file) still leaves the answer to the error handler.
 */
export async function firstOfDownload<T>(res: ServerResponse, source: AsyncIterator<T>, setHeaders: () => void): Promise<IteratorResult<T> | undefined> {
  if (res.req?.method === 'HEAD') {
    await source.return?.();
    setHeaders();
    res.end();
    return undefined;
  }
  return source.next();
}

export interface SentFile {
  /** Name the user gets (the original one, checked when it was stored). */
  name: string;
  size: number;
  /** The detected type (never the browser's claim); text types should carry their charset. */
  mime: string;
  open: () => Promise<Readable>;
}

/**
 * Streams a stored file as an attachment with its exact length. The file is opened before anything
 * is sent, so a missing file still leaves the response to the error handler; once headers are out, a
 * read error destroys the response (a broken download, never a short file that looks complete) and
 * is rethrown. A client that leaves mid-download is not an error: the file is closed, and it resolves.
 */
export async function sendFileStream(res: ServerResponse, file: SentFile): Promise<void> {
  const head = res.req?.method === 'HEAD';
  const stream = head ? undefined : await file.open();
  res.statusCode = 200;
  res.setHeader('Content-Type', file.mime || 'application/octet-stream');
  res.setHeader('Content-Length', String(file.size));
  res.setHeader('Content-Disposition', contentDisposition(file.name));
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // A PDF or an image opened from our origin must not run anything (belt and braces with attachment).
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  if (!stream) {
    res.end();
    return;
  }
  if (res.destroyed) {
    stream.destroy(); // the client left while the file was being opened
    return;
  }
  // Which came first: our side failing (read error, wrong length) or the client closing.
  let first: 'ours' | 'client' | undefined;
  const length = exactLength(file.size);
  for (const s of [stream, length]) s.once('error', () => (first ??= 'ours'));
  res.once('close', () => void (res.writableFinished || (first ??= 'client')));
  try {
    await pipeline(stream, length, res);
  } catch (err) {
    const clientLeft = first === 'client';
    if (!res.destroyed) res.destroy();
    stream.destroy();
    if (clientLeft) return; // nothing went wrong on our side
    throw err;
  }
}

/** Passes `size` bytes through, and fails on one more or one less (rather than end a download short). */
function exactLength(size: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > size ? new Error(`file is longer than its ${size} bytes`) : null, chunk);
    },
    flush(done) {
      done(seen < size ? new Error(`file is ${seen} bytes, not ${size}`) : null);
    },
  });
}
