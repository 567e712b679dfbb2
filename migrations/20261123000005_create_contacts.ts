import type { Knex } from 'knex';

// Contacts (C1–C3) are users with the role "contact": their list is sorted and searched by name,
// identifier and email, accents ignored, as fast with 100,000 of them as with ten. An email written
// by a collaborator to a contact carries the collaborator's address as Reply-To.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE users
      ADD COLUMN name_key text GENERATED ALWAYS AS (app_fold(last_name || ' ' || first_name || ' ' || identifier)) STORED,
      ADD COLUMN search_text text GENERATED ALWAYS AS (app_fold(first_name || ' ' || last_name || ' ' || identifier || ' ' || coalesce(email, '') || ' ' || phone || ' ' || job_title)) STORED;
    CREATE INDEX users_contact_name_idx ON users (firm_id, name_key, id) WHERE role = 'contact';
    CREATE INDEX users_contact_search_idx ON users USING gin (firm_id, search_text gin_trgm_ops) WHERE role = 'contact';

    ALTER TABLE mail_outbox ADD COLUMN reply_to text CHECK (length(reply_to) <= 254);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE mail_outbox DROP COLUMN reply_to;
    DROP INDEX users_contact_search_idx, users_contact_name_idx;
    ALTER TABLE users DROP COLUMN search_text, DROP COLUMN name_key;
  `);
}
