// A knex pg client whose transactions open already scoped to a firm: BEGIN and set_config travel in
// one round trip instead of two, on every request. withFirm() passes the firm in the transaction's
// config (`{ firmId }`), which knex hands to the transaction's constructor.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// knex exposes no extension point for BEGIN; its dialect classes are stable CommonJS modules.
const ClientPg = require('knex/lib/dialects/postgres/index.js') as new (...args: unknown[]) => object;
const TransactionPg = require('knex/lib/dialects/postgres/execution/pg-transaction.js') as new (...args: unknown[]) => {
  query(conn: unknown, sql: string): Promise<unknown>;
  begin(conn: unknown): Promise<unknown>;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

class FirmScopedTransaction extends TransactionPg {
  firmId: string | undefined;

  constructor(client: unknown, container: unknown, config?: { firmId?: string }, outerTx?: unknown) {
    super(client, container, config, outerTx);
    this.firmId = config?.firmId; // begin() runs later, once a connection is acquired
  }

  override begin(conn: unknown): Promise<unknown> {
    const firmId = this.firmId;
    if (firmId === undefined) return super.begin(conn);
    // Inlined, not bound: a simple query may hold two statements but no parameters. Checked first.
    if (!UUID.test(firmId)) throw new Error('invalid firm id');
    return this.query(conn, `BEGIN; SELECT set_config('app.firm_id', '${firmId}', true);`);
  }
}

export class FirmScopedPgClient extends ClientPg {
  transaction(container: unknown, config?: { firmId?: string }, outerTx?: unknown) {
    return new FirmScopedTransaction(this, container, config, outerTx);
  }
}
