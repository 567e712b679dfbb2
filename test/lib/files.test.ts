// What a file is from its bytes, which display names are refused, and ZIP bombs caught from their
// central directory. Every sample is built here (no binaries in the repository).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import { PDFDocument } from 'pdf-lib';
import yazl from 'yazl';
import { checkDisplayName, MAX_NAME_LENGTH } from '../../src/lib/files/name.ts';
import { detectType, FILE_KINDS, kindOf, TYPE_SAMPLE_BYTES } from '../../src/lib/files/type.ts';
import { checkZip } from '../../src/lib/files/zipCheck.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-files-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// --- samples -------------------------------------------------------------------------------------

function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.from([0, 200, 30, 30]))), chunk('IEND', Buffer.alloc(0))]);
}

const JPEG = Buffer.from('ffd8ffe000104a46494600010100000100010000ffdb004300' + '08'.repeat(64) + 'ffd9', 'hex');
const GIF = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.from('0100010080000000000000ffffff21f90401000000002c00000000010001000002024401003b', 'hex')]);
const WEBP = Buffer.concat([Buffer.from('RIFF', 'latin1'), Buffer.from([26, 0, 0, 0]), Buffer.from('WEBPVP8L', 'latin1'), Buffer.from('0d0000002f0000000007d0ff02fee7ff0100', 'hex')]);
const TIFF = Buffer.concat([Buffer.from('49492a0008000000', 'hex'), Buffer.from('0100000103000100000001000000', 'hex'), Buffer.alloc(32)]);
const HEIC = Buffer.concat([Buffer.from('00000018', 'hex'), Buffer.from('ftypheic', 'latin1'), Buffer.alloc(4), Buffer.from('mif1heic', 'latin1'), Buffer.alloc(64)]);
// A Windows program: "MZ", the DOS stub, and the "PE\0\0" header it points at.
const EXE = (() => {
  const b = Buffer.alloc(512);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  b.writeUInt16LE(0x14c, 0x84);
  return b;
})();
// The header of an OLE compound file (legacy Word/Excel/PowerPoint, but also .msi and .msg).
const CFB = (() => {
  const b = Buffer.alloc(4096);
  Buffer.from('d0cf11e0a1b11ae1', 'hex').copy(b);
  b.writeUInt16LE(0x3e, 24);
  b.writeUInt16LE(3, 26);
  b.writeUInt16LE(0xfffe, 28);
  b.writeUInt16LE(9, 30);
  return b;
})();

async function pdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.addPage().drawText('Facture');
  return Buffer.from(await doc.save());
}

/** A ZIP of [name, content, compress?] written by yazl, in that order. */
function zipOf(entries: [string, string | Buffer, boolean?][]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content, compress] of entries) zip.addBuffer(Buffer.from(content), name, { compress: compress ?? true });
  zip.end();
  return collect(zip.outputStream);
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const contentTypes = (main: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/main.xml" ContentType="${main}.main+xml"/></Types>`;
const docx = () => zipOf([['[Content_Types].xml', contentTypes('application/vnd.openxmlformats-officedocument.wordprocessingml.document')], ['word/document.xml', '<w:document/>']]);
const pptx = () => zipOf([['[Content_Types].xml', contentTypes('application/vnd.openxmlformats-officedocument.presentationml.presentation')], ['ppt/presentation.xml', '<p/>']]);
const odf = (mime: string) => zipOf([['mimetype', mime, false], ['content.xml', '<office:document-content/>']]);
async function xlsx(): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.addWorksheet('Honoraires').addRow(['Client', 'Montant']);
  return Buffer.from(await book.xlsx.writeBuffer());
}

const detect = (bytes: Buffer, name: string) => detectType(bytes.subarray(0, TYPE_SAMPLE_BYTES), name);
async function kind(bytes: Buffer, name: string) {
  return kindOf(await detect(bytes, name), name);
}

// --- type ----------------------------------------------------------------------------------------

describe('detectType and kindOf', () => {
  it('lists the kinds a firm can narrow', () => {
    assert.deepEqual([...FILE_KINDS], ['pdf', 'image', 'office', 'text', 'zip']);
  });

  it('recognises a PDF from its content, whatever its name', async () => {
    const bytes = await pdf();
    assert.deepEqual(await detect(bytes, 'facture.pdf'), { mime: 'application/pdf', ext: 'pdf' });
    assert.equal(await kind(bytes, 'facture sans extension'), 'pdf');
  });

  it('recognises PNG, JPEG, GIF, WebP, TIFF and HEIC images', async () => {
    const found = await Promise.all([png(), JPEG, GIF, WEBP, TIFF, HEIC].map((b) => detect(b, 'photo')));
    assert.deepEqual(
      found.map((t) => t?.mime),
      ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/tiff', 'image/heic'],
    );
    for (const t of found) assert.equal(kindOf(t, 'photo'), 'image');
  });

  it('recognises Word, Excel, PowerPoint and OpenDocument files as office', async () => {
    const samples: [Buffer, string][] = [
      [await docx(), 'docx'],
      [await xlsx(), 'xlsx'],
      [await pptx(), 'pptx'],
      [await odf('application/vnd.oasis.opendocument.text'), 'odt'],
      [await odf('application/vnd.oasis.opendocument.spreadsheet'), 'ods'],
      [await odf('application/vnd.oasis.opendocument.presentation'), 'odp'],
    ];
    for (const [bytes, ext] of samples) {
      const detected = await detect(bytes, `Bilan 2026.${ext}`);
      assert.equal(detected?.ext, ext);
      assert.equal(kindOf(detected, `Bilan 2026.${ext}`), 'office');
    }
  });

  it('takes an OLE container for a legacy .doc, .xls or .ppt only when its name says so', async () => {
    assert.deepEqual(await detect(CFB, 'ancien.doc'), { mime: 'application/msword', ext: 'doc' });
    assert.equal(await kind(CFB, 'ancien.doc'), 'office');
    assert.equal(await kind(CFB, 'CLASSEUR.XLS'), 'office');
    assert.equal(await kind(CFB, 'diapos.ppt'), 'office');
    // An installer or an Outlook message is CFB too.
    assert.equal(await kind(CFB, 'setup.msi'), undefined);
    assert.equal(await kind(CFB, 'facture.pdf'), undefined);
  });

  it('refuses a program renamed .pdf, .docx or .txt', async () => {
    assert.equal((await detect(EXE, 'facture.pdf'))?.mime, 'application/x-msdownload');
    for (const name of ['facture.pdf', 'contrat.docx', 'notes.txt', 'export.csv']) assert.equal(await kind(EXE, name), undefined, name);
  });

  it('calls a plain ZIP a zip (file-type says application/zip)', async () => {
    const bytes = await zipOf([['a.txt', 'un'], ['b.txt', 'deux']]);
    assert.deepEqual(await detect(bytes, 'pièces.zip'), { mime: 'application/zip', ext: 'zip' });
    assert.equal(await kind(bytes, 'pièces.zip'), 'zip');
  });

  it('takes UTF-8 text named .txt or .csv as text, and says it is UTF-8', async () => {
    const csv = Buffer.from('\uFEFFClient;Montant;Échéance\n"Dupont & Fils";1 234,50 €;30/06/2026\n');
    assert.deepEqual(await detect(csv, 'export.csv'), { mime: 'text/csv', ext: 'csv', charset: 'utf-8' });
    assert.equal(await kind(csv, 'export.csv'), 'text');
    assert.equal(await kind(Buffer.from('Bonjour,\r\n\tà bientôt.\r\n'), 'Lisez-moi.TXT'), 'text');
  });

  it('takes Windows-1252 (French Excel CSV, with € as 0x80) and UTF-16 with a BOM as text', async () => {
    const cp1252 = Buffer.from([...Buffer.from('Montant;Devise\n12,50;', 'latin1'), 0x80, 0x0a, ...Buffer.from('Société;l', 'latin1'), 0x92, ...Buffer.from('été\n', 'latin1')]);
    assert.equal((await detect(cp1252, 'compta.csv'))?.charset, 'windows-1252');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Nom\tVille\nÉlise\tNîmes\n', 'utf16le')]);
    assert.equal((await detect(utf16, 'export.txt'))?.charset, 'utf-16le');
    assert.equal(await kind(utf16, 'export.txt'), 'text');
  });

  it('keeps a UTF-8 character cut by the end of the first KB as text', async () => {
    const text = Buffer.from('a'.repeat(1023) + 'é' + ' suite'.repeat(500));
    assert.equal(text[1023], 0xc3); // the é straddles byte 1024
    assert.equal(await kind(text, 'long.txt'), 'text');
  });

  it('does not take text for a bitmap because it starts with "BM"', async () => {
    const csv = Buffer.from('BMW;Série 3;2026\nAudi;A4;2025\n');
    assert.equal(await kind(csv, 'voitures.csv'), 'text');
  });

  it('refuses text with NUL or control bytes, text under another name, and an empty sample', async () => {
    assert.equal(await kind(Buffer.from('abc\0def\n'), 'notes.txt'), undefined);
    assert.equal(await kind(Buffer.from('abc\u0001def\n'), 'notes.txt'), undefined);
    assert.equal(await kind(Buffer.from('<html><script>alert(1)</script></html>'), 'page.html'), undefined);
    assert.equal(await kind(Buffer.from('ceci est du texte'), 'facture.pdf'), undefined);
    assert.equal(await detect(Buffer.alloc(0), 'vide.txt'), undefined);
  });
});

// --- name ----------------------------------------------------------------------------------------

describe('checkDisplayName', () => {
  it('keeps accents, quotes and apostrophes, trims and NFC-normalises', () => {
    assert.deepEqual(checkDisplayName('  Relevé « n°3 » de l’EURL "Dupont" d\'Alès.pdf \n'), { ok: true, name: 'Relevé « n°3 » de l’EURL "Dupont" d\'Alès.pdf' });
    const decomposed = 'Rele\u0301ve\u0301.pdf';
    const checked = checkDisplayName(decomposed);
    assert.deepEqual(checked, { ok: true, name: 'Relévé.pdf' });
    assert.equal(checked.ok && checked.name.length, 10); // 12 UTF-16 units before
  });

  it('refuses each kind of bad name with its own reason', () => {
    const cases: [string, string][] = [
      ['', 'empty'],
      ['   \t ', 'empty'],
      ['dossier/facture.pdf', 'slash'],
      ['dossier\\facture.pdf', 'backslash'],
      ['..', 'dotSegment'],
      ['.', 'dotSegment'],
      ['fac\u0000ture.pdf', 'nul'],
      ['fac\nture.pdf', 'controlChar'],
      ['fac\tture.pdf', 'controlChar'],
      ['fac\u001bture.pdf', 'controlChar'],
      ['fac\u007fture.pdf', 'controlChar'],
      ['fac\u0085ture.pdf', 'controlChar'],
      ['fac\u009fture.pdf', 'controlChar'],
      ['facture\u202Efdp.exe', 'bidiControl'],
      ['fac\uD800ture.pdf', 'malformed'],
    ];
    for (const [name, reason] of cases) assert.deepEqual(checkDisplayName(name), { ok: false, reason }, JSON.stringify(name));
  });

  it('allows dots that are not a path segment', () => {
    assert.equal(checkDisplayName('..facture..v2..pdf').ok, true);
    assert.equal(checkDisplayName('...').ok, true);
  });

  it('counts characters, not bytes or UTF-16 units, against the 255 limit', () => {
    assert.equal(MAX_NAME_LENGTH, 255);
    assert.equal(checkDisplayName('é'.repeat(255)).ok, true); // 510 bytes in UTF-8
    assert.equal(checkDisplayName('😀'.repeat(255)).ok, true); // 510 UTF-16 units
    assert.deepEqual(checkDisplayName('é'.repeat(256)), { ok: false, reason: 'tooLong' });
    // Decomposed accents count once normalised: 255 "é" typed as e + U+0301 is 510 code points before.
    assert.equal(checkDisplayName('e\u0301'.repeat(255)).ok, true);
  });
});

// --- zip bombs -----------------------------------------------------------------------------------

interface RawEntry {
  name: string;
  /** Deflated data (method 8) or stored data (method 0). */
  data: Buffer;
  method: 0 | 8;
  crc: number;
  size: number;
  /** General purpose flags; UTF-8 names (bit 11) by default. */
  flags?: number;
}

/** A ZIP written byte by byte, ZIP64 where a size needs it: declared sizes beyond any real buffer. */
function rawZip(entries: RawEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const zip64 = e.size >= 0xffffffff || e.data.length >= 0xffffffff;
    const extra = zip64 ? Buffer.alloc(20) : Buffer.alloc(0);
    if (zip64) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(16, 2);
      extra.writeBigUInt64LE(BigInt(e.size), 4);
      extra.writeBigUInt64LE(BigInt(e.data.length), 12);
    }
    const header = (central: boolean) => {
      const h = Buffer.alloc(central ? 46 : 30);
      let p = 0;
      h.writeUInt32LE(central ? 0x02014b50 : 0x04034b50, p);
      p += 4;
      if (central) (h.writeUInt16LE(45, p), (p += 2));
      h.writeUInt16LE(zip64 ? 45 : 20, p);
      h.writeUInt16LE(e.flags ?? 0x0800, p + 2);
      h.writeUInt16LE(e.method, p + 4);
      h.writeUInt32LE(0, p + 6); // DOS time and date
      h.writeUInt32LE(e.crc, p + 10);
      h.writeUInt32LE(zip64 ? 0xffffffff : e.data.length, p + 14);
      h.writeUInt32LE(zip64 ? 0xffffffff : e.size, p + 18);
      h.writeUInt16LE(name.length, p + 22);
      h.writeUInt16LE(extra.length, p + 24);
      if (central) h.writeUInt32LE(offset, 42);
      return Buffer.concat([h, name, extra]);
    };
    central.push(header(true));
    const local = header(false);
    parts.push(local, e.data);
    offset += local.length + e.data.length;
  }
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, eocd]);
}

const MiB = 1024 * 1024;

/**
 * `mebibytes` MiB of zeros as a real deflate stream, without deflating them: one MiB compressed
 * with a full flush (byte-aligned, no reference to what came before) repeated, then a final block.
 */
function deflatedZeros(mebibytes: number): { data: Buffer; crc: number; size: number } {
  const block = zlib.deflateRawSync(Buffer.alloc(MiB), { finishFlush: zlib.constants.Z_FULL_FLUSH });
  const data = Buffer.concat([...Array.from({ length: mebibytes }, () => block), zlib.deflateRawSync(Buffer.alloc(0))]);
  return { data, crc: crcOfZeros(mebibytes * MiB), size: mebibytes * MiB };
}

/** CRC-32 of `length` zero bytes by zlib's crc32_combine, doubling from one MiB (no 10 GB pass). */
function crcOfZeros(length: number): number {
  let unit = zlib.crc32(Buffer.alloc(MiB));
  let crc = 0;
  let done = 0;
  for (let n = length / MiB, size = MiB; n > 0; n = Math.floor(n / 2), size *= 2) {
    if (n % 2 === 1) {
      crc = done === 0 ? unit : crc32Combine(crc, unit, size);
      done += size;
    }
    unit = crc32Combine(unit, unit, size);
  }
  return crc;
}

function crc32Combine(crc1: number, crc2: number, length2: number): number {
  const times = (matrix: Uint32Array, vector: number) => {
    let sum = 0;
    for (let i = 0; vector !== 0; vector >>>= 1, i++) if (vector & 1) sum ^= matrix[i]!;
    return sum >>> 0;
  };
  const square = (out: Uint32Array, matrix: Uint32Array) => {
    for (let n = 0; n < 32; n++) out[n] = times(matrix, matrix[n]!);
  };
  const even = new Uint32Array(32);
  const odd = new Uint32Array(32);
  odd[0] = 0xedb88320;
  for (let n = 1, row = 1; n < 32; n++, row <<= 1) odd[n] = row;
  square(even, odd);
  square(odd, even);
  let crc = crc1;
  for (let len = length2; len > 0; ) {
    square(even, odd);
    if (len % 2 === 1) crc = times(even, crc);
    len = Math.floor(len / 2);
    if (len === 0) break;
    square(odd, even);
    if (len % 2 === 1) crc = times(odd, crc);
    len = Math.floor(len / 2);
  }
  return (crc ^ crc2) >>> 0;
}

/** 42.zip rebuilt: 16 zips of 16 zips… five levels down, each holding 4,095 MiB of zeros. */
function fortyTwoZip(): Buffer {
  const zeros = deflatedZeros(4095);
  let level = rawZip([{ name: '0.dll', method: 8, ...zeros }]);
  for (const prefix of ['page', 'doc', 'chapter', 'book', 'lib']) {
    const data = zlib.deflateRawSync(level, { level: 9 });
    const crc = zlib.crc32(level);
    level = rawZip('0123456789abcdef'.split('').map((d) => ({ name: `${prefix} ${d}.zip`, method: 8 as const, data, crc, size: level.length })));
  }
  return level;
}

function write(name: string, bytes: Buffer): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('checkZip', () => {
  it('accepts an ordinary archive and sums it up', async () => {
    const file = write('ordinary.zip', await zipOf([['Factures/janvier.pdf', await pdf(), false], ['Lisez-moi.txt', 'Bonjour '.repeat(1000)], ['Contrats/bail.zip', await zipOf([['x.txt', 'x']])]]));
    const result = await checkZip(file);
    assert.ok(result.ok);
    assert.equal(result.summary.entries, 3);
    assert.equal(result.summary.nestedZips, 1);
    assert.equal(result.summary.encrypted, 0);
    assert.ok(result.summary.totalUncompressed > 8000);
  });

  it('finds a Word document among the entries even when [Content_Types].xml comes last', async () => {
    const file = write('late.docx', await zipOf([['word/media/image1.png', Buffer.alloc(200_000, 7), false], ['word/document.xml', '<w:document/>'], ['[Content_Types].xml', contentTypes('x')]]));
    assert.equal((await detect(fs.readFileSync(file), 'late.docx'))?.mime, 'application/zip');
    const result = await checkZip(file);
    assert.ok(result.ok);
    assert.equal(result.summary.openXml?.ext, 'docx');
  });

  it('refuses a single entry declaring 10 GB of zeros (a real deflate stream of 10 MB)', async () => {
    const zeros = deflatedZeros(10 * 1024);
    assert.ok(zeros.data.length < 11 * MiB);
    const file = write('ten-gb.zip', rawZip([{ name: 'zeros.bin', method: 8, ...zeros }]));
    assert.deepEqual(await checkZip(file), { ok: false, reason: 'tooLarge', entry: 'zeros.bin' });
    // Within a 20 GB budget it is still 1,000 times smaller than it says.
    assert.deepEqual(await checkZip(file, { maxTotalUncompressed: 20 * 1024 ** 3 }), { ok: false, reason: 'ratio', entry: 'zeros.bin' });
  });

  it('refuses one sizeable entry compressed beyond 100:1, not a small one', async () => {
    const bomb = write('ratio.zip', await zipOf([['zeros.bin', Buffer.alloc(50 * MiB)]]));
    assert.deepEqual(await checkZip(bomb), { ok: false, reason: 'ratio', entry: 'zeros.bin' });
    const small = write('small-ratio.zip', await zipOf([['blank.txt', Buffer.alloc(500_000, 0x20)]]));
    assert.equal((await checkZip(small)).ok, true);
  });

  it('refuses an archive of more than 10,000 entries from its end record alone', async () => {
    const file = write('many.zip', rawZip(Array.from({ length: 10_001 }, (_, i) => ({ name: `f${i}.txt`, method: 0 as const, data: Buffer.alloc(0), crc: 0, size: 0 }))));
    assert.deepEqual(await checkZip(file), { ok: false, reason: 'tooManyEntries' });
    assert.equal((await checkZip(file, { maxEntries: 20_000 })).ok, true);
  });

  it('lets 42.zip through at its top level, counting its 16 nested zips, and can cap them', async () => {
    const bytes = fortyTwoZip();
    assert.ok(bytes.length < 200_000, `${bytes.length} bytes`);
    const file = write('42.zip', bytes);
    const result = await checkZip(file);
    assert.ok(result.ok);
    assert.equal(result.summary.entries, 16);
    assert.equal(result.summary.nestedZips, 16);
    assert.deepEqual(await checkZip(file, { maxNestedZips: 10 }), { ok: false, reason: 'nestedZips', entry: 'lib a.zip' });
  });

  it('refuses a truncated archive, a file that is no archive, and an entry that climbs out', async () => {
    const whole = await zipOf([['a.txt', 'contenu '.repeat(100)]]);
    assert.deepEqual(await checkZip(write('cut.zip', whole.subarray(0, whole.length - 10))), { ok: false, reason: 'malformed' });
    assert.deepEqual(await checkZip(write('not.zip', Buffer.from('%PDF-1.7 nothing'))), { ok: false, reason: 'malformed' });
    const slip = rawZip([{ name: '../../etc/cron.d/x', method: 0, data: Buffer.from('x'), crc: zlib.crc32('x'), size: 1 }]);
    assert.deepEqual(await checkZip(write('slip.zip', slip)), { ok: false, reason: 'unsafePath' });
  });

  it('accepts encrypted entries (their sizes are still declared)', async () => {
    // ZipCrypto: flag bit 0, and the stored data is a 12-byte header followed by the (ciphered) bytes.
    const data = Buffer.concat([Buffer.alloc(12, 0xaa), Buffer.from('secret')]);
    const entry = rawZip([{ name: 'secret.txt', method: 0, data, crc: zlib.crc32('secret'), size: 6, flags: 0x0801 }]);
    const result = await checkZip(write('encrypted.zip', entry));
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.summary.encrypted, 1);
  });
});
