// What a file is, from its first bytes, never from its name or the browser's claim. The name only
// settles what the bytes cannot: plain text has no magic number, and a legacy Office file is a
// generic OLE container (CFB) whose name says whether it is a .doc, .xls or .ppt.
import { fileTypeFromBuffer } from 'file-type';

/** The families of files a firm can accept; a firm narrows this list. */
export const FILE_KINDS = ['pdf', 'image', 'office', 'text', 'zip'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

export interface DetectedType {
  mime: string;
  /** The extension that goes with the content (file-type's spelling: jpg, tif, heic, docx…). */
  ext: string;
  /** For text only: how its bytes are to be read. */
  charset?: TextCharset;
}
export type TextCharset = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** How many first bytes detection needs: file-type reads zip entry names, TIFF tags, ISO-BMFF boxes. */
export const TYPE_SAMPLE_BYTES = 64 * 1024;
/** How much of a text file is looked at (the brief: "the first KB"). */
export const TEXT_SAMPLE_BYTES = 1024;

const IMAGE_MIMES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/tiff', 'image/heic', 'image/heic-sequence', 'image/heif', 'image/heif-sequence']);
const OFFICE_MIMES = new Set([
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
]);
export const OPEN_XML_TYPES = {
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ext: 'docx' },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: 'xlsx' },
  pptx: { mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', ext: 'pptx' },
} as const satisfies Record<string, DetectedType>;

// A CFB container is a legacy Office file only if its name says which one (an .msi installer or an
// Outlook .msg is CFB too, and stays refused).
const LEGACY_OFFICE: Record<string, DetectedType> = {
  doc: { mime: 'application/msword', ext: 'doc' },
  dot: { mime: 'application/msword', ext: 'doc' },
  xls: { mime: 'application/vnd.ms-excel', ext: 'xls' },
  xlt: { mime: 'application/vnd.ms-excel', ext: 'xls' },
  ppt: { mime: 'application/vnd.ms-powerpoint', ext: 'ppt' },
  pps: { mime: 'application/vnd.ms-powerpoint', ext: 'ppt' },
  pot: { mime: 'application/vnd.ms-powerpoint', ext: 'ppt' },
};

/** The name's last extension, lower case, without the dot ('' when there is none). */
export function extensionOf(name: string): string {
  const match = /\.([^./\\]+)$/.exec(name.trim());
  return match ? match[1]!.toLowerCase() : '';
}

function isTextName(name: string): boolean {
  const ext = extensionOf(name);
  return ext === 'txt' || ext === 'csv';
}

/**
 * The type of a file from its first bytes (`head`: up to TYPE_SAMPLE_BYTES; less when the file is
 * shorter). `undefined` when nothing is recognised. A .txt/.csv whose bytes read as text is text even
 * when a weak magic number matches (a CSV that starts with "BM" is not a bitmap).
 */
export async function detectType(head: Uint8Array, originalName: string): Promise<DetectedType | undefined> {
  if (head.length === 0) return undefined;
  const found = await fileTypeFromBuffer(head).catch(() => undefined);
  let detected: DetectedType | undefined = found && { mime: found.mime, ext: found.ext };
  if (detected?.mime === 'application/x-cfb') detected = LEGACY_OFFICE[extensionOf(originalName)] ?? detected;
  if (isTextName(originalName) && (!detected || !kindOf(detected, originalName))) {
    const charset = textCharset(head, head.length > TEXT_SAMPLE_BYTES);
    if (charset) return { mime: extensionOf(originalName) === 'csv' ? 'text/csv' : 'text/plain', ext: extensionOf(originalName), charset };
  }
  return detected;
}

/** The kind of a detected type, or undefined when it is none of FILE_KINDS (then refuse the file). */
export function kindOf(detected: DetectedType | undefined, originalName: string): FileKind | undefined {
  if (!detected) return undefined;
  const { mime } = detected;
  if (mime === 'application/pdf') return 'pdf';
  if (IMAGE_MIMES.has(mime)) return 'image';
  if (OFFICE_MIMES.has(mime)) return 'office';
  if ((mime === 'text/plain' || mime === 'text/csv') && detected.charset && isTextName(originalName)) return 'text';
  if (mime === 'application/zip') return 'zip';
  return undefined;
}

/**
 * How the first KB of `head` reads as text, or undefined when it is not text: UTF-16 with its byte
 * order mark, else valid UTF-8, else Windows-1252 (Latin-1 plus € ’ œ…, what French Excel saves CSV
 * in). No NUL, no control character but tab, line feed, form feed and carriage return.
 * `truncated`: the file goes on past the sample, so a character cut at its end is not an error.
 */
export function textCharset(head: Uint8Array, truncated: boolean): TextCharset | undefined {
  const sample = head.subarray(0, TEXT_SAMPLE_BYTES);
  const cut = truncated || head.length > TEXT_SAMPLE_BYTES;
  if (sample.length === 0) return undefined;
  if (sample.length >= 2 && ((sample[0] === 0xff && sample[1] === 0xfe) || (sample[0] === 0xfe && sample[1] === 0xff))) {
    const charset = sample[0] === 0xff ? 'utf-16le' : 'utf-16be';
    let body = sample.subarray(2);
    if (cut) body = body.subarray(0, body.length - (body.length % 2 === 1 ? 3 : 2)); // maybe half a surrogate pair
    const text = decode(charset, body);
    return text !== undefined && printable(text) ? charset : undefined;
  }
  if (sample.includes(0)) return undefined;
  const utf8 = decode('utf-8', cut ? sample.subarray(0, completeUtf8Length(sample)) : sample);
  if (utf8 !== undefined) return printable(utf8) ? 'utf-8' : undefined;
  return sample.every(isWindows1252Printable) ? 'windows-1252' : undefined;
}

function decode(charset: 'utf-8' | 'utf-16le' | 'utf-16be', bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder(charset, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

// Tab, LF, FF and CR are allowed; other C0 and C1 controls, DEL and NUL are not.
function printable(text: string): boolean {
  return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f]/.test(text.replace(/^\uFEFF/, ''));
}

function isWindows1252Printable(byte: number): boolean {
  if (byte === 0x09 || byte === 0x0a || byte === 0x0c || byte === 0x0d) return true;
  if (byte < 0x20 || byte === 0x7f) return false;
  return byte !== 0x81 && byte !== 0x8d && byte !== 0x8f && byte !== 0x90 && byte !== 0x9d; // undefined in 1252
}

/** The length of `bytes` without a UTF-8 sequence cut off at its end. */
function completeUtf8Length(bytes: Uint8Array): number {
  const end = bytes.length;
  for (let i = end - 1; i >= Math.max(0, end - 4); i--) {
    const b = bytes[i]!;
    if (b < 0x80) return end;
    if (b >= 0xc0) {
      const needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return i + needed > end ? i : end;
    }
  }
  return end;
}
