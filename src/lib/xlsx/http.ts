// An Excel export as an HTTP download, streamed (see ./stream.ts).
import type { Response } from 'express';
import { contentDisposition, firstOfDownload, safeFilename } from '../../http/attachment.ts';
import type { XlsxCell, XlsxSheet } from './stream.ts';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Streams `rows` to the client as `filename`. The first row is read before anything is sent, so a
 * source that fails at once (a bad query) still leaves the response to the error handler. Once the
 * download has begun, a failure destroys the response: the client sees a broken download, never a
 * truncated file that looks complete. Logs nothing; the error is rethrown to the caller.
 */
export async function sendXlsx(res: Response, filename: string, sheet: XlsxSheet, rows: AsyncIterable<readonly XlsxCell[]>): Promise<void> {
  const iterator = rows[Symbol.asyncIterator]();
  const first = await firstOfDownload(res, iterator, () => setHeaders(res, filename));
  if (!first) return;
  setHeaders(res, filename);
  try {
    // exceljs weighs about 17 MB: loaded at the first export, not by every process.
    const { writeXlsx } = await import('./stream.ts');
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
  res.setHeader('Content-Disposition', contentDisposition(xlsxFilename(filename)));
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

/** The name safeFilename gives, cut to 120 characters, always ending in .xlsx. */
function xlsxFilename(filename: string): string {
  const name = safeFilename(filename, '').replace(/\.xlsx$/i, '').replace(/[. ]+$/, '').slice(0, 120).trim();
  return `${name || 'export'}.xlsx`;
}
