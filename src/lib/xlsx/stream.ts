// Streamed .xlsx export: one sheet, rows pulled from an async iterable, memory flat whatever the count.
//
// Why exceljs's streaming writer grows (4.4.0, measured: 100k rows ≈ 175 MiB, 1M rows ≈ 690 MiB) —
// not rows, styles, merges or strings (committed rows are dropped, colCache is capped, shared strings
// are off): the zip layer never pushes back. A worksheet writes its XML into a StreamBuf
// (lib/utils/stream-buf.js) whose write() always returns true and which, in batch mode, hands each
// 64 KiB buffer to its pipe with `pipe.write()` without looking at the result. That pipe is the
// PassThrough that archiver (archiver-utils' normalizeInputSource) wraps around the StreamBuf, and
// it queues every chunk for as long as deflate (and behind it the output, e.g. a slow HTTP client) is
// slower than the XML is made, which is always: the whole sheet's XML ends up in that queue
// (`_writableState.length` reached 460 MB at 1M rows). Awaiting `out`'s drain cannot help, since
// nothing reaches `out` until deflate has caught up.
//
// What we do: commit every row as it is added, and every few rows look at that PassThrough's queue;
// past 256 KiB, wait for its 'drain'. Backpressure from `out` travels back through archiver's and
// deflate's pipes to that queue, so a slow client pauses the row source too. It reaches one
// internal (`worksheet.stream.pipes[0]`); if exceljs ever changes it, writeXlsx throws rather than
// silently buffering, and the tests say so. Rows are also cheaper than exceljs's defaults: one shared
// style object per column (exceljs caches style ids by object identity), real inline strings.
import ExcelJS from 'exceljs';

export type XlsxColumnType = 'text' | 'number' | 'date' | 'boolean' | 'amount';
export type XlsxColumn = { header: string; type: XlsxColumnType; width?: number };
export type XlsxSheet = { name: string; columns: readonly XlsxColumn[] };
export type XlsxCell = string | number | boolean | Date | null | undefined;

/** Excel's limits: rows in a sheet (header included), characters in a cell. */
export const MAX_ROWS = 1_048_576;
const MAX_CELL_CHARS = 32_767;
/** Bytes queued before deflate past which the row source waits. */
const MAX_QUEUED = 256 * 1024;
/** How often (rows) the queue is looked at. */
const CHECK_EVERY = 32;

const DATE_FORMAT = 'dd/mm/yyyy';
// How French Excel itself stores "# ##0,00 €" (the separators follow the reader's locale).
const AMOUNT_FORMAT = '#,##0.00\\ "€"';
const TIME_ZONE = 'Europe/Paris';

const DEFAULT_WIDTH: Record<XlsxColumnType, number> = { text: 24, number: 12, date: 12, boolean: 8, amount: 14 };

interface Sink {
  _writableState?: { length: number };
  once(event: 'drain', listener: () => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
}

export async function writeXlsx(out: NodeJS.WritableStream, sheet: XlsxSheet, rows: AsyncIterable<readonly XlsxCell[]>): Promise<void> {
  const columns = sheet.columns;
  if (columns.length === 0 || columns.length > 16_384) throw new RangeError(`writeXlsx: ${columns.length} columns`);

  // Anything that goes wrong on the way out (the client hangs up, the disk is full) stops the export.
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const fail = (err: Error) => {
    failure ??= err;
    wake?.();
  };
  const onOutError = (err: Error) => fail(err);
  const onOutClose = () => fail(new Error('writeXlsx: the output closed before the workbook was complete'));
  out.on('error', onOutError);
  out.on('close', onOutClose);

  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out as unknown as import('node:stream').Stream, useStyles: true, useSharedStrings: false });
  const zip = (workbook as unknown as { zip: import('node:stream').Readable & { abort(): void } }).zip;
  zip.on('error', fail);

  const worksheet = workbook.addWorksheet(sheetName(sheet.name), {
    views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
  });
  const styles = columns.map((c) => columnStyle(c.type));
  worksheet.columns = columns.map((c, i) => ({ width: c.width ?? DEFAULT_WIDTH[c.type], style: styles[i] }));
  const sink = (worksheet as unknown as { stream?: { pipes?: Sink[] } }).stream?.pipes?.[0];
  if (typeof sink?._writableState?.length !== 'number') throw new Error('writeXlsx: exceljs internals changed (worksheet.stream.pipes[0]); backpressure would be lost');
  const queued = () => sink._writableState!.length;
  const drained = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        sink.off('drain', done);
        wake = undefined;
        resolve();
      };
      wake = done;
      sink.once('drain', done);
    });

  let count = 0;
  try {
    const header = worksheet.addRow(columns.map((c) => inline(c.header)));
    header.eachCell((cell) => (cell.style = HEADER_STYLE));
    header.commit();

    for await (const values of rows) {
      if (failure) throw failure;
      if (++count >= MAX_ROWS) throw new RangeError(`writeXlsx: more than ${MAX_ROWS - 1} rows do not fit in a sheet`);
      const row = worksheet.getRow(count + 1);
      for (let i = 0; i < columns.length; i++) {
        const value = convert(columns[i]!.type, values[i]);
        if (value === null) continue;
        const cell = row.getCell(i + 1);
        cell.value = value;
        cell.style = styles[i]!;
      }
      row.commit();
      if (count % CHECK_EVERY === 0 && queued() > MAX_QUEUED) {
        await drained();
        if (failure) throw failure;
      }
    }

    if (failure) throw failure;
    worksheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: count + 1, column: columns.length } };
    worksheet.commit();
    // Resolves once `out` has finished; a failure meanwhile (client gone) must not leave us waiting.
    await new Promise<void>((resolve, reject) => {
      wake = () => reject(failure);
      workbook.commit().then(() => (failure ? reject(failure) : resolve()), reject);
    });
  } catch (err) {
    abort(zip, worksheet, out);
    throw err;
  } finally {
    out.off('close', onOutClose);
    // Keep listening to 'error' after a failure: a stream destroyed on the way may still emit one.
    if (!failure) out.off('error', onOutError);
  }
}

/** Stops the zip and the output; the caller's row source has been closed by `for await`. */
function abort(zip: import('node:stream').Readable & { abort(): void }, worksheet: ExcelJS.Worksheet, out: NodeJS.WritableStream) {
  zip.on('error', () => {});
  zip.unpipe(out as NodeJS.WritableStream & import('node:stream').Writable);
  zip.abort();
  // End the sheet's entry so that the zip releases its deflate stream and shuts down.
  const stream = (worksheet as unknown as { stream?: { end(): void } }).stream;
  try {
    stream?.end();
  } catch {
    // already ended
  }
  const writable = out as NodeJS.WritableStream & { destroy?: () => void; destroyed?: boolean };
  if (!writable.destroyed) writable.destroy?.();
}

// ---------------------------------------------------------------------------------------------
// Styles: one object per column, shared by all its cells (exceljs caches style ids by object
// identity; a fresh object per cell costs a third of the time). A cell that does not fit its
// column's type is text, which a number format does not change.

const HEADER_STYLE: Partial<ExcelJS.Style> = { font: { bold: true } };

function columnStyle(type: XlsxColumnType): Partial<ExcelJS.Style> {
  if (type === 'date') return { numFmt: DATE_FORMAT };
  if (type === 'amount') return { numFmt: AMOUNT_FORMAT };
  return {};
}

// ---------------------------------------------------------------------------------------------
// Values

type RichText = { richText: [{ text: string }] };
type Written = number | boolean | Date | RichText | null;

function convert(type: XlsxColumnType, value: XlsxCell): Written {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'number':
    case 'amount':
      if (typeof value === 'number') return Number.isFinite(value) ? value : null;
      if (typeof value === 'string' && value.trim() !== '') {
        // PostgreSQL numeric and bigint arrive as strings.
        const n = Number(value);
        if (Number.isFinite(n)) return n;
      }
      break;
    case 'date':
      if (value instanceof Date) return parisDay(value);
      if (typeof value === 'string') {
        const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
        if (day) return new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])));
        if (/^\d{4}-\d{2}-\d{2}[T ]\d/.test(value)) {
          const d = new Date(value);
          if (!Number.isNaN(d.getTime())) return parisDay(d);
        }
      }
      break;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      break;
    case 'text':
      break;
  }
  // Text, or a value that does not fit its column's type: shown as text rather than lost.
  return inline(value instanceof Date ? formatParis(value) : String(value));
}

/** A real inline string (t="inlineStr", no shared-strings table). */
function inline(text: string): RichText {
  let s = text.length > MAX_CELL_CHARS ? text.slice(0, MAX_CELL_CHARS) : text;
  // Excel reads "_x0041_" as an escaped character: escape the underscore of such sequences.
  if (s.includes('_x')) s = s.replace(/_(x[0-9A-Fa-f]{4}_)/g, '_x005F_$1');
  return { richText: [{ text: s }] };
}

// Dates are calendar days: an instant becomes the day it is in Paris, written as that day's
// midnight (Excel has no time zones; exceljs writes the UTC fields). Intl is slow (µs a call), so
// the offset is asked once per UTC day and kept, unless that day has a change of offset.
const parisFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});
const DAY = 86_400_000;
const offsetOfDay = new Map<number, number>();

function parisOffset(ms: number): number {
  const p: Record<string, number> = {};
  for (const part of parisFormat.formatToParts(ms)) p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour, p.minute, p.second);
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

function parisDay(d: Date): Date | null {
  const ms = d.getTime();
  if (Number.isNaN(ms)) return null;
  const utcDay = Math.floor(ms / DAY);
  let offset = offsetOfDay.get(utcDay);
  if (offset === undefined) {
    const start = parisOffset(utcDay * DAY);
    offset = start === parisOffset(utcDay * DAY + DAY - 1000) ? start : Number.NaN;
    if (offsetOfDay.size >= 50_000) offsetOfDay.clear();
    offsetOfDay.set(utcDay, offset);
  }
  if (Number.isNaN(offset)) offset = parisOffset(ms);
  return new Date(Math.floor((ms + offset) / DAY) * DAY);
}

function formatParis(d: Date): string {
  const day = parisDay(d);
  if (!day) return '';
  const dd = String(day.getUTCDate()).padStart(2, '0');
  const mm = String(day.getUTCMonth() + 1).padStart(2, '0');
  return `${dd}/${mm}/${day.getUTCFullYear()}`;
}

/** Excel's rules for sheet names: 1–31 characters, none of : \ / ? * [ ], no apostrophe at either end. */
function sheetName(name: string): string {
  const s = name
    .replace(/[\u0000-\u001f\u007f:\\/?*[\]]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 31)
    .replace(/^'+|'+$/g, '')
    .trim();
  return s || 'Export';
}
