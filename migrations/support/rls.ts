// Shared by migrations: never edit a function here once a migration uses it; add a new one instead.
import type { Knex } from 'knex';

/** Walls a firm-owned table off: RLS enabled and forced, rows visible only to the firm set for the transaction. */
export async function wallOffByFirm(knex: Knex, table: string): Promise<void> {
  await knex.raw(`
    ALTER TABLE ?? ENABLE ROW LEVEL SECURITY;
    ALTER TABLE ?? FORCE ROW LEVEL SECURITY;
    CREATE POLICY firm_isolation ON ?? USING (firm_id = app_current_firm()) WITH CHECK (firm_id = app_current_firm());
  `, [table, table, table]);
}
