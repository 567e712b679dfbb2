import type { Knex } from 'knex';
import { wallOffByFirm } from './support/rls.ts';

// Documents (D1–D3): each client's folder tree, built from the firm's tree templates; per-folder
// permissions for contacts and collaborators; the files, stored outside the database under random
// keys, with a trash and their download count.
//
// A contact's limits are also enforced here, not only in the code: withFirm() sets the person and
// their role for the transaction, and a restrictive policy hides from a contact every folder and
// file their permissions do not open, whatever query the code sends.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- The person and role of the transaction (set by withFirm() with an actor; empty for system work).
    CREATE FUNCTION app_current_user() RETURNS bigint LANGUAGE sql STABLE AS
      $$ SELECT NULLIF(current_setting('app.user_id', true), '')::bigint $$;
    CREATE FUNCTION app_current_role() RETURNS text LANGUAGE sql STABLE AS
      $$ SELECT coalesce(current_setting('app.role', true), '') $$;

    ALTER TABLE firms
      ADD COLUMN upload_max_mb integer NOT NULL DEFAULT 100 CHECK (upload_max_mb BETWEEN 1 AND 2048),
      ADD COLUMN upload_kinds text[] NOT NULL DEFAULT '{pdf,image,office,text,zip}'
        CHECK (upload_kinds <@ '{pdf,image,office,text,zip}'::text[]);

    CREATE TABLE folder_templates (
      firm_id uuid NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
      id bigint GENERATED ALWAYS AS IDENTITY,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (firm_id, id)
    );
    CREATE UNIQUE INDEX folder_templates_name_key ON folder_templates (firm_id, lower(name));

    -- A template's folders, each with the default permission of contacts and of collaborators.
    CREATE TABLE folder_template_nodes (
      firm_id uuid NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      template_id bigint NOT NULL,
      parent_id bigint,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
      contact_level text NOT NULL DEFAULT 'read' CHECK (contact_level IN ('none', 'read', 'full')),
      staff_level text NOT NULL DEFAULT 'full' CHECK (staff_level IN ('none', 'read', 'full')),
      PRIMARY KEY (firm_id, id),
      FOREIGN KEY (firm_id, template_id) REFERENCES folder_templates (firm_id, id) ON DELETE CASCADE,
      FOREIGN KEY (firm_id, parent_id) REFERENCES folder_template_nodes (firm_id, id) ON DELETE CASCADE
    );
    CREATE INDEX folder_template_nodes_template_idx ON folder_template_nodes (firm_id, template_id);
    CREATE INDEX folder_template_nodes_parent_idx ON folder_template_nodes (firm_id, parent_id);
    CREATE UNIQUE INDEX folder_template_nodes_name_key ON folder_template_nodes (firm_id, template_id, coalesce(parent_id, 0), lower(name));

    -- A client's folders. contact_level and staff_level apply to whoever has no permission of their own.
    CREATE TABLE folders (
      firm_id uuid NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      client_id bigint NOT NULL,
      parent_id bigint,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
      contact_level text NOT NULL DEFAULT 'read' CHECK (contact_level IN ('none', 'read', 'full')),
      staff_level text NOT NULL DEFAULT 'full' CHECK (staff_level IN ('none', 'read', 'full')),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (firm_id, id),
      FOREIGN KEY (firm_id, client_id) REFERENCES clients (firm_id, id) ON DELETE CASCADE,
      FOREIGN KEY (firm_id, parent_id) REFERENCES folders (firm_id, id) ON DELETE CASCADE
    );
    CREATE INDEX folders_client_idx ON folders (firm_id, client_id);
    CREATE INDEX folders_parent_idx ON folders (firm_id, parent_id);
    CREATE UNIQUE INDEX folders_name_key ON folders (firm_id, client_id, coalesce(parent_id, 0), lower(name));

    -- D2: one person's permission on one folder, over the folder's default for their role.
    CREATE TABLE folder_permissions (
      firm_id uuid NOT NULL,
      folder_id bigint NOT NULL,
      user_id bigint NOT NULL,
      level text NOT NULL CHECK (level IN ('none', 'read', 'full')),
      PRIMARY KEY (firm_id, folder_id, user_id),
      FOREIGN KEY (firm_id, folder_id) REFERENCES folders (firm_id, id) ON DELETE CASCADE,
      FOREIGN KEY (firm_id, user_id) REFERENCES users (firm_id, id) ON DELETE CASCADE
    );
    CREATE INDEX folder_permissions_user_idx ON folder_permissions (firm_id, user_id);

    -- A stored file. storage_key names it in the file store; version changes when its content does
    -- (stamped copies are cached per version). deleted_at: in the trash.
    CREATE TABLE files (
      firm_id uuid NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      client_id bigint NOT NULL,
      folder_id bigint,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
      title text NOT NULL DEFAULT '' CHECK (length(title) <= 255),
      comment text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
      kind text NOT NULL CHECK (kind IN ('pdf', 'image', 'office', 'text', 'zip')),
      mime text NOT NULL CHECK (length(mime) <= 200),
      size bigint NOT NULL CHECK (size > 0),
      sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      storage_key text NOT NULL CHECK (length(storage_key) <= 200),
      version integer NOT NULL DEFAULT 1,
      download_count integer NOT NULL DEFAULT 0,
      -- When one of the client's own people (a contact or a guest link) first downloaded it.
      client_downloaded_at timestamptz,
      uploaded_by bigint,
      uploaded_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz,
      deleted_by bigint,
      name_key text GENERATED ALWAYS AS (app_fold(name || ' ' || title)) STORED,
      PRIMARY KEY (firm_id, id),
      UNIQUE (firm_id, storage_key),
      FOREIGN KEY (firm_id, client_id) REFERENCES clients (firm_id, id) ON DELETE CASCADE,
      FOREIGN KEY (firm_id, folder_id) REFERENCES folders (firm_id, id) ON DELETE CASCADE,
      FOREIGN KEY (firm_id, uploaded_by) REFERENCES users (firm_id, id) ON DELETE SET NULL (uploaded_by),
      FOREIGN KEY (firm_id, deleted_by) REFERENCES users (firm_id, id) ON DELETE SET NULL (deleted_by)
    );
    CREATE INDEX files_folder_idx ON files (firm_id, folder_id, uploaded_at DESC) WHERE deleted_at IS NULL;
    CREATE INDEX files_client_idx ON files (firm_id, client_id);
    CREATE INDEX files_trash_idx ON files (firm_id, deleted_at) WHERE deleted_at IS NOT NULL;
    CREATE INDEX files_uploaded_by_idx ON files (firm_id, uploaded_by);
    CREATE INDEX files_deleted_by_idx ON files (firm_id, deleted_by);

    -- A file's access history (who, when, from where, through which link) and the Activités tab read it.
    CREATE INDEX activity_log_object_idx ON activity_log (firm_id, object_type, object_id, id DESC) WHERE object_type IS NOT NULL;

    -- The level of the contact of this transaction on a folder (given by its columns: reading folders
    -- here would run folders' own policy again): none unless they are a contact of its client; then
    -- their own permission, else the folder's default for contacts.
    CREATE FUNCTION app_contact_folder_level(p_firm uuid, p_folder bigint, p_client bigint, p_default text) RETURNS text
      LANGUAGE sql STABLE AS $$
        SELECT CASE WHEN EXISTS (SELECT 1 FROM client_contacts cc WHERE cc.firm_id = p_firm AND cc.client_id = p_client AND cc.user_id = app_current_user())
          THEN coalesce((SELECT p.level FROM folder_permissions p WHERE p.firm_id = p_firm AND p.folder_id = p_folder AND p.user_id = app_current_user()), p_default)
          ELSE 'none' END
      $$;
  `);
  for (const table of ['folder_templates', 'folder_template_nodes', 'folders', 'folder_permissions', 'files']) await wallOffByFirm(knex, table);
  await knex.raw(`
    -- The second wall, for contacts: restrictive, so it narrows the firm policy and never widens it.
    CREATE POLICY contact_folders ON folders AS RESTRICTIVE
      USING (app_current_role() <> 'contact' OR app_contact_folder_level(firm_id, id, client_id, contact_level) <> 'none');
    -- A file is visible to a contact when its folder is (the subquery sees folders through the policy above).
    CREATE POLICY contact_files ON files AS RESTRICTIVE
      USING (app_current_role() <> 'contact' OR (deleted_at IS NULL
        AND EXISTS (SELECT 1 FROM folders f WHERE f.firm_id = files.firm_id AND f.id = files.folder_id)));
    CREATE POLICY contact_permissions ON folder_permissions AS RESTRICTIVE
      USING (app_current_role() <> 'contact' OR user_id = app_current_user());
    CREATE POLICY contact_templates ON folder_templates AS RESTRICTIVE USING (app_current_role() <> 'contact');
    CREATE POLICY contact_template_nodes ON folder_template_nodes AS RESTRICTIVE USING (app_current_role() <> 'contact');
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP FUNCTION app_contact_folder_level(uuid, bigint, bigint, text) CASCADE;
    DROP INDEX activity_log_object_idx;
    DROP TABLE files, folder_permissions, folders, folder_template_nodes, folder_templates;
    ALTER TABLE firms DROP COLUMN upload_kinds, DROP COLUMN upload_max_mb;
    DROP FUNCTION app_current_role();
    DROP FUNCTION app_current_user();
  `);
}
