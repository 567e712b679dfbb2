import { Router } from 'express';
import { requireUser } from '../../http/middleware/auth.ts';
import type { FeatureModule } from '../registry.ts';
import { fileRoutes } from './fileRoutes.ts';
import { permissionRoutes } from './permissionRoutes.ts';
import { documentRoutes } from './routes.ts';
import { templateRoutes } from './templateRoutes.ts';

// Documents (D1–D3): staff reach a client's files from its sheet; a contact from the menu.
export const documentsModule: FeatureModule = {
  key: 'documents',
  menu: [{ labelKey: 'modules.documents', href: '/documents', roles: ['contact'] }],
  router: (deps) => Router().use(['/documents', '/files', '/clients'], requireUser).use(templateRoutes(deps)).use(permissionRoutes(deps)).use(fileRoutes(deps)).use(documentRoutes(deps)),
};
