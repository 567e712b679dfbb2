import { Router } from 'express';
import { requireRole } from '../../http/middleware/auth.ts';
import type { FeatureModule } from '../registry.ts';
import { messagesHome } from './home.ts';
import { messageRoutes } from './routes.ts';
import { messageSettingsRoutes } from './settingsRoutes.ts';

// Messages ("Dialogue", H1–H3): messages between the firm's staff and its clients' contacts, and
// between the firm and its management centre (the centre's predefined addresses), announced by
// email; the supervisor keeps the centre's addresses and may supervise messages to clients.
export const messagesModule: FeatureModule = {
  key: 'messages',
  menu: [{ labelKey: 'messages:menu', href: '/messages', roles: ['supervisor', 'collaborator', 'contact', 'centre'] }],
  home: messagesHome,
  router: (deps) =>
    Router()
      .use('/messages', requireRole('supervisor', 'collaborator', 'contact', 'centre'))
      .use(messageRoutes(deps), messageSettingsRoutes(deps)),
};
