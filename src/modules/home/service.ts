// The home page: what waits for the user. Each module adds its counts and to-dos (registry.ts,
// HomeSource); the foundation shows the supervisor the accounts and the latest activity. Everything
// comes in one statement: one row, a JSON object per module, each module's query a subquery.
import type { Knex } from 'knex';
import { FIRM_PEOPLE, type ActivityRow, type FirmRow } from '../../db/tables.ts';
import { readAsPerson } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import type { SessionUser } from '../../http/context.ts';

export interface Home {
  counts: { key: string; value: number; href: string }[];
  waiting: { key: string; count: number; href: string; params?: Record<string, string | number> }[];
  recent: Pick<ActivityRow, 'at' | 'actorName' | 'action' | 'objectLabel'>[];
}

export async function homeFor(deps: AppDeps, firm: FirmRow, user: SessionUser): Promise<Home> {
  const sources = deps.modules.flatMap((m) => (m.home && firm.modules.includes(m.key) && (m.home.roles ?? FIRM_PEOPLE).includes(user.role) ? [m.home] : []));
  const supervisor = user.role === 'supervisor';
  // As the person: the database narrows each figure to what their role may see, as on every page.
  // One statement in one round trip: the page is read on every visit.
  const parts: { source: (typeof sources)[number]; query: Knex.QueryBuilder }[] = [];
  const rows = await readAsPerson(deps, firm, user, (trx) => {
    for (const source of sources) {
      const query = source.figures(trx, firm, user);
      if (query) parts.push({ source, query });
    }
    const columns = parts.map((_, i) => `to_jsonb(m${i}) AS m${i}`);
    const from = parts.map((_, i) => `(?) AS m${i}`);
    const bindings: unknown[] = parts.map((p) => p.query);
    if (supervisor) {
      columns.push('to_jsonb(u) AS users', 'r.recent');
      from.push(
        `(SELECT count(*) FILTER (WHERE role IN ('supervisor', 'collaborator')) AS staff, count(*) FILTER (WHERE role = 'contact') AS contacts FROM users WHERE firm_id = ? AND active) AS u`,
        `(SELECT coalesce(jsonb_agg(a ORDER BY a.id DESC), '[]') AS recent FROM (SELECT id, at, actor_name, action, object_label FROM activity_log WHERE firm_id = ? ORDER BY id DESC LIMIT 5) a) AS r`,
      );
      bindings.push(firm.id, firm.id);
    }
    return from.length ? trx.raw(`SELECT ${columns.join(', ')} FROM ${from.join(' CROSS JOIN ')}`, bindings as Knex.RawBinding[]) : null;
  });
  const row = rows[0] ?? {};
  const widgets = parts.map((p, i) => p.source.widgets(numbers(row[`m${i}`]), firm, user));
  const counts = widgets.flatMap((w) => w.counts);
  const waiting = widgets.flatMap((w) => w.waiting);
  if (!supervisor) return { counts, waiting, recent: [] };
  const users = numbers(row.users);
  const recent = (row.recent as { at: string; actor_name: string; action: string; object_label: string }[]).map((a) => ({ at: new Date(a.at), actorName: a.actor_name, action: a.action, objectLabel: a.object_label }));
  return {
    counts: [...counts, { key: 'home:counts.collaborators', value: users.staff ?? 0, href: '/settings/users' }, { key: 'home:counts.contacts', value: users.contacts ?? 0, href: '/settings/users' }],
    waiting,
    recent,
  };
}

/** A module's row as numbers (counts come back as JSON numbers, sums of amounts too). */
function numbers(json: unknown): Record<string, number> {
  return Object.fromEntries(Object.entries((json ?? {}) as Record<string, unknown>).map(([k, v]) => [k, Number(v) || 0]));
}
