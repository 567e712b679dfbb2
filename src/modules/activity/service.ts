// The activity log: every module records significant actions here, in the transaction of the action.
import type { FirmTrx } from '../../db/withFirm.ts';
import type { ActivityRow } from '../../db/tables.ts';
import type { SessionUser } from '../../http/context.ts';

export interface Activity {
  action: string; // '<module>.<what>': its label is activity:actions.<module>.<what> or <module>:activity.<what>
  actor?: Pick<SessionUser, 'id' | 'name'> | null;
  clientId?: string | null;
  objectType?: string | null;
  objectId?: string | null;
  objectLabel?: string;
  details?: Record<string, unknown>;
  ip?: string | null;
}

export async function recordActivity(trx: FirmTrx, firmId: string, a: Activity): Promise<void> {
  await trx('activityLog').insert({
    firmId,
    action: a.action,
    actorId: a.actor?.id ?? null,
    actorName: a.actor?.name ?? '',
    clientId: a.clientId ?? null,
    objectType: a.objectType ?? null,
    objectId: a.objectId ?? null,
    objectLabel: a.objectLabel ?? '',
    details: a.details ?? {},
    ip: a.ip ?? null,
  });
}

export interface ActivityPage {
  rows: ActivityRow[];
  newer: string | undefined; // cursor for the previous (newer) page
  older: string | undefined; // cursor for the next (older) page
}

/** Newest first, by keyset on id: as fast on page 10,000 as on page 1. */
export async function listActivity(
  trx: FirmTrx,
  firmId: string,
  { before, after, limit }: { before?: string; after?: string; limit: number },
): Promise<ActivityPage> {
  const q = trx('activityLog').where({ firmId });
  if (after) q.where('id', '>', after).orderBy('id', 'asc');
  else {
    if (before) q.where('id', '<', before);
    q.orderBy('id', 'desc');
  }
  const fetched = await q.limit(limit + 1);
  const more = fetched.length > limit;
  const rows = fetched.slice(0, limit);
  if (after) rows.reverse();
  const first = rows[0]?.id;
  const last = rows.at(-1)?.id;
  const hasNewer = after ? more : Boolean(before);
  const hasOlder = after ? true : more;
  return { rows, newer: hasNewer ? first : undefined, older: hasOlder && rows.length ? last : undefined };
}
