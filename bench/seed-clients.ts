// The list-scale seed: 100 firms (bench-001 … bench-100), each with a supervisor, a few
// collaborators, client groups, custom attributes and 10,000 clients = 1,000,000 clients. The rows
// are generated inside PostgreSQL (one INSERT … SELECT generate_series per firm, two firms at a time
// on this machine's two cores), never sent over the wire, and are the same from run to run
// (setseed per firm). Run as the schema owner: row-level security is forced for the owner too, so
// each firm's transaction sets app.firm_id first. Ends with VACUUM (ANALYZE), as autovacuum would
// after such a load: planner statistics and the visibility map (index-only scans) are up to date.
//
// `DATABASE_URL=… node bench/seed-clients.ts` migrates then seeds that database; bench/run.ts calls
// seedClients() when a clients target is selected. Every staff account's password: DEMO_PASSWORD.
import pg from 'pg';
import { createKnex } from '../src/db/knex.ts';
import { migrateLatest } from '../src/db/migrate.ts';
import { hashPassword } from '../src/modules/auth/password.ts';
import { DEMO_PASSWORD } from '../seeds/demo.ts';

export const BENCH_FIRMS = 100;
export const CLIENTS_PER_FIRM = 10_000;
export const benchSlug = (n: number) => `bench-${String(n).padStart(3, '0')}`;

// Surnames, the most frequent first (INSEE's ranking, roughly): the generator draws the first ones
// more often, as a real client base would. Title case; the upper-case form is derived.
const SURNAMES = [
  'Martin', 'Bernard', 'Thomas', 'Petit', 'Robert', 'Richard', 'Durand', 'Dubois', 'Moreau', 'Laurent', 'Simon', 'Michel', 'Lefèvre', 'Leroy', 'Roux', 'David',
  'Bertrand', 'Morel', 'Fournier', 'Girard', 'Bonnet', 'Dupont', 'Lambert', 'Fontaine', 'Rousseau', 'Vincent', 'Muller', 'Lefebvre', 'Faure', 'André', 'Mercier', 'Blanc',
  'Guérin', 'Boyer', 'Garnier', 'Chevalier', 'François', 'Legrand', 'Gauthier', 'Garcia', 'Perrin', 'Robin', 'Clément', 'Morin', 'Nicolas', 'Henry', 'Roussel', 'Mathieu',
  'Gautier', 'Masson', 'Marchand', 'Duval', 'Denis', 'Dumont', 'Marie', 'Lemaire', 'Noël', 'Meyer', 'Dufour', 'Meunier', 'Brun', 'Blanchard', 'Giraud', 'Joly', 'Rivière',
  'Lucas', 'Brunet', 'Gaillard', 'Barbier', 'Arnaud', 'Martinez', 'Gérard', 'Roche', 'Renard', 'Schmitt', 'Roy', 'Leroux', 'Colin', 'Vidal', 'Caron', 'Picard', 'Roger',
  'Fabre', 'Aubert', 'Lemoine', 'Renaud', 'Dumas', 'Lacroix', 'Olivier', 'Philippe', 'Bourgeois', 'Pierre', 'Benoît', 'Rey', 'Leclerc', 'Payet', 'Rolland', 'Leclercq',
  'Guillaume', 'Lecomte', 'Lopez', 'Jean', 'Dupuy', 'Guillot', 'Hubert', 'Berger', 'Carpentier', 'Sanchez', 'Dupuis', 'Moulin', 'Louis', 'Deschamps', 'Huet', 'Vasseur',
  'Perez', 'Boucher', 'Fleury', 'Royer', 'Klein', 'Jacquet', 'Adam', 'Paris', 'Poirier', 'Marty', 'Aubry', 'Guyot', 'Carré', 'Charles', 'Renault', 'Charpentier',
  'Ménard', 'Maillard', 'Baron', 'Bertin', 'Bailly', 'Hervé', 'Schneider', 'Fernandez', 'Le Gall', 'Collet', 'Léger', 'Bouvier', 'Julien', 'Prévost', 'Millet', 'Perrot',
  'Daniel', 'Le Roux', 'Cousin', 'Germain', 'Breton', 'Besson', 'Langlois', 'Rémy', 'Le Goff', 'Pelletier', 'Lévêque', 'Perrier', 'Leblanc', 'Barré', 'Lebrun', 'Marchal',
  'Weber', 'Mallet', 'Hamon', 'Boulanger', 'Jacob', 'Monnier', 'Michaud', 'Rodriguez', 'Guichard', 'Gillet', 'Étienne', 'Grondin', 'Poulain', 'Tessier', 'Chevallier',
  'Collin', 'Chauvin', 'Da Silva', 'Bouchet', 'Gay', 'Lemaître', 'Bénard', 'Maréchal', 'Humbert', 'Reynaud', 'Antoine', 'Hoarau', 'Perret', 'Barthélemy', 'Cordier',
  'Pichon', 'Lejeune', 'Gilbert', 'Lamy', 'Delaunay', 'Pasquier', 'Carlier', 'Laporte', 'Delmas', 'Despéries', 'Chazeau', 'Garros', 'Bonnafous', 'Marquès', 'Cazals',
  'Puech', 'Bousquet', 'Sabatier', 'Castan', 'Salvetat', 'Escudié', "N'Diaye", "D'Almeida", 'Nguyen', 'Ben Amor', 'Haddad', 'Kowalski', 'Ferreira', 'Pereira', 'Dos Santos',
];

const FIRST_NAMES = [
  'Jean', 'Marie', 'Philippe', 'Nathalie', 'Pierre', 'Isabelle', 'Michel', 'Sylvie', 'Christophe', 'Catherine', 'Stéphane', 'Sandrine', 'Frédéric', 'Valérie', 'Laurent',
  'Céline', 'Sébastien', 'Véronique', 'Olivier', 'Christine', 'Nicolas', 'Sophie', 'David', 'Stéphanie', 'Éric', 'Hélène', 'Julien', 'Aurélie', 'Thierry', 'Émilie',
  'Patrick', 'Julie', 'Pascal', 'Caroline', 'Alain', 'Virginie', 'Jérôme', 'Cécile', 'François', 'Delphine', 'Vincent', 'Anne', 'Guillaume', 'Claire', 'Thomas', 'Élodie',
  'Antoine', 'Camille', 'Maxime', 'Laëtitia', 'Romain', 'Agnès', 'Benoît', 'Brigitte', 'Dominique', 'Mathilde', 'Hugo', 'Chloé', 'Lucas', 'Léa', 'Bernard', 'Manon',
  'Daniel', 'Marion', 'Gérard', 'Pauline', 'Yannick', 'Muriel', 'Hervé', 'Florence', 'Bruno', 'Karine', 'Fabrice', 'Corinne', 'Mathieu', 'Audrey', 'Cédric', 'Lucie',
  'Damien', 'Océane', 'Grégory', 'Inès', 'Karim', 'Fatima', 'Mohamed', 'Amandine', 'Loïc', 'Gaëlle', 'Joël', 'Maëlle', 'Jean-Pierre', 'Marie-Christine', 'Jean-Luc', 'Anne-Sophie',
];

interface Profession { label: string; trade: string; group: number; company: number }
// label: the client's activity; trade: how a business of that kind names itself ("Boulangerie
// Lefèvre"); group: index in GROUPS (0 = none); company: the share run as a company.
const PROFESSIONS: Profession[] = [
  { label: 'Agent commercial', trade: 'Agence commerciale', group: 4, company: 0.15 },
  { label: 'Maçonnerie', trade: 'Maçonnerie', group: 1, company: 0.45 },
  { label: 'Plomberie, chauffage', trade: 'Plomberie', group: 1, company: 0.4 },
  { label: 'Électricité générale', trade: 'Électricité', group: 1, company: 0.4 },
  { label: 'Infirmiers libéraux', trade: 'Cabinet infirmier', group: 2, company: 0.2 },
  { label: 'Restauration traditionnelle', trade: 'Restaurant', group: 3, company: 0.7 },
  { label: 'Boulangerie-pâtisserie', trade: 'Boulangerie', group: 1, company: 0.6 },
  { label: 'Coiffure', trade: 'Salon de coiffure', group: 3, company: 0.45 },
  { label: 'Taxi', trade: 'Taxi', group: 3, company: 0.2 },
  { label: 'Location immobilière', trade: 'SCI', group: 5, company: 0.9 },
  { label: 'Agent commercial en immobilier', trade: 'Immobilier', group: 4, company: 0.3 },
  { label: 'Menuiserie', trade: 'Menuiserie', group: 1, company: 0.45 },
  { label: 'Peinture en bâtiment', trade: 'Peinture', group: 1, company: 0.35 },
  { label: 'Kinésithérapie', trade: 'Cabinet de kinésithérapie', group: 2, company: 0.2 },
  { label: 'Médecine générale', trade: 'Cabinet médical', group: 2, company: 0.25 },
  { label: 'Commerce de détail alimentaire', trade: 'Épicerie', group: 3, company: 0.55 },
  { label: 'Garage automobile', trade: 'Garage', group: 1, company: 0.6 },
  { label: 'Transport routier de marchandises', trade: 'Transports', group: 0, company: 0.7 },
  { label: "Conseil d'entreprise", trade: 'Conseil', group: 0, company: 0.5 },
  { label: 'Développement informatique', trade: 'Informatique', group: 0, company: 0.5 },
  { label: 'Architecte', trade: "Atelier d'architecture", group: 2, company: 0.35 },
  { label: "Architecte d'intérieur", trade: 'Atelier', group: 2, company: 0.2 },
  { label: 'Avocat', trade: 'Cabinet', group: 2, company: 0.35 },
  { label: 'Chirurgien-dentiste', trade: 'Cabinet dentaire', group: 2, company: 0.35 },
  { label: 'Ostéopathie', trade: "Cabinet d'ostéopathie", group: 2, company: 0.1 },
  { label: 'Pharmacie', trade: 'Pharmacie', group: 3, company: 0.9 },
  { label: 'Boucherie-charcuterie', trade: 'Boucherie', group: 1, company: 0.5 },
  { label: 'Fleuriste', trade: 'Fleurs', group: 3, company: 0.35 },
  { label: 'Couture et retouches', trade: 'Atelier couture', group: 1, company: 0.1 },
  { label: 'Paysagiste', trade: 'Jardins', group: 1, company: 0.3 },
  { label: 'Photographe', trade: 'Studio', group: 0, company: 0.2 },
  { label: 'Esthétique', trade: 'Institut de beauté', group: 3, company: 0.35 },
  { label: 'Bar-tabac', trade: 'Bar-tabac', group: 3, company: 0.6 },
  { label: 'Hôtellerie', trade: 'Hôtel', group: 3, company: 0.8 },
  { label: 'Viticulture', trade: 'Domaine', group: 0, company: 0.6 },
  { label: 'Exploitation agricole', trade: 'EARL', group: 0, company: 0.5 },
  { label: 'Auto-école', trade: 'Auto-école', group: 3, company: 0.6 },
  { label: 'Vétérinaire', trade: 'Clinique vétérinaire', group: 2, company: 0.6 },
  { label: 'Nettoyage', trade: 'Nettoyage', group: 0, company: 0.5 },
  { label: 'Formation', trade: 'Formation', group: 0, company: 0.4 },
];
const GROUPS = ['Artisans', 'Professions libérales', 'Commerçants', 'Agents commerciaux', 'Sociétés civiles'];
const INDIVIDUAL_STATUSES = ['Entreprise individuelle', 'Entreprise individuelle', 'Micro-entreprise', 'Micro-entreprise', 'EIRL'];
const COMPANY_STATUSES = ['SARL', 'SARL', 'SAS', 'EURL', 'SASU', 'SCI', 'SCM', 'SELARL', 'SNC'];
const STREETS = [
  'rue de la République', 'avenue Jean Jaurès', 'rue Victor Hugo', 'place de la Mairie', 'boulevard Gambetta', 'rue Pasteur', 'chemin des Vignes', 'rue du Moulin',
  'impasse des Artisans', 'allée des Tilleuls', "rue de l'Église", 'avenue de la Gare', 'rue Nationale', 'rue des Écoles', 'place du Marché', 'rue Jules Ferry',
  'avenue du Général de Gaulle', 'rue Émile Zola', 'rue Voltaire', 'rue Carnot', 'boulevard de Strasbourg', 'rue du Commerce', 'rue de la Paix', 'chemin de la Violette',
  'rue des Lilas', 'rue du Stade', 'zone artisanale des Portes', 'rue Alsace-Lorraine', 'rue Saint-Martin', 'route de Saint-Martin', 'rue du Château', 'rue des Acacias',
  'avenue des Pyrénées', 'rue de la Liberté', 'quai de la Fontaine', 'rue Paul Bert', 'rue Principale', 'chemin du Lavoir', 'rue des Jardins', 'place de l’Hôtel de Ville',
];
const MAIL_PROVIDERS = ['orange.example', 'gmail.example', 'wanadoo.example', 'free.example', 'laposte.example', 'sfr.example', 'outlook.example'];
const TAX_REGIMES = ['BIC réel simplifié', 'BIC réel normal', 'BNC déclaration contrôlée', 'Micro-entreprise', 'IS réel simplifié'];

interface Region { name: string; phone: string; cities: [string, string][] }
// Each firm's clients live mostly in its region: the region's towns first (largest first), then a
// few from elsewhere.
const REGIONS: Region[] = [
  { name: 'Occitanie', phone: '5', cities: [['Toulouse', '31000'], ['Montpellier', '34000'], ['Toulouse', '31300'], ['Nîmes', '30000'], ['Perpignan', '66000'], ['Béziers', '34500'], ['Narbonne', '11100'], ['Albi', '81000'], ['Carcassonne', '11000'], ['Montauban', '82000'], ['Castres', '81100'], ['Tarbes', '65000'], ['Rodez', '12000'], ['Colomiers', '31770'], ['Blagnac', '31700'], ['Balma', '31130'], ["L'Union", '31240'], ['Muret', '31600'], ['Sète', '34200'], ['Lunel', '34400'], ['Alès', '30100'], ['Agde', '34300'], ['Auch', '32000'], ['Cahors', '46000'], ['Millau', '12100'], ['Foix', '09000'], ['Pamiers', '09100'], ['Castelnaudary', '11400'], ['Villefranche-de-Lauragais', '31290'], ['Saint-Gaudens', '31800'], ['Plaisance-du-Touch', '31830'], ['Tournefeuille', '31170'], ['Lézignan-Corbières', '11200'], ['Pézenas', '34120'], ['Castelnau-le-Lez', '34170'], ['Pompertuzat', '31450']] },
  { name: 'Nouvelle-Aquitaine', phone: '5', cities: [['Bordeaux', '33000'], ['Mérignac', '33700'], ['Pessac', '33600'], ['Limoges', '87000'], ['Poitiers', '86000'], ['Pau', '64000'], ['La Rochelle', '17000'], ['Bayonne', '64100'], ['Angoulême', '16000'], ['Périgueux', '24000'], ['Niort', '79000'], ['Agen', '47000'], ['Mont-de-Marsan', '40000'], ['Biarritz', '64200'], ['Libourne', '33500'], ['Arcachon', '33120'], ['Dax', '40100'], ['Brive-la-Gaillarde', '19100'], ['Bergerac', '24100'], ['Talence', '33400'], ['Saint-Médard-en-Jalles', '33160'], ['Cognac', '16100'], ['Saintes', '17100'], ['Rochefort', '17300']] },
  { name: 'Auvergne-Rhône-Alpes', phone: '4', cities: [['Lyon', '69003'], ['Lyon', '69007'], ['Villeurbanne', '69100'], ['Grenoble', '38000'], ['Saint-Étienne', '42000'], ['Clermont-Ferrand', '63000'], ['Annecy', '74000'], ['Chambéry', '73000'], ['Valence', '26000'], ['Vénissieux', '69200'], ['Roanne', '42300'], ['Bourg-en-Bresse', '01000'], ['Vienne', '38200'], ['Montélimar', '26200'], ['Aurillac', '15000'], ['Le Puy-en-Velay', '43000'], ['Vichy', '03200'], ['Moulins', '03000'], ['Annemasse', '74100'], ['Thonon-les-Bains', '74200'], ['Aix-les-Bains', '73100'], ['Villefranche-sur-Saône', '69400'], ['Caluire-et-Cuire', '69300']] },
  { name: "Provence-Alpes-Côte d'Azur", phone: '4', cities: [['Marseille', '13001'], ['Marseille', '13008'], ['Nice', '06000'], ['Toulon', '83000'], ['Aix-en-Provence', '13100'], ['Avignon', '84000'], ['Antibes', '06600'], ['Cannes', '06400'], ['Fréjus', '83600'], ['Arles', '13200'], ['Hyères', '83400'], ['Martigues', '13500'], ['Aubagne', '13400'], ['Salon-de-Provence', '13300'], ['Istres', '13800'], ['Gap', '05000'], ['Digne-les-Bains', '04000'], ['Carpentras', '84200'], ['Orange', '84100'], ['Draguignan', '83300'], ['Menton', '06500'], ['Grasse', '06130'], ['La Ciotat', '13600']] },
  { name: 'Île-de-France', phone: '1', cities: [['Paris', '75011'], ['Paris', '75015'], ['Paris', '75018'], ['Paris', '75009'], ['Boulogne-Billancourt', '92100'], ['Saint-Denis', '93200'], ['Argenteuil', '95100'], ['Montreuil', '93100'], ['Créteil', '94000'], ['Nanterre', '92000'], ['Versailles', '78000'], ['Vitry-sur-Seine', '94400'], ['Courbevoie', '92400'], ['Colombes', '92700'], ['Aulnay-sous-Bois', '93600'], ['Rueil-Malmaison', '92500'], ['Champigny-sur-Marne', '94500'], ['Saint-Maur-des-Fossés', '94100'], ['Aubervilliers', '93300'], ['Drancy', '93700'], ['Noisy-le-Grand', '93160'], ['Évry-Courcouronnes', '91000'], ['Cergy', '95000'], ['Meaux', '77100'], ['Melun', '77000'], ['Issy-les-Moulineaux', '92130'], ['Levallois-Perret', '92300']] },
  { name: 'Hauts-de-France', phone: '3', cities: [['Lille', '59000'], ['Amiens', '80000'], ['Roubaix', '59100'], ['Tourcoing', '59200'], ['Dunkerque', '59140'], ['Calais', '62100'], ["Villeneuve-d'Ascq", '59650'], ['Valenciennes', '59300'], ['Beauvais', '60000'], ['Arras', '62000'], ['Boulogne-sur-Mer', '62200'], ['Douai', '59500'], ['Lens', '62300'], ['Saint-Quentin', '02100'], ['Compiègne', '60200'], ['Laon', '02000'], ['Béthune', '62400'], ['Cambrai', '59400'], ['Maubeuge', '59600'], ['Soissons', '02200']] },
  { name: 'Grand Est', phone: '3', cities: [['Strasbourg', '67000'], ['Reims', '51100'], ['Metz', '57000'], ['Mulhouse', '68100'], ['Nancy', '54000'], ['Colmar', '68000'], ['Troyes', '10000'], ['Charleville-Mézières', '08000'], ['Châlons-en-Champagne', '51000'], ['Épinal', '88000'], ['Thionville', '57100'], ['Haguenau', '67500'], ['Schiltigheim', '67300'], ['Sélestat', '67600'], ['Saint-Dié-des-Vosges', '88100'], ['Sarreguemines', '57200'], ['Forbach', '57600'], ['Bar-le-Duc', '55000'], ['Chaumont', '52000'], ['Lunéville', '54300']] },
  { name: 'Grand Ouest', phone: '2', cities: [['Nantes', '44000'], ['Rennes', '35000'], ['Angers', '49000'], ['Brest', '29200'], ['Le Mans', '72000'], ['Saint-Nazaire', '44600'], ['Quimper', '29000'], ['Lorient', '56100'], ['Vannes', '56000'], ['Saint-Malo', '35400'], ['Cholet', '49300'], ['La Roche-sur-Yon', '85000'], ['Laval', '53000'], ['Saint-Brieuc', '22000'], ['Saint-Herblain', '44800'], ['Rezé', '44400'], ['Lannion', '22300'], ['Concarneau', '29900'], ['Morlaix', '29600'], ["Les Sables-d'Olonne", '85100'], ['Saumur', '49400'], ['Fougères', '35300']] },
];
const FIRM_KINDS = ['Cabinet {s} & Associés', 'Fiduciaire {c}', '{s} Expertise Comptable', 'Audit & Conseil {c}', 'Cabinet {s}', 'Compta {c} Conseil'];

/** A small deterministic generator (mulberry32) for the per-firm details picked in JS. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * SQL for the Luhn check digit of an integer expression of `digits` digits: the digit that, written
 * after it, makes a number the Luhn key accepts (SIREN and SIRET are checked so).
 */
function luhnKey(x: string, digits: number): string {
  const terms: string[] = [];
  for (let k = 0; k < digits; k++) {
    const d = `(${x} / ${10n ** BigInt(k)} % 10)`;
    terms.push(k % 2 === 0 ? `(${d} * 2 % 10 + ${d} * 2 / 10)` : d);
  }
  return `((10 - (${terms.join(' + ')}) % 10) % 10)`;
}

/** A pick from a 1-based SQL array, skewed towards its first entries (`skew` > 1: more so). */
const pick = (arr: string, r: string, skew = 1) => `(${arr})[1 + floor(cardinality(${arr}) * ${skew === 1 ? r : `power(${r}, ${skew})`})::int]`;

// One firm's clients in one statement. $1 firm, $2 count, $3 surnames, $4 upper-case surnames,
// $5 first names, $6 professions, $7 trades, $8 group of each profession (index into $9, 0: none),
// $9 group ids, $10 company share per profession, $11 cities, $12 postcodes, $13 streets,
// $14 collaborator ids, $15 supervisor id, $16 phone digit, $17 attribute ids (regime, CGA, turnover),
// $18 tax regimes, $19 mail providers, $20 individual statuses, $21 company statuses.
export const CLIENTS_SQL = `
INSERT INTO clients (firm_id, number, name, siret, legal_status, profession, activity_started_on, client_since, address, postcode, city,
  home_address, home_postcode, home_city, phone, email, dossier_number, collaborator_id, group_id, custom_values, blocked, block_reason,
  created_at, updated_at)
SELECT $1::uuid, number, name, siret, legal_status, profession, started, since, address, postcode, city,
  CASE WHEN NOT company AND r_home < 0.4 THEN home_street ELSE '' END,
  CASE WHEN NOT company AND r_home < 0.4 THEN postcode ELSE '' END,
  CASE WHEN NOT company AND r_home < 0.4 THEN city ELSE '' END,
  phone,
  CASE WHEN r_mail < 0.55 THEN
    CASE WHEN company THEN 'contact@' || trim(both '-' from regexp_replace(app_fold(name), '[^a-z0-9]+', '-', 'g')) || '.example'
    ELSE regexp_replace(app_fold(first_name), '[^a-z0-9]+', '-', 'g') || '.' || regexp_replace(app_fold(surname), '[^a-z0-9]+', '-', 'g') || '@' || provider END
  ELSE '' END,
  CASE WHEN r_dossier < 0.7 THEN number::text ELSE '' END,
  collaborator_id, group_id, custom_values,
  r_block < 0.01,
  CASE WHEN r_block < 0.01 THEN 'Honoraires impayés : voir avec le cabinet avant tout devis.' ELSE '' END,
  since + time '09:00', since + time '09:00'
FROM (
  SELECT *,
    CASE
      WHEN NOT company THEN upper_surname || ' ' || first_name
      WHEN trade = 'SCI' THEN 'SCI ' || upper_surname || CASE WHEN r_name < 0.5 THEN '' ELSE ' ' || split_part(street, ' ', 1) END
      WHEN r_name < 0.6 THEN trade || ' ' || surname
      WHEN r_name < 0.8 THEN trade || ' ' || upper_surname || ' et Fils'
      ELSE trade || ' de ' || city
    END AS name,
    CASE WHEN r_siret < 0.85 THEN lpad((x13 * 10 + ${luhnKey('x13', 13)})::text, 14, '0') END AS siret,
    CASE WHEN company THEN ${pick('$21::text[]', 'r_status')} ELSE ${pick('$20::text[]', 'r_status')} END AS legal_status,
    (1 + floor(r_num * 150))::text || ' ' || street AS address,
    (1 + floor(r_home * 80))::text || ' ' || home_street0 AS home_street,
    CASE WHEN NOT company AND r_phone < 0.4 THEN '0' || (6 + floor(r_phone * 5)::int % 2)::text ELSE '0' || $16::text END
      || ' ' || to_char(floor(r_p1 * 100), 'FM00') || ' ' || to_char(floor(r_p2 * 100), 'FM00') || ' ' || to_char(floor(r_p3 * 100), 'FM00')
      || ' ' || to_char(floor(r_p4 * 100), 'FM00') AS phone,
    started + floor(power(r_since, 2) * (date '2026-11-02' - started))::int AS since,
    CASE WHEN r_custom < 0.7 THEN jsonb_build_object(($17::bigint[])[1]::text, ${pick('$18::text[]', 'r_regime')},
      ($17::bigint[])[2]::text, r_cga < 0.6, ($17::bigint[])[3]::text, round((20000 + power(r_ca, 3) * 2000000)::numeric, 0))
    ELSE '{}'::jsonb END AS custom_values
  FROM (
    SELECT *,
      (siren9 * 10000 + 1 + floor(r_nic * 3)::bigint) AS x13,
      date '2026-01-01' - floor(power(r_start, 1.6) * 14000)::int AS started,
      CASE WHEN r_collab < 0.05 THEN NULL WHEN r_collab < 0.1 THEN $15::bigint ELSE ${pick('$14::bigint[]', 'r_collab2', 1.4)} END AS collaborator_id,
      CASE WHEN r_group < 0.6 THEN ($9::bigint[])[nullif(($8::int[])[p], 0)] END AS group_id,
      r_company < ($10::float8[])[p] AS company,
      ($6::text[])[p] AS profession, ($7::text[])[p] AS trade,
      ($11::text[])[c] AS city, ($12::text[])[c] AS postcode,
      ($3::text[])[s] AS surname, ($4::text[])[s] AS upper_surname,
      ${pick('$13::text[]', 'r_street')} AS street, ${pick('$13::text[]', 'r_street2')} AS home_street0,
      ${pick('$19::text[]', 'r_mail2', 1.5)} AS provider
    FROM (
      SELECT *,
        (siren8 * 10 + ${luhnKey('siren8', 8)}) AS siren9,
        1 + floor(cardinality($3::text[]) * power(r_surname, 1.3))::int AS s,
        1 + floor(cardinality($6::text[]) * power(r_prof, 1.5))::int AS p,
        1 + floor(cardinality($11::text[]) * power(r_city, 2.2))::int AS c,
        ${pick('$5::text[]', 'r_first', 1.3)} AS first_name
      FROM (
        SELECT i * 3 - floor(random() * 3)::int AS number,
          40000000 + floor(random() * 59999999)::bigint AS siren8,
          random() AS r_surname, random() AS r_prof, random() AS r_city, random() AS r_first, random() AS r_company, random() AS r_name,
          random() AS r_siret, random() AS r_nic, random() AS r_status, random() AS r_num, random() AS r_street, random() AS r_street2,
          random() AS r_home, random() AS r_phone, random() AS r_p1, random() AS r_p2, random() AS r_p3, random() AS r_p4, random() AS r_mail,
          random() AS r_mail2, random() AS r_dossier, random() AS r_start, random() AS r_since, random() AS r_collab, random() AS r_collab2,
          random() AS r_group, random() AS r_custom, random() AS r_regime, random() AS r_cga, random() AS r_ca, random() AS r_block
        FROM generate_series(1, $2::int) AS i
      ) AS draws
    ) AS picks
  ) AS chosen
) AS composed`;

interface FirmPlan { slug: string; name: string; region: Region; city: [string, string]; seed: number }

function planFirm(n: number): FirmPlan {
  const rand = prng(n * 7919);
  const region = REGIONS[(n - 1) % REGIONS.length]!;
  const city = region.cities[Math.floor(rand() * Math.min(8, region.cities.length))]!;
  const surname = SURNAMES[Math.floor(rand() * 60)]!;
  const name = FIRM_KINDS[(n - 1) % FIRM_KINDS.length]!.replace('{s}', surname).replace('{c}', city[0]);
  return { slug: benchSlug(n), name, region, city, seed: n / (BENCH_FIRMS + 1) };
}

/** The firm's towns: its region's first, then the other regions' largest. */
function townsOf(region: Region): [string, string][] {
  return [...region.cities, ...REGIONS.filter((r) => r !== region).flatMap((r) => r.cities.slice(0, 2))];
}

const ascii = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-');

async function seedFirm(client: pg.PoolClient, firmId: string, plan: FirmPlan, passwordHash: string, clientsPerFirm: number): Promise<void> {
  const rand = prng(plan.seed * 1e6);
  await client.query(`BEGIN; SELECT set_config('app.firm_id', '${firmId}', true)`);
  try {
    // The trigram index takes the new rows into its pending list and merges them in bulk, far
    // faster than one by one; VACUUM at the end merges what is left.
    await client.query(`SET LOCAL gin_pending_list_limit = '64MB'; SET LOCAL work_mem = '64MB'; SELECT setseed(${plan.seed})`);
    // Staff: the supervisor and three to five collaborators, with the demo password.
    const staff = Array.from({ length: 4 + Math.floor(rand() * 3) }, (_, i) => {
      const first = FIRST_NAMES[Math.floor(rand() * FIRST_NAMES.length)]!;
      const last = SURNAMES[Math.floor(rand() * SURNAMES.length)]!;
      return {
        role: i === 0 ? 'supervisor' : 'collaborator',
        identifier: i === 0 ? 'superviseur' : `collaborateur${i}`,
        email: `${ascii(first)}.${ascii(last)}${i}@${plan.slug}.example`,
        first,
        last,
        code: (first[0]! + last[0]!).toUpperCase() + (i || ''),
        job: i === 0 ? 'Expert-comptable associé(e)' : 'Collaborateur comptable',
      };
    });
    const users = await client.query<{ id: string; role: string }>(
      `INSERT INTO users (firm_id, role, identifier, email, first_name, last_name, code, job_title, password_hash, password_changed_at)
       SELECT $1, role, identifier, email, first, last, code, job, $8, now()
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $9::text[]) AS u (role, identifier, email, first, last, code, job)
       RETURNING id, role`,
      [firmId, staff.map((s) => s.role), staff.map((s) => s.identifier), staff.map((s) => s.email), staff.map((s) => s.first), staff.map((s) => s.last), staff.map((s) => s.code), passwordHash, staff.map((s) => s.job)],
    );
    const supervisor = users.rows.find((u) => u.role === 'supervisor')!.id;
    const collaborators = users.rows.filter((u) => u.role === 'collaborator').map((u) => u.id);
    const groups = await client.query<{ id: string }>('INSERT INTO client_groups (firm_id, name) SELECT $1, unnest($2::text[]) RETURNING id', [firmId, GROUPS]);
    const attrs = await client.query<{ id: string }>(
      `INSERT INTO client_attributes (firm_id, label, type, options) VALUES
         ($1, 'Régime fiscal', 'list', $2), ($1, 'Adhérent CGA', 'boolean', '{}'), ($1, 'Chiffre d''affaires N-1', 'number', '{}') RETURNING id`,
      [firmId, TAX_REGIMES],
    );
    const towns = townsOf(plan.region);
    await client.query(CLIENTS_SQL, [
      firmId, clientsPerFirm,
      SURNAMES, SURNAMES.map((s) => s.toLocaleUpperCase('fr')), FIRST_NAMES,
      PROFESSIONS.map((p) => p.label), PROFESSIONS.map((p) => p.trade), PROFESSIONS.map((p) => p.group), groups.rows.map((g) => g.id), PROFESSIONS.map((p) => p.company),
      towns.map((t) => t[0]), towns.map((t) => t[1]), STREETS,
      collaborators, supervisor, plan.region.phone,
      attrs.rows.map((a) => a.id), TAX_REGIMES, MAIL_PROVIDERS, INDIVIDUAL_STATUSES, COMPANY_STATUSES,
    ]);
    await client.query(`INSERT INTO activity_log (firm_id, action, object_type, object_id, object_label) VALUES ($1, 'firm.created', 'firm', $2, $3)`, [firmId, firmId, plan.name]);
    // The firm's site name, set last and in the same transaction, marks it complete.
    await client.query('UPDATE firms SET site_name = name WHERE id = $1', [firmId]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

export interface SeedResult {
  firms: number;
  clients: number;
  ms: number;
  reused: boolean;
}

/**
 * Brings the schema up to date, then seeds the bench firms unless they are all there already (a
 * run seeds once and every clients target reuses it). `databaseUrl` names the schema owner.
 */
export async function seedClients(databaseUrl: string, opts: { firms?: number; clientsPerFirm?: number; log?: (msg: string) => void } = {}): Promise<SeedResult> {
  const firms = opts.firms ?? BENCH_FIRMS;
  const perFirm = opts.clientsPerFirm ?? CLIENTS_PER_FIRM;
  const log = opts.log ?? (() => {});
  const started = performance.now();
  const owner = createKnex({ url: databaseUrl, poolMax: 2 });
  try {
    await migrateLatest(owner);
  } finally {
    await owner.destroy();
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  pool.on('error', () => {});
  try {
    const slugs = Array.from({ length: firms }, (_, i) => benchSlug(i + 1));
    const complete = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM firms WHERE slug = ANY($1) AND site_name <> ''`, [slugs]);
    if (complete.rows[0]!.n === firms) return { firms, clients: firms * perFirm, ms: performance.now() - started, reused: true };
    // What an interrupted seed left (its users and clients go with their firm).
    await pool.query(`DELETE FROM firms WHERE slug LIKE 'bench-%'`);
    const plans = Array.from({ length: firms }, (_, i) => planFirm(i + 1));
    const { rows } = await pool.query<{ id: string; slug: string }>(
      `INSERT INTO firms (slug, name, site_name, legal_name, siret, address, postcode, city, phone, email, modules)
       SELECT slug, name, '', 'Société d''expertise comptable inscrite au tableau de l''Ordre', NULL, '1 place de la République', postcode, city,
              '0' || phone || ' 00 00 00 00', 'contact@' || slug || '.example', $7::text[]
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS f (slug, name, city, postcode, phone, region)
       RETURNING id, slug`,
      [plans.map((p) => p.slug), plans.map((p) => p.name), plans.map((p) => p.city[0]), plans.map((p) => p.city[1]), plans.map((p) => p.region.phone), plans.map((p) => p.region.name),
        ['clients', 'contacts', 'documents', 'dossiers', 'mail', 'messages', 'deals', 'supervision']],
    );
    const idOf = new Map(rows.map((r) => [r.slug, r.id]));
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    // Two firms at a time: one per core. More only queue behind each other.
    const queue = [...plans];
    let done = 0;
    await Promise.all(
      [0, 1].map(async () => {
        const client = await pool.connect();
        try {
          for (let plan = queue.shift(); plan; plan = queue.shift()) {
            await seedFirm(client, idOf.get(plan.slug)!, plan, passwordHash, perFirm);
            if (++done % 10 === 0) log(`seed: ${done}/${firms} firms (${Math.round((performance.now() - started) / 1000)} s)`);
          }
        } finally {
          client.release();
        }
      }),
    );
    const client = await pool.connect();
    try {
      await client.query(`SET maintenance_work_mem = '512MB'`);
      // What the GIN indexes still hold in their pending lists, merged now: a search would read it all.
      await client.query(`SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam WHERE i.indrelid = 'clients'::regclass AND am.amname = 'gin'`);
      await client.query('VACUUM (ANALYZE) firms, users, clients, client_groups, client_attributes, activity_log');
    } finally {
      client.release();
    }
    return { firms, clients: firms * perFirm, ms: performance.now() - started, reused: false };
  } finally {
    await pool.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL: the database to seed, as its schema owner');
  const r = await seedClients(url, { log: (m) => console.log(m) });
  console.log(r.reused ? 'bench firms already there: nothing done' : `${r.clients.toLocaleString('en')} clients over ${r.firms} firms in ${(r.ms / 1000).toFixed(1)} s`);
}
