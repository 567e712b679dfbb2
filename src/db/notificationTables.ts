// Typed table of in-app notifications (K3): see tables.ts.
import type { Knex } from 'knex';

export type NotificationParams = Record<string, string | number>;

export interface NotificationRow {
  firmId: string;
  id: string;
  userId: string;
  kind: string;
  key: string;
  params: NotificationParams;
  href: string;
  createdAt: Date;
  readAt: Date | null;
  postponedAt: Date | null;
}

declare module 'knex/types/tables.js' {
  interface Tables {
    notifications: Knex.CompositeTableType<
      NotificationRow,
      Pick<NotificationRow, 'firmId' | 'userId' | 'kind' | 'key' | 'href'> & { params: string },
      Partial<Pick<NotificationRow, 'readAt' | 'postponedAt'>>
    >;
  }
}
