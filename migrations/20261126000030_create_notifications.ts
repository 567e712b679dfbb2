import type { Knex } from 'knex';
import { wallOffByFirm } from './support/rls.ts';

// In-app notifications (K3): a line for one person, with an i18n key rendered in the reader's
// language when shown, its values, and a link. "Lu" sets read_at; "Reporter" sets postponed_at,
// which hides it until the person logs in again (users.last_login_at passes it).
//
// Everyone may write one for anyone of the firm (a collaborator tells a client's contacts); a
// person reads, changes and deletes only their own when the transaction names a person.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE notifications (
      firm_id uuid NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      user_id bigint NOT NULL,
      kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_-]{0,29}$'),
      key text NOT NULL CHECK (key ~ '^[a-zA-Z0-9_-]+:[a-zA-Z0-9_.-]+$' AND length(key) <= 120),
      params jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(params) = 'object' AND length(params::text) <= 4000),
      href text NOT NULL CHECK (href ~ '^/([^/\\\\]|$)' AND length(href) <= 500),
      created_at timestamptz NOT NULL DEFAULT now(),
      read_at timestamptz,
      postponed_at timestamptz,
      PRIMARY KEY (firm_id, id),
      FOREIGN KEY (firm_id, user_id) REFERENCES users (firm_id, id) ON DELETE CASCADE
    );
    -- A person's list, newest first (and the foreign key's index).
    CREATE INDEX notifications_user_idx ON notifications (firm_id, user_id, id DESC);
    -- The header's count on every page: the unread ones, index only.
    CREATE INDEX notifications_unread_idx ON notifications (firm_id, user_id, postponed_at) WHERE read_at IS NULL;
  `);
  await wallOffByFirm(knex, 'notifications');
  // Not FOR ALL: an insert for someone else must pass (the writer is named in the transaction).
  await knex.raw(`
    CREATE POLICY own_read ON notifications AS RESTRICTIVE FOR SELECT USING (app_current_user() IS NULL OR user_id = app_current_user());
    CREATE POLICY own_update ON notifications AS RESTRICTIVE FOR UPDATE USING (app_current_user() IS NULL OR user_id = app_current_user())
      WITH CHECK (app_current_user() IS NULL OR user_id = app_current_user());
    CREATE POLICY own_delete ON notifications AS RESTRICTIVE FOR DELETE USING (app_current_user() IS NULL OR user_id = app_current_user());
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE notifications');
}
