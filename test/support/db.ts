// Each test file works in its own database, copied from the migrated template that test/run.ts made.
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import pg from 'pg';
import { createKnex, APP_ROLE } from '../../src/db/knex.ts';

export interface TestDatabase {
  url: string;
  /** The schema owner (the DATABASE_URL user). */
  owner: Knex;
  /** Connected as the app role, under row-level security, like the app. */
  asApp: Knex;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.PASSERELLE_TEST_ADMIN_URL;
  const template = process.env.PASSERELLE_TEST_TEMPLATE;
  if (!adminUrl || !template) throw new Error('Run the tests with `npm test` (test/run.ts prepares the database).');
  const name = `${template}_${randomBytes(4).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name} TEMPLATE ${template}`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const owner = createKnex({ url, poolMax: 2 });
  const asApp = createKnex({ url, role: APP_ROLE, poolMax: 2 });
  return {
    url,
    owner,
    asApp,
    async drop() {
      await owner.destroy();
      await asApp.destroy();
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** One statement on its own connection, as the server's admin (CREATE or DROP DATABASE). */
export async function adminQuery(url: string, sql: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
