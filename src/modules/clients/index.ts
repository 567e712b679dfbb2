import type { FeatureModule } from '../registry.ts';
import { Router } from 'express';
import { requireRole } from '../../http/middleware/auth.ts';
import { clientsHome } from './home.ts';
import { clientRoutes } from './routes.ts';
import { clientSettingsRoutes } from './settingsRoutes.ts';
import { updatesRoutes } from './updatesRoutes.ts';
import { wizardRoutes } from './wizardRoutes.ts';

export const clientsModule: FeatureModule = {
  key: 'clients',
  menu: [{ labelKey: 'modules.clients', href: '/clients', roles: ['supervisor', 'collaborator'] }],
  home: clientsHome,
  router: (deps) => Router().use('/clients', requireRole('supervisor', 'collaborator')).use(wizardRoutes(deps), updatesRoutes(deps), clientRoutes(deps), clientSettingsRoutes(deps)),
};
