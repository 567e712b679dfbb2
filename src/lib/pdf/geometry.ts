// Page geometry for the stamp: which part of a page a viewer shows, which way up, and where the
// stamp's texts go. The stamp is laid out in "display space" (origin at the bottom left of the page
// as shown, x to the right, y up) and mapped into the page's user space by one matrix.

/** A rectangle in user space, normalised: width and height are positive. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type Rotation = 0 | 90 | 180 | 270;

/** A PDF transformation matrix [a b c d e f]: x' = a·x + c·y + e, y' = b·x + d·y + f. */
export type Matrix = readonly [number, number, number, number, number, number];

/** US Letter: what viewers assume when a page has no MediaBox at all. */
const LETTER: Box = { x: 0, y: 0, width: 612, height: 792 };

/** A rectangle from a PDF array [x1 y1 x2 y2] (any two opposite corners), or undefined if unusable. */
export function boxFromArray(values: readonly number[] | undefined): Box | undefined {
  if (!values || values.length !== 4 || !values.every(Number.isFinite)) return undefined;
  const [x1, y1, x2, y2] = values as [number, number, number, number];
  const box = { x: Math.min(x1, x2), y: Math.min(y1, y2), width: Math.abs(x2 - x1), height: Math.abs(y2 - y1) };
  return box.width > 0 && box.height > 0 ? box : undefined;
}

/**
 * The visible box: the CropBox clipped to the MediaBox, as viewers and printers show it. A CropBox
 * that is unusable or outside the MediaBox is ignored (viewers then show the MediaBox). Returns
 * undefined when the MediaBox itself is present but unusable: there is no page to stamp.
 */
export function visibleBox(mediaBox: readonly number[] | undefined, cropBox: readonly number[] | undefined): Box | undefined {
  const media = mediaBox ? boxFromArray(mediaBox) : LETTER;
  if (!media) return undefined;
  const crop = boxFromArray(cropBox);
  if (!crop) return media;
  const x = Math.max(media.x, crop.x);
  const y = Math.max(media.y, crop.y);
  const width = Math.min(media.x + media.width, crop.x + crop.width) - x;
  const height = Math.min(media.y + media.height, crop.y + crop.height) - y;
  return width > 0 && height > 0 ? { x, y, width, height } : media;
}

/** /Rotate as viewers read it: a multiple of 90, clockwise; anything else counts as 0. */
export function normalizeRotation(value: number | undefined): Rotation {
  if (value === undefined || !Number.isInteger(value) || value % 90 !== 0) return 0;
  return (((value % 360) + 360) % 360) as Rotation;
}

/** The size of the page as displayed: width and height swap on a quarter turn. */
export function displaySize(box: Box, rotation: Rotation): { width: number; height: number } {
  return rotation === 90 || rotation === 270 ? { width: box.height, height: box.width } : { width: box.width, height: box.height };
}

/**
 * The matrix from display space to user space. /Rotate turns the page clockwise when shown, so
 * display space is user space turned counter-clockwise, with its origin moved to the box corner
 * that ends up at the bottom left.
 */
export function displayToUser(box: Box, rotation: Rotation): Matrix {
  const { x, y, width: w, height: h } = box;
  switch (rotation) {
    case 0:
      return [1, 0, 0, 1, x, y];
    case 90:
      return [0, 1, -1, 0, x + w, y];
    case 180:
      return [-1, 0, 0, -1, x + w, y + h];
    case 270:
      return [0, -1, 1, 0, x, y + h];
  }
}

/** How a line of text is placed: font size and text matrix (baseline start and direction). */
export interface PlacedLine {
  size: number;
  matrix: Matrix;
}

export interface StampLayout {
  headline: PlacedLine;
  detail: PlacedLine;
  /** A light band behind the detail line, so that it stays readable over the page's content. */
  detailBand: Box;
}

// Vertical extent of a line of Helvetica-Bold, per point of font size: its FontBBox (accented
// capitals above, descenders and cedillas below); caps are 0.718 high.
const ASCENT = 0.962;
const DESCENT = 0.228;
const CAP_HEIGHT = 0.718;
const DETAIL_MAX_SIZE = 9;

/**
 * Lays the stamp out on a displayed page of width × height: the headline centred along the
 * diagonal from bottom left to top right, as large as fits; the detail line centred at the bottom.
 * Widths are per point of font size (the text's advance width at size 1).
 */
export function layoutStamp(width: number, height: number, headlineWidth: number, detailWidth: number): StampLayout {
  const margin = 0.04 * Math.min(width, height);

  // The detail line first: the headline's box must keep clear of it only if there is room.
  const detailSize = Math.min(DETAIL_MAX_SIZE, height / 8, (width - 2 * margin) / Math.max(detailWidth, 1e-9));
  const detailText = detailWidth * detailSize;
  const detailBaseline = margin + DESCENT * detailSize;
  const pad = 0.3 * detailSize;
  const detailBand: Box = {
    x: (width - detailText) / 2 - pad,
    y: detailBaseline - DESCENT * detailSize - pad / 2,
    width: detailText + 2 * pad,
    height: (ASCENT + DESCENT) * detailSize + pad,
  };
  const detail: PlacedLine = { size: detailSize, matrix: [1, 0, 0, 1, (width - detailText) / 2, detailBaseline] };

  // The headline's bounding box (its length L by a line height, turned by the angle) must fit
  // inside the margins: L·cos + h·sin ≤ W' and L·sin + h·cos ≤ H'.
  const angle = Math.atan2(height, width);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const lineHeight = 2 * Math.max(ASCENT - CAP_HEIGHT / 2, DESCENT + CAP_HEIGHT / 2);
  const across = width - 2 * margin;
  const up = height - 2 * margin;
  const size = Math.max(0, Math.min(across / (headlineWidth * cos + lineHeight * sin), up / (headlineWidth * sin + lineHeight * cos)));
  // Baseline start: from the centre, back half the length along the text and down half a cap height.
  const length = headlineWidth * size;
  const lift = (CAP_HEIGHT / 2) * size;
  const x = width / 2 - (length / 2) * cos + lift * sin;
  const y = height / 2 - (length / 2) * sin - lift * cos;
  return { headline: { size, matrix: [cos, sin, -sin, cos, x, y] }, detail, detailBand };
}
