import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withFirm } from '../../src/db/withFirm.ts';
import { assertCommercialAllowed, CommercialBlocked } from '../../src/modules/clients/service.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { firmId, inFirm, userOf } from '../support/firmdb.ts';
import { textOf as rawTextOf, unescapeHtml, type Client } from '../support/http.ts';

const textOf = (html: string, selector: string) => unescapeHtml(rawTextOf(html, selector));
/** The client names of a list page, in order. */
const namesOn = (html: string) => [...html.matchAll(/<a href="\/clients\/\d+" class="fw-semibold">([^<]*)<\/a>/g)].map((m) => unescapeHtml(m[1]!));

/** Step 1 of the wizard as a supervisor would fill it. */
const INFO = {
  number: '',
  name: 'Menuiserie Caussade',
  siret: '591 014 691 00016',
  legalStatus: 'SARL',
  profession: 'Menuiserie',
  activityStartedOn: '2020-02-01',
  clientSince: '2021-01-01',
  address: '4 rue des Chalets',
  postcode: '31000',
  city: 'Toulouse',
  homeAddress: '',
  homePostcode: '',
  homeCity: '',
  phone: '05 61 00 00 00',
  fax: '',
  email: 'contact@menuiserie-caussade.example',
  dossierNumber: 'M-12',
  collaboratorId: '',
  groupId: '',
  blockReason: '',
};

describe('clients: list, sheet, wizard, edit, trash', () => {
  let app: TestApp;
  let compta: string;
  let julien: string;
  const clientIdOf = (name: string, slug = 'compta') => inFirm(app.db.owner, slug, async (trx, firmId) => (await trx('clients').where({ firmId, name }).first('id'))?.id as string);
  const countClients = () => inFirm(app.db.owner, 'compta', async (trx, firmId) => Number((await trx('clients').where({ firmId }).count({ n: '*' }).first())?.n));

  before(async () => {
    app = await startTestApp();
    compta = await firmId(app.db.owner, 'compta');
    julien = (await userOf(app.db.owner, 'compta', 'collaborateur')).id;
  });
  after(() => app.close());

  async function signedIn(who: string, slug = 'compta'): Promise<Client> {
    const c = app.client(slug);
    await c.login(who);
    await c.get('/'); // a page with the session's CSRF token
    return c;
  }

  /** The attributes of compta's sheets, by label. */
  const attributeIds = () => inFirm(app.db.owner, 'compta', async (trx, firmId) => new Map((await trx('clientAttributes').where({ firmId })).map((a) => [a.label, a.id])));

  describe('the list (B1)', () => {
    it('shows a supervisor every active client with the count, sorted by name', async () => {
      const c = await signedIn('superviseur');
      const res = await c.get('/clients');
      assert.equal(res.status, 200);
      assert.match(textOf(res.text, '.page-head'), /12 clients/);
      const names = namesOn(res.text);
      assert.equal(names.length, 12);
      assert.equal(names[0], 'Atelier Muriel Bonnafous');
      assert.ok(names.includes('ÉLECTRICITÉ OCCITANE'));
    });

    it('counts on the home page the clients and contacts open to the user, and what waits (A5)', async () => {
      const home = textOf((await (await signedIn('superviseur')).get('/')).text, '.content');
      assert.match(home, /12 clients/);
      assert.match(home, /4 contacts de vos clients/);
      assert.match(home, /2 clients sans collaborateur/);
      const julienHome = textOf((await (await signedIn('collaborateur')).get('/')).text, '.content');
      assert.match(julienHome, /7 clients/);
      assert.match(julienHome, /3 contacts de vos clients/);
      assert.doesNotMatch(julienHome, /sans collaborateur/);
      assert.doesNotMatch(textOf((await (await signedIn('client')).get('/')).text, '.content'), /clients/);
    });

    it('sorts by number, name, city and profession, both ways', async () => {
      const c = await signedIn('superviseur');
      const numbers = async (q: string) => [...(await c.get(`/clients?${q}`)).text.matchAll(/<td class="text-end text-nowrap">(\d+)<\/td>/g)].map((m) => Number(m[1]));
      const asc = await numbers('sort=number&dir=asc');
      assert.deepEqual(asc, [...asc].sort((a, b) => a - b));
      assert.deepEqual(await numbers('sort=number&dir=desc'), [...asc].reverse());
      const byName = namesOn((await c.get('/clients?sort=name&dir=desc')).text);
      assert.equal(byName[0], 'Taxi Lauragais');
      assert.equal(byName.at(-1), 'Atelier Muriel Bonnafous');
      // Accents do not move a name: "ÉLECTRICITÉ" sorts with the E's.
      const asc2 = namesOn((await c.get('/clients?sort=name')).text);
      assert.ok(asc2.indexOf('ESSAI Paul') > asc2.indexOf('ÉLECTRICITÉ OCCITANE'));
      assert.ok(asc2.indexOf('ÉLECTRICITÉ OCCITANE') > asc2.indexOf('DESPÉRIES Christophe'));
      const byCity = namesOn((await c.get('/clients?sort=city')).text);
      assert.equal(byCity[0], 'CHAZEAU Christophe'); // Aix-en-Provence
      const byProfession = namesOn((await c.get('/clients?sort=profession&dir=asc')).text);
      assert.ok(['BARRE Patrick Michel', 'CHAZEAU Christophe'].includes(byProfession[0]!), 'an agent commercial first');
    });

    it('finds clients by number and by text, ignoring accents and case', async () => {
      const c = await signedIn('superviseur');
      assert.deepEqual(namesOn((await c.get('/clients?q=desperies')).text).sort(), ['Boulangerie Despéries', 'DESPÉRIES Christophe']);
      assert.deepEqual(namesOn((await c.get(`/clients?q=${encodeURIComponent('DESPÉRIES pompertuzat')}`)).text), ['DESPÉRIES Christophe']);
      assert.deepEqual(namesOn((await c.get('/clients?q=3306')).text), ['DESPÉRIES Christophe']);
      assert.deepEqual(namesOn((await c.get('/clients?q=electricite')).text), ['ÉLECTRICITÉ OCCITANE']);
      // Custom attributes are searched too.
      assert.deepEqual(namesOn((await c.get('/clients?q=micro-entreprise')).text), ['Atelier Muriel Bonnafous']);
      const none = await c.get('/clients?q=%25%25_');
      assert.equal(namesOn(none.text).length, 0, 'LIKE wildcards are taken literally');
      assert.match(textOf(none.text, '.empty'), /Aucun client ne correspond/);
    });

    it("pages with the firm's rows per page", async () => {
      await inFirm(app.db.owner, 'compta', (trx, id) => trx('firms').where({ id }).update({ rowsPerPage: 10 }));
      await app.running.deps.firms.refresh();
      try {
        const c = await signedIn('superviseur');
        const first = await c.get('/clients?sort=number');
        const second = await c.get('/clients?sort=number&page=2');
        assert.equal(namesOn(first.text).length, 10);
        assert.equal(namesOn(second.text).length, 2);
        assert.match(textOf(first.text, '.pager'), /Page 1 sur 2/);
        assert.equal(new Set([...namesOn(first.text), ...namesOn(second.text)]).size, 12);
        assert.equal(namesOn((await c.get('/clients?page=99')).text).length, 2, 'a page past the end shows the last one');
      } finally {
        await inFirm(app.db.owner, 'compta', (trx, id) => trx('firms').where({ id }).update({ rowsPerPage: 25 }));
        await app.running.deps.firms.refresh();
      }
    });

    it('shows a collaborator only the clients assigned to or shared with them', async () => {
      const c = await signedIn('collaborateur');
      const names = namesOn((await c.get('/clients')).text);
      const assigned = await inFirm(app.db.owner, 'compta', (trx, firmId) => trx('clients').where({ firmId, collaboratorId: julien }).pluck('name'));
      assert.deepEqual([...names].sort(), [...assigned].sort());
      assert.ok(!names.includes('ESSAI Paul'));
      const essai = await clientIdOf('ESSAI Paul');
      assert.equal((await c.get(`/clients/${essai}`)).status, 404, 'a client not open to them does not exist for them');
      await inFirm(app.db.owner, 'compta', (trx, firmId) => trx('clientAccess').insert({ firmId, clientId: essai, userId: julien, level: 'read' }));
      assert.ok(namesOn((await c.get('/clients')).text).includes('ESSAI Paul'), 'shared with them: listed');
      const sheet = await c.get(`/clients/${essai}`);
      assert.equal(sheet.status, 200);
      assert.doesNotMatch(sheet.text, /href="\/clients\/\d+\/edit"/, 'read access: no edit button');
      assert.equal((await c.get(`/clients/${essai}/edit`)).status, 303);
      const refused = await c.post(`/clients/${essai}/edit`, { ...INFO, name: 'Changé', version: '1' });
      assert.equal(refused.status, 403);
      assert.equal((await inFirm(app.db.owner, 'compta', (trx, firmId) => trx('clients').where({ firmId, id: essai }).first('name')))?.name, 'ESSAI Paul');
    });

    it('refuses the client pages to a contact (403) and hides other firms\' clients (404)', async () => {
      const contact = await signedIn('client');
      assert.equal((await contact.get('/clients')).status, 403);
      assert.equal((await contact.get('/clients/new')).status, 403);
      const chartrons = await clientIdOf('Agence immobilière des Chartrons', 'diag');
      const c = await signedIn('superviseur');
      for (const path of [`/clients/${chartrons}`, `/clients/${chartrons}/edit`, '/clients/abc', '/clients/99999999']) assert.equal((await c.get(path)).status, 404, path);
      for (const action of ['edit', 'trash', 'delete']) assert.equal((await c.post(`/clients/${chartrons}/${action}`, { ...INFO, version: '1' })).status, 404, action);
      assert.ok(await clientIdOf('Agence immobilière des Chartrons', 'diag'), "diag's client is untouched");
    });
  });

  describe('the sheet (B2)', () => {
    it('shows every field, the SIREN, the custom attributes, the contacts, and says plainly which tabs come later', async () => {
      const c = await signedIn('superviseur');
      const id = await clientIdOf('Boulangerie Despéries');
      const res = await c.get(`/clients/${id}`);
      assert.equal(res.status, 200);
      const text = textOf(res.text, '.content');
      for (const expected of ['n° 3310', '65962432400011', '659624324', 'SARL', 'Boulangerie-pâtisserie', '01/10/2014', '41 rue du Taur, 31000 Toulouse', '05 61 21 09 33', 'Julien Marty', 'Artisans', 'BIC réel normal', '30/09/2026', '612 400']) {
        assert.ok(text.includes(expected), `the sheet shows ${expected}`);
      }
      const contacts = await c.get(`/clients/${id}?tab=contacts`);
      assert.match(textOf(contacts.text, '.content'), /Sophie Despéries.*sophie\.desperies@boulangerie-desperies\.example/);
      assert.match(res.text, new RegExp(`href="/clients/${id}/files"`), 'the Fichiers tab opens the client\'s documents');
      const mail = await c.get(`/clients/${id}?tab=mail`);
      assert.match(textOf(mail.text, '.empty'), /pas encore disponible/);
      const blocked = await c.get(`/clients/${await clientIdOf('ÉLECTRICITÉ OCCITANE')}`);
      assert.match(textOf(blocked.text, '.alert-warning'), /Gestion commerciale bloquée : Honoraires 2025 impayés/);
    });
  });

  describe('the creation wizard (B3)', () => {
    it('keeps what was typed from step to step, saves nothing before the end, then everything at once', async () => {
      const c = await signedIn('superviseur');
      const before = await countClients();
      const attrs = await attributeIds();
      assert.equal((await c.get('/clients/new')).status, 303);
      const fresh = await c.get('/clients/new/info');
      assert.doesNotMatch(fresh.text, /name="attr_/, 'no custom attribute before a template is loaded or one added');
      const template = await inFirm(app.db.owner, 'compta', async (trx, firmId) => (await trx('recordTemplates').where({ firmId, name: 'Entreprise individuelle' }).first('id'))!.id);
      assert.equal((await c.post('/clients/new/info', { ...INFO, go: 'loadTemplate', template })).status, 303);
      const loaded = await c.get('/clients/new/info');
      assert.match(loaded.text, new RegExp(`name="attr_${attrs.get('Régime fiscal')}"`), 'the template brings its attributes');
      assert.match(loaded.text, /value="Menuiserie Caussade"/, 'loading a template keeps what was typed');
      // An attribute typed on the fly: created with the client, at the end.
      assert.equal((await c.post('/clients/new/info', { ...INFO, go: 'addAttribute', newLabel: 'Nombre de salariés', newType: 'number' })).status, 303);
      const added = await c.get('/clients/new/info');
      assert.match(textOf(added.text, '.content'), /Nombre de salariés/);
      const step1 = await c.post('/clients/new/info', { ...INFO, groupId: '', [`attr_${attrs.get('Régime fiscal')}`]: 'BIC réel simplifié', [`attr_${attrs.get("Chiffre d'affaires N-1")}`]: '125 000,50', [`attr_${attrs.get('Date de clôture')}`]: '31/12/2026', attr_new1: '12', go: 'next' });
      assert.equal(step1.status, 303);
      assert.equal(step1.location, '/clients/new/contacts');
      const back = await c.get('/clients/new/info');
      assert.match(back.text, /value="Menuiserie Caussade"/, 'Back shows what was typed');
      await c.get('/clients/new/contacts');
      assert.equal((await c.post('/clients/new/contacts/new', { firstName: 'Luc', lastName: 'Caussade', email: 'luc@menuiserie-caussade.example', locale: 'en', sendActivation: 'on' })).status, 303);
      const sophie = (await userOf(app.db.owner, 'compta', 'client')).id;
      assert.equal((await c.post('/clients/new/contacts/existing', { userId: sophie })).status, 303);
      const step2 = await c.get('/clients/new/contacts');
      assert.match(textOf(step2.text, '.list-group'), /Luc Caussade.*nouveau.*Sophie Despéries.*existant/);
      await c.get('/clients/new/access');
      // Back from step 3 keeps the choices made there.
      assert.equal((await c.post('/clients/new/access', { [`access_${julien}`]: 'read', go: 'back' })).status, 303);
      assert.match((await c.get('/clients/new/access')).text, new RegExp(`name="access_${julien}" value="read" checked`));
      assert.equal(await countClients(), before, 'nothing saved before the last step');

      const step3 = await c.post('/clients/new/access', { [`access_${julien}`]: 'write' });
      assert.equal(step3.location, '/clients/new/tree', 'a firm with documents has a fourth step, "Arborescence"');
      assert.equal(await countClients(), before, 'nothing saved before the last step');
      const step4 = await c.get('/clients/new/tree');
      const treeTemplate = /name="template" id="tpl-(\d+)"/.exec(step4.text)![1]!;
      assert.match(step4.text, /Dossier comptable annuel/);
      const done = await c.post('/clients/new/tree', { template: treeTemplate });
      assert.equal(done.status, 303);
      const id = await clientIdOf('Menuiserie Caussade');
      const folders = await inFirm(app.db.owner, 'compta', (trx, firmId) => trx('folders').where({ firmId, clientId: id }).pluck('name'));
      assert.ok(folders.includes('Bilans et liasses fiscales') && folders.includes('TVA'), 'the chosen tree template is applied');
      assert.equal(done.location, `/clients/${id}`);
      const saved = await inFirm(app.db.owner, 'compta', async (trx, firmId) => ({
        client: await trx('clients').where({ firmId, id }).first(),
        contacts: await trx('clientContacts').join('users', (j) => j.on('users.firmId', 'clientContacts.firmId').andOn('users.id', 'clientContacts.userId')).where('clientContacts.clientId', id).pluck('users.email'),
        access: await trx('clientAccess').where({ firmId, clientId: id }).select('userId', 'level'),
        mails: await trx('mailOutbox').where({ firmId, recipient: 'luc@menuiserie-caussade.example' }).select('subject'),
        luc: await trx('users').where({ firmId, email: 'luc@menuiserie-caussade.example' }).first('role', 'locale'),
      }));
      assert.equal(saved.client?.number, 3331, 'the next number after the highest');
      assert.equal(saved.client?.siret, '59101469100016');
      const salaries = (await attributeIds()).get('Nombre de salariés');
      assert.ok(salaries, 'the new attribute is the firm\'s now');
      assert.deepEqual(saved.client?.customValues, { [attrs.get('Régime fiscal')!]: 'BIC réel simplifié', [attrs.get("Chiffre d'affaires N-1")!]: 125000.5, [attrs.get('Date de clôture')!]: '2026-12-31', [salaries!]: 12 });
      assert.deepEqual([...saved.contacts].sort(), ['luc@menuiserie-caussade.example', 'sophie.desperies@boulangerie-desperies.example']);
      assert.deepEqual(saved.access, [{ userId: julien, level: 'write' }]);
      assert.deepEqual(saved.luc, { role: 'contact', locale: 'en' });
      assert.equal(saved.mails.length, 1, 'the activation email, in English');
      assert.match(saved.mails[0]!.subject, /your access/);
      const sheet = await c.get(`/clients/${id}`);
      assert.match(sheet.text, /role="status">Le client est créé\.</);
      // The wizard starts afresh afterwards.
      await c.get('/clients/new');
      assert.doesNotMatch((await c.get('/clients/new/info')).text, /Menuiserie Caussade/);
    });

    it('warns of a likely duplicate (same SIRET, or same name and postcode) with a link, and goes on when confirmed', async () => {
      const c = await signedIn('superviseur');
      await c.get('/clients/new');
      await c.get('/clients/new/info');
      const boulangerie = await clientIdOf('Boulangerie Despéries');
      const warned = await c.post('/clients/new/info', { ...INFO, name: 'Boulangerie Desperies', siret: '', postcode: '31000' });
      assert.equal(warned.status, 409);
      assert.match(textOf(warned.text, '.alert-warning'), /Ce client existe peut-être déjà.*Boulangerie Despéries — n° 3310/);
      assert.match(warned.text, new RegExp(`href="/clients/${boulangerie}"`));
      const bySiret = await c.post('/clients/new/info', { ...INFO, name: 'Autre nom', siret: '65962432400011' });
      assert.equal(bySiret.status, 409);
      const confirmed = await c.post('/clients/new/info', { ...INFO, name: 'Boulangerie Desperies', siret: '', confirmDuplicate: 'on' });
      assert.equal(confirmed.status, 303);
    });

    it('refuses bad input with French messages next to the fields, keeping what was typed', async () => {
      const c = await signedIn('superviseur');
      await c.get('/clients/new');
      await c.get('/clients/new/info');
      const attrs = await attributeIds();
      const template = await inFirm(app.db.owner, 'compta', async (trx, firmId) => (await trx('recordTemplates').where({ firmId, name: 'Entreprise individuelle' }).first('id'))!.id);
      await c.post('/clients/new/info', { ...INFO, go: 'loadTemplate', template });
      const future = new Date(Date.now() + 86400_000 * 30).toISOString().slice(0, 10);
      const cases: [string, Record<string, string>, string, RegExp][] = [
        ['an invalid SIRET', { siret: '12345678901234' }, 'siret', /SIRET n'est pas valide/],
        ['a future "client since"', { clientSince: future }, 'clientSince', /ne peut pas être dans le futur/],
        ['an impossible date', { activityStartedOn: '31/02/2024' }, 'activityStartedOn', /date valide/],
        ['an email with a line break', { email: 'a@b.fr\nBcc: x@y.fr' }, 'email', /retour à la ligne|adresse e-mail valide/],
        ['a number where a number is expected', { [`attr_${attrs.get("Chiffre d'affaires N-1")}`]: 'beaucoup' }, `attr_${attrs.get("Chiffre d'affaires N-1")}`, /Saisissez un nombre/],
        ['an option not in the list', { [`attr_${attrs.get('Régime fiscal')}`]: 'Forfait' }, `attr_${attrs.get('Régime fiscal')}`, /Choisissez une valeur/],
        ['a 10,000-character name', { name: 'N'.repeat(10_000) }, 'name', /au plus 200 caractères/],
        ['an empty name', { name: '' }, 'name', /obligatoire/],
      ];
      for (const [what, change, field, message] of cases) {
        const res = await c.post('/clients/new/info', { ...INFO, name: `Essai ${what}`, ...change });
        assert.equal(res.status, 400, what);
        assert.match(textOf(res.text, `#f-${field}-err`), message, what);
        assert.match(textOf(res.text, '.alert-danger'), /Le formulaire contient des erreurs/, what);
      }
      const unknown = await c.post('/clients/new/info', { ...INFO, role: 'supervisor' });
      assert.equal(unknown.status, 400);
      assert.match(textOf(unknown.text, '.alert-danger'), /champ inattendu \(role\)/);
      const kept = await c.post('/clients/new/info', { ...INFO, siret: '12345678901234' });
      assert.match(kept.text, /value="Menuiserie Caussade"/);
    });

    it('checks the collaborator at the end and saves nothing when one is unknown or of another firm', async () => {
      const c = await signedIn('superviseur');
      const before = await countClients();
      for (const collaboratorId of ['999999', (await userOf(app.db.owner, 'diag', 'collaborateur')).id]) {
        await c.get('/clients/new');
        await c.get('/clients/new/info');
        assert.equal((await c.post('/clients/new/info', { ...INFO, name: 'Client fantôme', siret: '', postcode: '31500', collaboratorId })).status, 303);
        await c.get('/clients/new/contacts');
        await c.post('/clients/new/contacts/new', { firstName: 'Ana', lastName: 'Fantôme', email: `ana.${collaboratorId}@fantome.example`, locale: 'fr', sendActivation: 'on' });
        await c.get('/clients/new/access');
        assert.equal((await c.post('/clients/new/access', {})).status, 303);
        await c.get('/clients/new/tree');
        const res = await c.post('/clients/new/tree', { template: '' });
        assert.equal(res.status, 400);
        assert.match(textOf(res.text, '#f-collaboratorId-err'), /Choisissez une valeur/);
      }
      assert.equal(await countClients(), before);
      const ghosts = await inFirm(app.db.owner, 'compta', (trx, firmId) => trx('users').where({ firmId }).whereLike('email', 'ana.%').count({ n: '*' }).first());
      assert.equal(Number(ghosts?.n), 0, 'no contact half-created either');
    });

    it('lets a collaborator create a client, which stays theirs', async () => {
      const c = await signedIn('collaborateur');
      await c.get('/clients/new');
      await c.get('/clients/new/info');
      assert.equal((await c.post('/clients/new/info', { ...INFO, name: 'Garage Rouzaud', siret: '', postcode: '31200' })).status, 400, 'only a supervisor assigns: the field is unknown to a collaborator');
      const { collaboratorId: _ignored, ...info } = INFO;
      assert.equal((await c.post('/clients/new/info', { ...info, name: 'Garage Rouzaud', siret: '', postcode: '31200' })).status, 303);
      // Existing contacts: only those of their own clients.
      const barre = await inFirm(app.db.owner, 'compta', async (trx, firmId) => {
        const [u] = await trx('users').insert({ firmId, role: 'contact', identifier: 'patrick.barre', email: 'patrick.barre@agent.example', lastName: 'Barre' }).returning('id');
        const client = (await trx('clients').where({ firmId, name: 'BARRE Patrick Michel' }).first('id'))!;
        await trx('clientContacts').insert({ firmId, clientId: client.id, userId: (u as { id: string }).id });
        return (u as { id: string }).id;
      });
      const step2 = await c.get('/clients/new/contacts');
      assert.match(step2.text, /Sophie Despéries/);
      assert.doesNotMatch(step2.text, /patrick\.barre@agent\.example/);
      assert.equal((await c.post('/clients/new/contacts/existing', { userId: barre })).status, 400);
      await c.get('/clients/new/access');
      assert.equal((await c.post('/clients/new/access', {})).status, 303);
      await c.get('/clients/new/tree');
      assert.equal((await c.post('/clients/new/tree', { template: '' })).status, 303);
      const row = await inFirm(app.db.owner, 'compta', (trx, firmId) => trx('clients').where({ firmId, name: 'Garage Rouzaud' }).first('collaboratorId'));
      assert.equal(row?.collaboratorId, julien);
    });
  });

  describe('edit, history, conflicts (B4, B6)', () => {
    it('saves a change, keeps its history, and blocks commercial management with a reason', async () => {
      const c = await signedIn('superviseur');
      const id = await clientIdOf('Taxi Lauragais');
      const form = await c.get(`/clients/${id}/edit`);
      const version = /name="version" value="(\d+)"/.exec(form.text)![1]!;
      const res = await c.post(`/clients/${id}/edit`, { ...INFO, name: 'Taxi Lauragais', siret: '69110241200018', city: 'Castelnaudary', postcode: '11400', collaboratorId: julien, blocked: 'on', blockReason: 'Dossier en contentieux', version });
      assert.equal(res.status, 303);
      const history = await c.get(`/clients/${id}?tab=history`);
      const text = textOf(history.text, '.history');
      assert.match(text, /Modification de la fiche client.*Hélène Delmas/);
      assert.match(text, /Ville : « Villefranche-de-Lauragais » → « Castelnaudary »/);
      assert.match(text, /Changement de collaborateur.*Collaborateur : « — » → « Julien Marty »/);
      await assert.rejects(
        withFirm(app.running.deps.db, compta, (trx) => assertCommercialAllowed(trx, compta, id)),
        (err: unknown) => err instanceof CommercialBlocked && err.reason === 'Dossier en contentieux',
      );
      await withFirm(app.running.deps.db, compta, async (trx) => assertCommercialAllowed(trx, compta, await clientIdOf('Taxi Lauragais').then(() => clientIdOf('GARROS Bernard'))));
    });

    it('refuses the second of two saves made from the same version, with a clear message, and keeps the first', async () => {
      const first = await signedIn('superviseur');
      const second = await signedIn('superviseur');
      const id = await clientIdOf('CHAZEAU Christophe');
      const version = /name="version" value="(\d+)"/.exec((await first.get(`/clients/${id}/edit`)).text)![1]!;
      await second.get(`/clients/${id}/edit`);
      const base = { ...INFO, name: 'CHAZEAU Christophe', siret: '51732048700013', postcode: '13100', version };
      assert.equal((await first.post(`/clients/${id}/edit`, { ...base, city: 'Aix' })).status, 303);
      const refused = await second.post(`/clients/${id}/edit`, { ...base, city: 'Marseille' });
      assert.equal(refused.status, 409);
      assert.match(textOf(refused.text, '.alert-danger'), /Hélène Delmas a modifié ce client le .* pendant que vous le modifiiez\. Vos changements n'ont pas été enregistrés/);
      assert.match(refused.text, /value="Marseille"/, 'what they typed is still there');
      const stored = await inFirm(app.db.owner, 'compta', (trx, firmId) => trx('clients').where({ firmId, id }).first('city'));
      assert.equal(stored?.city, 'Aix');
    });

    it('moves a duplicate to the trash, lists it there, restores it, and deletes for good keeping its contacts', async () => {
      const c = await signedIn('superviseur');
      const id = await clientIdOf('Boulangerie Despéries');
      const collaborator = await signedIn('collaborateur');
      assert.equal((await collaborator.post(`/clients/${id}/trash`)).status, 403);
      assert.equal((await c.post(`/clients/${id}/trash`)).status, 303);
      assert.ok(!namesOn((await c.get('/clients')).text).includes('Boulangerie Despéries'));
      assert.ok(namesOn((await c.get('/clients?view=trash')).text).includes('Boulangerie Despéries'));
      assert.equal((await c.post(`/clients/${id}/restore`)).status, 303);
      assert.ok(namesOn((await c.get('/clients')).text).includes('Boulangerie Despéries'));
      const sophie = (await userOf(app.db.owner, 'compta', 'client')).id;
      assert.equal((await c.post(`/clients/${id}/delete`)).status, 303);
      assert.equal(await clientIdOf('Boulangerie Despéries'), undefined);
      assert.equal((await userOf(app.db.owner, 'compta', 'client')).id, sophie, 'the contact is kept');
      assert.equal((await c.get(`/clients/${id}`)).status, 404);
    });
  });
});
