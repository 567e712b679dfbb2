import type { Knex } from 'knex';
import { wallOffByFirm } from './support/rls.ts';

// Messages ("Dialogue", H1–H3, seeds 000 and 001 §V). A message goes from one person (sender_id) to
// either one person (recipient_user_id) or one of the management centre's predefined addresses
// (recipient_address_id, "Service fiscal"): recipient_kind says which, so the rule holds even once a
// deleted account has left its id NULL. Names are kept as they were when it was sent, as in an email.
// A message between the firm and a contact names the client it is about (client_id): a contact sees
// only their own messages about their own clients, here as in the code.
// Life: 'sent' (delivered: "à consulter", then "consulté" once read_at is set), 'cancelled' by its
// sender before it was read ("annulé"), and, when the firm supervises its collaborators' messages to
// clients, 'pending' until a supervisor approves (then 'sent') or rejects it ('rejected').
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE firms ADD COLUMN supervise_messages boolean NOT NULL DEFAULT false;

    -- The centre's predefined addresses, set by the supervisor. Never deleted once used: archived.
    CREATE TABLE message_addresses (
      firm_id uuid NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
      id bigint GENERATED ALWAYS AS IDENTITY,
      label text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
      email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND email LIKE '%_@_%'),
      position integer NOT NULL DEFAULT 0,
      archived_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (firm_id, id)
    );
    CREATE UNIQUE INDEX message_addresses_label_idx ON message_addresses (firm_id, lower(label)) WHERE archived_at IS NULL;

    CREATE TABLE messages (
      firm_id uuid NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
      id bigint GENERATED ALWAYS AS IDENTITY,
      sender_id bigint,
      -- A centre user answering on behalf of the address the message was sent to.
      sender_address_id bigint,
      sender_name text NOT NULL CHECK (length(sender_name) <= 300),
      recipient_kind text NOT NULL CHECK (recipient_kind IN ('user', 'address')),
      recipient_user_id bigint,
      recipient_address_id bigint,
      recipient_name text NOT NULL CHECK (length(recipient_name) <= 300),
      client_id bigint,
      in_reply_to bigint,
      subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
      status text NOT NULL CHECK (status IN ('pending', 'rejected', 'sent', 'cancelled')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz,
      read_at timestamptz,
      read_by bigint,
      cancelled_at timestamptz,
      decided_by bigint,
      decided_at timestamptz,
      decision_comment text NOT NULL DEFAULT '' CHECK (length(decision_comment) <= 2000),
      search_text text GENERATED ALWAYS AS (app_fold(subject || ' ' || sender_name || ' ' || recipient_name)) STORED,
      PRIMARY KEY (firm_id, id),
      CHECK (recipient_kind = 'user' AND recipient_address_id IS NULL OR recipient_kind = 'address' AND recipient_user_id IS NULL AND recipient_address_id IS NOT NULL),
      CHECK (CASE status WHEN 'sent' THEN sent_at IS NOT NULL AND cancelled_at IS NULL
                         WHEN 'cancelled' THEN cancelled_at IS NOT NULL
                         ELSE sent_at IS NULL AND cancelled_at IS NULL END),
      CHECK (read_at IS NULL OR sent_at IS NOT NULL),
      FOREIGN KEY (firm_id, sender_id) REFERENCES users (firm_id, id) ON DELETE SET NULL (sender_id),
      FOREIGN KEY (firm_id, recipient_user_id) REFERENCES users (firm_id, id) ON DELETE SET NULL (recipient_user_id),
      FOREIGN KEY (firm_id, read_by) REFERENCES users (firm_id, id) ON DELETE SET NULL (read_by),
      FOREIGN KEY (firm_id, decided_by) REFERENCES users (firm_id, id) ON DELETE SET NULL (decided_by),
      FOREIGN KEY (firm_id, recipient_address_id) REFERENCES message_addresses (firm_id, id),
      FOREIGN KEY (firm_id, sender_address_id) REFERENCES message_addresses (firm_id, id),
      FOREIGN KEY (firm_id, client_id) REFERENCES clients (firm_id, id) ON DELETE SET NULL (client_id),
      FOREIGN KEY (firm_id, in_reply_to) REFERENCES messages (firm_id, id) ON DELETE SET NULL (in_reply_to)
    );
    -- "Messages reçus" of a person, newest delivered first; of the centre (its addresses).
    CREATE INDEX messages_received_idx ON messages (firm_id, recipient_user_id, sent_at DESC, id DESC) WHERE sent_at IS NOT NULL;
    CREATE INDEX messages_centre_idx ON messages (firm_id, sent_at DESC, id DESC) WHERE recipient_kind = 'address' AND sent_at IS NOT NULL;
    -- "Messages envoyés", newest first (and the sender's foreign key).
    CREATE INDEX messages_sent_idx ON messages (firm_id, sender_id, created_at DESC, id DESC);
    -- The home page's count of what is still to read.
    CREATE INDEX messages_unread_idx ON messages (firm_id, recipient_user_id) WHERE status = 'sent' AND read_at IS NULL;
    CREATE INDEX messages_centre_unread_idx ON messages (firm_id) WHERE recipient_kind = 'address' AND status = 'sent' AND read_at IS NULL;
    -- The supervisor's queue.
    CREATE INDEX messages_pending_idx ON messages (firm_id, created_at) WHERE status = 'pending';
    CREATE INDEX messages_search_idx ON messages USING gin (firm_id, search_text gin_trgm_ops);
    CREATE INDEX messages_recipient_address_idx ON messages (firm_id, recipient_address_id) WHERE recipient_address_id IS NOT NULL;
    CREATE INDEX messages_sender_address_idx ON messages (firm_id, sender_address_id) WHERE sender_address_id IS NOT NULL;
    CREATE INDEX messages_client_idx ON messages (firm_id, client_id) WHERE client_id IS NOT NULL;
    CREATE INDEX messages_in_reply_to_idx ON messages (firm_id, in_reply_to) WHERE in_reply_to IS NOT NULL;
    CREATE INDEX messages_read_by_idx ON messages (firm_id, read_by) WHERE read_by IS NOT NULL;
    CREATE INDEX messages_decided_by_idx ON messages (firm_id, decided_by) WHERE decided_by IS NOT NULL;

    -- Attachments: png, jpg, jpeg, gif or pdf, 5 MB each at most (checked from the content by the app).
    CREATE TABLE message_files (
      firm_id uuid NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      message_id bigint NOT NULL,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
      mime text NOT NULL CHECK (mime IN ('application/pdf', 'image/png', 'image/jpeg', 'image/gif')),
      size bigint NOT NULL CHECK (size BETWEEN 1 AND 5242880),
      sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      storage_key text NOT NULL CHECK (length(storage_key) <= 200),
      PRIMARY KEY (firm_id, id),
      UNIQUE (firm_id, storage_key),
      FOREIGN KEY (firm_id, message_id) REFERENCES messages (firm_id, id) ON DELETE CASCADE
    );
    CREATE INDEX message_files_message_idx ON message_files (firm_id, message_id);
  `);
  for (const table of ['message_addresses', 'messages', 'message_files']) await wallOffByFirm(knex, table);

  await knex.raw(`
    -- A contact: their own messages (sent, or delivered to them), about one of their own clients;
    -- they write only as themselves, to the firm's staff, about one of their clients.
    CREATE POLICY contact_read ON messages AS RESTRICTIVE FOR SELECT USING (app_current_role() <> 'contact' OR (
      (sender_id = app_current_user() OR (recipient_user_id = app_current_user() AND sent_at IS NOT NULL))
      AND EXISTS (SELECT 1 FROM client_contacts cc WHERE cc.firm_id = messages.firm_id AND cc.client_id = messages.client_id AND cc.user_id = app_current_user())));
    CREATE POLICY contact_insert ON messages AS RESTRICTIVE FOR INSERT WITH CHECK (app_current_role() <> 'contact' OR (
      sender_id = app_current_user() AND recipient_kind = 'user'
      AND EXISTS (SELECT 1 FROM client_contacts cc WHERE cc.firm_id = messages.firm_id AND cc.client_id = messages.client_id AND cc.user_id = app_current_user())
      AND EXISTS (SELECT 1 FROM users u WHERE u.firm_id = messages.firm_id AND u.id = messages.recipient_user_id AND u.role IN ('supervisor', 'collaborator'))));
    CREATE POLICY contact_update ON messages AS RESTRICTIVE FOR UPDATE USING (app_current_role() <> 'contact' OR (
      (sender_id = app_current_user() OR (recipient_user_id = app_current_user() AND sent_at IS NOT NULL))
      AND EXISTS (SELECT 1 FROM client_contacts cc WHERE cc.firm_id = messages.firm_id AND cc.client_id = messages.client_id AND cc.user_id = app_current_user())));
    CREATE POLICY contact_delete ON messages AS RESTRICTIVE FOR DELETE USING (app_current_role() <> 'contact');
    -- A cancelled message's files stay its sender's.
    CREATE POLICY contact_read ON message_files AS RESTRICTIVE FOR SELECT USING (app_current_role() <> 'contact' OR EXISTS (
      SELECT 1 FROM messages m WHERE m.firm_id = message_files.firm_id AND m.id = message_files.message_id AND (m.status <> 'cancelled' OR m.sender_id = app_current_user())));
    CREATE POLICY contact_insert ON message_files AS RESTRICTIVE FOR INSERT WITH CHECK (app_current_role() <> 'contact' OR EXISTS (
      SELECT 1 FROM messages m WHERE m.firm_id = message_files.firm_id AND m.id = message_files.message_id AND m.sender_id = app_current_user()));
    CREATE POLICY contact_change ON message_files AS RESTRICTIVE FOR UPDATE USING (app_current_role() <> 'contact');
    CREATE POLICY contact_delete ON message_files AS RESTRICTIVE FOR DELETE USING (app_current_role() <> 'contact');
    CREATE POLICY contact_none ON message_addresses AS RESTRICTIVE USING (app_current_role() <> 'contact');

    -- The centre: what its addresses received and what it answered from them, what it sent and
    -- what was delivered to one of its people; it writes only as itself, to a person of the firm.
    CREATE POLICY centre_read ON messages AS RESTRICTIVE FOR SELECT USING (NOT app_is_centre() OR sender_id = app_current_user() OR sender_address_id IS NOT NULL
      OR (sent_at IS NOT NULL AND (recipient_kind = 'address' OR recipient_user_id = app_current_user())));
    CREATE POLICY centre_insert ON messages AS RESTRICTIVE FOR INSERT WITH CHECK (NOT app_is_centre() OR (sender_id = app_current_user() AND recipient_kind = 'user' AND client_id IS NULL
      AND EXISTS (SELECT 1 FROM users u WHERE u.firm_id = messages.firm_id AND u.id = messages.recipient_user_id AND u.role IN ('supervisor', 'collaborator'))));
    CREATE POLICY centre_update ON messages AS RESTRICTIVE FOR UPDATE USING (NOT app_is_centre() OR sender_id = app_current_user() OR sender_address_id IS NOT NULL
      OR (sent_at IS NOT NULL AND (recipient_kind = 'address' OR recipient_user_id = app_current_user())));
    CREATE POLICY centre_delete ON messages AS RESTRICTIVE FOR DELETE USING (NOT app_is_centre());
    CREATE POLICY centre_read ON message_files AS RESTRICTIVE FOR SELECT USING (NOT app_is_centre() OR EXISTS (
      SELECT 1 FROM messages m WHERE m.firm_id = message_files.firm_id AND m.id = message_files.message_id AND (m.status <> 'cancelled' OR m.sender_id = app_current_user())));
    CREATE POLICY centre_insert ON message_files AS RESTRICTIVE FOR INSERT WITH CHECK (NOT app_is_centre() OR EXISTS (
      SELECT 1 FROM messages m WHERE m.firm_id = message_files.firm_id AND m.id = message_files.message_id AND m.sender_id = app_current_user()));
    CREATE POLICY centre_update ON message_files AS RESTRICTIVE FOR UPDATE USING (NOT app_is_centre());
    CREATE POLICY centre_delete ON message_files AS RESTRICTIVE FOR DELETE USING (NOT app_is_centre());
    -- Its addresses it reads (to answer from them); the supervisor sets them.
    CREATE POLICY centre_insert ON message_addresses AS RESTRICTIVE FOR INSERT WITH CHECK (NOT app_is_centre());
    CREATE POLICY centre_update ON message_addresses AS RESTRICTIVE FOR UPDATE USING (NOT app_is_centre());
    CREATE POLICY centre_delete ON message_addresses AS RESTRICTIVE FOR DELETE USING (NOT app_is_centre());
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE message_files, messages, message_addresses;
    ALTER TABLE firms DROP COLUMN supervise_messages;
  `);
}
