import type { Knex } from 'knex';
import { wallOffByFirm } from './support/rls.ts';

// D6, emailed links ("accès occasionnel"): a link to one dossier's files for a contact or anyone,
// stored hashed, expiring (the firm sets the default), revocable, and limited to a number of
// downloads if the sender wants. Opening the link uses nothing; each download uses one. Every use
// goes to the activity log (object type dossierLink).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE firms ADD COLUMN link_days integer NOT NULL DEFAULT 30 CHECK (link_days BETWEEN 1 AND 365);

    CREATE TABLE dossier_links (
      firm_id uuid NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      dossier_id bigint NOT NULL,
      token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
      email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
      name text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
      expires_at timestamptz NOT NULL,
      max_downloads integer CHECK (max_downloads > 0),
      downloads integer NOT NULL DEFAULT 0 CHECK (downloads >= 0),
      revoked_at timestamptz,
      revoked_by bigint,
      created_by bigint,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (firm_id, id),
      UNIQUE (firm_id, token_hash),
      CHECK (max_downloads IS NULL OR downloads <= max_downloads),
      FOREIGN KEY (firm_id, dossier_id) REFERENCES dossiers (firm_id, id) ON DELETE CASCADE,
      FOREIGN KEY (firm_id, revoked_by) REFERENCES users (firm_id, id) ON DELETE SET NULL (revoked_by),
      FOREIGN KEY (firm_id, created_by) REFERENCES users (firm_id, id) ON DELETE SET NULL (created_by)
    );
    CREATE INDEX dossier_links_dossier_idx ON dossier_links (firm_id, dossier_id, id DESC);
    CREATE INDEX dossier_links_revoked_by_idx ON dossier_links (firm_id, revoked_by);
    CREATE INDEX dossier_links_created_by_idx ON dossier_links (firm_id, created_by);
  `);
  await wallOffByFirm(knex, 'dossier_links');
  // Links are the staff's business: a contact never reads them, not even their hashes.
  await knex.raw(`CREATE POLICY contact_dossier_links ON dossier_links AS RESTRICTIVE USING (app_current_role() <> 'contact')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE dossier_links;
    ALTER TABLE firms DROP COLUMN link_days;
  `);
}
