import { Router } from 'express';
import { requireRole } from '../../http/middleware/auth.ts';
import type { FeatureModule } from '../registry.ts';
import { mailHome } from './home.ts';
import { mailRoutes } from './routes.ts';

// Mail ("courriers", G1–G4): documents put in a client's mail by the management centre (or the firm
// itself), for the firm's staff; the centre follows what it sent and the answers.
export const mailModule: FeatureModule = {
  key: 'mail',
  menu: [
    { labelKey: 'courriers:menu', href: '/mail', roles: ['supervisor', 'collaborator'] },
    { labelKey: 'courriers:queue.menu', href: '/supervision/replies', roles: ['supervisor'] },
    { labelKey: 'courriers:sent.menu', href: '/mail', roles: ['centre'] },
    { labelKey: 'courriers:members.menu', href: '/mail/members', roles: ['centre'] },
  ],
  home: mailHome,
  router: (deps) => Router().use('/mail', requireRole('supervisor', 'collaborator', 'centre')).use(mailRoutes(deps)),
};
