// How `npm start` runs the app, read from package.json so that the benchmarks measure the same
// process: its Node flags (the young generation's size) and malloc's arenas.
import fs from 'node:fs';
import path from 'node:path';

const start: string = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '..', 'package.json'), 'utf8')).scripts.start;

/** The Node flags of `npm start`, e.g. ['--max-semi-space-size=1']. */
export const START_FLAGS = start.split(/\s+/).filter((word) => word.startsWith('--'));

/** MALLOC_ARENA_MAX as `npm start` sets it when unset. */
export const START_ARENAS = /MALLOC_ARENA_MAX:-(\d+)/.exec(start)?.[1] ?? '';
