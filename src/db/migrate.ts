import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/** Brings the schema up to date. Runs as the owner (the DATABASE_URL user), never as the app role. */
export async function migrateLatest(owner: Knex): Promise<string[]> {
  const [, applied] = (await owner.migrate.latest({ directory: MIGRATIONS_DIR, loadExtensions: ['.ts'] })) as [number, string[]];
  return applied;
}
