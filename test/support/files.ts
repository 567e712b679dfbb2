// Files the document tests upload, and what the app's file store holds.
import fs from 'node:fs';

/** The smallest PDF a type check accepts. */
export const TINY_PDF = Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n');
/** A Windows executable's first bytes: what a ".pdf" must not be. */
export const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff', 'latin1'), Buffer.alloc(200, 1)]);

/** How many files the store under `filesDir` holds (keys only: not temporaries or stamped copies). */
export function storedFiles(filesDir: string): number {
  return fs.readdirSync(filesDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && /^[0-9a-f]{32}$/.test(e.name)).length;
}
