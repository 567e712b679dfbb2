import type { Knex } from 'knex';
import { wallOffByFirm } from './support/rls.ts';

// Answers to mail (G4) and their supervision (I2): an answer is written by someone in charge of the
// client; when the firm supervises its collaborators' answers, it waits for a supervisor, who
// approves it (as written or edited) or rejects it with a comment; only an approved answer reaches
// the mail's sender. Each step of an answer's life goes to the activity log (object mailReply).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE firms ADD COLUMN supervise_replies boolean NOT NULL DEFAULT false;

    CREATE TABLE mail_replies (
      firm_id uuid NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      mail_id bigint NOT NULL,
      author_id bigint,
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
      status text NOT NULL CHECK (status IN ('pending', 'rejected', 'sent')),
      decision_comment text NOT NULL DEFAULT '' CHECK (length(decision_comment) <= 2000),
      decided_by bigint,
      decided_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz,
      PRIMARY KEY (firm_id, id),
      FOREIGN KEY (firm_id, mail_id) REFERENCES mail_items (firm_id, id) ON DELETE CASCADE,
      FOREIGN KEY (firm_id, author_id) REFERENCES users (firm_id, id) ON DELETE SET NULL (author_id),
      FOREIGN KEY (firm_id, decided_by) REFERENCES users (firm_id, id) ON DELETE SET NULL (decided_by)
    );
    CREATE INDEX mail_replies_mail_idx ON mail_replies (firm_id, mail_id, id);
    CREATE INDEX mail_replies_pending_idx ON mail_replies (firm_id, created_at) WHERE status = 'pending';
    CREATE INDEX mail_replies_author_idx ON mail_replies (firm_id, author_id);
    CREATE INDEX mail_replies_decided_by_idx ON mail_replies (firm_id, decided_by);

    CREATE TABLE mail_reply_files (
      firm_id uuid NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      reply_id bigint NOT NULL,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
      mime text NOT NULL CHECK (length(mime) <= 200),
      size bigint NOT NULL CHECK (size > 0),
      sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      storage_key text NOT NULL CHECK (length(storage_key) <= 200),
      PRIMARY KEY (firm_id, id),
      UNIQUE (firm_id, storage_key),
      FOREIGN KEY (firm_id, reply_id) REFERENCES mail_replies (firm_id, id) ON DELETE CASCADE
    );
    CREATE INDEX mail_reply_files_reply_idx ON mail_reply_files (firm_id, reply_id);
  `);
  for (const table of ['mail_replies', 'mail_reply_files']) {
    await wallOffByFirm(knex, table);
    await knex.raw(`CREATE POLICY contact_${table} ON ?? AS RESTRICTIVE USING (app_current_role() <> 'contact')`, [table]);
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE mail_reply_files, mail_replies;
    ALTER TABLE firms DROP COLUMN supervise_replies;
  `);
}
