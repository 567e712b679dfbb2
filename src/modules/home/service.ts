// The home page: what waits for the user. Each module adds its counts and to-dos as it is built;
// the foundation shows the supervisor the accounts and the latest activity.
import type { ActivityRow, FirmRow } from '../../db/tables.ts';
import { withFirm } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import type { SessionUser } from '../../http/context.ts';

export interface Home {
  counts: { key: string; value: number; href: string }[];
  waiting: { key: string; count: number; href: string }[];
  recent: ActivityRow[];
}

export async function homeFor(deps: AppDeps, firm: FirmRow, user: SessionUser): Promise<Home> {
  if (user.role !== 'supervisor') return { counts: [], waiting: [], recent: [] };
  return withFirm(deps.db, firm.id, async (trx) => {
    const [byRole, recent] = await Promise.all([
      trx('users').where({ firmId: firm.id, active: true }).select('role').count<{ role: string; count: string }[]>('* as count').groupBy('role'),
      trx('activityLog').where({ firmId: firm.id }).orderBy('id', 'desc').limit(5),
    ]);
    const count = (role: string) => Number(byRole.find((r) => r.role === role)?.count ?? 0);
    return {
      counts: [
        { key: 'home:counts.collaborators', value: count('collaborator') + count('supervisor'), href: '/settings/users' },
        { key: 'home:counts.contacts', value: count('contact'), href: '/settings/users' },
      ],
      waiting: [],
      recent,
    };
  });
}
