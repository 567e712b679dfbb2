import { Router } from 'express';
import { requireFirmPeople } from '../../http/middleware/auth.ts';
import type { FeatureModule } from '../registry.ts';
import { fileRoutes } from './fileRoutes.ts';
import { permissionRoutes } from './permissionRoutes.ts';
import { publicationRoutes } from './publicationRoutes.ts';
import { publicationsHome } from './publications.ts';
import { documentRoutes } from './routes.ts';
import { templateRoutes } from './templateRoutes.ts';

// Documents (D1–D4): staff reach a client's files from its sheet, a contact from "Documents";
// everyone reads the firm's "Documentation".
export const documentsModule: FeatureModule = {
  key: 'documents',
  menu: [
    { labelKey: 'modules.documents', href: '/documents', roles: ['contact'] },
    { labelKey: 'documents:documentation.menu', href: '/documentation', roles: ['supervisor', 'collaborator', 'contact'] },
  ],
  home: publicationsHome,
  router: (deps) =>
    Router()
      .use(['/documents', '/files', '/clients', '/documentation'], requireFirmPeople)
      .use(templateRoutes(deps))
      .use(permissionRoutes(deps))
      .use(fileRoutes(deps))
      .use(publicationRoutes(deps))
      .use(documentRoutes(deps)),
};
