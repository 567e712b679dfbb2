import type { Knex } from 'knex';
import { wallOffByFirm } from './support/rls.ts';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE users (
      firm_id uuid NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
      id bigint GENERATED ALWAYS AS IDENTITY,
      role text NOT NULL CHECK (role IN ('supervisor', 'collaborator', 'contact')),
      identifier text NOT NULL CHECK (length(identifier) BETWEEN 1 AND 100),
      email text CHECK (length(email) <= 254),
      first_name text NOT NULL DEFAULT '' CHECK (length(first_name) <= 100),
      last_name text NOT NULL DEFAULT '' CHECK (length(last_name) <= 100),
      phone text NOT NULL DEFAULT '' CHECK (length(phone) <= 30),
      job_title text NOT NULL DEFAULT '' CHECK (length(job_title) <= 100),
      locale text CHECK (locale IN ('fr', 'en')),
      password_hash text,
      password_changed_at timestamptz,
      active boolean NOT NULL DEFAULT true,
      last_login_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (firm_id, id)
    );
    CREATE UNIQUE INDEX users_identifier_key ON users (firm_id, lower(identifier));
    CREATE UNIQUE INDEX users_email_key ON users (firm_id, lower(email)) WHERE email IS NOT NULL;

    -- Single-use links to set a password (reset or first access). Only the SHA-256 of the token is kept.
    CREATE TABLE password_tokens (
      firm_id uuid NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
      id bigint GENERATED ALWAYS AS IDENTITY,
      user_id bigint NOT NULL,
      token_hash bytea NOT NULL,
      purpose text NOT NULL CHECK (purpose IN ('reset', 'invite')),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_by bigint,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (firm_id, id),
      UNIQUE (firm_id, token_hash),
      FOREIGN KEY (firm_id, user_id) REFERENCES users (firm_id, id) ON DELETE CASCADE,
      FOREIGN KEY (firm_id, created_by) REFERENCES users (firm_id, id) ON DELETE SET NULL (created_by)
    );
    CREATE INDEX password_tokens_user_idx ON password_tokens (firm_id, user_id);
    CREATE INDEX password_tokens_created_by_idx ON password_tokens (firm_id, created_by);
  `);
  await wallOffByFirm(knex, 'users');
  await wallOffByFirm(knex, 'password_tokens');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE password_tokens; DROP TABLE users;');
}
