// The home page: what waits for the user. Each module adds its counts and to-dos (registry.ts,
// HomeSource); the foundation shows the supervisor the accounts and the latest activity. Everything
// comes in one statement: one row, a JSON object per module, each module's query a subquery.
import type { Knex } from 'knex';
import { FIRM_PEOPLE, type ActivityRow, type FirmRow } from '../../db/tables.ts';
import { compileRead, queryBuilder, readAsPerson, type CompiledRead } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import type { SessionUser } from '../../http/context.ts';
import type { HomeSource } from '../registry.ts';

export interface Home {
  counts: { key: string; value: number; href: string }[];
  waiting: { key: string; count: number; href: string; params?: Record<string, string | number> }[];
  recent: Pick<ActivityRow, 'at' | 'actorName' | 'action' | 'objectLabel'>[];
}

/** The home statement of one person: the sources that gave a subquery, in column order. */
interface HomeStatement {
  sources: HomeSource[];
  read: CompiledRead | null;
}

export async function homeFor(deps: AppDeps, firm: FirmRow, user: SessionUser): Promise<Home> {
  const { sources, read } = statementFor(deps, firm, user);
  // As the person, in one round trip: the database narrows each figure to what their role may see.
  const [row = {}] = read ? await readAsPerson(deps, firm, user, read) : [];
  const widgets = sources.map((source, i) => source.widgets(numbers(row[`m${i}`]), firm, user));
  const counts = widgets.flatMap((w) => w.counts);
  const waiting = widgets.flatMap((w) => w.waiting);
  if (user.role !== 'supervisor') return { counts, waiting, recent: [] };
  const users = numbers(row.users);
  const recent = (row.recent as { at: string; actor_name: string; action: string; object_label: string }[]).map((a) => ({ at: new Date(a.at), actorName: a.actor_name, action: a.action, objectLabel: a.object_label }));
  return {
    counts: [...counts, { key: 'home:counts.collaborators', value: users.staff ?? 0, href: '/settings/users' }, { key: 'home:counts.contacts', value: users.contacts ?? 0, href: '/settings/users' }],
    waiting,
    recent,
  };
}

/**
 * Statements are built once per firm and person, then reused: building and compiling them with knex
 * cost more than running them. The firm directory gives a new FirmRow when a firm's settings change
 * (or every few seconds), which drops that firm's statements. A source's query may therefore depend
 * only on the firm, the user's id and role, never on the time (HomeSource.figures).
 */
const statements = new WeakMap<FirmRow, Map<string, HomeStatement>>();
const MAX_PEOPLE_PER_FIRM = 1000;

function statementFor(deps: AppDeps, firm: FirmRow, user: SessionUser): HomeStatement {
  let ofFirm = statements.get(firm);
  if (!ofFirm) statements.set(firm, (ofFirm = new Map()));
  const key = `${user.id}:${user.role}`;
  let statement = ofFirm.get(key);
  if (!statement) {
    if (ofFirm.size >= MAX_PEOPLE_PER_FIRM) ofFirm.clear();
    statement = buildStatement(deps, firm, user);
    ofFirm.set(key, statement);
  }
  return statement;
}

/** Builds one person's home statement. Exported for the benchmark's baseline, which runs the same SQL without the framework. */
export function buildStatement(deps: Pick<AppDeps, 'db' | 'modules'>, firm: FirmRow, user: SessionUser): HomeStatement {
  const trx = queryBuilder(deps.db);
  const sources: HomeSource[] = [];
  const queries: Knex.QueryBuilder[] = [];
  for (const m of deps.modules) {
    if (!m.home || !firm.modules.includes(m.key) || !(m.home.roles ?? FIRM_PEOPLE).includes(user.role)) continue;
    const query = m.home.figures(trx, firm, user);
    if (query) sources.push(m.home), queries.push(query);
  }
  const columns = queries.map((_, i) => `to_jsonb(m${i}) AS m${i}`);
  const from = queries.map((_, i) => `(?) AS m${i}`);
  const bindings: Knex.RawBinding[] = [...queries];
  if (user.role === 'supervisor') {
    columns.push('to_jsonb(u) AS users', 'r.recent');
    from.push(
      `(SELECT count(*) FILTER (WHERE role IN ('supervisor', 'collaborator')) AS staff, count(*) FILTER (WHERE role = 'contact') AS contacts FROM users WHERE firm_id = ? AND active) AS u`,
      `(SELECT coalesce(jsonb_agg(a ORDER BY a.id DESC), '[]') AS recent FROM (SELECT id, at, actor_name, action, object_label FROM activity_log WHERE firm_id = ? ORDER BY id DESC LIMIT 5) a) AS r`,
    );
    bindings.push(firm.id, firm.id);
  }
  const read = from.length ? compileRead(trx.raw(`SELECT ${columns.join(', ')} FROM ${from.join(' CROSS JOIN ')}`, bindings)) : null;
  return { sources, read };
}

/** A module's row as numbers (counts come back as JSON numbers, sums of amounts too). */
function numbers(json: unknown): Record<string, number> {
  return Object.fromEntries(Object.entries((json ?? {}) as Record<string, unknown>).map(([k, v]) => [k, Number(v) || 0]));
}
