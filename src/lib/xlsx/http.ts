// An Excel export as an HTTP download, streamed (see ./stream.ts).
import type { Response } from 'express';
import { writeXlsx, type XlsxCell, type XlsxSheet } from './stream.ts';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Streams `rows` to the client as `filename`. The first row is read before anything is sent, so a
 * source that fails at once (a bad query) still leaves the response to the error handler. Once the
 * download has begun, a failure destroys the response: the client sees a broken download, never a
 * truncated file that looks complete. Logs nothing; the error is rethrown to the caller.
 */
export async function sendXlsx(res: Response, filename: string, sheet: XlsxSheet, rows: AsyncIterable<readonly XlsxCell[]>): Promise<void> {
  const iterator = rows[Symbol.asyncIterator]();
  if (res.req?.method === 'HEAD') {
    await iterator.return?.();
    setHeaders(res, filename);
    res.end();
    return;
  }
  const first = await iterator.next();
  setHeaders(res, filename);
  try {
    await writeXlsx(res, sheet, resume(first, iterator));
  } catch (err) {
    if (!res.destroyed) res.destroy();
    // writeXlsx closes what it reads, but may have failed before it started reading.
    await Promise.resolve(iterator.return?.()).catch(() => {});
    throw err;
  }
}

function setHeaders(res: Response, filename: string) {
  res.status(200);
  res.setHeader('Content-Type', XLSX_CONTENT_TYPE);
  res.setHeader('Content-Disposition', contentDisposition(filename));
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
}

/** The rows again, the first one included; closes the source if the reader stops early. */
async function* resume<T>(first: IteratorResult<T>, iterator: AsyncIterator<T>): AsyncGenerator<T> {
  let open = !first.done;
  try {
    for (let r = first; !r.done; ) {
      yield r.value;
      open = false;
      r = await iterator.next();
      open = !r.done;
    }
  } finally {
    if (open) await iterator.return?.();
  }
}

/**
 * `attachment` with an ASCII `filename` for old clients and the exact name in `filename*` (RFC 6266,
 * RFC 8187). Control and invisible formatting characters (which could, say, reverse the extension
 * on screen) are dropped, characters no file system takes are replaced, and the name ends in .xlsx.
 */
export function contentDisposition(filename: string): string {
  const name = safeFilename(filename);
  const ascii = name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[’‘]/g, "'")
    .replace(/[^\x20-\x7e]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

function safeFilename(filename: string): string {
  let name = filename
    .toWellFormed()
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replaceAll('"', "'")
    .replace(/[\\/<>:|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .trim();
  name = name.replace(/\.xlsx$/i, '').replace(/[. ]+$/, '').slice(0, 120).trim();
  return `${name || 'export'}.xlsx`;
}
