// The home page: what waits for the user. Each module adds its counts and to-dos as it is built;
// the foundation shows the supervisor the accounts and the latest activity.
import type { ActivityRow, FirmRow } from '../../db/tables.ts';
import { inTurn, withFirm } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import type { SessionUser } from '../../http/context.ts';

export interface Home {
  counts: { key: string; value: number; href: string }[];
  waiting: { key: string; count: number; href: string }[];
  recent: ActivityRow[];
}

export async function homeFor(deps: AppDeps, firm: FirmRow, user: SessionUser): Promise<Home> {
  const modules = deps.modules.filter((m) => m.home && firm.modules.includes(m.key));
  if (user.role !== 'supervisor' && !modules.length) return { counts: [], waiting: [], recent: [] };
  return withFirm(deps.db, firm.id, async (trx) => {
    const widgets = [];
    for (const m of modules) widgets.push(await m.home!(trx, firm, user));
    const fromModules = { counts: widgets.flatMap((w) => w.counts), waiting: widgets.flatMap((w) => w.waiting) };
    if (user.role !== 'supervisor') return { ...fromModules, recent: [] };
    const [byRole, recent] = await inTurn(
      () => trx('users').where({ firmId: firm.id, active: true }).select('role').count<{ role: string; count: string }[]>('* as count').groupBy('role'),
      () => trx('activityLog').where({ firmId: firm.id }).orderBy('id', 'desc').limit(5),
    );
    const count = (role: string) => Number(byRole.find((r) => r.role === role)?.count ?? 0);
    return {
      counts: [...fromModules.counts, { key: 'home:counts.collaborators', value: count('collaborator') + count('supervisor'), href: '/settings/users' }, { key: 'home:counts.contacts', value: count('contact'), href: '/settings/users' }],
      waiting: fromModules.waiting,
      recent,
    };
  });
}
