// ZIP bombs, refused from the central directory alone: nothing is decompressed, so checking a bomb
// costs what reading its table of contents costs. What the entries declare is what an unzip program
// would produce, and a lying entry (declared small, inflating to more) fails in any sane extractor.
import yauzl from 'yauzl';
import { OPEN_XML_TYPES, type DetectedType } from './type.ts';

export interface ZipLimits {
  /** Entries in the archive. */
  maxEntries: number;
  /** Sum of the declared uncompressed sizes. */
  maxTotalUncompressed: number;
  /** Uncompressed / compressed, for an entry of at least ratioMinBytes uncompressed. */
  maxRatio: number;
  ratioMinBytes: number;
  /** .zip entries inside (42.zip has 16 at its top, each hiding 16 more): counted, allowed by default. */
  maxNestedZips: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 10_000,
  maxTotalUncompressed: 1024 ** 3,
  maxRatio: 100,
  ratioMinBytes: 1024 ** 2,
  maxNestedZips: Number.POSITIVE_INFINITY,
};

export type ZipRefusal =
  | 'malformed' // not a zip, truncated, inconsistent central directory, PKWARE strong encryption
  | 'unsafePath' // an entry named "../x", "/etc/x" or "C:\x" (zip slip)
  | 'tooManyEntries'
  | 'tooLarge' // total declared uncompressed size
  | 'ratio' // one entry compressed beyond maxRatio
  | 'nestedZips';

export interface ZipSummary {
  entries: number;
  totalUncompressed: number;
  totalCompressed: number;
  nestedZips: number;
  encrypted: number;
  /** Set when the entries are those of a Word, Excel or PowerPoint file. */
  openXml?: DetectedType;
}

export type ZipCheck = { ok: true; summary: ZipSummary } | { ok: false; reason: ZipRefusal; entry?: string };

/** Reads the central directory of the ZIP at `filePath` and says whether it is safe to keep. */
export async function checkZip(filePath: string, limits: Partial<ZipLimits> = {}): Promise<ZipCheck> {
  const max = { ...DEFAULT_ZIP_LIMITS, ...limits };
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(filePath, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true });
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  try {
    // The end record gives the count before any entry is read: a million-entry archive stops here.
    if (zip.entryCount > max.maxEntries) return { ok: false, reason: 'tooManyEntries' };
    return await readEntries(zip, max);
  } finally {
    zip.close();
  }
}

function readEntries(zip: yauzl.ZipFile, max: ZipLimits): Promise<ZipCheck> {
  const summary: ZipSummary = { entries: 0, totalUncompressed: 0, totalCompressed: 0, nestedZips: 0, encrypted: 0 };
  const names = { contentTypes: false, word: false, xl: false, ppt: false };
  return new Promise((resolve) => {
    const refuse = (reason: ZipRefusal, entry?: string) => {
      zip.removeAllListeners();
      zip.on('error', () => {});
      resolve(entry === undefined ? { ok: false, reason } : { ok: false, reason, entry });
    };
    zip.on('error', (err: Error) => refuse(/^(absolute path|invalid relative path|invalid characters in fileName): /.test(err.message) ? 'unsafePath' : 'malformed'));
    zip.on('entry', (entry: yauzl.Entry) => {
      const name = entry.fileName;
      summary.entries++;
      summary.totalUncompressed += entry.uncompressedSize;
      summary.totalCompressed += entry.compressedSize;
      if (entry.isEncrypted()) summary.encrypted++;
      if (/\.zip$/i.test(name)) summary.nestedZips++;
      if (name === '[Content_Types].xml') names.contentTypes = true;
      if (name.startsWith('word/')) names.word = true;
      if (name.startsWith('xl/')) names.xl = true;
      if (name.startsWith('ppt/')) names.ppt = true;

      if (summary.entries > max.maxEntries) return refuse('tooManyEntries');
      if (summary.totalUncompressed > max.maxTotalUncompressed) return refuse('tooLarge', name);
      if (entry.uncompressedSize >= max.ratioMinBytes && entry.uncompressedSize > max.maxRatio * Math.max(entry.compressedSize, 1)) return refuse('ratio', name);
      if (summary.nestedZips > max.maxNestedZips) return refuse('nestedZips', name);
      zip.readEntry();
    });
    zip.on('end', () => {
      if (names.contentTypes) summary.openXml = names.word ? OPEN_XML_TYPES.docx : names.xl ? OPEN_XML_TYPES.xlsx : names.ppt ? OPEN_XML_TYPES.pptx : undefined;
      if (!summary.openXml) delete summary.openXml;
      resolve({ ok: true, summary });
    });
    zip.readEntry();
  });
}
