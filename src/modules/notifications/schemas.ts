// The notifications list's query: a kind, unread only or all, the page.
import { z } from 'zod';

/** The kinds the list offers as a filter (a kind not listed still shows under "Toutes"). */
export const NOTIFICATION_KINDS = ['dossier', 'mail', 'message', 'supervision'] as const;
export const NOTIFICATION_STATES = ['all', 'unread'] as const;

export const notificationListQuery = z.object({
  kind: z.enum(NOTIFICATION_KINDS).optional().catch(undefined),
  state: z.enum(NOTIFICATION_STATES).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1_000_000).optional().catch(undefined),
});
export type NotificationListQuery = z.infer<typeof notificationListQuery>;

/** Where to go back after "Lu" or "Reporter": the list as it was (same filters, same page). */
export const backToList = z.object({
  back: z.string().regex(/^\/notifications(\?[\w=&%-]*)?$/).optional().catch(undefined),
});
