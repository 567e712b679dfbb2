import type { Knex } from 'knex';
import { wallOffByFirm } from './support/rls.ts';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE firms (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9]){0,1}$'),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      site_name text NOT NULL DEFAULT '' CHECK (length(site_name) <= 100),
      legal_name text NOT NULL DEFAULT '',
      siret text CHECK (siret ~ '^[0-9]{14}$'),
      address text NOT NULL DEFAULT '',
      postcode text NOT NULL DEFAULT '',
      city text NOT NULL DEFAULT '',
      phone text NOT NULL DEFAULT '',
      email text NOT NULL DEFAULT '',
      primary_color text NOT NULL DEFAULT '#1f4e79' CHECK (primary_color ~ '^#[0-9a-f]{6}$'),
      accent_color text NOT NULL DEFAULT '#c8102e' CHECK (accent_color ~ '^#[0-9a-f]{6}$'),
      rows_per_page integer NOT NULL DEFAULT 25 CHECK (rows_per_page BETWEEN 10 AND 350),
      default_locale text NOT NULL DEFAULT 'fr' CHECK (default_locale IN ('fr', 'en')),
      modules text[] NOT NULL DEFAULT '{}',
      show_forgot_password boolean NOT NULL DEFAULT true,
      custom_domains text[] NOT NULL DEFAULT '{}',
      has_logo boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX firms_custom_domains_idx ON firms USING gin (custom_domains);

    -- Any request may read the firms (the host name is resolved before a firm is known);
    -- the app may change only the firm of its transaction, and never create or delete one.
    ALTER TABLE firms ENABLE ROW LEVEL SECURITY;
    CREATE POLICY firms_read ON firms FOR SELECT USING (true);
    CREATE POLICY firms_update_own ON firms FOR UPDATE USING (id = app_current_firm()) WITH CHECK (id = app_current_firm());
    REVOKE INSERT, DELETE, TRUNCATE ON firms FROM passerelle_app;
    GRANT SELECT ON firms TO passerelle_worker;

    CREATE TABLE firm_logos (
      firm_id uuid PRIMARY KEY REFERENCES firms (id) ON DELETE CASCADE,
      mime text NOT NULL CHECK (mime IN ('image/png', 'image/jpeg', 'image/webp')),
      data bytea NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `);
  await wallOffByFirm(knex, 'firm_logos');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE firm_logos; DROP TABLE firms;');
}
