import type { Knex } from 'knex';
import type { i18n } from 'i18next';
import type pg from 'pg';
import type { Config } from './config.ts';
import type { Logger } from './lib/logger.ts';
import type { FirmDirectory } from './modules/firms/directory.ts';
import type { LoginThrottle } from './modules/auth/throttle.ts';
import type { FeatureModule } from './modules/registry.ts';

/** Everything the app needs from outside, built once by server.ts (or by the tests). */
export interface AppDeps {
  config: Config;
  db: Knex; // connections run as the app role, under row-level security
  sessionPool: pg.Pool; // sessions and rate-limit counters (not firm-owned)
  log: Logger;
  i18n: i18n;
  firms: FirmDirectory;
  throttle: LoginThrottle;
  modules: FeatureModule[];
}
