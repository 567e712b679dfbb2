// The "for consultation only" stamp on every page of a PDF: a large see-through headline across
// each page and a detail line (who downloaded it, when) at the bottom, so that a leaked copy can be
// traced. Returns new bytes; the input is never modified. A PDF that cannot be stamped completely
// is refused with PdfNotStampable, never returned as it was.
import { PDFDocument } from 'pdf-lib';
import { StampOverlay } from './overlay.ts';
import { listPages, StructureProblem } from './pages.ts';
import { toWinAnsi } from './winansi.ts';

export interface StampText {
  /** Across the page, e.g. "POUR CONSULTATION UNIQUEMENT". */
  headline: string;
  /** At the bottom, e.g. "Téléchargé par Jérôme Puech le 23/11/2026". */
  detail: string;
}

export interface StampOptions {
  /** Larger documents are refused (too_many_pages) before anything is drawn. Default 2000. */
  maxPages?: number;
}

export type NotStampableReason = 'encrypted' | 'broken' | 'too_many_pages';

export class PdfNotStampable extends Error {
  readonly reason: NotStampableReason;
  constructor(reason: NotStampableReason, detail: string, options?: { cause?: unknown }) {
    super(`PDF not stampable (${reason}): ${detail}`, options);
    this.name = 'PdfNotStampable';
    this.reason = reason;
  }
}

export const DEFAULT_MAX_PAGES = 2000;

// pdf-lib yields to the event loop (a setTimeout) every so many objects while parsing and writing;
// its defaults (100 and 50) cost ~1 ms per 50 objects in waiting alone. 2000 keeps each stretch
// of work to a few milliseconds.
const OBJECTS_PER_TICK = 2000;

/** How far from the start the header, and from the end "%%EOF", may be (as Acrobat tolerates). */
const TAIL = 1024;

export async function stampPdf(input: Uint8Array, text: StampText, options: StampOptions = {}): Promise<Uint8Array> {
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  if (!Number.isInteger(maxPages) || maxPages < 1) throw new RangeError(`stampPdf: maxPages must be a positive integer, not ${maxPages}`);
  if (!(input instanceof Uint8Array)) throw new TypeError('stampPdf: the input must be a Uint8Array (or a Buffer)');
  const headline = toWinAnsi(text.headline);
  const detail = toWinAnsi(text.detail);
  if (headline === '' || detail === '') throw new TypeError('stampPdf: the headline and the detail must not be empty');

  assertWholeFile(input);
  const doc = await load(input);
  try {
    const pages = listPages(doc.context, maxPages);
    const overlay = new StampOverlay(doc.context, headline, detail);
    for (const page of pages) overlay.stamp(page);
  } catch (error) {
    if (error instanceof StructureProblem) throw new PdfNotStampable(error.kind, error.message);
    throw new PdfNotStampable('broken', 'unexpected structure', { cause: error });
  }
  // The signature of a signed PDF no longer matches the copy; form fields keep their appearance.
  // Object streams keep the copy about the size of the original (without them a text-only PDF
  // doubles) for ~0.02 ms per page more (bench/stamp.md).
  try {
    return await doc.save({ useObjectStreams: true, addDefaultPage: false, updateFieldAppearances: false, objectsPerTick: OBJECTS_PER_TICK });
  } catch (error) {
    throw new PdfNotStampable('broken', 'could not be written back', { cause: error });
  }
}

/**
 * pdf-lib parses whatever objects it finds, so a truncated file loads as the part that survived.
 * A complete PDF starts with its header and ends with %%EOF (both within 1 KiB, as readers allow).
 */
function assertWholeFile(input: Uint8Array): void {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length === 0) throw new PdfNotStampable('broken', 'empty file');
  if (!bytes.subarray(0, TAIL).includes('%PDF-')) throw new PdfNotStampable('broken', 'not a PDF');
  if (!bytes.subarray(Math.max(0, bytes.length - TAIL)).includes('%%EOF')) throw new PdfNotStampable('broken', 'truncated (no %%EOF at the end)');
}

async function load(input: Uint8Array): Promise<PDFDocument> {
  let doc: PDFDocument;
  try {
    // Encryption is checked below rather than by pdf-lib: its EncryptedPDFError cannot be told
    // apart (an ES5 subclass of Error, `instanceof` fails), and it only notices an /Encrypt entry
    // that resolves. An encrypted document is refused, never stamped.
    doc = await PDFDocument.load(input, { ignoreEncryption: true, updateMetadata: false, parseSpeed: OBJECTS_PER_TICK });
  } catch (error) {
    // Encrypted content can also be what made parsing fail: say so rather than "damaged".
    if (Buffer.from(input.buffer, input.byteOffset, input.byteLength).includes('/Encrypt')) throw new PdfNotStampable('encrypted', 'the PDF is encrypted');
    throw new PdfNotStampable('broken', 'unreadable', { cause: error });
  }
  if (doc.isEncrypted || doc.context.trailerInfo.Encrypt !== undefined) throw new PdfNotStampable('encrypted', 'the PDF is encrypted');
  return doc;
}
