// Text for a standard PDF font: Helvetica-Bold with WinAnsiEncoding covers French (é è à ç ù œ « »
// € …) but not every name a user may have. Whatever it cannot show is replaced, never thrown on.
import { StandardFontEmbedder, StandardFonts } from 'pdf-lib';

// pdf-lib's StandardFonts and the FontNames its embedder takes are the same strings, typed apart.
type FontName = Parameters<typeof StandardFontEmbedder.for>[0];
const FONT = StandardFontEmbedder.for(StandardFonts.HelveticaBold as string as FontName);

/** The font dictionary's BaseFont. */
export const FONT_NAME = FONT.fontName;

// Characters with no WinAnsi code and no decomposition to one.
const REPLACEMENTS: Record<string, string> = {
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2212': '-', '\u2032': "'", '\u2033': '"',
  '\u0131': 'i', '\u0141': 'L', '\u0142': 'l', '\u0110': 'D', '\u0111': 'd', '\u0126': 'H', '\u0127': 'h',
  '\u013F': 'L', '\u0140': 'l', '\u1E9E': 'SS', '\u0132': 'IJ', '\u0133': 'ij', '\u2044': '/',
};
const SPACES = /[\s\u00A0\u2000-\u200A\u202F\u205F\u3000]+/gu;
// Controls other than the whitespace ones, soft hyphen, zero-width characters, BOM.
const INVISIBLE = /(?![\t\n\v\f\r])\p{Cc}|[\u00AD\u200B-\u200D\u2060\uFEFF]/gu;
const COMBINING_MARKS = /\p{M}/gu;

/**
 * The text made of WinAnsi characters only: spaces of any kind become one space, invisible
 * characters go, letters lose the accents WinAnsi lacks (ő → o, ł → l), and anything else becomes
 * "?" — one per character, so that a name in another script still shows its length.
 */
export function toWinAnsi(text: string): string {
  let out = '';
  for (const char of text.normalize('NFC').replace(INVISIBLE, '').replace(SPACES, ' ').trim()) {
    out += encodable(char) ? char : (REPLACEMENTS[char] ?? withoutAccents(char));
  }
  return out;
}

function encodable(char: string): boolean {
  return FONT.encoding.canEncodeUnicodeCodePoint(char.codePointAt(0) ?? -1);
}

function withoutAccents(char: string): string {
  const base = char.normalize('NFD').replace(COMBINING_MARKS, '');
  return base !== '' && [...base].every(encodable) ? base : '?';
}

/** A PDF hex string of the text's WinAnsi codes (the text must come from toWinAnsi). */
export function hexCodes(text: string): string {
  let hex = '<';
  for (const char of text) hex += FONT.encoding.encodeUnicodeCodePoint(char.codePointAt(0) ?? 0).code.toString(16).padStart(2, '0');
  return `${hex}>`;
}

/** Advance width of the text at font size 1, as drawn by Tj (no kerning). */
export function widthAtSizeOne(text: string): number {
  let width = 0;
  for (const char of text) {
    const glyph = FONT.encoding.encodeUnicodeCodePoint(char.codePointAt(0) ?? 0);
    width += FONT.font.getWidthOfGlyph(glyph.name) ?? 250;
  }
  return width / 1000;
}
