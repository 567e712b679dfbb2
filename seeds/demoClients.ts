// Demo clients of the two demo firms: the kind of clients each firm really has (seed 000's list
// for the accounting firm: craftsmen, commercial agents, liberal professions; estate agencies,
// notaries and owners for the diagnostics firm), with valid SIRET numbers.
import type { Knex } from 'knex';
import { setFirm } from '../src/db/withFirm.ts';

interface DemoClient {
  number: number;
  name: string;
  siret?: string;
  legalStatus?: string;
  profession: string;
  address: string;
  postcode: string;
  city: string;
  phone?: string;
  email?: string;
  activityStartedOn?: string;
  clientSince?: string;
  dossierNumber?: string;
  /** identifier of the assigned user; none: no collaborator yet */
  collaborator?: 'collaborateur' | 'superviseur';
  group?: string;
  contact?: 'client';
  values?: Record<string, string | number | boolean>;
  blockReason?: string;
}

/** A contact of the firm's clients (C1), who has not chosen a password yet ("Codes à envoyer"). */
interface DemoContact {
  firstName: string;
  lastName: string;
  email: string;
  copyEmails?: string[];
  jobTitle: string;
  phone?: string;
  clients: number[];
}

interface DemoAttribute {
  label: string;
  type: 'text' | 'number' | 'date' | 'boolean' | 'list';
  options?: string[];
}

const COMPTA_ATTRIBUTES: DemoAttribute[] = [
  { label: 'Régime fiscal', type: 'list', options: ['BIC réel simplifié', 'BIC réel normal', 'BNC déclaration contrôlée', 'Micro-entreprise'] },
  { label: 'Date de clôture', type: 'date' },
  { label: 'Adhérent CGA', type: 'boolean' },
  { label: "Chiffre d'affaires N-1", type: 'number' },
];

const COMPTA_TEMPLATES: Record<string, string[]> = {
  'Entreprise individuelle': ['Régime fiscal', 'Date de clôture', 'Adhérent CGA', "Chiffre d'affaires N-1"],
  Société: ['Régime fiscal', 'Date de clôture', "Chiffre d'affaires N-1"],
};

const COMPTA: DemoClient[] = [
  { number: 1, name: 'CHAZEAU Christophe', siret: '51732048700013', legalStatus: 'Entreprise individuelle', profession: 'Agent commercial', address: '14 cours Mirabeau', postcode: '13100', city: 'Aix-en-Provence', phone: '04 42 27 18 60', email: 'c.chazeau@orange.example', activityStartedOn: '2009-03-01', clientSince: '2012-01-01', dossierNumber: '101', collaborator: 'collaborateur', group: 'Agents commerciaux', values: { 'Régime fiscal': 'BNC déclaration contrôlée', 'Adhérent CGA': true, "Chiffre d'affaires N-1": 84250 } },
  { number: 4, name: 'C2J INFO', siret: '40123316800012', legalStatus: 'Société Civile Professionnelle (SCP)', profession: "Conseil d'entreprise", address: '26 chemin de la Violette', postcode: '31240', city: "L'Union", phone: '05 62 89 00 90', email: 'contact@c2jinfo.example', activityStartedOn: '1995-01-01', clientSince: '1995-01-01', dossierNumber: '123', collaborator: 'collaborateur', values: { 'Régime fiscal': 'BIC réel simplifié', 'Date de clôture': '2026-12-31', 'Adhérent CGA': true } },
  { number: 8, name: 'ESSAI Paul', siret: '56496156300017', legalStatus: 'Entreprise individuelle', profession: 'Agent commercial en immobilier', address: '3 rue Alsace-Lorraine', postcode: '31000', city: 'Toulouse', phone: '06 11 42 87 30', activityStartedOn: '2015-09-01', clientSince: '2016-01-01', dossierNumber: '148', collaborator: 'superviseur', group: 'Agents commerciaux' },
  { number: 11, name: 'LISTERIQUE Paul', siret: '73683473000011', legalStatus: 'EURL', profession: 'Agent commercial en immobilier', address: '18 boulevard de Strasbourg', postcode: '31000', city: 'Toulouse', activityStartedOn: '2018-02-15', clientSince: '2018-03-01', collaborator: 'collaborateur', group: 'Agents commerciaux' },
  { number: 30, name: 'BARRE Patrick Michel', siret: '33240447400014', legalStatus: 'Entreprise individuelle', profession: 'Agent commercial', address: '7 rue Paradis', postcode: '13001', city: 'Marseille', phone: '04 91 33 58 12', clientSince: '2011-01-01', collaborator: 'superviseur', group: 'Agents commerciaux' },
  { number: 657, name: 'GARROS Bernard', siret: '34861116100012', legalStatus: 'Entreprise individuelle', profession: "Architecte d'intérieur", address: '2 place de la Mairie', postcode: '31830', city: 'Plaisance-du-Touch', email: 'b.garros@atelier-garros.example', activityStartedOn: '2001-06-01', clientSince: '2004-01-01', collaborator: 'collaborateur', group: 'Professions libérales', values: { 'Régime fiscal': 'BNC déclaration contrôlée', 'Adhérent CGA': true } },
  { number: 3306, name: 'DESPÉRIES Christophe', siret: '85114784300011', legalStatus: 'EURL', profession: 'Maçonnerie', address: '9 route de Toulouse', postcode: '31450', city: 'Pompertuzat', phone: '05 61 81 27 44', activityStartedOn: '2019-04-01', clientSince: '2019-05-01', dossierNumber: '3306', collaborator: 'collaborateur', group: 'Artisans', values: { 'Régime fiscal': 'BIC réel simplifié', 'Date de clôture': '2026-03-31' } },
  { number: 3310, name: 'Boulangerie Despéries', siret: '65962432400011', legalStatus: 'SARL', profession: 'Boulangerie-pâtisserie', address: '41 rue du Taur', postcode: '31000', city: 'Toulouse', phone: '05 61 21 09 33', email: 'contact@boulangerie-desperies.example', activityStartedOn: '2014-10-01', clientSince: '2014-10-01', dossierNumber: '3310', collaborator: 'collaborateur', group: 'Artisans', contact: 'client', values: { 'Régime fiscal': 'BIC réel normal', 'Date de clôture': '2026-09-30', 'Adhérent CGA': true, "Chiffre d'affaires N-1": 612400 } },
  { number: 3315, name: 'Cabinet infirmier Saint-Cyprien', siret: '36316960800017', legalStatus: 'SCM', profession: 'Infirmiers libéraux', address: '64 allées Charles de Fitte', postcode: '31300', city: 'Toulouse', clientSince: '2021-01-01', collaborator: 'superviseur', group: 'Professions libérales' },
  { number: 3321, name: 'ÉLECTRICITÉ OCCITANE', siret: '54540967400011', legalStatus: 'SAS', profession: 'Électricité générale', address: '5 impasse des Artisans', postcode: '31700', city: 'Blagnac', phone: '05 34 36 90 12', clientSince: '2022-07-01', group: 'Artisans', blockReason: 'Honoraires 2025 impayés : voir avec Hélène Delmas avant tout devis.' },
  { number: 3327, name: 'Taxi Lauragais', siret: '69110241200018', legalStatus: 'Entreprise individuelle', profession: 'Taxi', address: '12 avenue de la Gare', postcode: '31290', city: 'Villefranche-de-Lauragais', clientSince: '2023-01-01' },
  { number: 3330, name: 'Atelier Muriel Bonnafous', siret: '33892241200014', legalStatus: 'Micro-entreprise', profession: 'Couture et retouches', address: '27 rue Pharaon', postcode: '31000', city: 'Toulouse', email: 'atelier.bonnafous@gmail.example', clientSince: '2024-09-01', collaborator: 'collaborateur', group: 'Artisans', values: { 'Régime fiscal': 'Micro-entreprise' } },
];

const COMPTA_CONTACTS: DemoContact[] = [
  { firstName: 'Jérôme', lastName: 'Puech', email: 'jerome.puech@c2jinfo.example', copyEmails: ['compta@c2jinfo.example'], jobTitle: 'Gérant, C2J INFO', phone: '05 62 89 00 91', clients: [4] },
  { firstName: 'Claire', lastName: 'Sabatier', email: 'claire.sabatier@infirmiers-stcyprien.example', jobTitle: 'Infirmière, cogérante de la SCM', phone: '06 72 18 44 09', clients: [3315] },
  { firstName: 'Muriel', lastName: 'Bonnafous', email: 'atelier.bonnafous@gmail.example', jobTitle: 'Couturière', clients: [3330] },
];

const DIAG_ATTRIBUTES: DemoAttribute[] = [
  { label: 'Type de client', type: 'list', options: ['Agence immobilière', 'Notaire', 'Particulier', 'Syndic'] },
  { label: 'Remise accordée (%)', type: 'number' },
];

const DIAG_TEMPLATES: Record<string, string[]> = { 'Donneur d’ordre': ['Type de client', 'Remise accordée (%)'] };

const DIAG_CONTACTS: DemoContact[] = [
  { firstName: 'Laurent', lastName: 'Castan', email: 'l.castan@immo-medoc.example', copyEmails: ['negociation@immo-medoc.example', 'gestion@immo-medoc.example'], jobTitle: 'Directeur, Immobilière du Médoc', phone: '05 56 59 01 22', clients: [3] },
];

const DIAG: DemoClient[] = [
  { number: 1, name: 'Agence immobilière des Chartrons', siret: '64053435000015', legalStatus: 'SARL', profession: 'Agence immobilière', address: '15 rue Notre-Dame', postcode: '33000', city: 'Bordeaux', phone: '05 56 44 19 27', email: 'contact@agence-chartrons.example', clientSince: '2017-05-01', collaborator: 'collaborateur', group: 'Agences', contact: 'client', values: { 'Type de client': 'Agence immobilière', 'Remise accordée (%)': 10 } },
  { number: 2, name: 'Office notarial Lafargue et Mirande', siret: '44408151700013', legalStatus: 'SCP', profession: 'Notaires', address: '8 cours de Verdun', postcode: '33000', city: 'Bordeaux', phone: '05 56 52 30 18', clientSince: '2016-01-01', collaborator: 'superviseur', group: 'Notaires', values: { 'Type de client': 'Notaire' } },
  { number: 3, name: 'Immobilière du Médoc', siret: '32516291500012', legalStatus: 'SAS', profession: 'Agence immobilière', address: '3 place de la République', postcode: '33250', city: 'Pauillac', clientSince: '2020-03-01', collaborator: 'collaborateur', group: 'Agences', values: { 'Type de client': 'Agence immobilière', 'Remise accordée (%)': 5 } },
  { number: 4, name: 'M. et Mme Ducasse', profession: 'Particulier', address: '22 rue des Vignes', postcode: '33600', city: 'Pessac', phone: '06 84 12 77 30', clientSince: '2025-11-01', values: { 'Type de client': 'Particulier' } },
  { number: 5, name: 'Syndic Garonne Gestion', siret: '35767821800011', legalStatus: 'SAS', profession: 'Syndic de copropriété', address: '110 cours Victor Hugo', postcode: '33000', city: 'Bordeaux', clientSince: '2019-09-01', collaborator: 'superviseur', values: { 'Type de client': 'Syndic' } },
];

async function loadClients(owner: Knex, slug: string, attributes: DemoAttribute[], templates: Record<string, string[]>, clients: DemoClient[], contacts: DemoContact[]): Promise<void> {
  await owner.transaction(async (trx) => {
    const firm = (await trx('firms').where({ slug }).first('id')) as { id: string };
    await setFirm(trx, firm.id);
    const users = new Map((await trx('users').where({ firmId: firm.id }).select('id', 'identifier')).map((u) => [u.identifier, u.id]));
    const attributeIds = new Map<string, string>();
    for (const a of attributes) {
      const [row] = await trx('clientAttributes').insert({ firmId: firm.id, label: a.label, type: a.type, options: a.options ?? [] }).returning('id');
      attributeIds.set(a.label, (row as { id: string }).id);
    }
    for (const [name, labels] of Object.entries(templates)) {
      const [row] = await trx('recordTemplates').insert({ firmId: firm.id, name }).returning('id');
      const templateId = (row as { id: string }).id;
      await trx('recordTemplateAttributes').insert(labels.map((label, position) => ({ firmId: firm.id, templateId, attributeId: attributeIds.get(label)!, position })));
    }
    const groupIds = new Map<string, string>();
    for (const name of new Set(clients.flatMap((c) => (c.group ? [c.group] : [])))) {
      const [row] = await trx('clientGroups').insert({ firmId: firm.id, name }).returning('id');
      groupIds.set(name, (row as { id: string }).id);
    }
    for (const { collaborator, group, contact, values, blockReason, ...c } of clients) {
      const customValues = Object.fromEntries(Object.entries(values ?? {}).map(([label, v]) => [attributeIds.get(label)!, v]));
      const [row] = await trx('clients')
        .insert({ ...c, firmId: firm.id, collaboratorId: collaborator ? users.get(collaborator) : null, groupId: group ? groupIds.get(group) : null, customValues, blocked: Boolean(blockReason), blockReason: blockReason ?? '', reportedAddedAt: new Date() })
        .returning('id');
      const clientId = (row as { id: string }).id;
      if (contact) await trx('clientContacts').insert({ firmId: firm.id, clientId, userId: users.get(contact)! });
    }
    for (const { clients: numbers, copyEmails, ...c } of contacts) {
      const [row] = await trx('users').insert({ ...c, firmId: firm.id, role: 'contact', identifier: c.email, copyEmails: copyEmails ?? [], locale: 'fr' }).returning('id');
      const userId = (row as { id: string }).id;
      const ids = await trx('clients').where({ firmId: firm.id }).whereIn('number', numbers).select('id');
      await trx('clientContacts').insert(ids.map(({ id }) => ({ firmId: firm.id, clientId: id, userId })));
    }
  });
}

/** Called once, right after the demo firms are created. */
export async function loadDemoClients(owner: Knex, slug: string): Promise<void> {
  if (slug === 'compta') await loadClients(owner, slug, COMPTA_ATTRIBUTES, COMPTA_TEMPLATES, COMPTA, COMPTA_CONTACTS);
  if (slug === 'diag') await loadClients(owner, slug, DIAG_ATTRIBUTES, DIAG_TEMPLATES, DIAG, DIAG_CONTACTS);
}
