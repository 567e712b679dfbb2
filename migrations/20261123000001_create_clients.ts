import type { Knex } from 'knex';
import { wallOffByFirm } from './support/rls.ts';

// The firm's clients (B1–B8), the custom attributes of their sheets, their groups, their contacts and
// the collaborators who may open them. History and assignments go to activity_log.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE EXTENSION IF NOT EXISTS unaccent;
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE EXTENSION IF NOT EXISTS btree_gin;

    -- Lower case without accents, for search and sorting: "Despériès" and "DESPERIES" are one word.
    -- unaccent() is only STABLE (its dictionary could change); naming the dictionary makes it safe to
    -- index, the usual way to do it.
    CREATE FUNCTION app_fold(text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      AS $fold$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $fold$;

    ALTER TABLE firms ADD COLUMN centre_emails text[] NOT NULL DEFAULT '{}';

    ALTER TABLE users
      ADD COLUMN code text NOT NULL DEFAULT '' CHECK (length(code) <= 20),
      ADD COLUMN departed_on date,
      ADD COLUMN copy_emails text[] NOT NULL DEFAULT '{}';

    CREATE TABLE client_groups (
      firm_id uuid NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
      id bigint GENERATED ALWAYS AS IDENTITY,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      PRIMARY KEY (firm_id, id)
    );
    CREATE UNIQUE INDEX client_groups_name_key ON client_groups (firm_id, lower(name));

    -- Custom attributes of the client sheet, firm-wide; a record template is a named list of them.
    CREATE TABLE client_attributes (
      firm_id uuid NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
      id bigint GENERATED ALWAYS AS IDENTITY,
      label text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
      type text NOT NULL CHECK (type IN ('text', 'number', 'date', 'boolean', 'list')),
      options text[] NOT NULL DEFAULT '{}',
      PRIMARY KEY (firm_id, id)
    );
    CREATE UNIQUE INDEX client_attributes_label_key ON client_attributes (firm_id, lower(label));

    CREATE TABLE record_templates (
      firm_id uuid NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
      id bigint GENERATED ALWAYS AS IDENTITY,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      PRIMARY KEY (firm_id, id)
    );
    CREATE UNIQUE INDEX record_templates_name_key ON record_templates (firm_id, lower(name));

    CREATE TABLE record_template_attributes (
      firm_id uuid NOT NULL,
      template_id bigint NOT NULL,
      attribute_id bigint NOT NULL,
      position integer NOT NULL DEFAULT 0,
      PRIMARY KEY (firm_id, template_id, attribute_id),
      FOREIGN KEY (firm_id, template_id) REFERENCES record_templates (firm_id, id) ON DELETE CASCADE,
      FOREIGN KEY (firm_id, attribute_id) REFERENCES client_attributes (firm_id, id) ON DELETE CASCADE
    );
    CREATE INDEX record_template_attributes_attribute_idx ON record_template_attributes (firm_id, attribute_id);

    CREATE TABLE clients (
      firm_id uuid NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
      id bigint GENERATED ALWAYS AS IDENTITY,
      number integer NOT NULL CHECK (number > 0),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      siret text CHECK (siret ~ '^[0-9]{14}$'),
      legal_status text NOT NULL DEFAULT '' CHECK (length(legal_status) <= 100),
      profession text NOT NULL DEFAULT '' CHECK (length(profession) <= 100),
      activity_started_on date,
      client_since date,
      address text NOT NULL DEFAULT '' CHECK (length(address) <= 200),
      postcode text NOT NULL DEFAULT '' CHECK (length(postcode) <= 10),
      city text NOT NULL DEFAULT '' CHECK (length(city) <= 100),
      home_address text NOT NULL DEFAULT '' CHECK (length(home_address) <= 200),
      home_postcode text NOT NULL DEFAULT '' CHECK (length(home_postcode) <= 10),
      home_city text NOT NULL DEFAULT '' CHECK (length(home_city) <= 100),
      phone text NOT NULL DEFAULT '' CHECK (length(phone) <= 30),
      fax text NOT NULL DEFAULT '' CHECK (length(fax) <= 30),
      email text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
      dossier_number text NOT NULL DEFAULT '' CHECK (length(dossier_number) <= 30),
      collaborator_id bigint,
      group_id bigint,
      custom_values jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(custom_values) = 'object'),
      blocked boolean NOT NULL DEFAULT false,
      block_reason text NOT NULL DEFAULT '' CHECK (length(block_reason) <= 500),
      in_trash boolean NOT NULL DEFAULT false,
      departed_on date,
      -- B7: what the management centre has been told (new client, departure), and when.
      reported_added_at timestamptz,
      reported_departure_at timestamptz,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      name_key text GENERATED ALWAYS AS (app_fold(name)) STORED,
      city_key text GENERATED ALWAYS AS (app_fold(city)) STORED,
      profession_key text GENERATED ALWAYS AS (app_fold(profession)) STORED,
      search_text text GENERATED ALWAYS AS (app_fold(
        name || ' ' || city || ' ' || profession || ' ' || coalesce(siret, '') || ' ' || dossier_number || ' ' ||
        email || ' ' || legal_status || ' ' || postcode || ' ' || custom_values::text)) STORED,
      PRIMARY KEY (firm_id, id),
      UNIQUE (firm_id, number),
      FOREIGN KEY (firm_id, collaborator_id) REFERENCES users (firm_id, id) ON DELETE SET NULL (collaborator_id),
      FOREIGN KEY (firm_id, group_id) REFERENCES client_groups (firm_id, id) ON DELETE SET NULL (group_id)
    );
    CREATE INDEX clients_name_idx ON clients (firm_id, name_key, id);
    CREATE INDEX clients_city_idx ON clients (firm_id, city_key, id);
    CREATE INDEX clients_profession_idx ON clients (firm_id, profession_key, id);
    CREATE INDEX clients_collaborator_idx ON clients (firm_id, collaborator_id);
    CREATE INDEX clients_group_idx ON clients (firm_id, group_id);
    CREATE INDEX clients_siret_idx ON clients (firm_id, siret) WHERE siret IS NOT NULL;
    CREATE INDEX clients_search_idx ON clients USING gin (firm_id, search_text gin_trgm_ops);

    -- The client's contacts: accounts with the role "contact" (a contact may belong to several clients).
    CREATE TABLE client_contacts (
      firm_id uuid NOT NULL,
      client_id bigint NOT NULL,
      user_id bigint NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (firm_id, client_id, user_id),
      FOREIGN KEY (firm_id, client_id) REFERENCES clients (firm_id, id) ON DELETE CASCADE,
      FOREIGN KEY (firm_id, user_id) REFERENCES users (firm_id, id) ON DELETE CASCADE
    );
    CREATE INDEX client_contacts_user_idx ON client_contacts (firm_id, user_id);

    -- B3 "Collaborateurs": who, besides the assigned collaborator, may open the client, and how.
    -- No row: no access. read: consult and download. write: also publish and modify.
    CREATE TABLE client_access (
      firm_id uuid NOT NULL,
      client_id bigint NOT NULL,
      user_id bigint NOT NULL,
      level text NOT NULL CHECK (level IN ('read', 'write')),
      PRIMARY KEY (firm_id, client_id, user_id),
      FOREIGN KEY (firm_id, client_id) REFERENCES clients (firm_id, id) ON DELETE CASCADE,
      FOREIGN KEY (firm_id, user_id) REFERENCES users (firm_id, id) ON DELETE CASCADE
    );
    CREATE INDEX client_access_user_idx ON client_access (firm_id, user_id);

    -- B7 "Envoyer les mises à jour": what was sent to the management centre, and to whom.
    CREATE TABLE client_list_dispatches (
      firm_id uuid NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
      id bigint GENERATED ALWAYS AS IDENTITY,
      sent_at timestamptz NOT NULL DEFAULT now(),
      sent_by bigint,
      recipients text[] NOT NULL,
      added jsonb NOT NULL DEFAULT '[]',
      departed jsonb NOT NULL DEFAULT '[]',
      PRIMARY KEY (firm_id, id),
      FOREIGN KEY (firm_id, sent_by) REFERENCES users (firm_id, id) ON DELETE SET NULL (sent_by)
    );
    CREATE INDEX client_list_dispatches_sent_by_idx ON client_list_dispatches (firm_id, sent_by);
  `);
  for (const table of ['client_groups', 'client_attributes', 'record_templates', 'record_template_attributes', 'clients', 'client_contacts', 'client_access', 'client_list_dispatches']) {
    await wallOffByFirm(knex, table);
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE client_list_dispatches, client_access, client_contacts, clients, record_template_attributes, record_templates, client_attributes, client_groups;
    ALTER TABLE users DROP COLUMN code, DROP COLUMN departed_on, DROP COLUMN copy_emails;
    ALTER TABLE firms DROP COLUMN centre_emails;
    DROP FUNCTION app_fold(text);
  `);
}
