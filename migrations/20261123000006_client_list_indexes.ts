import type { Knex } from 'knex';

// The client list at a million rows (bench/README.md, "clients-*").
//
// 1. The list as it opens (not in the trash, not departed), sorted by name: one partial index that
//    covers the count and the page's keys, read by index-only scans (the count of a firm of 10,000
//    clients: 7 ms → 2 ms; page 400: 11 ms → 2 ms with the deferred join of repo.ts). The
//    collaborator is included for a collaborator's own list.
//
// 2. The search under row-level security. PostgreSQL only uses a condition in an index scan ahead of
//    the policy when its operator is LEAKPROOF (it could otherwise reveal, by an error, rows the
//    policy hides). `LIKE` (textlike) is not marked so: the trigram index stayed unused and each
//    search read every client of the firm (7.5 ms → 1 ms once marked). Its only error comes from
//    its pattern (one ending with the escape character), never from the string matched; every
//    query of the app has the form `column LIKE '%' || app_fold($n) || '%'`, so no row's value can
//    make it fail. Never write `… LIKE column` on a table under row-level security.
//    Marking a built-in needs a superuser: where the migrations run as one (the embedded and CI
//    servers), it is done; elsewhere a DBA runs the same statement. pg_dump and pg_upgrade do not
//    carry the mark: run it again after a restore or an upgrade (searches stay correct without it,
//    only slower).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE INDEX clients_open_name_idx ON clients (firm_id, name_key, id) INCLUDE (collaborator_id) WHERE NOT in_trash AND departed_on IS NULL;
    DO $$
    BEGIN
      IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        ALTER FUNCTION pg_catalog.textlike(text, text) LEAKPROOF;
      ELSE
        RAISE NOTICE 'not a superuser: run ALTER FUNCTION pg_catalog.textlike(text, text) LEAKPROOF as one, or searches will not use their indexes';
      END IF;
    END $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX clients_open_name_idx;
    DO $$
    BEGIN
      IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        ALTER FUNCTION pg_catalog.textlike(text, text) NOT LEAKPROOF;
      END IF;
    END $$;
  `);
}
