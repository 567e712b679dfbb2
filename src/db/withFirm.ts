import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { camelizeRow } from './knex.ts';
import type { Role } from './tables.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * What work inside a firm's transaction may use: `trx('table')`, `trx.raw`, `trx.fn`. A knex
 * transaction is one too (firm creation and tests scope theirs with setFirm).
 */
export type FirmTrx = Knex.Table & Pick<Knex, 'raw' | 'fn'>;

type PgConnection = {
  query(sql: string | { name: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, unknown>[] }>;
  __knex__disposed?: unknown;
};
const CONNECTION = Symbol('connection');
type PoolClient = { acquireConnection(): Promise<PgConnection>; releaseConnection(conn: PgConnection): Promise<void> };

/**
 * The person a transaction works for. The database narrows what some roles see on top of the firm
 * (a contact sees only the folders and files their permissions open: see the documents migration).
 */
export interface Person {
  id: string;
  role: Role;
}
const ROLES = new Set<string>(['supervisor', 'collaborator', 'contact', 'centre']);

/**
 * Runs `work` in a transaction scoped to one firm: row-level security shows and accepts only that
 * firm's rows. Every database access to firm-owned data goes through here.
 *
 * Runs on every request, so it skips knex's transaction machinery (it builds a whole knex instance
 * per transaction, about 40 % of a page's database CPU): one pooled connection, BEGIN and the firm
 * in one round trip, the queries bound to that connection, then COMMIT or ROLLBACK.
 */
export async function withFirm<T>(db: Knex, firmId: string, work: (trx: FirmTrx) => Promise<T>, person?: Person): Promise<T> {
  if (!UUID.test(firmId)) throw new Error('withFirm: invalid firm id');
  if (person && !(/^\d{1,18}$/.test(person.id) && ROLES.has(person.role))) throw new Error('withFirm: invalid person');
  const pool = db.client as PoolClient;
  const conn = await pool.acquireConnection();
  try {
    // Inlined, not bound: a simple query may hold two statements but no parameters. Checked above.
    const who = person ? `, set_config('app.user_id', '${person.id}', true), set_config('app.role', '${person.role}', true)` : '';
    await conn.query(`BEGIN; SELECT set_config('app.firm_id', '${firmId}', true)${who}`);
    const trx = Object.assign((table: string) => db(table).connection(conn), {
      raw: (sql: string, bindings?: Knex.RawBinding[] | Knex.ValueDict) => (bindings === undefined ? db.raw(sql) : db.raw(sql, bindings)).connection(conn),
      fn: db.fn,
      [CONNECTION]: conn,
    }) as unknown as FirmTrx;
    let result: T;
    try {
      result = await work(trx);
    } catch (err) {
      await conn.query('ROLLBACK').catch((rollbackError: unknown) => {
        conn.__knex__disposed = rollbackError; // the pool drops it instead of reusing a broken transaction
      });
      throw err;
    }
    await conn.query('COMMIT');
    return result;
  } finally {
    await pool.releaseConnection(conn);
  }
}

/**
 * Runs `work` in the firm's transaction as `person`: the database applies their role's limits on
 * top of the firm's (a contact's folders, the centre's mail). What every service calls.
 */
export function asPerson<T>(deps: { db: Knex }, firm: { id: string }, person: Person, work: (trx: FirmTrx) => Promise<T>): Promise<T> {
  return withFirm(deps.db, firm.id, work, { id: person.id, role: person.role });
}

/** Scopes the rest of an open knex transaction to one firm. */
export async function setFirm(trx: Knex.Transaction, firmId: string): Promise<void> {
  if (!UUID.test(firmId)) throw new Error('setFirm: invalid firm id');
  await trx.raw(`SELECT set_config('app.firm_id', ?, true)`, [firmId]);
}

type Results<T extends readonly (() => unknown)[]> = { -readonly [K in keyof T]: T[K] extends () => infer R ? Awaited<R> : never };

/**
 * Runs queries of one firm transaction one after another. They share one connection, which runs one
 * query at a time anyway: Promise.all on it only queues them inside pg, which pg 9 will refuse.
 */
export async function inTurn<T extends readonly (() => unknown)[]>(...steps: T): Promise<Results<T>> {
  const out: unknown[] = [];
  for (const step of steps) out.push(await step());
  return out as Results<T>;
}

/**
 * Runs a query as a named prepared statement on the transaction's connection: PostgreSQL plans it
 * once per connection instead of at every call. For a big statement run on every page (the home
 * page's: planning its subqueries and their row-level security took 3–5 ms, running it 0.2 ms).
 * Rows come back in camelCase, as from knex. Elsewhere (a knex transaction), an ordinary query.
 */
export async function runPrepared<T = Record<string, unknown>>(trx: FirmTrx, query: Knex.Raw | Knex.QueryBuilder): Promise<T[]> {
  const conn = (trx as unknown as { [CONNECTION]?: PgConnection })[CONNECTION];
  if (!conn) {
    const result = (await query) as unknown;
    return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
  }
  const { sql, bindings } = query.toSQL().toNative();
  const name = `p_${createHash('sha1').update(sql).digest('base64url')}`;
  return (await conn.query({ name, text: sql, values: bindings as unknown[] })).rows.map(camelizeRow) as T[];
}
