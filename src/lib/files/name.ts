// The name a document is shown and downloaded under. It is never used as a path on our disk (files
// are stored under random keys), but it ends up on the user's: in a Content-Disposition header, in a
// ZIP of a folder. So nothing that could be read as a path or hide part of the name on screen.

export const MAX_NAME_LENGTH = 255;

export type NameRefusal =
  | 'empty' // nothing left once trimmed
  | 'tooLong' // more than MAX_NAME_LENGTH characters (code points, after NFC)
  | 'nul' // U+0000
  | 'controlChar' // C0 (tab, line breaks…), DEL, C1
  | 'bidiControl' // U+202A–202E, U+2066–2069, U+200E/F, U+061C: can show "exe.pdf" for "fdp.exe"
  | 'slash'
  | 'backslash'
  | 'dotSegment' // "." or ".."
  | 'malformed'; // a lone UTF-16 surrogate: not text

export type NameCheck = { ok: true; name: string } | { ok: false; reason: NameRefusal };

// \s covers tabs and line breaks: leading/trailing ones are trimmed, inner ones are refused below.
const TRIM = /^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$/gu;
const CONTROL = /[\u0001-\u001f\u007f-\u009f]/u;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Trims, NFC-normalises and checks a display name; accents, quotes and apostrophes are kept. */
export function checkDisplayName(raw: string): NameCheck {
  if (!raw.isWellFormed()) return { ok: false, reason: 'malformed' };
  const name = raw.replace(TRIM, '').normalize('NFC');
  if (name.includes('\u0000')) return { ok: false, reason: 'nul' };
  if (CONTROL.test(name)) return { ok: false, reason: 'controlChar' };
  if (BIDI.test(name)) return { ok: false, reason: 'bidiControl' };
  if (name.includes('/')) return { ok: false, reason: 'slash' };
  if (name.includes('\\')) return { ok: false, reason: 'backslash' };
  if (name === '.' || name === '..') return { ok: false, reason: 'dotSegment' };
  if (name === '') return { ok: false, reason: 'empty' };
  if ([...name].length > MAX_NAME_LENGTH) return { ok: false, reason: 'tooLong' };
  return { ok: true, name };
}
