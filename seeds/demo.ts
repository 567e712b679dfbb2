// Demo data: two firms with their users, loaded at start-up outside production when missing.
// Every demo account has the password below, which the README gives.
import type { Knex } from 'knex';
import { createFirmWithUsers, firmExists, type NewFirm, type NewUser } from '../src/modules/firms/create.ts';
import { loadDemoFolders } from './demoFolders.ts';
import { loadDemoClients } from './demoClients.ts';
import { loadDemoMessages } from './demoMessages.ts';

export const DEMO_PASSWORD = 'Demo-Passerelle-2026';

const FIRMS: { firm: NewFirm; users: NewUser[] }[] = [
  {
    firm: {
      slug: 'compta',
      name: 'Cabinet Delmas & Associés',
      modules: ['clients', 'contacts', 'documents', 'dossiers', 'mail', 'messages', 'deals', 'supervision'],
      details: {
        siteName: 'Cabinet Delmas & Associés, expertise comptable',
        legalName: "SAS d'expertise comptable au capital de 50 000 €, inscrite au tableau de l'Ordre de la région Occitanie",
        siret: '83451296400018',
        address: '12 allées Jean Jaurès',
        postcode: '31000',
        city: 'Toulouse',
        phone: '05 61 22 45 80',
        email: 'contact@delmas-associes.example',
        primaryColor: '#1f4e79',
        accentColor: '#c8102e',
      },
    },
    users: [
      { role: 'supervisor', identifier: 'superviseur', email: 'helene.delmas@delmas-associes.example', firstName: 'Hélène', lastName: 'Delmas', jobTitle: 'Expert-comptable associée', phone: '05 61 22 45 81', password: DEMO_PASSWORD },
      { role: 'collaborator', identifier: 'collaborateur', email: 'julien.marty@delmas-associes.example', firstName: 'Julien', lastName: 'Marty', jobTitle: 'Collaborateur comptable', phone: '05 61 22 45 86', password: DEMO_PASSWORD },
      { role: 'contact', identifier: 'client', email: 'sophie.desperies@boulangerie-desperies.example', firstName: 'Sophie', lastName: 'Despéries', jobTitle: 'Gérante, Boulangerie Despéries', phone: '06 12 48 73 95', password: DEMO_PASSWORD },
      // The management centre the firm works with (CGA), logged into the firm's space.
      { role: 'centre', identifier: 'centre', email: 'agnes.roux@cga-occitanie.example', firstName: 'Agnès', lastName: 'Roux', jobTitle: 'Chargée de mission, CGA Occitanie', phone: '05 61 14 52 30', password: DEMO_PASSWORD },
    ],
  },
  {
    firm: {
      slug: 'diag',
      name: 'Garonne Diagnostics',
      modules: ['clients', 'contacts', 'documents', 'dossiers', 'orders', 'messages', 'planning'],
      details: {
        siteName: 'Garonne Diagnostics — Bureau en ligne',
        legalName: 'SARL au capital de 15 000 €, diagnostics immobiliers certifiés',
        siret: '79123845400015',
        address: '48 quai des Chartrons',
        postcode: '33000',
        city: 'Bordeaux',
        phone: '05 56 81 37 12',
        email: 'bureau@garonne-diagnostics.example',
        primaryColor: '#0f6e5a',
        accentColor: '#d98e04',
      },
    },
    users: [
      { role: 'supervisor', identifier: 'superviseur', email: 'marc.lescure@garonne-diagnostics.example', firstName: 'Marc', lastName: 'Lescure', jobTitle: 'Gérant, diagnostiqueur certifié', phone: '05 56 81 37 10', password: DEMO_PASSWORD },
      { role: 'collaborator', identifier: 'collaborateur', email: 'camille.roussel@garonne-diagnostics.example', firstName: 'Camille', lastName: 'Roussel', jobTitle: 'Diagnostiqueuse immobilier', phone: '06 71 23 58 04', password: DEMO_PASSWORD },
      { role: 'contact', identifier: 'client', email: 'nathalie.fabre@agence-chartrons.example', firstName: 'Nathalie', lastName: 'Fabre', jobTitle: 'Agence immobilière des Chartrons', phone: '05 56 44 19 27', password: DEMO_PASSWORD },
    ],
  },
];

/** Creates the demo firms that do not exist yet; returns the slugs created. */
export async function loadDemoData(owner: Knex): Promise<string[]> {
  const created: string[] = [];
  for (const { firm, users } of FIRMS) {
    if (await firmExists(owner, firm.slug)) continue;
    await createFirmWithUsers(owner, firm, users);
    await loadDemoClients(owner, firm.slug);
    await loadDemoFolders(owner, firm.slug);
    await loadDemoMessages(owner, firm.slug);
    created.push(firm.slug);
  }
  return created;
}
