import type { FeatureModule } from '../registry.ts';
import { supervisionRoutes } from './routes.ts';

export const supervisionModule: FeatureModule = {
  key: 'supervision',
  menu: [{ labelKey: 'modules.supervision', href: '/supervision', roles: ['supervisor'] }],
  router: supervisionRoutes,
};
