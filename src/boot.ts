// Starts Passerelle: database (embedded when DATABASE_URL is unset), migrations, demo data, the
// HTTP server and the mail worker. Returns a handle whose close() shuts it all down in order.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import type { Config } from './config.ts';
import type { AppDeps } from './deps.ts';
import { buildApp } from './app.ts';
import { reconcileStorage } from './modules/documents/reconcile.ts';
import { openDatabaseServer } from './db/open.ts';
import { APP_ROLE, WORKER_ROLE, connectionConfig, createKnex } from './db/knex.ts';
import { migrateLatest } from './db/migrate.ts';
import { createI18n } from './lib/i18n/index.ts';
import type { Logger } from './lib/logger.ts';
import { MailWorker } from './lib/mail/worker.ts';
import { FirmDirectory } from './modules/firms/directory.ts';
import { LoginThrottle } from './modules/auth/throttle.ts';
import type { FeatureModule } from './modules/registry.ts';
import { PRODUCT_MODULES } from './modules/index.ts';
import { loadDemoData } from '../seeds/demo.ts';

export interface Running {
  url: string;
  deps: AppDeps;
  close(): Promise<void>;
}

export async function start(config: Config, log: Logger, modules: FeatureModule[] = PRODUCT_MODULES): Promise<Running> {
  const server = await openDatabaseServer(config, (msg) => log.info(msg));
  const owner = createKnex({ url: server.url, poolMax: 2 });
  const applied = await migrateLatest(owner);
  if (applied.length) log.info({ migrations: applied }, 'migrations applied');
  let demoFirms: string[] = [];
  if (config.demoData) {
    demoFirms = await loadDemoData(owner);
    if (demoFirms.length) log.info({ firms: demoFirms }, 'demo data loaded');
  }
  await owner.destroy();

  const db = createKnex({ url: server.url, role: APP_ROLE, poolMax: config.dbPoolMax });
  const sessionPool = new pg.Pool({ ...connectionConfig(server.url, APP_ROLE), max: Math.max(2, Math.ceil(config.dbPoolMax / 2)) });
  // Without a listener, an idle client's error (a database restart) would kill the process.
  sessionPool.on('error', (err) => log.warn({ err: err.message }, 'session pool: idle client error'));

  const deps: AppDeps = {
    config,
    db,
    sessionPool,
    log,
    i18n: await createI18n(),
    firms: new FirmDirectory(db, config.baseDomain, config.defaultFirm),
    throttle: new LoginThrottle(sessionPool, config.loginDelayMs),
    modules,
  };
  await deps.firms.refresh();
  // The demo's documents go through the app's own file store, once, with the firms that need them.
  if (demoFirms.length) {
    await (await import('../seeds/demoDossiers.ts')).loadDemoDossiers(deps, demoFirms);
    await (await import('../seeds/demoMail.ts')).loadDemoMail(deps, demoFirms);
  }
  // Files left by a crash (stored without their row, or half-written) go, in the background.
  void reconcileStorage(deps).then(
    (r) => (r.orphans || r.temporaries || r.stamped) && log.info(r, 'file storage: leftovers of a crash and old stamped copies removed'),
    (err: unknown) => log.warn({ err }, 'file storage: reconciliation failed'),
  );

  // Always running: a firm may have its own SMTP server even when the platform has none.
  const workerDb = createKnex({ url: server.url, role: WORKER_ROLE, poolMax: 2 });
  const worker = new MailWorker(workerDb, { smtpUrl: config.smtpUrl, from: config.mailFrom, secret: config.sessionSecret, log, pollMs: config.mailPollMs, allowPrivateHosts: config.firmSmtpPrivateHosts });
  worker.start();
  if (!config.smtpUrl) log.info("no SMTP_URL: emails of firms without their own server are kept in the outbox (see /dev/mail in development)");

  const httpServer = http.createServer(buildApp(deps));
  httpServer.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, resolve);
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://localhost:${port}`;
  log.info({ url }, 'Passerelle is listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    deps,
    close() {
      closing ??= (async () => {
        // Stop accepting, let requests in flight finish (10 s at most), then release everything.
        const drained = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        httpServer.closeIdleConnections();
        const timer = setTimeout(() => httpServer.closeAllConnections(), 10_000);
        await drained;
        clearTimeout(timer);
        // A client that hung up leaves its request running: let its queries end before the pool does.
        await settled(db, 5_000);
        await worker?.stop();
        await workerDb?.destroy();
        await db.destroy();
        await sessionPool.end();
        await server.stop();
        log.info('Passerelle stopped');
      })();
      return closing;
    },
  };
}

/** Resolves once no query holds or waits for one of the pool's connections (or after `ms`). */
async function settled(db: ReturnType<typeof createKnex>, ms: number): Promise<void> {
  const pool = (db.client as { pool?: { numUsed(): number; numPendingAcquires(): number } }).pool;
  const until = Date.now() + ms;
  while (pool && pool.numUsed() + pool.numPendingAcquires() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
}
