import type { Knex } from 'knex';
import { wallOffByFirm } from './support/rls.ts';

// D4, the documentation space: documents the firm publishes to all its clients, to all its staff,
// or to both (notices, statistics), searchable. A contact sees only what is published to clients,
// in the database as in the code.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE publications (
      firm_id uuid NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
      id bigint GENERATED ALWAYS AS IDENTITY,
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 255),
      summary text NOT NULL DEFAULT '' CHECK (length(summary) <= 2000),
      category text NOT NULL DEFAULT '' CHECK (length(category) <= 100),
      audience text NOT NULL CHECK (audience IN ('clients', 'staff', 'all')),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
      kind text NOT NULL CHECK (kind IN ('pdf', 'image', 'office', 'text', 'zip')),
      mime text NOT NULL CHECK (length(mime) <= 200),
      size bigint NOT NULL CHECK (size > 0),
      sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      storage_key text NOT NULL CHECK (length(storage_key) <= 200),
      published_by bigint,
      published_at timestamptz NOT NULL DEFAULT now(),
      search_text text GENERATED ALWAYS AS (app_fold(title || ' ' || summary || ' ' || category || ' ' || name)) STORED,
      PRIMARY KEY (firm_id, id),
      UNIQUE (firm_id, storage_key),
      FOREIGN KEY (firm_id, published_by) REFERENCES users (firm_id, id) ON DELETE SET NULL (published_by)
    );
    CREATE INDEX publications_published_idx ON publications (firm_id, published_at DESC, id DESC);
    CREATE INDEX publications_published_by_idx ON publications (firm_id, published_by);
    CREATE INDEX publications_search_idx ON publications USING gin (firm_id, search_text gin_trgm_ops);
  `);
  await wallOffByFirm(knex, 'publications');
  await knex.raw(`CREATE POLICY contact_publications ON publications AS RESTRICTIVE USING (app_current_role() <> 'contact' OR audience IN ('clients', 'all'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE publications');
}
