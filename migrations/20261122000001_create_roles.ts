import type { Knex } from 'knex';

// The app connects as whoever DATABASE_URL names, then SET ROLE passerelle_app: a role that owns no
// table and cannot bypass row-level security. The mail worker runs as passerelle_worker, which sees
// only the outbox, across firms. Roles are cluster-wide, hence IF NOT EXISTS.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'passerelle_app') THEN
        CREATE ROLE passerelle_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
      END IF;
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'passerelle_worker') THEN
        CREATE ROLE passerelle_worker NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
      END IF;
    END $$;
    GRANT passerelle_app TO CURRENT_USER;
    GRANT passerelle_worker TO CURRENT_USER;
    GRANT USAGE ON SCHEMA public TO passerelle_app, passerelle_worker;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO passerelle_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO passerelle_app;

    -- The firm of the current transaction, set by withFirm(); NULL (no rows) when unset.
    CREATE FUNCTION app_current_firm() RETURNS uuid LANGUAGE sql STABLE AS
      $$ SELECT NULLIF(current_setting('app.firm_id', true), '')::uuid $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP FUNCTION app_current_firm();
    ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM passerelle_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM passerelle_app;
  `);
}
