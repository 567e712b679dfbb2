import type { Knex } from 'knex';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Runs `work` in a transaction scoped to one firm: row-level security shows and accepts only that
 * firm's rows. Every database access to firm-owned data goes through here.
 */
export async function withFirm<T>(db: Knex, firmId: string, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  if (!UUID.test(firmId)) throw new Error('withFirm: invalid firm id');
  // The transaction opens with the firm already set (see firmTransactions.ts): one round trip.
  return db.transaction(work, { firmId } as Knex.TransactionConfig);
}

/** Scopes the rest of an open transaction to one firm. */
export async function setFirm(trx: Knex.Transaction, firmId: string): Promise<void> {
  if (!UUID.test(firmId)) throw new Error('setFirm: invalid firm id');
  await trx.raw(`SELECT set_config('app.firm_id', ?, true)`, [firmId]);
}
