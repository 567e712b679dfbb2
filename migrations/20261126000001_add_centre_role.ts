import type { Knex } from 'knex';

// The management centre's staff ("centre", CGA/OGA) log into the firm's space. They see only what
// concerns them: the mail the centre sent and the answers that went out to it, the firm's current
// clients (the list the firm shares with its centre), the staff's names. Everything else is walled
// off here as well as in the code: a restrictive policy on every firm-owned table, deny by default,
// with the few openings below. A table added later gets its own (test/platform/rls.test.ts checks).
const OPEN_TO_CENTRE = new Set(['users', 'clients', 'mail_items', 'mail_replies', 'mail_reply_files', 'activity_log', 'mail_outbox', 'firm_logos', 'session', 'rate_limits']);

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE users DROP CONSTRAINT users_role_check;
    ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('supervisor', 'collaborator', 'contact', 'centre'));

    CREATE FUNCTION app_is_centre() RETURNS boolean LANGUAGE sql STABLE AS
      $$ SELECT coalesce(current_setting('app.role', true), '') = 'centre' $$;

    -- Mail the centre put in: the firm's own mail stays the firm's.
    ALTER TABLE mail_items ADD COLUMN from_centre boolean NOT NULL DEFAULT false;
    CREATE INDEX mail_items_centre_idx ON mail_items (firm_id, created_at DESC, id DESC) WHERE from_centre;
  `);

  const { rows } = await knex.raw<{ rows: { name: string }[] }>(`
    SELECT c.table_name AS name FROM information_schema.columns c
      JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
     WHERE c.table_schema = current_schema() AND c.column_name = 'firm_id' ORDER BY 1`);
  for (const { name: table } of rows) {
    if (!OPEN_TO_CENTRE.has(table)) await knex.raw(`CREATE POLICY centre_none ON ?? AS RESTRICTIVE USING (NOT app_is_centre())`, [table]);
  }

  await knex.raw(`
    -- The firm's settings are not the centre's to change.
    CREATE POLICY centre_no_update ON firms AS RESTRICTIVE FOR UPDATE USING (NOT app_is_centre());

    -- Staff and centre accounts (names on mail and answers), never the clients' contacts; only their own account to change.
    CREATE POLICY centre_read ON users AS RESTRICTIVE FOR SELECT USING (NOT app_is_centre() OR role <> 'contact');
    CREATE POLICY centre_insert ON users AS RESTRICTIVE FOR INSERT WITH CHECK (NOT app_is_centre());
    CREATE POLICY centre_update ON users AS RESTRICTIVE FOR UPDATE USING (NOT app_is_centre() OR id = app_current_user()) WITH CHECK (NOT app_is_centre() OR id = app_current_user());
    CREATE POLICY centre_delete ON users AS RESTRICTIVE FOR DELETE USING (NOT app_is_centre());

    -- The firm's current clients, read only.
    CREATE POLICY centre_read ON clients AS RESTRICTIVE FOR SELECT USING (NOT app_is_centre() OR (departed_on IS NULL AND NOT in_trash));
    CREATE POLICY centre_insert ON clients AS RESTRICTIVE FOR INSERT WITH CHECK (NOT app_is_centre());
    CREATE POLICY centre_update ON clients AS RESTRICTIVE FOR UPDATE USING (NOT app_is_centre());
    CREATE POLICY centre_delete ON clients AS RESTRICTIVE FOR DELETE USING (NOT app_is_centre());

    -- What the centre sent: it reads it and puts mail in as itself; reading and archiving are the firm's.
    CREATE POLICY centre_read ON mail_items AS RESTRICTIVE FOR SELECT USING (NOT app_is_centre() OR from_centre);
    CREATE POLICY centre_insert ON mail_items AS RESTRICTIVE FOR INSERT WITH CHECK (NOT app_is_centre() OR (from_centre AND sender_id = app_current_user()));
    CREATE POLICY centre_update ON mail_items AS RESTRICTIVE FOR UPDATE USING (NOT app_is_centre());
    CREATE POLICY centre_delete ON mail_items AS RESTRICTIVE FOR DELETE USING (NOT app_is_centre());

    -- The answers that went out to it (never one waiting for a supervisor or rejected), and their files.
    CREATE POLICY centre_read ON mail_replies AS RESTRICTIVE FOR SELECT USING (NOT app_is_centre() OR (status = 'sent' AND EXISTS (
      SELECT 1 FROM mail_items m WHERE m.firm_id = mail_replies.firm_id AND m.id = mail_replies.mail_id)));
    CREATE POLICY centre_insert ON mail_replies AS RESTRICTIVE FOR INSERT WITH CHECK (NOT app_is_centre());
    CREATE POLICY centre_update ON mail_replies AS RESTRICTIVE FOR UPDATE USING (NOT app_is_centre());
    CREATE POLICY centre_delete ON mail_replies AS RESTRICTIVE FOR DELETE USING (NOT app_is_centre());
    CREATE POLICY centre_read ON mail_reply_files AS RESTRICTIVE FOR SELECT USING (NOT app_is_centre() OR EXISTS (
      SELECT 1 FROM mail_replies r WHERE r.firm_id = mail_reply_files.firm_id AND r.id = mail_reply_files.reply_id));
    CREATE POLICY centre_insert ON mail_reply_files AS RESTRICTIVE FOR INSERT WITH CHECK (NOT app_is_centre());
    CREATE POLICY centre_update ON mail_reply_files AS RESTRICTIVE FOR UPDATE USING (NOT app_is_centre());
    CREATE POLICY centre_delete ON mail_reply_files AS RESTRICTIVE FOR DELETE USING (NOT app_is_centre());

    -- What the centre does is logged and may send emails; it reads neither the log nor the outbox.
    CREATE POLICY centre_read ON activity_log AS RESTRICTIVE FOR SELECT USING (NOT app_is_centre());
    CREATE POLICY centre_update ON activity_log AS RESTRICTIVE FOR UPDATE USING (NOT app_is_centre());
    CREATE POLICY centre_delete ON activity_log AS RESTRICTIVE FOR DELETE USING (NOT app_is_centre());
    CREATE POLICY centre_read ON mail_outbox AS RESTRICTIVE FOR SELECT USING (NOT app_is_centre());
    CREATE POLICY centre_update ON mail_outbox AS RESTRICTIVE FOR UPDATE USING (NOT app_is_centre());
    CREATE POLICY centre_delete ON mail_outbox AS RESTRICTIVE FOR DELETE USING (NOT app_is_centre());

    -- The firm's logo is in every page's header.
    CREATE POLICY centre_write ON firm_logos AS RESTRICTIVE FOR INSERT WITH CHECK (NOT app_is_centre());
    CREATE POLICY centre_update ON firm_logos AS RESTRICTIVE FOR UPDATE USING (NOT app_is_centre());
    CREATE POLICY centre_delete ON firm_logos AS RESTRICTIVE FOR DELETE USING (NOT app_is_centre());
  `);
}

export async function down(knex: Knex): Promise<void> {
  const { rows } = await knex.raw<{ rows: { tbl: string; policy: string }[] }>(`SELECT tablename AS tbl, policyname AS policy FROM pg_policies WHERE schemaname = current_schema() AND policyname LIKE 'centre\\_%'`);
  for (const p of rows) await knex.raw('DROP POLICY ?? ON ??', [p.policy, p.tbl]);
  await knex.raw(`
    DROP FUNCTION app_is_centre();
    ALTER TABLE mail_items DROP COLUMN from_centre;
    DELETE FROM users WHERE role = 'centre';
    ALTER TABLE users DROP CONSTRAINT users_role_check;
    ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('supervisor', 'collaborator', 'contact'));
  `);
}
