// `npm test` after tsc: one PostgreSQL for the whole run (TEST_DATABASE_URL, or an embedded cluster
// in the temp folder), one migrated template database, and each test file gets its own copy of it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { isAlive, startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded.ts';
import { createKnex } from '../src/db/knex.ts';
import { migrateLatest } from '../src/db/migrate.ts';
import { freePort } from './support/ports.ts';

const files = process.argv.slice(2);
let embedded: EmbeddedPostgres | undefined;
let adminUrl = process.env.TEST_DATABASE_URL;
// Each run gets its own cluster, so that two runs at once (two checkouts, CI beside a developer)
// never share, or stop, each other's server. Clusters of runs that were killed are removed first.
const CLUSTER_PREFIX = 'passerelle-test-run-';
const clusterDir = path.join(os.tmpdir(), `${CLUSTER_PREFIX}${process.pid}`);
if (!adminUrl) {
  await removeClustersOfDeadRuns();
  embedded = await startEmbeddedPostgres({ dataDir: clusterDir, port: await freePort(), database: 'postgres', log: () => {} });
  adminUrl = embedded.url;
}

const template = `passerelle_tpl_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${template}`);
const owner = createKnex({ url: withDatabase(adminUrl, template), poolMax: 1 });
await migrateLatest(owner);
await owner.destroy();

// Screenshots of this run only (the browser tests write them, several files at once).
fs.rmSync(path.join(import.meta.dirname, '../test-results/screenshots'), { recursive: true, force: true });

const testFiles = files.length ? files : listTests(path.join(import.meta.dirname));
const child = spawn(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=120000', ...testFiles], {
  stdio: 'inherit',
  env: { ...process.env, PASSERELLE_TEST_ADMIN_URL: adminUrl, PASSERELLE_TEST_TEMPLATE: template },
});
const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));

// Drop the template and whatever a crashed test file left behind.
const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`, [`${template}_%`, template]);
for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
await admin.end();
await embedded?.stop();
if (embedded) fs.rmSync(clusterDir, { recursive: true, force: true });
process.exit(code);

async function removeClustersOfDeadRuns() {
  for (const name of fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(CLUSTER_PREFIX))) {
    const pid = Number(name.slice(CLUSTER_PREFIX.length));
    if (pid === process.pid || isAlive(pid)) continue;
    const pidFile = path.join(os.tmpdir(), name, 'postgres', 'postmaster.pid');
    const postmaster = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]) : 0;
    if (postmaster > 0 && isAlive(postmaster)) {
      process.kill(postmaster, 'SIGQUIT');
      for (let i = 0; i < 50 && isAlive(postmaster); i++) await new Promise((r) => setTimeout(r, 100));
    }
    fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

function listTests(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => path.join(dir, f));
}
