// The PostgreSQL a benchmark runs on: the one DATABASE_URL names, or an embedded cluster in a
// temporary folder, removed at stop().
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { adminQuery } from '../test/support/db.ts';
import { freePort } from '../test/support/ports.ts';

export interface BenchServer {
  adminUrl: string;
  /** Runs one statement as the server's admin (CREATE / DROP DATABASE). */
  admin(sql: string): Promise<void>;
  /** The URL of one database of this server. */
  urlOf(database: string): string;
  stop(): Promise<void>;
}

export async function benchServer(): Promise<BenchServer> {
  let adminUrl = process.env.DATABASE_URL;
  let stop = async () => {};
  if (!adminUrl) {
    const clusterDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-bench-'));
    fs.chmodSync(clusterDir, 0o755);
    const embedded = await startEmbeddedPostgres({ dataDir: clusterDir, port: await freePort(), database: 'postgres', log: () => {} });
    adminUrl = embedded.url;
    stop = async () => {
      await embedded.stop();
      fs.rmSync(clusterDir, { recursive: true, force: true });
    };
  }
  const url = adminUrl;
  return {
    adminUrl: url,
    admin: (sql: string) => adminQuery(url, sql),
    urlOf: (database: string) => Object.assign(new URL(url), { pathname: `/${database}` }).toString(),
    stop,
  };
}
