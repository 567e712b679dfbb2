import type { FeatureModule } from '../registry.ts';
import { Router } from 'express';
import { clientRoutes } from './routes.ts';
import { clientSettingsRoutes } from './settingsRoutes.ts';

export const clientsModule: FeatureModule = {
  key: 'clients',
  menu: [{ labelKey: 'modules.clients', href: '/clients', roles: ['supervisor', 'collaborator'] }],
  router: (deps) => Router().use(clientRoutes(deps), clientSettingsRoutes(deps)),
};
