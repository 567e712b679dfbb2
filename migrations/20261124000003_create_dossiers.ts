import type { Knex } from 'knex';
import { wallOffByFirm } from './support/rls.ts';

// Dossiers (E1–E4): a job delivered to one client (a diagnostic, a year's accounts) with its files,
// steps, amount and payment state; unpaid management (D5): per firm, unpaid dossiers' PDFs are
// stamped or not downloadable at all, unless the client is exempted. A contact sees the dossiers of
// their clients only, in the database as in the code.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE firms
      ADD COLUMN unpaid_mode text NOT NULL DEFAULT 'stamp' CHECK (unpaid_mode IN ('off', 'stamp', 'block')),
      ADD COLUMN payment_info text NOT NULL DEFAULT '' CHECK (length(payment_info) <= 1000);
    ALTER TABLE clients ADD COLUMN unpaid_exempt boolean NOT NULL DEFAULT false;

    CREATE TABLE dossiers (
      firm_id uuid NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      client_id bigint NOT NULL,
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      comments text NOT NULL DEFAULT '' CHECK (length(comments) <= 5000),
      summary text NOT NULL DEFAULT '' CHECK (length(summary) <= 5000),
      conclusions text[] NOT NULL DEFAULT '{}' CHECK (cardinality(conclusions) <= 50),
      amount numeric(12, 2) CHECK (amount >= 0),
      paid boolean NOT NULL DEFAULT false,
      paid_at timestamptz,
      notified_at timestamptz,
      created_by bigint,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      search_text text GENERATED ALWAYS AS (app_fold(title || ' ' || comments || ' ' || summary)) STORED,
      PRIMARY KEY (firm_id, id),
      FOREIGN KEY (firm_id, client_id) REFERENCES clients (firm_id, id) ON DELETE CASCADE,
      FOREIGN KEY (firm_id, created_by) REFERENCES users (firm_id, id) ON DELETE SET NULL (created_by)
    );
    CREATE INDEX dossiers_recent_idx ON dossiers (firm_id, created_at DESC, id DESC);
    CREATE INDEX dossiers_client_idx ON dossiers (firm_id, client_id, created_at DESC);
    CREATE INDEX dossiers_created_by_idx ON dossiers (firm_id, created_by);
    CREATE INDEX dossiers_search_idx ON dossiers USING gin (firm_id, search_text gin_trgm_ops);

    CREATE TABLE dossier_steps (
      firm_id uuid NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      dossier_id bigint NOT NULL,
      label text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
      due_on date,
      done boolean NOT NULL DEFAULT false,
      position integer NOT NULL DEFAULT 0,
      PRIMARY KEY (firm_id, id),
      FOREIGN KEY (firm_id, dossier_id) REFERENCES dossiers (firm_id, id) ON DELETE CASCADE
    );
    CREATE INDEX dossier_steps_dossier_idx ON dossier_steps (firm_id, dossier_id, position);

    -- A file belongs to a client's folder or to a dossier.
    ALTER TABLE files
      ADD COLUMN dossier_id bigint,
      ADD FOREIGN KEY (firm_id, dossier_id) REFERENCES dossiers (firm_id, id) ON DELETE CASCADE,
      ADD CONSTRAINT files_in_folder_or_dossier CHECK ((folder_id IS NULL) <> (dossier_id IS NULL));
    CREATE INDEX files_dossier_idx ON files (firm_id, dossier_id, id) WHERE dossier_id IS NOT NULL;
  `);
  for (const table of ['dossiers', 'dossier_steps']) await wallOffByFirm(knex, table);
  await knex.raw(`
    CREATE POLICY contact_dossiers ON dossiers AS RESTRICTIVE
      USING (app_current_role() <> 'contact' OR EXISTS (
        SELECT 1 FROM client_contacts cc WHERE cc.firm_id = dossiers.firm_id AND cc.client_id = dossiers.client_id AND cc.user_id = app_current_user()));
    CREATE POLICY contact_dossier_steps ON dossier_steps AS RESTRICTIVE
      USING (app_current_role() <> 'contact' OR EXISTS (SELECT 1 FROM dossiers d WHERE d.firm_id = dossier_steps.firm_id AND d.id = dossier_steps.dossier_id));
    -- A contact's files: those of the folders open to them, and those of their clients' dossiers.
    DROP POLICY contact_files ON files;
    CREATE POLICY contact_files ON files AS RESTRICTIVE
      USING (app_current_role() <> 'contact' OR (deleted_at IS NULL AND (
        EXISTS (SELECT 1 FROM folders f WHERE f.firm_id = files.firm_id AND f.id = files.folder_id)
        OR EXISTS (SELECT 1 FROM dossiers d WHERE d.firm_id = files.firm_id AND d.id = files.dossier_id))));
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP POLICY contact_files ON files;
    CREATE POLICY contact_files ON files AS RESTRICTIVE
      USING (app_current_role() <> 'contact' OR (deleted_at IS NULL
        AND EXISTS (SELECT 1 FROM folders f WHERE f.firm_id = files.firm_id AND f.id = files.folder_id)));
    ALTER TABLE files DROP CONSTRAINT files_in_folder_or_dossier, DROP COLUMN dossier_id;
    DROP TABLE dossier_steps, dossiers;
    ALTER TABLE clients DROP COLUMN unpaid_exempt;
    ALTER TABLE firms DROP COLUMN payment_info, DROP COLUMN unpaid_mode;
  `);
}
