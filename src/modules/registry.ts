// The product's modules. A firm enables the ones it uses; each module built so far plugs its routes,
// its menu entries and its home-page widgets in here. The menu shows what the firm enabled and the
// role may open.
import type { Router } from 'express';
import type { Knex } from 'knex';
import type { FirmRow, Role } from '../db/tables.ts';
import type { SessionUser } from '../http/context.ts';
import type { AppDeps } from '../deps.ts';
import type { FirmTrx } from '../db/withFirm.ts';

/** Every module a firm can switch on in its settings (A7). */
export const MODULE_KEYS = ['clients', 'contacts', 'documents', 'dossiers', 'mail', 'messages', 'orders', 'deals', 'planning', 'supervision'] as const;
export type ModuleKey = (typeof MODULE_KEYS)[number];

export interface MenuEntry {
  labelKey: string;
  href: string;
  roles: Role[];
  module?: ModuleKey;
}

/** What a module puts on the home page: key figures and what waits for the user. */
export interface HomeWidgets {
  counts: { key: string; value: number; href: string }[];
  waiting: { key: string; count: number; href: string; params?: Record<string, string | number> }[];
}

/**
 * A module's part of the home page: a query giving one row of figures (the home page sends every
 * module's query, and its own, as one statement: each round trip costs more than the counting), then
 * the counts and to-dos made from that row. Aliases are plain lower-case words: the row comes back as JSON.
 */
export interface HomeSource {
  /** Whom it is for; when absent, every role but the management centre's (which sees only what concerns it). */
  roles?: Role[];
  /**
   * Built once per firm settings and person, then run on every visit (home/service.ts): it may
   * depend on the firm, the user's id and role, never on the time (write now() in SQL instead).
   */
  figures: (trx: FirmTrx, firm: FirmRow, user: SessionUser) => Knex.QueryBuilder | undefined;
  widgets: (figures: Record<string, number>, firm: FirmRow, user: SessionUser) => HomeWidgets;
}

export interface FeatureModule {
  key: ModuleKey;
  menu: MenuEntry[];
  router: (deps: AppDeps) => Router;
  /** For the firms that enabled the module. */
  home?: HomeSource;
}

/** Pages every firm has, whatever it enabled. */
const CORE_MENU: MenuEntry[] = [
  { labelKey: 'menu.home', href: '/', roles: ['supervisor', 'collaborator', 'contact', 'centre'] },
  { labelKey: 'menu.activity', href: '/activity', roles: ['supervisor'] },
  { labelKey: 'menu.settings', href: '/settings', roles: ['supervisor'] },
];

export function buildMenu(modules: FeatureModule[]) {
  const entries = [CORE_MENU[0]!, ...modules.flatMap((m) => m.menu.map((e) => ({ ...e, module: m.key }))), ...CORE_MENU.slice(1)];
  return (firm: FirmRow, user: SessionUser | undefined): MenuEntry[] =>
    user ? entries.filter((e) => e.roles.includes(user.role) && (!e.module || firm.modules.includes(e.module))) : [];
}
