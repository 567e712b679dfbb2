// Multipart uploads streamed straight into DiskStorage: each file is hashed, measured and typed on
// its way to disk (the first 64 KB are held back until their type is known), so memory stays flat
// whatever the size. A request either stores all its files or none: when anything fails (a refused
// type, a file too large, a client gone halfway, a full disk), every file it already wrote is removed.
import type { Request, Response } from 'express';
import multer from 'multer';
import { AppError } from '../errors.ts';
import { detectType, extensionOf, kindOf, TYPE_SAMPLE_BYTES, type DetectedType, type FileKind, type TextCharset } from '../files/type.ts';
import { checkZip, type ZipLimits, type ZipRefusal } from '../files/zipCheck.ts';
import type { FieldError } from '../validation.ts';
import { FileTooLarge, StorageFull, type DiskStorage, type StoredFile } from './disk.ts';

export interface UploadPolicy {
  /** Per file. */
  maxBytes: number;
  /** What the firm accepts (a subset of FILE_KINDS). */
  kinds: readonly FileKind[];
  /** ZIP bomb limits for files of kind zip; false to keep ZIPs unchecked. Defaults: DEFAULT_ZIP_LIMITS. */
  zip?: Partial<ZipLimits> | false;
}

/** A file of the request, stored under `key`. */
export interface StoredUpload extends StoredFile {
  field: string;
  /** As the browser sent it; check it with checkDisplayName before keeping it. */
  originalName: string;
  /** Detected from the content. */
  mime: string;
  ext: string;
  kind: FileKind;
  /** Text files only. */
  charset?: TextCharset;
}

export class FileTypeRefused extends AppError {
  readonly detected: DetectedType | undefined;
  constructor(detected: DetectedType | undefined) {
    super(415, 'file_type_refused', 'validation.fileType');
    this.detected = detected;
  }
}

export class EmptyFile extends AppError {
  constructor() {
    super(400, 'empty_file', 'validation.fileEmpty');
  }
}

export class ZipRefused extends AppError {
  readonly reason: ZipRefusal;
  constructor(reason: ZipRefusal) {
    super(422, 'zip_refused', 'validation.zipRefused');
    this.reason = reason;
  }
}

export type ReceiveResult =
  | { ok: true; files: StoredUpload[] }
  /** Nothing of the request is left on disk. `status` is the HTTP status that fits the failure. */
  | { ok: false; error: FieldError; status: number; cause?: unknown };

export interface ReceiveOptions {
  /** The file field; files under any other field fail the request. */
  field: string;
  maxFiles: number;
  /** Overrides the engine's policy for this request (a firm's own kinds and limit). */
  policy?: UploadPolicy;
}

const OPEN_XML_NAMES = new Set(['docx', 'docm', 'xlsx', 'xlsm', 'pptx', 'pptm']);

interface RequestUploads {
  policy: UploadPolicy | undefined;
  /** Writes and removals still running: the request is not settled before they are. */
  pending: Set<Promise<unknown>>;
  stored: Map<string, { order: number; upload: StoredUpload }>;
  started: number;
}

/**
 * A multer StorageEngine. Use `receive` (multer + waiting + cleanup in one call); as a bare engine
 * in multer({ storage }), each file of req.files also carries the StoredUpload fields, and on error
 * the caller must `await engine.discard(req)`: multer calls back before a file it gave up on has
 * finished removing its temporary file.
 */
export class UploadEngine implements multer.StorageEngine {
  readonly storage: DiskStorage;
  readonly policy: UploadPolicy;
  private readonly requests = new WeakMap<Request, RequestUploads>();

  constructor(storage: DiskStorage, policy: UploadPolicy) {
    this.storage = storage;
    this.policy = policy;
  }

  /** Parses the multipart request and stores its files: all of them, or none and an error. */
  async receive(req: Request, res: Response, options: ReceiveOptions): Promise<ReceiveResult> {
    const state = this.stateOf(req);
    state.policy = options.policy ?? state.policy;
    const policy = state.policy ?? this.policy;
    const parse = multer({
      storage: this,
      // Browsers send file names as raw UTF-8; busboy would read them as Latin-1 (Ã© for é).
      defParamCharset: 'utf8',
      limits: { files: options.maxFiles, fields: 50, parts: options.maxFiles + 50, fieldSize: 100_000, fieldNameSize: 200 },
    }).array(options.field, options.maxFiles);
    let failure: unknown;
    await new Promise<void>((resolve) => parse(req, res, (err?: unknown) => ((failure = err), resolve())));
    await this.settled(req);
    if (failure) {
      await this.discard(req);
      return describeFailure(failure, policy, options.maxFiles);
    }
    const files = this.stored(req);
    if (!files.length) return { ok: false, error: { key: 'validation.fileMissing' }, status: 400 };
    return { ok: true, files };
  }

  /** The request's files still on disk, in the order they were sent. */
  stored(req: Request): StoredUpload[] {
    const state = this.requests.get(req);
    if (!state) return [];
    return [...state.stored.values()].sort((a, b) => a.order - b.order).map((s) => s.upload);
  }

  /** Resolves once every write and removal the request started has finished. */
  async settled(req: Request): Promise<void> {
    const state = this.requests.get(req);
    while (state?.pending.size) await Promise.allSettled([...state.pending]);
  }

  /** Removes every file the request stored (after waiting for the ones still being written). */
  async discard(req: Request): Promise<void> {
    await this.settled(req);
    for (const upload of this.stored(req)) {
      await this.storage.remove(upload.key);
      this.requests.get(req)?.stored.delete(upload.key);
    }
  }

  _handleFile(req: Request, file: Express.Multer.File, callback: (error?: unknown, info?: Partial<Express.Multer.File>) => void): void {
    const state = this.stateOf(req);
    const order = state.started++;
    const work = this.store(file, state.policy ?? this.policy).then(
      (upload) => {
        state.stored.set(upload.key, { order, upload });
        callback(null, upload as unknown as Partial<Express.Multer.File>);
      },
      (err: unknown) => callback(err),
    );
    this.track(state, work);
  }

  _removeFile(req: Request, file: Express.Multer.File, callback: (error: Error | null) => void): void {
    const state = this.stateOf(req);
    const key = (file as unknown as Partial<StoredUpload>).key;
    if (!key) return callback(null);
    const work = this.storage.remove(key).then(
      () => {
        state.stored.delete(key);
        callback(null);
      },
      (err: Error) => callback(err),
    );
    this.track(state, work);
  }

  private async store(file: Express.Multer.File, policy: UploadPolicy): Promise<StoredUpload> {
    const name = file.originalname;
    let detected: DetectedType | undefined;
    let kind: FileKind | undefined;
    // A .docx whose [Content_Types].xml comes after the first 64 KB reads as a plain zip: its
    // central directory settles it once the file is complete.
    let maybeOpenXml = false;
    const stored = await this.storage.put(file.stream, {
      maxBytes: policy.maxBytes,
      inspectHead: {
        bytes: TYPE_SAMPLE_BYTES,
        check: async (head, complete) => {
          if (complete && head.length === 0) throw new EmptyFile();
          detected = await detectType(head, name);
          kind = kindOf(detected, name);
          maybeOpenXml = detected?.mime === 'application/zip' && policy.kinds.includes('office') && OPEN_XML_NAMES.has(extensionOf(name));
          if (!maybeOpenXml && (!kind || !policy.kinds.includes(kind))) throw new FileTypeRefused(detected);
        },
      },
      verify: async (tempPath) => {
        if (kind !== 'zip' || (policy.zip === false && !maybeOpenXml)) return;
        const zip = await checkZip(tempPath, policy.zip || {});
        if (maybeOpenXml && zip.ok && zip.summary.openXml) {
          detected = zip.summary.openXml;
          kind = 'office';
          return;
        }
        if (!policy.kinds.includes('zip')) throw new FileTypeRefused(detected);
        if (!zip.ok && policy.zip !== false) throw new ZipRefused(zip.reason);
      },
    });
    const upload: StoredUpload = { ...stored, field: file.fieldname, originalName: name, mime: detected!.mime, ext: detected!.ext, kind: kind! };
    if (detected!.charset) upload.charset = detected!.charset;
    return upload;
  }

  private stateOf(req: Request): RequestUploads {
    let state = this.requests.get(req);
    if (!state) this.requests.set(req, (state = { policy: undefined, pending: new Set(), stored: new Map(), started: 0 }));
    return state;
  }

  private track(state: RequestUploads, work: Promise<unknown>): void {
    state.pending.add(work);
    void work.finally(() => state.pending.delete(work));
  }
}

/** The message for the form, and the status, of whatever made a request fail. */
function describeFailure(err: unknown, policy: UploadPolicy, maxFiles: number): ReceiveResult & { ok: false } {
  if (err instanceof FileTooLarge) return { ok: false, status: 413, cause: err, error: { key: 'validation.fileTooLarge', params: { max: Math.round(err.maxBytes / 1024) } } };
  if (err instanceof ZipRefused) return { ok: false, status: err.status, cause: err, error: { key: err.messageKey, params: { reason: err.reason } } };
  if (err instanceof StorageFull) return { ok: false, status: 507, cause: err, error: { key: err.messageKey } };
  if (err instanceof AppError) return { ok: false, status: err.status, cause: err, error: { key: err.messageKey } };
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_FILE_COUNT') return { ok: false, status: 400, cause: err, error: { key: 'validation.tooManyFiles', params: { max: maxFiles } } };
    if (err.code === 'LIMIT_FILE_SIZE') return { ok: false, status: 413, cause: err, error: { key: 'validation.fileTooLarge', params: { max: Math.round(policy.maxBytes / 1024) } } };
    return { ok: false, status: 400, cause: err, error: { key: 'validation.fileInvalid' } };
  }
  // An I/O error on our side is a 500 for the error handler, not a form message.
  if ((err as NodeJS.ErrnoException | undefined)?.syscall) throw err;
  return { ok: false, status: 400, cause: err, error: { key: 'validation.fileInvalid' } };
}
