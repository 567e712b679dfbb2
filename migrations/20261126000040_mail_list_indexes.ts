import type { Knex } from 'knex';

// "Nouveaux courriers" at 200,000 mails in a firm (bench/README.md, "mail-list-*").
//
// The list's count joins the firm's mail not yet archived with the clients the person may see, and
// row-level security adds its own conditions on both tables (from_centre on the mail; departed_on
// and in_trash on the clients). Without these indexes each page read every such mail row from the
// table (5,600 rows spread over 4,000 pages: the old mail nobody opened is everywhere) and every
// client of the firm (10,000 rows) to check who is in charge: ~4,900 buffers, the count alone
// 15–24 ms. With them, both sides are index-only scans (~150 buffers).
//
// 1. The mail not archived, by client, with what the filters and the policy read (small: partial).
//    Also what a sort by client name or number walks into, one client after the other.
// 2. The clients with what the visibility rule and the policies read (who is in charge, in the trash,
//    departed). The same size as the primary key (64 MB at 1,000,000 clients).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE INDEX mail_items_open_client_idx ON mail_items (firm_id, client_id) INCLUDE (type, needs_reply, answered_at, from_centre) WHERE archived_at IS NULL;
    CREATE INDEX clients_mail_visible_idx ON clients (firm_id, id) INCLUDE (collaborator_id, in_trash, departed_on);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX mail_items_open_client_idx; DROP INDEX clients_mail_visible_idx;');
}
