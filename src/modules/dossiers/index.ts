import type { FeatureModule } from '../registry.ts';
import { dossiersHome } from './home.ts';
import { dossierRoutes } from './routes.ts';

// Dossiers (E1–E4, D5, D8): staff deliver them, the client's contacts download them.
export const dossiersModule: FeatureModule = {
  key: 'dossiers',
  menu: [{ labelKey: 'modules.dossiers', href: '/dossiers', roles: ['supervisor', 'collaborator', 'contact'] }],
  home: dossiersHome,
  router: dossierRoutes,
};
