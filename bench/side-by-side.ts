// `node bench/side-by-side.ts <checkout A> <checkout B> [--rounds=4] [--seconds=10] [--path=/]`:
// two versions of the app under the same load at the same time, to tell whether a change makes a
// page cheaper. Run one after the other, as `npm run bench` does, two runs of the same code differ
// by up to 50 % on this shared machine; run together, both meet the same moments of it.
//
// Each checkout's bench/serve-app.ts runs as its `npm start` would (its Node flags and arenas) on
// its own database of the same PostgreSQL, signed in as compta's supervisor. wrk loads both at once
// (32 connections each), and each round reports req/s, p99 and the app's CPU time per page (from
// /proc), then B against A. For code, not for settings that change how many PostgreSQL backends a
// side runs (pool sizes): those take a larger share of the CPU from the other side's. Needs wrk.
// Example, the last commit against the one before:
//   git worktree add /tmp/before HEAD~1 && (cd /tmp/before && npm ci)
//   node bench/side-by-side.ts /tmp/before .
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../test/support/ports.ts';
import { forkReady, stopAll } from './child.ts';
import { HAS_WRK, signIn, wrk } from './load.ts';
import { npmStartOf } from './npm-start.ts';
import { benchServer } from './server.ts';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const dirs = process.argv.slice(2).filter((a) => !a.startsWith('--')).map((d) => path.resolve(d));
if (dirs.length !== 2) throw new Error('usage: node bench/side-by-side.ts <checkout A> <checkout B> [--rounds=4] [--seconds=10] [--path=/]');
if (!HAS_WRK) throw new Error("side-by-side needs wrk (Debian's package)");
const rounds = Number(arg('rounds', '4'));
const seconds = Number(arg('seconds', '10'));
const page = arg('path', '/');

const server = await benchServer();

interface Side {
  name: string;
  dir: string;
  db: string;
  port: number;
  child?: ChildProcess;
  cookie?: string;
}
const sides: Side[] = dirs.map((dir, i) => ({ name: 'AB'[i]!, dir, db: `passerelle_side_${randomBytes(4).toString('hex')}`, port: 0 }));

try {
  for (const side of sides) {
    await server.admin(`CREATE DATABASE ${side.db}`);
    side.port = await freePort();
    side.child = await serve(side);
    side.cookie = await signIn(side.port, 'compta', 'superviseur', 'Demo-Passerelle-2026');
  }
  const host = (side: Side) => ({ host: `compta.localhost:${side.port}`, cookie: side.cookie! });
  const both = (s: number) => Promise.all(sides.map((side) => wrk(side.port, page, host(side), { seconds: s, connections: 32, threads: 1 })));
  await both(10); // warm-up: compiled code, sized heaps
  console.log(`side by side: GET ${page}, ${rounds} rounds of ${seconds} s, 32 connections each, ${os.cpus().length} cores\nA ${sides[0]!.dir}\nB ${sides[1]!.dir}`);
  const ratios: number[] = [];
  for (let r = 1; r <= rounds; r++) {
    const before = sides.map((side) => cpuMs(side.child!.pid!));
    const measures = await both(seconds);
    const perPage = sides.map((side, i) => (cpuMs(side.child!.pid!) - before[i]!) / measures[i]!.requests);
    const [a, b] = measures;
    if (a!.errors || b!.errors) throw new Error(`errors: A ${a!.errors}, B ${b!.errors}`);
    ratios.push(perPage[1]! / perPage[0]!);
    console.log(
      `round ${r}: A ${a!.rps.toFixed(0)} req/s, p99 ${a!.p99.toFixed(0)} ms, ${perPage[0]!.toFixed(3)} ms CPU/page | ` +
        `B ${b!.rps.toFixed(0)} req/s, p99 ${b!.p99.toFixed(0)} ms, ${perPage[1]!.toFixed(3)} ms CPU/page | B's CPU/page ${pct(ratios.at(-1)!)}`,
    );
  }
  const sorted = [...ratios].sort((x, y) => x - y);
  const median = (sorted[Math.floor((rounds - 1) / 2)]! + sorted[Math.ceil((rounds - 1) / 2)]!) / 2;
  console.log(`B's CPU per page against A's: median ${pct(median)}, ${ratios.filter((x) => x < 1).length} of ${rounds} rounds lower`);
} finally {
  await stopAll(sides.flatMap((side) => side.child ?? []));
  for (const side of sides) await server.admin(`DROP DATABASE IF EXISTS ${side.db} WITH (FORCE)`);
  await server.stop();
}

function pct(ratio: number): string {
  return `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)} %`;
}

/** The process's user and system CPU time so far, in ms (/proc/<pid>/stat, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function serve(side: Side): Promise<ChildProcess> {
  const { flags, arenas } = npmStartOf(side.dir);
  const env = { DATABASE_URL: server.urlOf(side.db), PORT: String(side.port), MALLOC_ARENA_MAX: arenas };
  return forkReady(path.join(side.dir, 'bench/serve-app.ts'), { cwd: side.dir, env, flags });
}
