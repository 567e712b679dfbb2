// A real Passerelle on a free port, on its own database with the demo data, as `npm start` runs it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { start, type Running } from '../../src/boot.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger, type Logger } from '../../src/lib/logger.ts';
import type { FeatureModule } from '../../src/modules/registry.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { freePort } from './ports.ts';
import { Client } from './http.ts';
import { startSmtp, type TestSmtp } from './smtp.ts';

export interface TestApp {
  port: number;
  /** Where this app stores uploaded files (a temporary folder, removed at close). */
  filesDir: string;
  running: Running;
  db: TestDatabase;
  /** A fresh cookie jar on a firm's host (`compta`, `diag`, or `localhost` for the default firm). */
  client(firm?: string): Client;
  /** A client signed in as `who`, having opened `landing` (which gives it a CSRF token for its forms). */
  signedIn(who: string, firm?: string, landing?: string): Promise<Client>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Run on this database (kept at close) instead of a fresh one. */
  database?: TestDatabase;
  env?: Record<string, string>;
  modules?: FeatureModule[];
  /** Where the app logs (silent unless TEST_LOG_LEVEL is set). */
  logger?: Logger;
}

export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const db = opts.database ?? (await createTestDatabase());
  const port = await freePort();
  const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-files-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    PUBLIC_URL: `http://localhost:${port}`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    LOGIN_DELAY_MS: '50',
    MAIL_POLL_MS: '100',
    DB_POOL_MAX: '4',
    FILES_DIR: filesDir,
    ...opts.env,
  });
  const running = await start(config, opts.logger ?? createLogger(config.logLevel), opts.modules);
  const client = (firm = 'compta') => new Client(port, firm === 'localhost' ? 'localhost' : `${firm}.localhost`);
  return {
    port,
    filesDir,
    running,
    db,
    client,
    async signedIn(who: string, firm = 'compta', landing = '/account') {
      const c = client(firm);
      const res = await c.login(who);
      if (res.status !== 303) throw new Error(`${who} could not sign in on ${firm} (${res.status})`);
      await c.get(landing);
      return c;
    },
    async close() {
      await running.close();
      if (!opts.database) await db.drop();
      fs.rmSync(filesDir, { recursive: true, force: true });
    },
  };
}

/** An app whose mail goes out, through its worker, to a real SMTP server started with it. */
export async function startTestAppWithSmtp(opts: TestAppOptions = {}): Promise<{ app: TestApp; smtp: TestSmtp; close(): Promise<void> }> {
  const smtp = await startSmtp();
  const app = await startTestApp({ ...opts, env: { ...opts.env, SMTP_URL: smtp.url } });
  return {
    app,
    smtp,
    async close() {
      await app.close();
      await smtp.close();
    },
  };
}

/** Inside a describe: one app with its SMTP server for the whole suite, stopped after it. */
export function suiteAppWithSmtp(opts: TestAppOptions = {}): { readonly app: TestApp; readonly smtp: TestSmtp } {
  let started: Awaited<ReturnType<typeof startTestAppWithSmtp>> | undefined;
  before(async () => {
    started = await startTestAppWithSmtp(opts);
  });
  after(() => started?.close());
  return {
    get app() {
      return started!.app;
    },
    get smtp() {
      return started!.smtp;
    },
  };
}
