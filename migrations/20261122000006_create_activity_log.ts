import type { Knex } from 'knex';
import { wallOffByFirm } from './support/rls.ts';

// Who did what, when, to which client and which object. Written by every module through one service.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE activity_log (
      firm_id uuid NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
      id bigint GENERATED ALWAYS AS IDENTITY,
      at timestamptz NOT NULL DEFAULT now(),
      actor_id bigint,
      actor_name text NOT NULL DEFAULT '',
      action text NOT NULL,
      client_id bigint,
      object_type text,
      object_id text,
      object_label text NOT NULL DEFAULT '',
      details jsonb NOT NULL DEFAULT '{}',
      ip inet,
      PRIMARY KEY (firm_id, id),
      FOREIGN KEY (firm_id, actor_id) REFERENCES users (firm_id, id) ON DELETE SET NULL (actor_id)
    );
    CREATE INDEX activity_log_actor_idx ON activity_log (firm_id, actor_id);
    CREATE INDEX activity_log_client_idx ON activity_log (firm_id, client_id, id DESC) WHERE client_id IS NOT NULL;
  `);
  await wallOffByFirm(knex, 'activity_log');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE activity_log;');
}
