import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort } from '../support/ports.ts';
import { ROOT, cleanEnv, exited, get, waitFor } from '../support/process.ts';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

describe('npm start, on the embedded PostgreSQL', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-smoke-'));
  fs.chmodSync(dataDir, 0o755); // reachable by the postgres user, so the cluster lives here
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('serves /healthz and /login with demo data, and stops everything on SIGTERM', async () => {
    const [port, pgPort] = [await freePort(), await freePort()];
    const env = cleanEnv({ DATA_DIR: dataDir, PORT: String(port), EMBEDDED_PG_PORT: String(pgPort), LOG_LEVEL: 'warn', NODE_ENV: 'development' });
    const app = spawn(NPM, ['start'], { cwd: ROOT, env, stdio: 'ignore' });
    try {
      await waitFor(async () => (await get(port, '/healthz')) === 200, 60_000, '/healthz');
      assert.equal(await get(port, '/login'), 200);
      assert.equal(await get(port, '/login', `diag.localhost:${port}`), 200);
      app.kill('SIGTERM');
      const code = await Promise.race([exited(app), new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
      assert.equal(code, 0, 'npm start exits cleanly on SIGTERM');
      assert.equal(await portOpen(pgPort), false, 'the embedded PostgreSQL is stopped');
      assert.equal(fs.existsSync(path.join(dataDir, 'postgres', 'PG_VERSION')), true, 'the data lives in DATA_DIR');
      assert.equal(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid')), false, 'and the server is shut down');
    } finally {
      app.kill('SIGKILL');
    }
  });

  it('reaps the PostgreSQL left by a killed run and serves again', async () => {
    const [port, pgPort] = [await freePort(), await freePort()];
    const env = cleanEnv({ DATA_DIR: dataDir, PORT: String(port), EMBEDDED_PG_PORT: String(pgPort), LOG_LEVEL: 'warn', NODE_ENV: 'development' });
    const node = path.join(ROOT, 'node_modules/.bin/node');
    const first = spawn(node, ['src/server.ts'], { cwd: ROOT, env, stdio: 'ignore' });
    await waitFor(async () => (await get(port, '/healthz')) === 200, 60_000, 'first start');
    first.kill('SIGKILL');
    await exited(first);
    assert.equal(await portOpen(pgPort), true, 'the killed run left its PostgreSQL behind');
    const second = spawn(node, ['src/server.ts'], { cwd: ROOT, env, stdio: 'ignore' });
    try {
      await waitFor(async () => (await get(port, '/healthz')) === 200, 60_000, 'second start');
      assert.equal(await get(port, '/login'), 200);
      second.kill('SIGTERM');
      assert.equal(await exited(second), 0);
      assert.equal(await portOpen(pgPort), false);
    } finally {
      second.kill('SIGKILL');
    }
  });
});
