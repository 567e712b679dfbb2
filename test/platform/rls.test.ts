import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { startTestApp, type TestApp } from '../support/app.ts';
import { firmId } from '../support/firmdb.ts';
import { compileRead, queryBuilder, readAsPerson, setFirm, withFirm } from '../../src/db/withFirm.ts';

const FIRM_TABLES = ['users', 'password_tokens', 'mail_outbox', 'activity_log', 'firm_logos'];

describe('row-level security walls firms off in the database', () => {
  let app: TestApp;
  let compta: string;
  let diag: string;
  before(async () => {
    app = await startTestApp();
    compta = await firmId(app.db.owner, 'compta');
    diag = await firmId(app.db.owner, 'diag');
  });
  after(() => app.close());

  it('has RLS enabled and forced, with a firm policy, on every table that has a firm_id', async () => {
    const { rows } = await app.db.owner.raw(`
      SELECT c.relname AS table, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
             EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname
                     AND p.qual LIKE '%app_current_firm()%' AND p.with_check LIKE '%app_current_firm()%') AS has_policy
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r'
         AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'firm_id' AND NOT a.attisdropped)
       ORDER BY 1`);
    const tables = rows as { table: string; enabled: boolean; forced: boolean; hasPolicy: boolean }[];
    assert.ok(tables.length >= FIRM_TABLES.length, 'the firm-owned tables are found');
    const unwalled = tables.filter((t) => !t.enabled || !t.forced || !t.hasPolicy).map((t) => t.table);
    assert.deepEqual(unwalled, [], `tables without forced row-level security and a firm policy: ${unwalled.join(', ')}`);
  });

  it('closes every firm-owned table to the management centre unless a policy says what it may see', async () => {
    // Deny by default: a table must have a restrictive policy naming the centre, or one that
    // limits every person to their own rows (app_current_user()).
    const { rows } = await app.db.owner.raw(`
      SELECT c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r'
         AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'firm_id' AND NOT a.attisdropped)
         AND NOT EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname AND p.permissive = 'RESTRICTIVE'
                         AND (coalesce(p.qual, '') || coalesce(p.with_check, '')) ~ 'app_is_centre\\(\\)|app_current_user\\(\\)')
       ORDER BY 1`);
    assert.deepEqual((rows as { table: string }[]).map((r) => r.table), [], 'tables open to the centre without a policy');
  });

  it('puts firm_id in every unique key and every foreign key between firm-owned tables', async () => {
    const { rows: uniques } = await app.db.owner.raw(`
      SELECT c.relname AS table, i.relname AS index
        FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND x.indisunique
         AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'firm_id')
         AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'firm_id' AND a.attnum = ANY (x.indkey))`);
    assert.deepEqual(uniques, []);
    const { rows: fks } = await app.db.owner.raw(`
      SELECT c.conname AS constraint
        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
       WHERE c.contype = 'f' AND r.relname <> 'firms'
         AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attname = 'firm_id')
         AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attname = 'firm_id' AND a.attnum = ANY (c.conkey))`);
    assert.deepEqual(fks, []);
  });

  it('shows the app role no row at all when no firm is set', async () => {
    for (const table of FIRM_TABLES) {
      const rows = (await app.db.asApp(table).count('* as count')) as { count: string }[];
      assert.equal(Number(rows[0]?.count), 0, `${table} leaks rows without a firm`);
    }
    const all = (await app.db.owner('users').count('* as count')) as { count: string }[];
    assert.ok(Number(all[0]?.count) >= 6, 'the demo users exist (the owner of the embedded cluster is a superuser)');
  });

  it("shows the app role only the rows of the firm set, and refuses to write another firm's rows", async () => {
    await app.db.asApp.transaction(async (trx) => {
      await setFirm(trx, compta);
      const firms = await trx('users').distinct('firmId');
      assert.deepEqual(firms.map((r) => r.firmId), [compta]);
      await assert.rejects(
        trx('users').insert({ firmId: diag, role: 'collaborator', identifier: 'intrus' }),
        /row-level security/,
      );
    });
    await app.db.asApp.transaction(async (trx) => {
      await setFirm(trx, compta);
      const changed = await trx('firms').where({ id: diag }).update({ name: 'Piraté' });
      assert.equal(changed, 0, "another firm's settings cannot be changed");
      await assert.rejects(trx('firms').insert({ slug: 'nouveau', name: 'Nouveau' }), /permission denied/);
    });
    await app.db.asApp.transaction(async (trx) => {
      await setFirm(trx, compta);
      await assert.rejects(trx('firms').where({ id: compta }).delete(), /permission denied/);
    });
  });

  it('runs the app as a role that is no superuser, owns no table and cannot bypass RLS, although DATABASE_URL names a superuser', async () => {
    const { rows: who } = await app.running.deps.db.raw('SELECT current_user AS me, session_user AS login');
    assert.equal(who[0].me, 'passerelle_app');
    const { rows: login } = await app.db.owner.raw('SELECT rolsuper FROM pg_roles WHERE rolname = session_user');
    assert.equal(login[0].rolsuper, true, 'the test DATABASE_URL names a superuser');
    const { rows: role } = await app.db.owner.raw(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'passerelle_app'`);
    assert.deepEqual(role[0], { rolsuper: false, rolbypassrls: false });
    const { rows: owned } = await app.db.owner.raw(`SELECT tablename FROM pg_tables WHERE tableowner IN ('passerelle_app', 'passerelle_worker')`);
    assert.deepEqual(owned, []);
  });

  it('withFirm scopes the work to its firm, keeps all of it or nothing, and gives the connection back', async () => {
    const db = app.db.asApp; // a pool of 2 connections: a leaked one would stall the loop below
    const seen = await withFirm(db, compta, (trx) => trx('users').distinct('firmId'));
    assert.deepEqual(seen.map((r) => r.firmId), [compta]);
    const before = await withFirm(db, compta, (trx) => trx('activityLog').count({ n: '*' }).first());
    for (let i = 0; i < 5; i++) {
      await assert.rejects(
        withFirm(db, compta, async (trx) => {
          await trx('activityLog').insert({ firmId: compta, action: 'test.partial' });
          await trx.raw('SELECT 1 / 0');
        }),
        /division by zero/,
      );
      await assert.rejects(withFirm(db, compta, (trx) => trx('users').insert({ firmId: diag, role: 'collaborator', identifier: 'intrus' })), /row-level security/);
    }
    const afterwards = await withFirm(db, compta, (trx) => trx('activityLog').count({ n: '*' }).first());
    assert.equal(afterwards?.n, before?.n, 'nothing of the failed transactions was kept');
    await assert.rejects(withFirm(db, "compta' OR true --", async () => 1), /invalid firm id/);
  });

  it('readAsPerson reads as the person in one statement, escapes its values, and leaves nothing on the connection', async () => {
    const db = app.db.asApp; // 2 connections: each prepares the statement once, and a leaked one would stall
    const { rows: people } = await app.db.owner.raw(`SELECT id::text AS id, role FROM users WHERE firm_id = ? AND identifier IN ('client', 'superviseur') ORDER BY identifier`, [compta]);
    const [contact, supervisor] = people as { id: string; role: 'contact' | 'supervisor' }[];
    const trx = queryBuilder(db);
    const read = (person: { id: string; role: 'contact' | 'supervisor' }, identifier: string) =>
      readAsPerson<{ identifier: string; firmId: string; me: string }>({ db }, { id: compta }, person, compileRead(
        trx('users').select('identifier', 'firmId', trx.raw('app_current_user()::text AS me')).where({ identifier }),
      ));
    for (let i = 0; i < 4; i++) {
      assert.deepEqual(await read(supervisor!, 'collaborateur'), [{ identifier: 'collaborateur', firmId: compta, me: supervisor!.id }]);
      assert.deepEqual(await read(contact!, 'client'), [{ identifier: 'client', firmId: compta, me: contact!.id }]);
      assert.deepEqual(await read(supervisor!, "x' OR true --"), [], 'a value is a literal, never SQL');
      assert.deepEqual(await readAsPerson({ db }, { id: diag }, supervisor!, compileRead(trx('users').select('id').where({ id: supervisor!.id }))), [], "another firm's row");
      await assert.rejects(readAsPerson({ db }, { id: compta }, supervisor!, compileRead(trx.raw('SELECT 1 / (count(*) - count(*)) FROM users WHERE firm_id = ?', [compta]))), /division by zero/);
    }
    // The settings ended with the statement's implicit transaction, on both connections.
    const both = await onEachConnection(db, `SELECT current_setting('app.firm_id', true) AS firm, (SELECT count(*) FROM users) AS n, pg_backend_pid() AS pid`);
    const settings = both.map((rows) => rows[0] as { firm: string | null; n: string; pid: number });
    assert.notEqual(settings[0]!.pid, settings[1]!.pid, 'both connections checked');
    assert.deepEqual(settings.map((r) => [r.firm ?? '', Number(r.n)]), [['', 0], ['', 0]]);
    await assert.rejects(readAsPerson({ db }, { id: compta }, { id: "1' OR true", role: 'supervisor' }, compileRead(trx('users'))), /invalid person/);
    // Both connections forget their prepared statements (as a pooler's reset would): reads go on.
    await onEachConnection(db, 'DEALLOCATE ALL');
    for (let i = 0; i < 4; i++) {
      const both = await Promise.all([read(supervisor!, 'collaborateur'), read(supervisor!, 'collaborateur')]); // on both connections
      for (const rows of both) assert.deepEqual(rows, [{ identifier: 'collaborateur', firmId: compta, me: supervisor!.id }]);
    }
    const left = await onEachConnection(db, `SELECT current_setting('app.firm_id', true) AS firm, current_setting('app.user_id', true) AS "user"`);
    assert.deepEqual(left.map((rows) => [rows[0]!.firm ?? '', rows[0]!.user ?? '']), [['', ''], ['', '']], 'nothing left after reads on both connections');
  });

  it('readAsPerson plans its statement once per connection, never again per read, for any firm', async () => {
    const db = app.db.asApp;
    const trx = queryBuilder(db);
    const read = compileRead(trx('users').count({ n: '*' }).where({ firmId: trx.raw('app_current_firm()'), active: true }));
    const supervisorOf = async (firm: string) => ({ id: String((await app.db.owner('users').where({ firmId: firm, identifier: 'superviseur' }).first('id'))!.id), role: 'supervisor' as const });
    const people = [{ firm: compta, person: await supervisorOf(compta) }, { firm: diag, person: await supervisorOf(diag) }];
    // Left to choose, PostgreSQL would plan each of the first five runs for their values (custom plans).
    for (let i = 0; i < 8; i++) for (const { firm, person } of people) await readAsPerson({ db }, { id: firm }, person, read);
    const plans = (await onEachConnection(db, `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = '${read.name}'`)).flat() as { generic_plans: string; custom_plans: string }[];
    assert.equal(plans.reduce((sum, p) => sum + Number(p.generic_plans), 0), 16, 'each read ran on the generic plan');
    assert.equal(plans.reduce((sum, p) => sum + Number(p.custom_plans), 0), 0, 'no read was planned for its values');
    const left = await onEachConnection(db, `SELECT current_setting('plan_cache_mode') AS mode`);
    assert.deepEqual(left.map((rows) => rows[0]!.mode), ['auto', 'auto'], 'the setting ended with each read');
  });
});

type PoolConnection = { query(sql: string): Promise<{ rows: Record<string, unknown>[] }> };

/** Runs `sql` on each of the pool's two connections, both held at once, so neither can serve twice. */
async function onEachConnection(db: Knex, sql: string): Promise<Record<string, unknown>[][]> {
  const pool = db.client as { acquireConnection(): Promise<PoolConnection>; releaseConnection(conn: PoolConnection): Promise<void> };
  const held = [await pool.acquireConnection(), await pool.acquireConnection()];
  try {
    return await Promise.all(held.map(async (conn) => (await conn.query(sql)).rows));
  } finally {
    for (const conn of held) await pool.releaseConnection(conn);
  }
}
