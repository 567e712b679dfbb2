import type { Knex } from 'knex';
import { wallOffByFirm } from './support/rls.ts';

// Mail ("courriers", G1–G4): documents put in a client's mail — by the management centre, or by the
// firm itself — some of them questions with a reply deadline. "Nouveaux courriers" lists those not
// archived; opening the PDF marks it read and archives it. The document is stored like any file
// (random key, outside public/); the people in charge are told by email, never sent the document.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE mail_items (
      firm_id uuid NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      client_id bigint NOT NULL,
      sender_id bigint,
      type text NOT NULL CHECK (type IN ('question', 'information', 'reminder', 'certificate', 'other')),
      subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
      needs_reply boolean NOT NULL DEFAULT false,
      reply_by date,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
      size bigint NOT NULL CHECK (size > 0),
      sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      storage_key text NOT NULL CHECK (length(storage_key) <= 200),
      created_at timestamptz NOT NULL DEFAULT now(),
      read_at timestamptz,
      read_by bigint,
      archived_at timestamptz,
      answered_at timestamptz,
      PRIMARY KEY (firm_id, id),
      UNIQUE (firm_id, storage_key),
      CHECK (reply_by IS NULL OR needs_reply),
      FOREIGN KEY (firm_id, client_id) REFERENCES clients (firm_id, id) ON DELETE CASCADE,
      FOREIGN KEY (firm_id, sender_id) REFERENCES users (firm_id, id) ON DELETE SET NULL (sender_id),
      FOREIGN KEY (firm_id, read_by) REFERENCES users (firm_id, id) ON DELETE SET NULL (read_by)
    );
    -- "Nouveaux courriers": those not archived, newest first; a client's archive: all of its mail.
    CREATE INDEX mail_items_new_idx ON mail_items (firm_id, created_at DESC, id DESC) WHERE archived_at IS NULL;
    CREATE INDEX mail_items_client_idx ON mail_items (firm_id, client_id, created_at DESC);
    CREATE INDEX mail_items_sender_idx ON mail_items (firm_id, sender_id);
    CREATE INDEX mail_items_read_by_idx ON mail_items (firm_id, read_by);
  `);
  await wallOffByFirm(knex, 'mail_items');
  // Mail is between the firm and its management centre about a client: never a contact's to read.
  await knex.raw(`CREATE POLICY contact_mail_items ON mail_items AS RESTRICTIVE USING (app_current_role() <> 'contact')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE mail_items');
}
