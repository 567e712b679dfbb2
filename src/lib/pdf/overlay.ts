// Draws the stamp onto pages, cheaply: one Form XObject per distinct displayed page size holds the
// texts, one tiny content stream per distinct placement (rotation and visible box) draws it, and
// each page only gets a new /Contents array and a resource entry. Original content streams are
// referenced, never rewritten, and objects other pages may share (a /Contents array) are replaced
// rather than edited.
import { PDFArray, PDFDict, PDFName, PDFNull, PDFRef, PDFStream, type PDFContext, type PDFObject } from 'pdf-lib';
import { displaySize, displayToUser, layoutStamp, type Matrix, type PlacedLine } from './geometry.ts';
import { StructureProblem, type PageToStamp } from './pages.ts';
import { FONT_NAME, hexCodes, widthAtSizeOne } from './winansi.ts';

const RESOURCES = PDFName.of('Resources');
const XOBJECT = PDFName.of('XObject');
const CONTENTS = PDFName.of('Contents');

// Red, see-through headline; dark detail line on a light band, readable over any content.
const HEADLINE_COLOR = '0.78 0.08 0.08 rg';
const HEADLINE_OPACITY = 0.28;
const DETAIL_COLOR = '0.15 0.15 0.15 rg';
const BAND_OPACITY = 0.7;

/** The texts must already be WinAnsi-only (toWinAnsi). */
export class StampOverlay {
  private readonly context: PDFContext;
  private readonly headline: string;
  private readonly detail: string;
  private readonly headlineWidth: number;
  private readonly detailWidth: number;
  private readonly resources: PDFRef;
  /** "q": opens a graphics state around the page's own content, so that nothing it leaves set moves the stamp. */
  private readonly open: PDFRef;
  private readonly forms = new Map<string, { ref: PDFRef; name: string }>();
  private readonly placements = new Map<string, PDFRef>();

  constructor(context: PDFContext, headline: string, detail: string) {
    this.context = context;
    this.headline = headline;
    this.detail = detail;
    this.headlineWidth = widthAtSizeOne(headline);
    this.detailWidth = widthAtSizeOne(detail);
    const font = context.register(context.obj({ Type: 'Font', Subtype: 'Type1', BaseFont: FONT_NAME, Encoding: 'WinAnsiEncoding' }));
    this.resources = context.register(
      context.obj({
        Font: { F: font },
        ExtGState: { Headline: { Type: 'ExtGState', ca: HEADLINE_OPACITY }, Band: { Type: 'ExtGState', ca: BAND_OPACITY } },
      }),
    );
    this.open = context.register(context.stream('q\n'));
  }

  stamp(page: PageToStamp): void {
    const { width, height } = displaySize(page.visible, page.rotation);
    const form = this.formFor(width, height);
    const name = this.addXObject(page, form.ref, form.name);
    const placement = this.placementFor(displayToUser(page.visible, page.rotation), name);
    page.node.set(CONTENTS, this.context.obj([this.open, ...this.contentStreams(page.node), placement]));
  }

  /** The page's content stream references, checked: a dangling one means a damaged file. */
  private contentStreams(node: PDFDict): PDFObject[] {
    const value = node.get(CONTENTS);
    const resolved = this.context.lookup(value);
    if (value === undefined || resolved === PDFNull) return [];
    const refs = resolved instanceof PDFArray ? resolved.asArray() : [value];
    for (const ref of refs) {
      if (!(ref instanceof PDFRef) || !(this.context.lookup(ref) instanceof PDFStream)) {
        throw new StructureProblem('broken', 'a page content stream is missing');
      }
    }
    return refs;
  }

  /** Registers the form under a name free in the page's XObject resources; returns that name. */
  private addXObject(page: PageToStamp, form: PDFRef, preferred: string): string {
    let resources = this.context.lookup(page.resources);
    if (!(resources instanceof PDFDict)) {
      resources = this.context.obj({});
      page.node.set(RESOURCES, resources);
    }
    const dict = resources as PDFDict;
    let xobjects = this.context.lookup(dict.get(XOBJECT));
    if (!(xobjects instanceof PDFDict)) {
      xobjects = this.context.obj({});
      dict.set(XOBJECT, xobjects);
    }
    const names = xobjects as PDFDict;
    let name = preferred;
    for (let n = 1; ; n++) {
      const existing = names.get(PDFName.of(name));
      if (existing === undefined || existing === form) break;
      name = `${preferred}_${n}`;
    }
    names.set(PDFName.of(name), form);
    return name;
  }

  private formFor(width: number, height: number): { ref: PDFRef; name: string } {
    const key = `${width.toFixed(2)}x${height.toFixed(2)}`;
    let form = this.forms.get(key);
    if (!form) {
      const ref = this.context.register(
        this.context.stream(this.formContent(width, height), {
          Type: 'XObject',
          Subtype: 'Form',
          BBox: [0, 0, width, height],
          Resources: this.resources,
        }),
      );
      form = { ref, name: `PasserelleStamp${this.forms.size + 1}` };
      this.forms.set(key, form);
    }
    return form;
  }

  private formContent(width: number, height: number): string {
    const layout = layoutStamp(width, height, this.headlineWidth, this.detailWidth);
    const band = layout.detailBand;
    // Marked as a pagination artifact, so that screen readers of tagged PDFs skip it.
    return [
      '/Artifact <</Type /Pagination /Subtype /Watermark>> BDC',
      `q /Headline gs ${HEADLINE_COLOR} ${textOp(this.headline, layout.headline)} Q`,
      `q /Band gs 1 1 1 rg ${num(band.x)} ${num(band.y)} ${num(band.width)} ${num(band.height)} re f Q`,
      `q ${DETAIL_COLOR} ${textOp(this.detail, layout.detail)} Q`,
      'EMC',
      '',
    ].join('\n');
  }

  /** The content stream that draws the form at a placement; pages placed alike share it. */
  private placementFor(matrix: Matrix, name: string): PDFRef {
    const key = `${matrix.map(num).join(' ')} /${name}`;
    let ref = this.placements.get(key);
    if (!ref) {
      // Leading newline: some readers join content streams without a separator.
      ref = this.context.register(this.context.stream(`\nQ q ${matrix.map(num).join(' ')} cm /${name} Do Q\n`));
      this.placements.set(key, ref);
    }
    return ref;
  }
}

function textOp(text: string, line: PlacedLine): string {
  return `BT /F ${num(line.size)} Tf ${line.matrix.map(num).join(' ')} Tm ${hexCodes(text)} Tj ET`;
}

/** A number as PDF content syntax wants it: plain decimal, no exponent, no "-0". */
function num(n: number): string {
  const rounded = Number(n.toFixed(4));
  return Object.is(rounded, -0) ? '0' : String(rounded);
}
