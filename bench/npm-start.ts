// How `npm start` runs the app, read from package.json so that the benchmarks measure the same
// process: its Node flags (the young generation's size) and malloc's arenas.
import fs from 'node:fs';
import path from 'node:path';

/** `npm start`'s Node flags (e.g. ['--max-semi-space-size=1']) and MALLOC_ARENA_MAX, in the checkout at `dir`. */
export function npmStartOf(dir: string): { flags: string[]; arenas: string } {
  const start: string = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).scripts.start;
  return { flags: start.split(/\s+/).filter((word) => word.startsWith('--')), arenas: /MALLOC_ARENA_MAX:-(\d+)/.exec(start)?.[1] ?? '' };
}

const here = npmStartOf(path.join(import.meta.dirname, '..'));

/** The Node flags of this checkout's `npm start`. */
export const START_FLAGS = here.flags;

/** MALLOC_ARENA_MAX as this checkout's `npm start` sets it when unset. */
export const START_ARENAS = here.arenas;
