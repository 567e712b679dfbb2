// The pages of a parsed PDF, with the attributes they inherit from the page tree. Our own walk
// rather than pdf-lib's getPages(): it stops as soon as there are too many pages, visits each node
// once (a page tree with a cycle or a node listed many times cannot hang it or multiply pages),
// and refuses a tree with missing nodes, as a truncated file has.
import { PDFArray, PDFDict, PDFName, PDFNumber, PDFRef, type PDFContext, type PDFObject } from 'pdf-lib';
import { normalizeRotation, visibleBox, type Box, type Rotation } from './geometry.ts';

export interface PageToStamp {
  node: PDFDict;
  /** The page's own or inherited /Resources, unresolved; undefined when it has none. */
  resources: PDFObject | undefined;
  visible: Box;
  rotation: Rotation;
}

/** Why a document cannot be stamped (a damaged structure, too many pages); stamp.ts turns it into PdfNotStampable. */
export class StructureProblem extends Error {
  readonly kind: 'broken' | 'too_many_pages';
  constructor(kind: 'broken' | 'too_many_pages', message: string) {
    super(message);
    this.kind = kind;
  }
}

interface Inherited {
  resources: PDFObject | undefined;
  mediaBox: PDFObject | undefined;
  cropBox: PDFObject | undefined;
  rotate: PDFObject | undefined;
}

const KIDS = PDFName.of('Kids');
const COUNT = PDFName.of('Count');
const TYPE = PDFName.of('Type');
const PAGES = PDFName.of('Pages');
const RESOURCES = PDFName.of('Resources');
const MEDIA_BOX = PDFName.of('MediaBox');
const CROP_BOX = PDFName.of('CropBox');
const ROTATE = PDFName.of('Rotate');

/** The document's pages in display order; throws StructureProblem. */
export function listPages(context: PDFContext, maxPages: number): PageToStamp[] {
  const catalog = context.lookup(context.trailerInfo.Root);
  const root = catalog instanceof PDFDict ? context.lookup(catalog.get(PAGES)) : undefined;
  if (!(root instanceof PDFDict)) throw new StructureProblem('broken', 'no page tree');
  // The declared count can lie either way, but a large one is refused before any walking.
  const declared = context.lookup(root.get(COUNT));
  if (declared instanceof PDFNumber && declared.asNumber() > maxPages) throw new StructureProblem('too_many_pages', `${declared.asNumber()} pages declared`);

  const pages: PageToStamp[] = [];
  const seen = new Set<PDFDict>();
  const none: Inherited = { resources: undefined, mediaBox: undefined, cropBox: undefined, rotate: undefined };
  // Depth first, in Kids order; the stack holds the kids still to visit, last one on top.
  const stack: { ref: PDFObject | undefined; inherited: Inherited }[] = [{ ref: root, inherited: none }];
  while (stack.length > 0) {
    const { ref, inherited: fromParent } = stack.pop()!;
    const node = context.lookup(ref);
    if (!(node instanceof PDFDict)) throw new StructureProblem('broken', `page tree node ${ref instanceof PDFRef ? ref.toString() : '(direct)'} is missing`);
    if (seen.has(node)) continue;
    seen.add(node);
    const inherited: Inherited = {
      resources: node.get(RESOURCES) ?? fromParent.resources,
      mediaBox: node.get(MEDIA_BOX) ?? fromParent.mediaBox,
      cropBox: node.get(CROP_BOX) ?? fromParent.cropBox,
      rotate: node.get(ROTATE) ?? fromParent.rotate,
    };
    const kids = context.lookup(node.get(KIDS));
    if (kids instanceof PDFArray) {
      for (let i = kids.size() - 1; i >= 0; i--) stack.push({ ref: kids.get(i), inherited });
    } else if (node.get(TYPE) !== PAGES) {
      if (pages.length === maxPages) throw new StructureProblem('too_many_pages', `more than ${maxPages} pages`);
      pages.push(pageOf(context, node, inherited));
    }
  }
  if (pages.length === 0) throw new StructureProblem('broken', 'no pages');
  return pages;
}

function pageOf(context: PDFContext, node: PDFDict, inherited: Inherited): PageToStamp {
  const mediaBox = inherited.mediaBox === undefined ? undefined : (numbers(context, inherited.mediaBox) ?? []);
  const visible = visibleBox(mediaBox, numbers(context, inherited.cropBox));
  if (!visible) throw new StructureProblem('broken', 'a page has an unusable MediaBox');
  const rotate = context.lookup(inherited.rotate);
  return { node, resources: inherited.resources, visible, rotation: normalizeRotation(rotate instanceof PDFNumber ? rotate.asNumber() : undefined) };
}

/** The numbers of a PDF array (elements may be indirect), or undefined if it is not one. */
function numbers(context: PDFContext, value: PDFObject | undefined): number[] | undefined {
  const array = context.lookup(value);
  if (!(array instanceof PDFArray)) return undefined;
  const out: number[] = [];
  for (let i = 0; i < array.size(); i++) {
    const n = context.lookup(array.get(i));
    if (!(n instanceof PDFNumber)) return undefined;
    out.push(n.asNumber());
  }
  return out;
}
