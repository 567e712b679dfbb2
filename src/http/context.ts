// What a request carries once the middleware has run, typed for every route and view.
import type { FirmRow, Locale, Role } from '../db/tables.ts';
import type { TFunction } from '../lib/i18n/index.ts';
import type { MenuEntry } from '../modules/registry.ts';

/** The few user fields kept in the session, so that no request needs a user query. */
export interface SessionUser {
  id: string;
  firmId: string;
  role: Role;
  name: string;
  locale: Locale | null;
}

export interface Flash {
  type: 'success' | 'danger' | 'info';
  key: string;
  params?: Record<string, string | number>;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface User extends SessionUser {}
    interface Request {
      firm: FirmRow;
      id: string;
    }
    interface Locals {
      t: TFunction;
      actionLabel: (action: string) => string;
      locale: Locale;
      cspNonce: string;
      csrfToken: string;
      firm: FirmRow;
      currentUser: SessionUser | undefined;
      path: string;
      menu: MenuEntry[];
      assetVersion: string;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    flash?: Flash[];
  }
}

export {};
