// The PDF stamp: PDFs made here with pdf-lib (or by hand, for the damaged ones) are stamped, then
// read back by interpreting their content streams: which texts are drawn where, in which
// direction, as the page is displayed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, it } from 'node:test';
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFRawStream,
  PDFRef,
  PDFString,
  StandardFonts,
  decodePDFRawStream,
  degrees,
  type PDFFont,
} from 'pdf-lib';
import { PdfNotStampable, stampPdf, type StampText } from '../../src/lib/pdf/stamp.ts';
import { toWinAnsi } from '../../src/lib/pdf/winansi.ts';

const TEXT: StampText = { headline: 'POUR CONSULTATION UNIQUEMENT', detail: 'Téléchargé par Jérôme Puech le 23/11/2026 — « ça » œuvre, 12 €' };

type Matrix = [number, number, number, number, number, number];
interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A page to generate, and what a viewer makes of it: the visible box and the rotation. */
interface PageSpec {
  label: string;
  size: [number, number];
  origin?: [number, number];
  crop?: Box;
  rotate?: number;
}

/** Where a viewer shows a user-space point: display space, origin bottom left of the page as shown (checked against pdftoppm renders). */
function toDisplay(visible: Box, rotation: number, [x, y]: [number, number]): [number, number] {
  const dx = x - visible.x;
  const dy = y - visible.y;
  switch (rotation) {
    case 90:
      return [dy, visible.width - dx];
    case 180:
      return [visible.width - dx, visible.height - dy];
    case 270:
      return [visible.height - dy, dx];
    default:
      return [dx, dy];
  }
}

function multiply(m: readonly number[], n: readonly number[]): Matrix {
  const [a, b, c, d, e, f] = m as Matrix;
  const [A, B, C, D, E, F] = n as Matrix;
  return [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F];
}

function apply(m: Matrix, x: number, y: number): [number, number] {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
}

// ---- Reading a page back: a small content stream interpreter (q Q cm BT Tf Tm Td Tj TJ Do). ----

type Operand = number | { name: string } | { bytes: Uint8Array } | { dict: true } | Operand[];
interface DrawnText {
  text: string;
  size: number;
  /** Text space to user space (Tm × CTM) when the text is shown. */
  matrix: Matrix;
}

const DELIMITER = /[\s()<>[\]{}/%]/;

function parseContent(src: string): { op: string; args: Operand[] }[] {
  const ops: { op: string; args: Operand[] }[] = [];
  let args: Operand[] = [];
  const arrays: Operand[][] = [];
  const push = (o: Operand) => (arrays.length ? arrays[arrays.length - 1]! : args).push(o);
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) i++;
    else if (c === '%') while (i < src.length && src[i] !== '\n' && src[i] !== '\r') i++;
    else if (c === '/') {
      let j = i + 1;
      while (j < src.length && !DELIMITER.test(src[j]!)) j++;
      push({ name: src.slice(i + 1, j) });
      i = j;
    } else if (c === '<' && src[i + 1] === '<') {
      let depth = 0;
      do {
        if (src.startsWith('<<', i)) (depth++, (i += 2));
        else if (src.startsWith('>>', i)) (depth--, (i += 2));
        else i++;
      } while (depth > 0 && i < src.length);
      push({ dict: true });
    } else if (c === '<') {
      const end = src.indexOf('>', i);
      push({ bytes: Buffer.from(src.slice(i + 1, end).replace(/\s/g, ''), 'hex') });
      i = end + 1;
    } else if (c === '(') {
      const bytes: number[] = [];
      let depth = 1;
      i++;
      while (i < src.length) {
        const ch = src[i++]!;
        if (ch === '\\') {
          const next = src[i++]!;
          const octal = /^[0-7]{1,3}/.exec(src.slice(i - 1, i + 2));
          if (octal) (bytes.push(parseInt(octal[0], 8)), (i += octal[0].length - 1));
          else bytes.push(({ n: 10, r: 13, t: 9, b: 8, f: 12 } as Record<string, number>)[next] ?? next.charCodeAt(0));
          continue;
        }
        if (ch === '(') depth++;
        if (ch === ')' && --depth === 0) break;
        bytes.push(ch.charCodeAt(0));
      }
      push({ bytes: Uint8Array.from(bytes) });
    } else if (c === '[') (arrays.push([]), i++);
    else if (c === ']') (push(arrays.pop()!), i++);
    else if (/[-+.\d]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[-+.\d]/.test(src[j]!)) j++;
      push(Number(src.slice(i, j)));
      i = j;
    } else {
      let j = i + 1;
      while (j < src.length && !DELIMITER.test(src[j]!)) j++;
      ops.push({ op: src.slice(i, j), args });
      args = [];
      i = j;
    }
  }
  return ops;
}

const winAnsi = new TextDecoder('windows-1252');

function streamText(doc: PDFDocument, ref: unknown): string {
  const stream = doc.context.lookup(ref as PDFRef);
  assert.ok(stream instanceof PDFRawStream, 'content stream expected');
  return Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1');
}

function run(doc: PDFDocument, content: string, resources: PDFDict | undefined, ctm: Matrix, out: DrawnText[]): void {
  const saved: Matrix[] = [];
  let tm: Matrix = [1, 0, 0, 1, 0, 0];
  let line: Matrix = tm;
  let size = 0;
  const show = (bytes: Uint8Array[]) => out.push({ text: bytes.map((b) => winAnsi.decode(b)).join(''), size, matrix: multiply(tm, ctm) });
  for (const { op, args } of parseContent(content)) {
    const nums = args.filter((a): a is number => typeof a === 'number');
    if (op === 'q') saved.push(ctm);
    else if (op === 'Q') ctm = saved.pop() ?? ctm;
    else if (op === 'cm') ctm = multiply(nums, ctm);
    else if (op === 'BT') tm = line = [1, 0, 0, 1, 0, 0];
    else if (op === 'Tf') size = nums[0]!;
    else if (op === 'Tm') tm = line = nums as Matrix;
    else if (op === 'Td' || op === 'TD') tm = line = multiply([1, 0, 0, 1, nums[0]!, nums[1]!], line);
    else if (op === 'Tj') show([(args[0] as { bytes: Uint8Array }).bytes]);
    else if (op === 'TJ') show((args[0] as Operand[]).filter((a): a is { bytes: Uint8Array } => typeof a === 'object' && 'bytes' in a).map((a) => a.bytes));
    else if (op === 'Do') {
      const name = (args[0] as { name: string }).name;
      const ref = resources?.lookup(PDFName.of('XObject'), PDFDict).get(PDFName.of(name));
      const form = doc.context.lookup(ref);
      assert.ok(form instanceof PDFRawStream, `XObject ${name} is missing`);
      if (form.dict.get(PDFName.of('Subtype')) !== PDFName.of('Form')) continue;
      const matrix = form.dict.lookupMaybe(PDFName.of('Matrix'), PDFArray)?.asArray().map((n) => (n as PDFNumber).asNumber()) ?? [1, 0, 0, 1, 0, 0];
      run(doc, streamText(doc, ref), form.dict.lookupMaybe(PDFName.of('Resources'), PDFDict) ?? resources, multiply(matrix, ctm), out);
    }
  }
}

/** Every text drawn on the page, in user space. */
function textsOnPage(doc: PDFDocument, index: number): DrawnText[] {
  const node = doc.getPage(index).node;
  const contents = node.get(PDFName.of('Contents'));
  const resolved = doc.context.lookup(contents);
  const refs = resolved instanceof PDFArray ? resolved.asArray() : contents ? [contents] : [];
  const out: DrawnText[] = [];
  run(doc, refs.map((ref) => streamText(doc, ref)).join('\n'), node.Resources(), [1, 0, 0, 1, 0, 0], out);
  return out;
}

// ---- Generating PDFs ----

async function pdfOf(specs: PageSpec[], tweak?: (doc: PDFDocument) => void, useObjectStreams = true): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const spec of specs) {
    const page = doc.addPage(spec.size);
    const [x, y] = spec.origin ?? [0, 0];
    if (spec.origin) page.setMediaBox(x, y, spec.size[0], spec.size[1]);
    if (spec.crop) page.setCropBox(spec.crop.x, spec.crop.y, spec.crop.width, spec.crop.height);
    if (spec.rotate) page.setRotation(degrees(spec.rotate));
    page.drawText(spec.label, { x: x + 5, y: y + spec.size[1] / 2, size: Math.min(12, spec.size[1] / 4), font });
  }
  tweak?.(doc);
  return doc.save({ useObjectStreams });
}

/** A PDF written by hand: objects 1… in order (1 is the catalog), a correct xref table and trailer. */
function handmadePdf(objects: string[], trailerExtra = ''): Uint8Array {
  let out = '%PDF-1.7\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailerExtra} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function handmadePages(count: number, declaredCount = count): Uint8Array {
  const kids = Array.from({ length: count }, (_, i) => `${i + 3} 0 R`).join(' ');
  const page = '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>';
  return handmadePdf(['<< /Type /Catalog /Pages 2 0 R >>', `<< /Type /Pages /Kids [${kids}] /Count ${declaredCount} >>`, ...Array<string>(count).fill(page)]);
}

// ---- Checking a stamped page ----

let helveticaBold: PDFFont;
before(async () => {
  helveticaBold = await (await PDFDocument.create()).embedFont(StandardFonts.HelveticaBold);
});

/** Advance width at size 1, glyph by glyph, as Tj draws it (no kerning). */
function widthOf(text: string): number {
  return [...text].reduce((sum, ch) => sum + helveticaBold.widthOfTextAtSize(ch, 1), 0);
}

function boxOf(spec: PageSpec): Box {
  const [x, y] = spec.origin ?? [0, 0];
  return spec.crop ?? { x, y, width: spec.size[0], height: spec.size[1] };
}

/**
 * Checks that the page shows the headline across it and the detail at the bottom, upright as
 * displayed, wholly inside the visible box, and still shows its own label.
 */
function assertStamped(doc: PDFDocument, index: number, visible: Box, rotation: number, label: string, text = TEXT): void {
  const texts = textsOnPage(doc, index);
  const where = `page ${index + 1} (${label})`;
  assert.ok(texts.some((t) => t.text === label), `${where}: its own text is gone`);
  const headline = texts.filter((t) => t.text === text.headline);
  const detail = texts.filter((t) => t.text === text.detail);
  assert.equal(headline.length, 1, `${where}: headline`);
  assert.equal(detail.length, 1, `${where}: detail`);

  const [width, height] = rotation % 180 === 0 ? [visible.width, visible.height] : [visible.height, visible.width];
  for (const [t, expectedAngle] of [
    [headline[0]!, Math.atan2(height, width)],
    [detail[0]!, 0],
  ] as const) {
    const display = (x: number, y: number) => toDisplay(visible, rotation, apply(t.matrix, x, y));
    const length = widthOf(t.text) * t.size;
    // Corners of the text's box (Helvetica-Bold's FontBBox: accents, descenders): all on the visible page.
    const [bottom, top] = [-0.228 * t.size, 0.962 * t.size];
    for (const [x, y] of [[0, bottom], [length, bottom], [0, top], [length, top]] as const) {
      const [u, v] = display(x, y);
      assert.ok(u >= -0.01 && u <= width + 0.01 && v >= -0.01 && v <= height + 0.01, `${where}: "${t.text}" leaves the visible box at (${u}, ${v}) of ${width}×${height}`);
    }
    // Reads left to right along its line, upright (not mirrored, not upside down).
    const [x0, y0] = display(0, 0);
    const [x1, y1] = display(1, 0);
    const [xu, yu] = display(0, 1);
    const angle = Math.atan2(y1 - y0, x1 - x0);
    assert.ok(Math.abs(angle - expectedAngle) < 0.01, `${where}: "${t.text}" runs at ${(angle * 180) / Math.PI}°, expected ${(expectedAngle * 180) / Math.PI}°`);
    assert.ok((x1 - x0) * (yu - y0) - (y1 - y0) * (xu - x0) > 0, `${where}: "${t.text}" is mirrored`);
  }
  const [, baseline] = toDisplay(visible, rotation, apply(detail[0]!.matrix, 0, 0));
  assert.ok(baseline < 0.15 * height, `${where}: the detail is not at the bottom`);
  const headlineLength = widthOf(text.headline) * headline[0]!.size;
  assert.ok(headlineLength > 0.5 * Math.hypot(width, height), `${where}: the headline is small (${headlineLength} pt)`);
}

async function stampAndCheck(specs: PageSpec[], tweak?: (doc: PDFDocument) => void): Promise<PDFDocument> {
  const input = await pdfOf(specs, tweak);
  const copy = Uint8Array.from(input);
  const output = await stampPdf(input, TEXT);
  assert.deepEqual(input, copy, 'the input bytes changed');
  const doc = await PDFDocument.load(output);
  assert.equal(doc.getPageCount(), specs.length);
  specs.forEach((spec, i) => assertStamped(doc, i, boxOf(spec), ((spec.rotate ?? 0) + 360) % 360, spec.label));
  return doc;
}

async function refusal(input: Uint8Array, options?: { maxPages?: number }): Promise<string> {
  try {
    await stampPdf(input, TEXT, options);
  } catch (error) {
    assert.ok(error instanceof PdfNotStampable, `PdfNotStampable expected, got ${String(error)}`);
    return error.reason;
  }
  assert.fail('the PDF was stamped');
}

describe('stampPdf', () => {
  it('stamps a plain A4 page with the headline across it and the detail at the bottom, leaving the input as it was', async () => {
    await stampAndCheck([{ label: 'A4', size: [595.28, 841.89] }]);
  });

  it('stamps rotated pages so that the stamp reads upright as displayed', async () => {
    await stampAndCheck([
      { label: 'rotate 90', size: [595, 842], rotate: 90 },
      { label: 'rotate 180', size: [595, 842], rotate: 180 },
      { label: 'rotate 270', size: [595, 842], rotate: 270 },
      { label: 'rotate -90', size: [595, 842], rotate: -90 },
      { label: 'landscape rotate 90', size: [842, 595], rotate: 90 },
    ]);
  });

  it('stamps pages whose rotation, MediaBox and resources are inherited from the page tree', async () => {
    const specs: PageSpec[] = [1, 2, 3].map((n) => ({ label: `inherited ${n}`, size: [600, 400] }));
    const input = await pdfOf(specs, (doc) => {
      // Root → intermediate node (Rotate 270, MediaBox, Resources) → pages with none of their own.
      const ctx = doc.context;
      const rootRef = doc.catalog.get(PDFName.of('Pages')) as PDFRef;
      const pages = doc.getPages();
      const fonts = ctx.obj({});
      for (const page of pages) {
        const own = page.node.Resources()?.lookup(PDFName.of('Font'), PDFDict);
        for (const [name, font] of own?.entries() ?? []) fonts.set(name, font);
      }
      const middle = ctx.register(ctx.obj({ Type: 'Pages', Parent: rootRef, Kids: pages.map((p) => p.ref), Count: pages.length, Rotate: 270, MediaBox: [0, 0, 600, 400], Resources: { Font: fonts } }));
      for (const page of pages) {
        page.node.set(PDFName.of('Parent'), middle);
        for (const key of ['Rotate', 'MediaBox', 'Resources']) page.node.delete(PDFName.of(key));
      }
      doc.catalog.Pages().set(PDFName.of('Kids'), ctx.obj([middle]));
    });
    const doc = await PDFDocument.load(await stampPdf(input, TEXT));
    specs.forEach((spec, i) => {
      assertStamped(doc, i, { x: 0, y: 0, width: 600, height: 400 }, 270, spec.label);
      // The inherited resources still hold the page's own font.
      assert.ok(doc.getPage(i).node.Resources()!.lookup(PDFName.of('Font'), PDFDict).keys().length >= 1);
    });
  });

  it('stamps landscape, tiny, huge and very tall pages, a MediaBox away from 0,0 and a CropBox smaller than the MediaBox', async () => {
    await stampAndCheck([
      { label: 'landscape', size: [842, 595] },
      { label: 'tiny', size: [36, 24] },
      { label: 'huge', size: [14400, 10000] },
      { label: 'tall', size: [200, 2000] },
      { label: 'origin', size: [400, 300], origin: [-200, 1000] },
      { label: 'crop', size: [595, 842], crop: { x: 80, y: 300, width: 250, height: 200 } },
      { label: 'crop rotated', size: [595, 842], origin: [10, 20], crop: { x: 50, y: 380, width: 300, height: 420 }, rotate: 90 },
    ]);
  });

  it('ignores a CropBox reaching outside the MediaBox: the stamp stays on the visible part', async () => {
    const input = await pdfOf([{ label: 'wide crop', size: [500, 500] }], (doc) => doc.getPage(0).setCropBox(-100, 250, 800, 400));
    const doc = await PDFDocument.load(await stampPdf(input, TEXT));
    assertStamped(doc, 0, { x: 0, y: 250, width: 500, height: 250 }, 0, 'wide crop');
  });

  it('keeps the stamp in place when the page content leaves its graphics state changed', async () => {
    await stampAndCheck([{ label: 'unbalanced', size: [595, 842] }], (doc) => {
      const page = doc.getPage(0);
      page.node.addContentStream(doc.context.register(doc.context.stream('3 0 0 3 200 -100 cm 0.5 g')));
    });
  });

  it('stamps every page of a long document of mixed pages, adding little per page', async () => {
    const kinds: PageSpec[] = [
      { label: '', size: [595, 842] },
      { label: '', size: [842, 595], rotate: 90 },
      { label: '', size: [612, 792], rotate: 180 },
    ];
    const specs = Array.from({ length: 60 }, (_, i) => ({ ...kinds[i % 3]!, label: `page ${i + 1}` }));
    await stampAndCheck(specs);

    // One drawing of the stamp per page size, shared: the file grows by a small amount per page.
    const same = Array.from({ length: 300 }, (_, i) => ({ label: `page ${i + 1}`, size: [595, 842] as [number, number] }));
    const input = await pdfOf(same);
    const output = await stampPdf(input, TEXT);
    assert.ok((output.length - input.length) / same.length < 60, `${(output.length - input.length) / same.length} bytes more per page`);
  });

  it('stamps a signed PDF, keeping its signature field (whose signature no longer matches the copy)', async () => {
    const input = await pdfOf([{ label: 'signed', size: [595, 842] }], (doc) => {
      const ctx = doc.context;
      const page = doc.getPage(0);
      const signature = ctx.register(
        ctx.obj({ Type: 'Sig', Filter: 'Adobe.PPKLite', SubFilter: 'adbe.pkcs7.detached', ByteRange: [0, 100, 200, 300], Contents: PDFHexString.of('00'.repeat(512)) }),
      );
      const field = ctx.register(ctx.obj({ Type: 'Annot', Subtype: 'Widget', FT: 'Sig', T: PDFString.of('Signature1'), Rect: [0, 0, 0, 0], F: 132, P: page.ref, V: signature }));
      page.node.set(PDFName.of('Annots'), ctx.obj([field]));
      doc.catalog.set(PDFName.of('AcroForm'), ctx.obj({ Fields: [field], SigFlags: 3 }));
    });
    const copy = Uint8Array.from(input);
    const doc = await PDFDocument.load(await stampPdf(input, TEXT));
    assert.deepEqual(input, copy);
    assertStamped(doc, 0, { x: 0, y: 0, width: 595, height: 842 }, 0, 'signed');
    const acroForm = doc.catalog.lookup(PDFName.of('AcroForm'), PDFDict);
    assert.equal(acroForm.lookup(PDFName.of('SigFlags'), PDFNumber).asNumber(), 3);
    const field = acroForm.lookup(PDFName.of('Fields'), PDFArray).lookup(0, PDFDict);
    assert.equal(field.get(PDFName.of('FT')), PDFName.of('Sig'));
  });

  it('shows French accents as they are and replaces what the font cannot show instead of failing', async () => {
    const text = { headline: 'À CONSULTER — NE PAS DIFFUSER', detail: 'Łukasz Nguyễn (日本 😀)\u202Fle\t23/11/2026\u200B' };
    const input = await pdfOf([{ label: 'accents', size: [595, 842] }]);
    const doc = await PDFDocument.load(await stampPdf(input, text));
    assertStamped(doc, 0, { x: 0, y: 0, width: 595, height: 842 }, 0, 'accents', { headline: 'À CONSULTER — NE PAS DIFFUSER', detail: 'Lukasz Nguyen (?? ?) le 23/11/2026' });
  });

  it('refuses a stamp without text', async () => {
    const input = await pdfOf([{ label: 'x', size: [100, 100] }]);
    await assert.rejects(stampPdf(input, { headline: ' ', detail: 'x' }), TypeError);
    await assert.rejects(stampPdf(input, { headline: 'x', detail: '\u200B' }), TypeError);
  });
});

describe('toWinAnsi', () => {
  it('keeps French text whole', () => {
    assert.equal(toWinAnsi('Élève à l’œuvre : « ça », 12,50 € – Noël…'), 'Élève à l’œuvre : « ça », 12,50 € – Noël…');
  });

  it('turns every kind of space into one space, drops invisible characters, strips accents WinAnsi lacks', () => {
    assert.equal(toWinAnsi('  a\u00A0\u202F b\tc\r\nd\u200Be\uFEFF\u0007 '), 'a b c de');
    assert.equal(toWinAnsi('Łódź Dvořák Ångström Nguyễn Ħal Straße'), 'Lódz Dvorák Ångström Nguyen Hal Straße');
    assert.equal(toWinAnsi('e\u0301'), 'é'); // decomposed input is composed first
  });

  it('shows one "?" per character it cannot show at all', () => {
    assert.equal(toWinAnsi('Иван 王 😀'), '???? ? ?');
  });
});

describe('stampPdf refuses what it cannot stamp completely', () => {
  it('refuses an encrypted PDF', async () => {
    const objects = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>'];
    const standard = `/Filter /Standard /V 1 /R 2 /O <${'ab'.repeat(32)}> /U <${'cd'.repeat(32)}> /P -4`;
    assert.equal(await refusal(handmadePdf(objects, `/Encrypt << ${standard} >>`)), 'encrypted');
    assert.equal(await refusal(handmadePdf([...objects, `<< ${standard} >>`], '/Encrypt 4 0 R')), 'encrypted');
    // Its Encrypt dictionary cannot be found: the content still cannot be read.
    assert.equal(await refusal(handmadePdf(objects, '/Encrypt 99 0 R')), 'encrypted');
    // Encrypted (so unreadable) object stream.
    const objectStream = `<< /Type /ObjStm /N 2 /First 8 /Filter /FlateDecode /Length 256 >>\nstream\n${randomBytes(256).toString('latin1')}\nendstream`;
    assert.equal(await refusal(handmadePdf([...objects, objectStream], `/Encrypt << ${standard} >>`)), 'encrypted');
  });

  it('refuses a truncated PDF, even with a %%EOF glued back on', async () => {
    const specs = Array.from({ length: 6 }, (_, i) => ({ label: `page ${i + 1}`, size: [595, 842] as [number, number] }));
    for (const useObjectStreams of [true, false]) {
      const whole = await pdfOf(specs, undefined, useObjectStreams);
      const half = whole.subarray(0, Math.floor(whole.length / 2));
      assert.equal(await refusal(half), 'broken');
      assert.equal(await refusal(Buffer.concat([half, Buffer.from('\n%%EOF\n')])), 'broken');
      assert.equal(await refusal(whole.subarray(0, whole.length - 40)), 'broken');
    }
  });

  it('refuses a PDF whose page tree points to a missing page', async () => {
    const input = await pdfOf([{ label: 'a', size: [595, 842] }, { label: 'b', size: [595, 842] }], (doc) => doc.context.delete(doc.getPage(1).ref));
    assert.equal(await refusal(input), 'broken');
  });

  it('refuses a PDF whose page content stream is missing', async () => {
    const input = await pdfOf([{ label: 'a', size: [595, 842] }], (doc) => {
      const contents = doc.getPage(0).node.Contents();
      const ref = contents instanceof PDFArray ? contents.get(0) : undefined;
      assert.ok(ref instanceof PDFRef);
      doc.context.delete(ref);
    });
    assert.equal(await refusal(input), 'broken');
  });

  it('refuses a PDF without pages, empty input, random bytes and random bytes dressed as a PDF', async () => {
    const none = await (await PDFDocument.create()).save({ addDefaultPage: false });
    assert.equal(await refusal(none), 'broken');
    assert.equal(await refusal(new Uint8Array(0)), 'broken');
    assert.equal(await refusal(randomBytes(8192)), 'broken');
    assert.equal(await refusal(Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(8192), Buffer.from('\n%%EOF\n')])), 'broken');
    assert.equal(await refusal(Buffer.from('%PDF-1.4\n%%EOF\n')), 'broken');
  });

  it('refuses a 10,000-page PDF quickly, also when its page count lies', async () => {
    for (const declared of [10_000, 1]) {
      const input = handmadePages(10_000, declared);
      const started = performance.now();
      assert.equal(await refusal(input), 'too_many_pages');
      const ms = performance.now() - started;
      assert.ok(ms < 1500, `refused in ${ms} ms`);
    }
  });

  it('applies maxPages', async () => {
    const input = handmadePages(3);
    assert.equal(await refusal(input, { maxPages: 2 }), 'too_many_pages');
    await assert.rejects(stampPdf(input, TEXT, { maxPages: 0 }), RangeError);
    const doc = await PDFDocument.load(await stampPdf(input, TEXT, { maxPages: 3 }));
    assert.equal(doc.getPageCount(), 3);
  });
});
