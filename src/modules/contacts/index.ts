import { Router } from 'express';
import { requireRole } from '../../http/middleware/auth.ts';
import type { FeatureModule } from '../registry.ts';
import { contactsHome } from './home.ts';
import { contactRoutes } from './routes.ts';

export const contactsModule: FeatureModule = {
  key: 'contacts',
  menu: [{ labelKey: 'modules.contacts', href: '/contacts', roles: ['supervisor', 'collaborator'] }],
  home: contactsHome,
  router: (deps) => Router().use('/contacts', requireRole('supervisor', 'collaborator')).use(contactRoutes(deps)),
};
