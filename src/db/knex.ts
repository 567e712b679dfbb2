// Knex instances. The app's connections switch to a role that owns nothing and cannot bypass
// row-level security, even when DATABASE_URL names a superuser. Columns are snake_case in the
// database and camelCase in TypeScript: knex translates both ways.
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import './tables.ts';

// A DATE column is a calendar day, not an instant: kept as 'YYYY-MM-DD', never shifted by a time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);

export const APP_ROLE = 'passerelle_app';
export const WORKER_ROLE = 'passerelle_worker';

interface Options {
  url: string;
  role?: typeof APP_ROLE | typeof WORKER_ROLE;
  poolMax?: number;
}

export function createKnex({ url, role, poolMax = 10 }: Options): Knex {
  return knexFactory({
    client: 'pg',
    connection: connectionConfig(url, role),
    pool: { min: 0, max: poolMax },
    wrapIdentifier: (value, origImpl) => origImpl(value === '*' ? value : toSnake(value)),
    postProcessResponse: (result) => camelize(result),
  });
}

/** The role is set in the connection's startup packet: no extra round trip, and no connection without it. */
export function connectionConfig(url: string, role?: string): { connectionString: string; options?: string } {
  return role ? { connectionString: url, options: `-c role=${role}` } : { connectionString: url };
}

function toSnake(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function toCamel(s: string): string {
  return s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function camelizeRow(row: unknown): unknown {
  if (row === null || typeof row !== 'object' || Array.isArray(row) || row instanceof Date || Buffer.isBuffer(row)) return row;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[toCamel(k)] = v;
  return out;
}

function camelize(result: unknown): unknown {
  if (Array.isArray(result)) return result.map(camelizeRow);
  // knex.raw on pg returns the driver's result: convert its rows, keep the rest.
  if (result && typeof result === 'object' && 'rows' in result && Array.isArray((result as { rows: unknown }).rows)) {
    const r = result as { rows: unknown[] };
    r.rows = r.rows.map(camelizeRow);
    return r;
  }
  return camelizeRow(result);
}
