// A person's notifications. Every query names the firm and the person: another person's
// notification is "not found", as is another firm's (row-level security says the same).
import type { NotificationRow } from '../../db/notificationTables.ts';
import type { FirmTrx } from '../../db/withFirm.ts';
import { NotFound } from '../../lib/errors.ts';
import type { NotificationListQuery } from './schemas.ts';

export type NotificationListRow = Pick<NotificationRow, 'id' | 'kind' | 'key' | 'params' | 'href' | 'createdAt' | 'readAt'>;

const ID = /^\d{1,18}$/;

/**
 * What the person sees: all their notifications but those put off ("Reporter") since their last
 * login. The next login moves users.last_login_at past postponed_at, and they are back.
 */
function visible(trx: FirmTrx, firmId: string, userId: string) {
  return trx('notifications')
    .where('notifications.firmId', firmId)
    .where('notifications.userId', userId)
    .where((q) => q.whereNull('notifications.postponedAt').orWhere('notifications.postponedAt', '<', trx('users').where({ firmId, id: userId }).select('lastLoginAt')));
}

/** Newest first, a page at a time, all kinds or one. */
export async function listNotifications(trx: FirmTrx, firmId: string, userId: string, f: NotificationListQuery, perPage: number) {
  const filtered = () => {
    const q = visible(trx, firmId, userId);
    if (f.kind) q.where('notifications.kind', f.kind);
    if (f.state === 'unread') q.whereNull('notifications.readAt');
    return q;
  };
  const [{ n }] = (await filtered().count({ n: '*' })) as [{ n: string }];
  const total = Number(n);
  const pages = Math.max(1, Math.ceil(total / perPage));
  const page = Math.min(f.page ?? 1, pages);
  const rows = (await filtered()
    .select('notifications.id', 'notifications.kind', 'notifications.key', 'notifications.params', 'notifications.href', 'notifications.createdAt', 'notifications.readAt')
    .orderBy('notifications.id', 'desc')
    .limit(perPage)
    .offset((page - 1) * perPage)) as NotificationListRow[];
  return { rows, total, page, pages };
}

/** The person's own notification, or 404 (a bad id, someone else's, another firm's). */
export async function getOwnNotification(trx: FirmTrx, firmId: string, userId: string, id: string): Promise<Pick<NotificationRow, 'id' | 'href' | 'readAt'>> {
  if (!ID.test(id)) throw new NotFound();
  const row = await trx('notifications').where({ firmId, userId, id }).first('id', 'href', 'readAt');
  if (!row) throw new NotFound();
  return row;
}

/** "Lu": only an unread one of the person's changes; true when this call marked it. */
export async function markRead(trx: FirmTrx, firmId: string, userId: string, id: string): Promise<boolean> {
  if (!ID.test(id)) throw new NotFound();
  const changed = await trx('notifications').where({ firmId, userId, id }).whereNull('readAt').update({ readAt: new Date() });
  if (changed) return true;
  await getOwnNotification(trx, firmId, userId, id); // already read, or 404
  return false;
}

/** "Reporter": hidden until the next login; a read one stays as it is. */
export async function postpone(trx: FirmTrx, firmId: string, userId: string, id: string): Promise<boolean> {
  if (!ID.test(id)) throw new NotFound();
  const changed = await trx('notifications').where({ firmId, userId, id }).whereNull('readAt').update({ postponedAt: new Date() });
  if (changed) return true;
  await getOwnNotification(trx, firmId, userId, id);
  return false;
}

/** Following its link: read from now on (when it was read first stays), and where it leads. */
export async function openOwn(trx: FirmTrx, firmId: string, userId: string, id: string): Promise<string> {
  if (!ID.test(id)) throw new NotFound();
  const [row] = await trx('notifications').where({ firmId, userId, id }).update({ readAt: trx.raw('coalesce(read_at, now())') as unknown as Date }, ['href']);
  if (!row) throw new NotFound();
  return row.href;
}

/** "Tout marquer comme lu": what the list shows; the ones put off stay for after the next login. */
export function markAllRead(trx: FirmTrx, firmId: string, userId: string): Promise<number> {
  return visible(trx, firmId, userId).whereNull('notifications.readAt').update({ readAt: new Date() }) as unknown as Promise<number>;
}
