import type { Knex } from 'knex';

// The header shows a person's unread notifications on every page. The session row is read from
// PostgreSQL on every request anyway: the count travels in that same statement (see
// src/modules/notifications/badge.ts), so the header costs no extra round trip.
//
// That statement runs outside any firm transaction, where row-level security shows no notification.
// This function names the firm and person for its one query, exactly as withFirm() does, then puts
// back what was set before (so a call inside a firm transaction leaves it as it was). It needs
// nothing the app role cannot already do: the app role sets the firm for every transaction.
// At most 100 are counted: the header shows "99+".
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION app_unread_notifications(firm text, person text) RETURNS integer LANGUAGE plpgsql STRICT AS $$
    DECLARE
      was_firm text := coalesce(current_setting('app.firm_id', true), '');
      was_user text := coalesce(current_setting('app.user_id', true), '');
      unread integer;
    BEGIN
      IF firm !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' OR person !~ '^[0-9]{1,18}$' THEN
        RETURN NULL;
      END IF;
      PERFORM set_config('app.firm_id', firm, true), set_config('app.user_id', person, true);
      SELECT count(*) INTO unread FROM (
        SELECT 1 FROM notifications n
         WHERE n.firm_id = firm::uuid AND n.user_id = person::bigint AND n.read_at IS NULL
           AND (n.postponed_at IS NULL OR n.postponed_at < (SELECT u.last_login_at FROM users u WHERE u.firm_id = firm::uuid AND u.id = person::bigint))
         LIMIT 100) AS c;
      PERFORM set_config('app.firm_id', was_firm, true), set_config('app.user_id', was_user, true);
      RETURN unread;
    END $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION app_unread_notifications(text, text)');
}
