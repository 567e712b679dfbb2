// `npm run bench [login|home|clients|clients-list|clients-page-400|clients-search|mail-list|outbox]`: load on loopback against the app and a raw node:http + pg baseline
// doing the same database work, both on the same PostgreSQL, in the same run. Ratios hold on a
// shared, noisy machine where absolute figures do not. `outbox` is no page: the mail worker sending
// to a local SMTP server (bench/outbox.ts).
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { freePort } from '../test/support/ports.ts';
import { NPM_START } from './npm-start.ts';
import { forkReady, stopAll } from './child.ts';
import { HAS_WRK, request, signIn, wrk, type Measure } from './load.ts';
import { benchServer } from './server.ts';
import { benchOutbox, printOutbox, type OutboxResult } from './outbox.ts';
import { benchSlug, seedClients } from './seed-clients.ts';
import { seedMail } from './seed-mail.ts';

const CONNECTIONS = 32;
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
// Each target is loaded this long before it is measured: a fresh process spends its first seconds
// compiling hot code and sizing its heap (the home page's p99 falls from ~45 to ~35 ms over its
// first 20 s; bench/README.md), and what users meet is a server that has been up for days.
const WARMUP_S = Number(process.env.BENCH_WARMUP_SECONDS ?? 10);
// wrk when installed (HAS_WRK), otherwise autocannon, from npm.

interface Target {
  name: string;
  path: string;
  /** The firm whose host the requests name (compta by default). */
  firm?: string;
  /** Who signs in on that firm (its supervisor by default). */
  user?: string;
  cookie?: string;
  minRatio?: number;
  maxP99Ms?: number;
}

const only = process.argv[2];
const dir = path.dirname(new URL(import.meta.url).pathname);

const server = await benchServer();
const { adminUrl } = server;
const dbName = `passerelle_bench_${randomBytes(4).toString('hex')}`;
await server.admin(`CREATE DATABASE ${dbName}`);
const dbUrl = server.urlOf(dbName);

const children: ChildProcess[] = [];
try {
  const appPort = await freePort();
  const basePort = await freePort();
  // The client list at scale (issue 3): 1,000,000 clients over 100 firms, seeded before the app
  // starts so that its firm directory knows them. The list of one firm of 10,000 clients is measured.
  const clientsFirm = benchSlug(1);
  const wanted = (name: string) => !only || name === only || (['clients', 'mail-list'].includes(only) && name.startsWith(`${only}-`));
  if (['clients-list', 'clients-page-400', 'clients-search'].some(wanted)) {
    const seeded = await seedClients(dbUrl, { log: (m) => console.log(m) });
    console.log(`seed: ${seeded.clients.toLocaleString('en')} clients over ${seeded.firms} firms in ${(seeded.ms / 1000).toFixed(1)} s`);
  }
  // "Nouveaux courriers" (issue 5): 200,000 mails in the firm of the client list (seeded first if
  // needed), the list of one of its collaborators, sorted and filtered.
  if (['mail-list-newest', 'mail-list-name-to-answer', 'mail-list-question'].some(wanted)) {
    const seeded = await seedMail(dbUrl, { log: (m) => console.log(m) });
    console.log(`seed: ${seeded.mails.toLocaleString('en')} mails in ${seeded.firmSlug} in ${(seeded.ms / 1000).toFixed(1)} s`);
  }

  const targets: Target[] = [
    { name: 'login', path: '/login' },
    { name: 'home', path: '/', minRatio: 0.3, maxP99Ms: 40 },
    { name: 'clients-list', path: '/clients?sort=name', firm: clientsFirm, minRatio: 0.3, maxP99Ms: 40 },
    { name: 'clients-page-400', path: '/clients?sort=name&page=400', firm: clientsFirm, minRatio: 0.3, maxP99Ms: 40 },
    { name: 'clients-search', path: '/clients?q=lefevre', firm: clientsFirm, maxP99Ms: 40 },
    { name: 'mail-list-newest', path: '/mail', firm: clientsFirm, user: 'collaborateur1', minRatio: 0.3, maxP99Ms: 40 },
    { name: 'mail-list-name-to-answer', path: '/mail?sort=name&filter=toAnswer', firm: clientsFirm, user: 'collaborateur1', minRatio: 0.3, maxP99Ms: 40 },
    { name: 'mail-list-question', path: '/mail?sort=newest&type=question', firm: clientsFirm, user: 'collaborateur1', minRatio: 0.3, maxP99Ms: 40 },
  ].filter((t) => wanted(t.name));

  const rows = [];
  if (targets.length) {
    // The app as `npm start` runs it (package.json: its V8 flag and malloc's arenas), unless
    // BENCH_APP_FLAGS gives other Node flags to compare (e.g. "--max-semi-space-size=16 --trace-gc").
    const appFlags = process.env.BENCH_APP_FLAGS?.split(' ').filter(Boolean) ?? NPM_START.flags;
    await startChild('serve-app.ts', { DATABASE_URL: dbUrl, PORT: String(appPort), MALLOC_ARENA_MAX: NPM_START.arenas }, appFlags);
    await startChild('baseline.ts', { DATABASE_URL: dbUrl, PORT: String(basePort) });
    for (const t of targets) if (t.name !== 'login') t.cookie = await signIn(appPort, t.firm ?? 'compta', t.user ?? 'superviseur', 'Demo-Passerelle-2026');
    // wrk counts a redirect (to /login) as a success: each page must answer 200 before it is measured.
    for (const t of targets) {
      for (const port of [basePort, appPort]) {
        const res = await request(port, t.firm ?? 'compta', 'GET', t.path, t.cookie);
        if (res.status !== 200) throw new Error(`${t.name}: ${t.path} answered ${res.status} on port ${port}`);
      }
    }
    for (const t of targets) {
      const base = await load(basePort, t);
      const app = await load(appPort, t);
      rows.push({ t, base, app });
    }
  }
  const outbox = wanted('outbox') ? await benchOutbox(adminUrl, { log: (m) => console.log(m) }) : [];
  report(rows, outbox);
} finally {
  await stopAll(children);
  await server.admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await server.stop();
}

async function load(port: number, t: Target): Promise<Measure> {
  const headers: Record<string, string> = { host: `${t.firm ?? 'compta'}.localhost:${port}` };
  if (t.cookie) headers.cookie = t.cookie;
  if (HAS_WRK) {
    const wrkOpts = { connections: CONNECTIONS, threads: 2 };
    await wrk(port, t.path, headers, { ...wrkOpts, seconds: WARMUP_S });
    return wrk(port, t.path, headers, { ...wrkOpts, seconds: DURATION_S });
  }
  const opts = { url: `http://127.0.0.1:${port}${t.path}`, connections: CONNECTIONS, headers };
  await autocannon({ ...opts, duration: WARMUP_S });
  const r = await autocannon({ ...opts, duration: DURATION_S });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx };
}

function report(rows: { t: Target; base: Measure; app: Measure }[], outbox: OutboxResult[]) {
  const width = Math.max(22, ...rows.map(({ t }) => `${t.name} (Passerelle)`.length + 2));
  const line = (cells: (string | number)[]) => cells.map((c, i) => String(c).padEnd(i === 0 ? width : i === 6 ? 15 : 11)).join('');
  const out = [
    `Passerelle benchmarks — ${HAS_WRK ? 'wrk' : 'autocannon'}, ${CONNECTIONS} connections, ${DURATION_S} s each, ${os.cpus().length} cores, Node ${process.version}`,
    line(['target', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'ratio', 'goal', 'verdict']),
  ];
  let failed = false;
  for (const { t, base, app } of rows) {
    const ratio = app.rps / base.rps;
    out.push(line([`${t.name} (baseline)`, base.rps.toFixed(0), base.p50.toFixed(1), base.p99.toFixed(1), base.errors, '', '', '']));
    const goals = [t.minRatio ? `≥${Math.round(t.minRatio * 100)}%` : '', t.maxP99Ms ? `p99≤${t.maxP99Ms}` : ''].filter(Boolean).join(' ');
    const ok = (!t.minRatio || ratio >= t.minRatio) && (!t.maxP99Ms || app.p99 <= t.maxP99Ms) && app.errors === 0;
    if (!ok) failed = true;
    out.push(line([`${t.name} (Passerelle)`, app.rps.toFixed(0), app.p50.toFixed(1), app.p99.toFixed(1), app.errors, `${(ratio * 100).toFixed(0)}%`, goals || '—', goals ? (ok ? 'PASS' : 'FAIL') : '']));
  }
  if (!rows.length) out.length = 0;
  if (outbox.length) {
    out.push(...printOutbox(outbox));
    if (outbox.some((r) => !r.ok)) failed = true;
  }
  process.stdout.write(out.join('\n') + '\n');
  fs.mkdirSync(path.join(dir, 'results'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'results', 'latest.json'), JSON.stringify([...rows.map(({ t, base, app }) => ({ target: t.name, base, app })), ...outbox.map((r) => ({ target: 'outbox', ...r }))], null, 2));
  if (failed) process.exitCode = 1;
}

async function startChild(file: string, env: Record<string, string>, flags: string[] = []): Promise<void> {
  children.push(await forkReady(path.join(dir, file), { env, flags }));
}
