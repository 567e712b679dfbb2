// In-app notifications (K3). Other modules call notify() inside their own transaction, so a
// notification exists exactly when the change that causes it does. The text is an i18n key with
// its values, rendered when shown, in the reader's language.
import type { NotificationParams } from '../../db/notificationTables.ts';
import type { FirmRow, Role } from '../../db/tables.ts';
import { withFirm, type FirmTrx } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import { listNotifications, markAllRead, markRead, openOwn, postpone } from './repo.ts';
import type { NotificationListQuery } from './schemas.ts';

export interface NewNotification {
  /** For filtering: 'mail', 'message', 'supervision', 'dossier'… */
  kind: string;
  /** An i18n key with its namespace, e.g. 'courriers:notifications.arrived'. */
  key: string;
  params?: NotificationParams;
  /** Where the notification leads: a path of this site ('/dossiers/12'). */
  href: string;
}

const ID = /^\d{1,18}$/;
const KIND = /^[a-z][a-z0-9_-]{0,29}$/;
const KEY = /^[a-zA-Z0-9_-]+:[a-zA-Z0-9_.-]+$/;

/** A path of this site, never another host ('//evil.example', '/\evil.example'). */
export function isLocalHref(href: string): boolean {
  return /^\/([^/\\]|$)/.test(href) && href.length <= 500 && !/[\u0000-\u001f\s]/.test(href);
}

/**
 * Tells each of `userIds` (people of `firmId`; repeats ignored) about something, in one INSERT.
 * Bad arguments are the caller's bug: they throw before anything is written.
 */
export async function notify(trx: FirmTrx, firmId: string, userIds: string[], n: NewNotification): Promise<void> {
  if (!KIND.test(n.kind) || !KEY.test(n.key) || n.key.length > 120 || !isLocalHref(n.href)) throw new Error(`notify: invalid notification ${n.kind} ${n.key}`);
  const users = [...new Set(userIds.map(String))];
  if (users.some((id) => !ID.test(id))) throw new Error('notify: invalid user id');
  if (!users.length) return;
  const params = JSON.stringify(n.params ?? {});
  await trx('notifications').insert(users.map((userId) => ({ firmId, userId, kind: n.kind, key: n.key, params, href: n.href })));
}

/** The signed-in person, for whom the pages below work: their own notifications only. */
interface Reader {
  id: string;
  role: Role;
}

const asReader = <T>(deps: AppDeps, firm: FirmRow, reader: Reader, work: (trx: FirmTrx) => Promise<T>) =>
  withFirm(deps.db, firm.id, work, { id: reader.id, role: reader.role });

export function notificationsPage(deps: AppDeps, firm: FirmRow, reader: Reader, query: NotificationListQuery) {
  return asReader(deps, firm, reader, (trx) => listNotifications(trx, firm.id, reader.id, query, firm.rowsPerPage));
}

/** "Lu". */
export function readNotification(deps: AppDeps, firm: FirmRow, reader: Reader, id: string): Promise<boolean> {
  return asReader(deps, firm, reader, (trx) => markRead(trx, firm.id, reader.id, id));
}

/** "Reporter": back at the next login. */
export function postponeNotification(deps: AppDeps, firm: FirmRow, reader: Reader, id: string): Promise<boolean> {
  return asReader(deps, firm, reader, (trx) => postpone(trx, firm.id, reader.id, id));
}

/** "Tout marquer comme lu". */
export function readAllNotifications(deps: AppDeps, firm: FirmRow, reader: Reader): Promise<number> {
  return asReader(deps, firm, reader, (trx) => markAllRead(trx, firm.id, reader.id));
}

/** Following a notification's link: it is read, and this is where it leads. */
export function openNotification(deps: AppDeps, firm: FirmRow, reader: Reader, id: string): Promise<string> {
  return asReader(deps, firm, reader, async (trx) => {
    const href = await openOwn(trx, firm.id, reader.id, id);
    return isLocalHref(href) ? href : '/notifications';
  });
}
