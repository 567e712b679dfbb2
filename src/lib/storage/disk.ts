// Files kept in a directory under random keys (ab/cd/abcd…, 32 hex characters). A file is written
// under a temporary name in <root>/.tmp (same file system, so the final rename is atomic), fsynced,
// then renamed: a key either names a complete file or nothing. Rows that point at keys are the
// caller's; listKeys and removeTemporaries let its start-up reconciliation delete files without a row
// and the temporaries a crash left behind.
import { createHash, randomBytes } from 'node:crypto';
import type { Dirent, WriteStream } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors.ts';

/** The upload is larger than the limit it was given. */
export class FileTooLarge extends AppError {
  readonly maxBytes: number;
  constructor(maxBytes: number) {
    super(413, 'file_too_large', 'validation.fileTooLarge');
    this.maxBytes = maxBytes;
  }
}

/** The disk (or the quota) is full: ENOSPC, EDQUOT. Our problem, not the user's file. */
export class StorageFull extends AppError {
  constructor(cause?: unknown) {
    super(507, 'storage_full', 'errors.storageFull');
    this.cause = cause;
  }
}

/** The source stopped before its end (the client went away, the connection broke). */
export class UploadInterrupted extends AppError {
  constructor(cause?: unknown) {
    super(400, 'upload_interrupted', 'validation.fileInvalid');
    this.cause = cause;
  }
}

/** A key that is not one of ours (32 lowercase hex): a bug, or a crafted value. */
export class InvalidStorageKey extends AppError {
  constructor() {
    super(400, 'invalid_storage_key', 'errors.invalid');
  }
}

/** A key whose file is not on disk: the row and the disk disagree. */
export class StoredFileMissing extends AppError {
  constructor() {
    super(404, 'stored_file_missing', 'errors.notFound');
  }
}

export interface StoredFile {
  key: string;
  size: number;
  /** Hex SHA-256 of the content. */
  sha256: string;
}

export interface PutOptions {
  maxBytes: number;
  /**
   * Called once with the first `bytes` bytes (fewer when the file is shorter, none when it is empty)
   * before any of them is written; throwing aborts the put. Where type detection goes.
   */
  inspectHead?: { bytes: number; check: (head: Buffer, complete: boolean) => Promise<void> | void };
  /** Called on the complete, fsynced temporary file before it gets its key; throwing aborts the put. */
  verify?: (tempPath: string, file: StoredFile) => Promise<void> | void;
}

const KEY = /^[0-9a-f]{32}$/;
const SHARD = /^[0-9a-f]{2}$/;
const TEMP_DIR = '.tmp';
const TEMP_SUFFIX = '.part';
const PUBLIC_DIR = path.resolve(import.meta.dirname, '../../../public');

export class DiskStorage {
  readonly root: string;
  private readonly tempDir: string;

  private constructor(root: string) {
    this.root = root;
    this.tempDir = path.join(root, TEMP_DIR);
  }

  /** Creates the directory if needed. Refuses a root inside public/ (served as is, to anyone). */
  static async create(root: string): Promise<DiskStorage> {
    await fs.mkdir(path.join(root, TEMP_DIR), { recursive: true, mode: 0o700 });
    const real = await fs.realpath(root);
    const publicDir = await fs.realpath(PUBLIC_DIR).catch(() => PUBLIC_DIR);
    if (isInside(real, publicDir)) throw new Error(`file storage must not be under public/: ${real}`);
    return new DiskStorage(real);
  }

  static isKey(key: unknown): key is string {
    return typeof key === 'string' && KEY.test(key);
  }

  /**
   * Streams `source` into a new file. Rejects with FileTooLarge, StorageFull, UploadInterrupted,
   * the error of inspectHead/verify, or an I/O error; whatever happens, no temporary file remains.
   */
  async put(source: Readable | AsyncIterable<Uint8Array>, options: PutOptions): Promise<StoredFile> {
    const tempPath = path.join(this.tempDir, `${randomBytes(16).toString('hex')}${TEMP_SUFFIX}`);
    let handle: FileHandle | undefined;
    let writer: WriteStream | undefined;
    try {
      handle = await fs.open(tempPath, 'wx', 0o600);
      const meter = new Meter(options);
      writer = handle.createWriteStream({ autoClose: false, highWaterMark: 256 * 1024 });
      let writeError: unknown;
      // Only the file system's own errors (they carry a syscall): pipeline also hands the writer
      // whatever broke the source.
      writer.on('error', (err: NodeJS.ErrnoException) => void (err.syscall && (writeError ??= err)));
      try {
        await pipeline(source, meter, writer);
      } catch (err) {
        // Ours (too large, refused head), the disk's, or else the source broke off.
        throw meter.failure ?? writeError ?? new UploadInterrupted(err);
      }
      await handle.sync();
      await closeStream(writer);
      writer = undefined;
      await handle.close();
      handle = undefined;
      const file: StoredFile = { key: randomBytes(16).toString('hex'), size: meter.size, sha256: meter.sha256() };
      await options.verify?.(tempPath, file);
      const finalPath = this.pathOf(file.key);
      await fs.mkdir(path.dirname(finalPath), { recursive: true, mode: 0o700 });
      await fs.rename(tempPath, finalPath);
      await syncDirectory(path.dirname(finalPath));
      return file;
    } catch (err) {
      // The stream first: it holds a reference on the handle, and handle.close() waits for it.
      if (writer) await closeStream(writer);
      await handle?.close().catch(() => {});
      await fs.rm(tempPath, { force: true }).catch(() => {});
      throw asStorageError(err);
    }
  }

  /** The file's content and size. StoredFileMissing when it is not there. */
  async open(key: string): Promise<{ stream: Readable; size: number }> {
    const file = this.pathOf(key);
    let handle: FileHandle;
    try {
      handle = await fs.open(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new StoredFileMissing();
      throw err;
    }
    try {
      const { size } = await handle.stat();
      return { stream: handle.createReadStream(), size };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** Deletes the file; false when there was none. */
  async remove(key: string): Promise<boolean> {
    try {
      await fs.unlink(this.pathOf(key));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  async has(key: string): Promise<boolean> {
    const stat = await fs.stat(this.pathOf(key)).catch(() => undefined);
    return stat?.isFile() ?? false;
  }

  /** Every key on disk, one directory at a time (a million files never sit in memory at once). */
  async *listKeys(): AsyncGenerator<string> {
    for await (const first of await shardDirs(this.root)) {
      for await (const second of await shardDirs(path.join(this.root, first.name))) {
        const dir = await fs.opendir(path.join(this.root, first.name, second.name));
        for await (const entry of dir) {
          if (entry.isFile() && KEY.test(entry.name) && entry.name.startsWith(first.name + second.name)) yield entry.name;
        }
      }
    }
  }

  /**
   * Deletes temporary files not written to for `olderThanMs`: what a crash or a kill left. Uploads
   * in progress write all the time, but one stalled longer than that would lose its file: call it
   * at start-up, or with an age well above the upload timeout. Returns how many were deleted.
   */
  async removeTemporaries(olderThanMs: number): Promise<number> {
    const before = Date.now() - olderThanMs;
    let removed = 0;
    for await (const entry of await fs.opendir(this.tempDir)) {
      const file = path.join(this.tempDir, entry.name);
      const stat = await fs.lstat(file).catch(() => undefined);
      if (!stat || stat.mtimeMs > before) continue;
      await fs.rm(file, { force: true, recursive: true });
      removed++;
    }
    return removed;
  }

  /** The file's path, for read-only tools that need one (checkZip). Validates the key. */
  pathOf(key: string): string {
    if (!DiskStorage.isKey(key)) throw new InvalidStorageKey();
    return path.join(this.root, key.slice(0, 2), key.slice(2, 4), key);
  }
}

/** Counts, hashes and limits what passes; holds back the head until inspectHead has seen it. */
class Meter extends Transform {
  size = 0;
  failure: unknown;
  private readonly hash = createHash('sha256');
  private head: Buffer[] | undefined;
  private headLength = 0;
  private readonly options: PutOptions;

  constructor(options: PutOptions) {
    super();
    this.options = options;
    this.head = options.inspectHead ? [] : undefined;
  }

  sha256(): string {
    return this.hash.digest('hex');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void): void {
    this.size += chunk.length;
    if (this.size > this.options.maxBytes) return done(this.fail(new FileTooLarge(this.options.maxBytes)));
    this.hash.update(chunk);
    if (!this.head) return done(null, chunk);
    this.head.push(chunk);
    this.headLength += chunk.length;
    if (this.headLength < this.options.inspectHead!.bytes) return done();
    this.releaseHead(false).then(() => done(), (err: Error) => done(this.fail(err)));
  }

  override _flush(done: (err?: Error | null) => void): void {
    if (!this.head) return done();
    this.releaseHead(true).then(() => done(), (err: Error) => done(this.fail(err)));
  }

  private async releaseHead(complete: boolean): Promise<void> {
    const head = Buffer.concat(this.head!);
    this.head = undefined;
    await this.options.inspectHead!.check(head.subarray(0, this.options.inspectHead!.bytes), complete);
    if (head.length) this.push(head);
  }

  /** Remembers our own refusals, so that pipeline's generic wrapping does not hide them. */
  private fail(err: unknown): Error {
    this.failure ??= err;
    return err instanceof Error ? err : new Error(String(err));
  }
}

function asStorageError(err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' ? new StorageFull(err) : err;
}

async function shardDirs(dir: string): Promise<AsyncIterable<Dirent>> {
  const entries = await fs.opendir(dir);
  return (async function* () {
    for await (const entry of entries) if (entry.isDirectory() && SHARD.test(entry.name)) yield entry;
  })();
}

/** Destroys a write stream (autoClose: false, so the handle stays open) and waits for its 'close'. */
function closeStream(stream: WriteStream): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('close', resolve);
    stream.destroy();
  });
}

/** Makes a rename durable: the directory entry itself reaches the disk. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
