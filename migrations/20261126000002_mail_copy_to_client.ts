import type { Knex } from 'knex';

// "Copie du document envoyé à l'adhérent" (seed 000): staff put a copy of a mail's document in the
// client's documents, where its contacts read it; done once, by whom and when is kept.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE mail_items
      ADD COLUMN copied_at timestamptz,
      ADD COLUMN copied_by bigint,
      ADD COLUMN copy_file_id bigint,
      ADD FOREIGN KEY (firm_id, copied_by) REFERENCES users (firm_id, id) ON DELETE SET NULL (copied_by),
      ADD FOREIGN KEY (firm_id, copy_file_id) REFERENCES files (firm_id, id) ON DELETE SET NULL (copy_file_id);
    CREATE INDEX mail_items_copied_by_idx ON mail_items (firm_id, copied_by);
    CREATE INDEX mail_items_copy_file_idx ON mail_items (firm_id, copy_file_id);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE mail_items DROP COLUMN copy_file_id, DROP COLUMN copied_by, DROP COLUMN copied_at');
}
