import type { Knex } from 'knex';

// The message boxes at a million rows. Measured with 1,000,000 messages in one firm (400,000 in one
// person's "Messages reçus"): a box filtered by state ("À consulter", "Annulé") walked the box's
// index and read every row it passed to check the state, and the row-level security policies, for
// the few it kept. The state users see becomes a column, and each box gets an index on it, so a
// state's page is a range of an index like the whole box's. The home page's count of messages to
// read uses the same indexes (the two partial ones it had are dropped).
// With these, the keyset pages of repo.ts and counts stopped at 10,000, every box page of that
// firm answered in 20–80 ms through the whole app, on the first page as on the 12,000th (it took
// 0.5–5 s with offsets and full counts), and the home page's counts in 10–20 ms.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE messages ADD COLUMN state text GENERATED ALWAYS AS (
      CASE WHEN status = 'sent' THEN CASE WHEN read_at IS NULL THEN 'toRead' ELSE 'read' END ELSE status END) STORED;
    DROP INDEX messages_unread_idx, messages_centre_unread_idx;
    CREATE INDEX messages_received_state_idx ON messages (firm_id, recipient_user_id, state, sent_at DESC, id DESC) WHERE sent_at IS NOT NULL;
    CREATE INDEX messages_centre_state_idx ON messages (firm_id, state, sent_at DESC, id DESC) WHERE recipient_kind = 'address' AND sent_at IS NOT NULL;
    CREATE INDEX messages_sent_state_idx ON messages (firm_id, sender_id, state, created_at DESC, id DESC);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX messages_received_state_idx, messages_centre_state_idx, messages_sent_state_idx;
    ALTER TABLE messages DROP COLUMN state;
    CREATE INDEX messages_unread_idx ON messages (firm_id, recipient_user_id) WHERE status = 'sent' AND read_at IS NULL;
    CREATE INDEX messages_centre_unread_idx ON messages (firm_id) WHERE recipient_kind = 'address' AND status = 'sent' AND read_at IS NULL;
  `);
}
