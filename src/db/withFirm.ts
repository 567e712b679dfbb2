import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import pg from 'pg';
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
  const scope = scopeSql(firmId, person);
  const pool = db.client as PoolClient;
  const conn = await pool.acquireConnection();
  try {
    await conn.query(`BEGIN; ${scope}`);
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
 * The statement that scopes a transaction to the firm (and the person). Inlined, not bound: a simple
 * query may hold several statements but no parameters. Both are checked here first.
 */
function scopeSql(firmId: string, person?: Person, genericPlan = false): string {
  if (!UUID.test(firmId)) throw new Error('withFirm: invalid firm id');
  if (person && !(/^\d{1,18}$/.test(person.id) && ROLES.has(person.role))) throw new Error('withFirm: invalid person');
  const who = person ? `, set_config('app.user_id', '${person.id}', true), set_config('app.role', '${person.role}', true)` : '';
  const plan = genericPlan ? `, set_config('plan_cache_mode', 'force_generic_plan', true)` : '';
  return `SELECT set_config('app.firm_id', '${firmId}', true)${who}${plan}`;
}

/**
 * The scope `readAsPerson` sends before its EXECUTE: the firm, the person, and the statement's
 * generic plan, made once per connection, at every visit. Left to choose ('auto'), PostgreSQL
 * compares a plan for this firm's parameters with one for an average firm, and in a database of
 * many firms a small firm's rows look so few that it plans anew at every visit: 5 ms a home page
 * instead of 0.9 (bench/README.md, session 9). Exported for the benchmark's baseline.
 */
export function readScopeSql(firmId: string, person: Person): string {
  return scopeSql(firmId, person, true);
}

/**
 * A read compiled once and run many times by `readAsPerson`: its name, its text with $n
 * placeholders, and the EXECUTE that runs it with its values inlined as literals.
 */
export interface CompiledRead {
  name: string;
  sql: string;
  execute: string;
}

/** The tables of a firm transaction, to build a query with for `compileRead`, never to run one. */
export function queryBuilder(db: Knex): FirmTrx {
  return Object.assign((table: string) => db(table), { raw: db.raw.bind(db), fn: db.fn }) as unknown as FirmTrx;
}

/** Compiles a query built with `queryBuilder` for `readAsPerson`; its values are escaped by node-postgres. */
export function compileRead(query: Knex.Raw | Knex.QueryBuilder): CompiledRead {
  const { sql, bindings } = query.toSQL().toNative();
  const name = statementName('r', sql);
  return { name, sql, execute: `EXECUTE "${name}"${bindings.length ? `(${bindings.map(literal).join(', ')})` : ''}` };
}

/** A prepared statement's name, from its text: the same statement gets the same name on every connection. */
function statementName(prefix: string, sql: string): string {
  return `${prefix}_${createHash('sha1').update(sql).digest('base64url')}`;
}

/** Names given to statements prepared by `readAsPerson`, per pooled connection. */
const preparedOn = new WeakMap<PgConnection, Set<string>>();
/** PostgreSQL's "prepared statement does not exist". */
const INVALID_STATEMENT_NAME = '26000';

/**
 * One read as `person` in one round trip, for a page read on every visit (the home page). The firm,
 * the person and the statement travel in one simple query: its statements form an implicit
 * transaction, so the settings end with it and an error leaves nothing behind. The statement is
 * PREPAREd once per connection (planning the home page's took 3–5 ms, running it 0.2 ms), then
 * EXECUTEd on its generic plan. The caller may keep the compiled read and run it again.
 */
export async function readAsPerson<T = Record<string, unknown>>(deps: { db: Knex }, firm: { id: string }, person: Person, read: CompiledRead): Promise<T[]> {
  const scope = readScopeSql(firm.id, person);
  const pool = deps.db.client as PoolClient;
  const conn = await pool.acquireConnection();
  try {
    let prepared = preparedOn.get(conn);
    if (!prepared) preparedOn.set(conn, (prepared = new Set()));
    const run = async (): Promise<T[]> => {
      if (!prepared.has(read.name)) {
        await conn.query(`PREPARE "${read.name}" AS ${read.sql}`);
        prepared.add(read.name);
      }
      const [, executed] = (await conn.query(`${scope}; ${read.execute}`)) as unknown as { rows: Record<string, unknown>[] }[];
      if (!executed) throw new Error('readAsPerson: the statement gave no result');
      return executed.rows.map(camelizeRow) as T[];
    };
    try {
      return await run();
    } catch (err) {
      // The session lost its prepared statements (DISCARD ALL, a pooler's reset): prepare again, once.
      if ((err as { code?: string }).code !== INVALID_STATEMENT_NAME) throw err;
      prepared.clear();
      return await run();
    }
  } finally {
    await pool.releaseConnection(conn);
  }
}

/** A value as an SQL literal, in the text form node-postgres would have sent it as a parameter. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return pg.escapeLiteral(String(prepareValue(value)));
}
// node-postgres exports its parameter serialiser (pg.utils) without declaring it.
const { prepareValue } = (pg as unknown as { utils: { prepareValue(value: unknown): unknown } }).utils;

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
 * once per connection instead of at every call. For statements whose planning under row-level
 * security costs more than running them, inside a transaction that runs several (the mail list's
 * count, then its page); a lone read goes through `readAsPerson`. Unlike that one it cannot prepare
 * again after a DISCARD ALL: the error has already ended the transaction. Rows come back in
 * camelCase, as from knex. Elsewhere (a knex transaction), an ordinary query.
 */
export async function runPrepared<T = Record<string, unknown>>(trx: FirmTrx, query: Knex.Raw | Knex.QueryBuilder): Promise<T[]> {
  const conn = (trx as unknown as { [CONNECTION]?: PgConnection })[CONNECTION];
  if (!conn) {
    const result = (await query) as unknown;
    return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
  }
  const { sql, bindings } = query.toSQL().toNative();
  const name = statementName('p', sql);
  return (await conn.query({ name, text: sql, values: bindings as unknown[] })).rows.map(camelizeRow) as T[];
}
