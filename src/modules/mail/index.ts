import { Router } from 'express';
import { requireRole } from '../../http/middleware/auth.ts';
import type { FeatureModule } from '../registry.ts';
import { mailHome } from './home.ts';
import { mailRoutes } from './routes.ts';

// Mail ("courriers", G1–G4): documents put in a client's mail, for the firm's staff.
export const mailModule: FeatureModule = {
  key: 'mail',
  menu: [
    { labelKey: 'courriers:menu', href: '/mail', roles: ['supervisor', 'collaborator'] },
    { labelKey: 'courriers:queue.menu', href: '/supervision/replies', roles: ['supervisor'] },
  ],
  home: mailHome,
  router: (deps) => Router().use('/mail', requireRole('supervisor', 'collaborator')).use(mailRoutes(deps)),
};
