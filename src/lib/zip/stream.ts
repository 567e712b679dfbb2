// A ZIP written to an HTTP response as it is read: one entry open at a time, and the next one asked
// of the source only when the previous has begun, so memory stays flat for any number of files.
// yazl writes the UTF-8 name flag (bit 11) on every entry and switches to ZIP64 past 4 GB.
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import yazl from 'yazl';
import { contentDisposition, firstOfDownload, safeFilename } from '../../http/attachment.ts';

export interface ZipSourceEntry {
  /** Path inside the ZIP; "/" separates folders. Cleaned and made unique (see ZipNames). */
  name: string;
  open: () => Promise<Readable>;
  mtime?: Date;
  /** Deflate or store; by default from the name (already compressed formats are stored). */
  compress?: boolean;
}

// Formats that are compressed already: deflating them again costs CPU and saves nothing.
const STORED_EXTENSIONS = new Set(['pdf', 'png', 'jpg', 'jpeg', 'gif', 'webp', 'tif', 'tiff', 'heic', 'heif', 'avif', 'zip', 'docx', 'docm', 'xlsx', 'xlsm', 'pptx', 'pptm', 'odt', 'ods', 'odp', '7z', 'gz', 'rar', 'mp3', 'mp4', 'mov']);

export function isStoredWithoutCompression(name: string): boolean {
  const ext = /\.([^./]+)$/.exec(name)?.[1]?.toLowerCase();
  return ext !== undefined && STORED_EXTENSIONS.has(ext);
}

/**
 * Paths made safe and unique inside one archive: backslashes become folders, no leading "/", no "."
 * or ".." segment, each segment cleaned as a download name; a name already taken (case aside, as on
 * Windows and macOS) gets " (2)", " (3)"… before its extension. A file and a folder cannot share a path.
 */
export class ZipNames {
  private readonly files = new Set<string>();
  private readonly folders = new Set<string>();

  unique(name: string): string {
    // safeFilename per segment: what Windows cannot create (: ? " …, trailing dots) is replaced.
    const segments = name
      .split(/[\\/]+/)
      .map((segment) => safeFilename(segment, ''))
      .filter((segment) => segment !== '' && segment !== '.' && segment !== '..');
    const base = segments.pop() ?? 'file';
    const folder = segments.length ? `${segments.join('/')}/` : '';
    const dot = base.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, ''];
    for (let n = 1; ; n++) {
      const candidate = `${folder}${n === 1 ? base : `${stem} (${n})${ext}`}`;
      const key = candidate.toLowerCase();
      if (this.files.has(key) || this.folders.has(key)) continue;
      this.files.add(key);
      for (let i = 1; i <= segments.length; i++) this.folders.add(segments.slice(0, i).join('/').toLowerCase());
      return candidate;
    }
  }
}

/**
 * Streams `entries` as `filename`.zip. The first entry is opened before anything is sent: when that
 * fails, the promise rejects and the caller's error handler can still answer. Once bytes are out, a
 * failing entry destroys the response (a broken download, never a truncated ZIP that looks whole)
 * and rejects. A client that leaves closes what was open and resolves. Folders are implied by paths.
 */
export async function sendZip(res: ServerResponse, filename: string, entries: AsyncIterable<ZipSourceEntry>): Promise<void> {
  const iterator = entries[Symbol.asyncIterator]();
  const first = await firstOfDownload(res, iterator, () => setHeaders(res, filename));
  if (!first) return;
  let firstStream: Readable | undefined;
  try {
    firstStream = first.done ? undefined : await first.value.open();
  } catch (err) {
    await Promise.resolve(iterator.return?.()).catch(() => {});
    throw err;
  }
  setHeaders(res, filename);
  await new ZipWriter(res, iterator).run(first, firstStream);
}

function setHeaders(res: ServerResponse, filename: string) {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/zip');
  res.setHeader('Content-Disposition', contentDisposition(/\.zip$/i.test(filename) ? filename : `${filename}.zip`, 'archive.zip'));
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
}

/**
 * yazl keeps every entry's name for the central directory as `Buffer.from(name)`: a slice of Node's
 * shared 8 KiB buffer pool, which keeps the whole slab alive. Measured: 20,000 entries held 211 MB
 * of array buffers. A copy of its own keeps only the name. (yazl's `entries` is not public API: if
 * it changes, this does nothing and the cost comes back.)
 */
function ownLastName(zip: yazl.ZipFile): void {
  const last = (zip as unknown as { entries?: { utf8FileName?: unknown }[] }).entries?.at(-1);
  const name = last?.utf8FileName;
  if (!last || !Buffer.isBuffer(name) || name.buffer.byteLength === name.length) return;
  const own = Buffer.allocUnsafeSlow(name.length);
  name.copy(own);
  last.utf8FileName = own;
}

class ZipWriter {
  private readonly zip = new yazl.ZipFile();
  private readonly names = new ZipNames();
  private readonly res: ServerResponse;
  private readonly iterator: AsyncIterator<ZipSourceEntry>;
  private current: Readable | undefined;
  private failure: { error: unknown } | undefined;
  private clientLeft = false;
  private wake: (() => void) | undefined;

  constructor(res: ServerResponse, iterator: AsyncIterator<ZipSourceEntry>) {
    this.res = res;
    this.iterator = iterator;
  }

  async run(first: IteratorResult<ZipSourceEntry>, firstStream: Readable | undefined): Promise<void> {
    if (this.res.destroyed) {
      // The client left while the first entry was being opened.
      firstStream?.destroy();
      await Promise.resolve(this.iterator.return?.()).catch(() => {});
      return;
    }
    const output = this.zip.outputStream as unknown as Readable;
    const finished = new Promise<void>((resolve) => this.res.once('close', resolve));
    this.res.once('close', () => {
      if (!this.res.writableFinished) this.stop(undefined);
    });
    this.zip.on('error', (err: unknown) => this.stop({ error: err }));
    output.pipe(this.res);
    try {
      for (let next = first, stream = firstStream; !next.done && !this.failure && !this.clientLeft; stream = undefined) {
        await this.add(next.value, stream);
        if (this.failure || this.clientLeft) break;
        next = await this.iterator.next();
      }
    } catch (err) {
      this.stop({ error: err });
    }
    if (!this.failure && !this.clientLeft) this.zip.end();
    await finished;
    if (!this.failure && !this.clientLeft) return;
    this.current?.destroy();
    await Promise.resolve(this.iterator.return?.()).catch(() => {});
    if (this.failure) throw this.failure.error;
  }

  /** Queues one entry and waits until yazl starts writing it (the one before it is then done). */
  private async add(entry: ZipSourceEntry, opened: Readable | undefined): Promise<void> {
    const started = new Promise<void>((resolve) => (this.wake = resolve));
    const options = { mtime: entry.mtime ?? new Date(), compress: entry.compress ?? !isStoredWithoutCompression(entry.name) };
    this.zip.addReadStreamLazy(this.names.unique(entry.name), options, this.opener(entry.open, opened));
    ownLastName(this.zip);
    await started;
  }

  /**
   * What yazl calls when it reaches the entry. yazl keeps it until the end (with the entry, for the
   * central directory), so it lets go of the source's `open` and stream once used.
   */
  private opener(open: ZipSourceEntry['open'] | undefined, opened: Readable | undefined) {
    return (callback: (err: unknown, stream: NodeJS.ReadableStream) => void) => {
      this.wake?.();
      const stream = opened ? Promise.resolve(opened) : new Promise<Readable>((resolve) => resolve(open!()));
      open = opened = undefined;
      stream.then(
        (stream) => {
          if (this.failure || this.clientLeft) return void stream.destroy();
          this.current = stream;
          stream.once('error', (err) => this.stop({ error: err }));
          callback(null, stream);
        },
        (err: unknown) => this.stop({ error: err }),
      );
    };
  }

  /** Ends the download early: a failure breaks the response, a client that left has none left. */
  private stop(failure: { error: unknown } | undefined): void {
    if (this.failure || this.clientLeft) return;
    if (failure) this.failure = failure;
    else this.clientLeft = true;
    this.current?.destroy();
    if (!this.res.destroyed) this.res.destroy();
    this.wake?.();
  }
}
