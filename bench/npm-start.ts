// How `npm start` runs the app, read from package.json so that the benchmarks measure the same
// process: its Node flags (the young generation's size) and malloc's arenas.
import fs from 'node:fs';
import path from 'node:path';

/** `npm start`'s Node flags (e.g. ['--max-semi-space-size=1']) and MALLOC_ARENA_MAX, in the checkout at `dir`. */
export function npmStartOf(dir: string): { flags: string[]; arenas: string } {
  const start: string = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).scripts.start;
  return { flags: start.split(/\s+/).filter((word) => word.startsWith('--')), arenas: /MALLOC_ARENA_MAX:-(\d+)/.exec(start)?.[1] ?? '' };
}

/** How this checkout's `npm start` runs the app. */
export const NPM_START = npmStartOf(path.join(import.meta.dirname, '..'));
