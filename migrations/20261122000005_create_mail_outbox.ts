import type { Knex } from 'knex';
import { wallOffByFirm } from './support/rls.ts';

// Every email is a row written in the transaction of the change that causes it; the worker sends it.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE mail_outbox (
      firm_id uuid NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
      id bigint GENERATED ALWAYS AS IDENTITY,
      recipient text NOT NULL CHECK (length(recipient) <= 254),
      subject text NOT NULL CHECK (length(subject) <= 300),
      text_body text NOT NULL,
      html_body text,
      kind text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      locked_until timestamptz,
      last_error text,
      sent_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (firm_id, id)
    );
    CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE status IN ('pending', 'sending');
    CREATE INDEX mail_outbox_firm_recent_idx ON mail_outbox (firm_id, id DESC);

    GRANT SELECT, UPDATE ON mail_outbox TO passerelle_worker;
  `);
  await wallOffByFirm(knex, 'mail_outbox');
  // The worker sends every firm's mail, and sees nothing else.
  await knex.raw('CREATE POLICY worker_sends_all ON mail_outbox TO passerelle_worker USING (true) WITH CHECK (true)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE mail_outbox;');
}
