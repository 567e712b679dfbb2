import type { Knex } from 'knex';

// Sessions (connect-pg-simple's table) and login throttling counters (rate-limiter-flexible's table).
// Neither is firm-owned: a session names its firm inside, and a counter's key includes the firm.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE session (
      sid varchar NOT NULL PRIMARY KEY,
      sess json NOT NULL,
      expire timestamp(6) NOT NULL
    );
    CREATE INDEX session_expire_idx ON session (expire);
    CREATE INDEX session_user_idx ON session (((sess -> 'passport' -> 'user' ->> 'id')));

    CREATE TABLE rate_limits (
      key varchar(255) PRIMARY KEY,
      points integer NOT NULL DEFAULT 0,
      expire bigint
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE rate_limits; DROP TABLE session;');
}
