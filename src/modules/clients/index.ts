import type { FeatureModule } from '../registry.ts';
import { clientRoutes } from './routes.ts';

export const clientsModule: FeatureModule = {
  key: 'clients',
  menu: [{ labelKey: 'modules.clients', href: '/clients', roles: ['supervisor', 'collaborator'] }],
  router: clientRoutes,
};
