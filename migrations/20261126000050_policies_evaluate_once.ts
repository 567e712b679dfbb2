import type { Knex } from 'knex';

// Row-level security called the session functions (app_current_firm(), app_current_role(),
// app_current_user(), app_is_centre()) once per row read: a stable function is not folded into a
// constant. Written as a sub-select, each becomes an init plan, evaluated once per query, and
// still usable as an index condition. Measured on the mail list's count (200,000 mails, RLS on,
// bench/README.md): 7.3 → 3.5 ms, the same as with no policy at all. Every policy so far is
// rewritten here; a policy written later should use the (SELECT app_…()) form itself.
const CALL = /(?<!SELECT )\b(app_current_firm|app_current_role|app_current_user|app_is_centre)\(\)/g;
const WRAPPED = /\(\s*SELECT (app_current_firm|app_current_role|app_current_user|app_is_centre)\(\) AS \1\)/g;

type Policy = { tbl: string; policy: string; qual: string | null; check: string | null };

async function rewrite(knex: Knex, change: (expr: string) => string): Promise<void> {
  const { rows } = await knex.raw<{ rows: Policy[] }>(`SELECT tablename AS tbl, policyname AS policy, qual, with_check AS check FROM pg_policies WHERE schemaname = current_schema()`);
  for (const p of rows) {
    const using = p.qual && change(p.qual);
    const check = p.check && change(p.check);
    if (using === p.qual && check === p.check) continue;
    // The expressions come from pg_policies (PostgreSQL's own deparse), never from input.
    await knex.raw(`ALTER POLICY ?? ON ??${using ? ` USING (${using})` : ''}${check ? ` WITH CHECK (${check})` : ''}`, [p.policy, p.tbl]);
  }
}

export async function up(knex: Knex): Promise<void> {
  await rewrite(knex, (expr) => expr.replace(CALL, '(SELECT $1())'));
}

export async function down(knex: Knex): Promise<void> {
  await rewrite(knex, (expr) => expr.replace(WRAPPED, '$1()'));
}
