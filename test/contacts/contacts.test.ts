import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { suiteAppWithSmtp } from '../support/app.ts';
import { SOPHIE } from '../support/demo.ts';
import { inFirm } from '../support/firmdb.ts';
import { textOf as rawTextOf, unescapeHtml, type Client } from '../support/http.ts';

const textOf = (html: string, selector: string) => unescapeHtml(rawTextOf(html, selector));

const LUC = {
  firstName: 'Luc',
  lastName: 'Caussade',
  email: 'luc.caussade@menuiserie-caussade.example',
  copyEmails: 'devis@menuiserie-caussade.example; Compta@Menuiserie-Caussade.example',
  identifier: '',
  phone: '05 61 00 11 22',
  jobTitle: 'Gérant',
  locale: 'fr',
  clientNumbers: '3327, 657',
  inheritFrom: '',
  sendCodes: 'on',
};

describe('contacts (C1–C3)', () => {
  const suite = suiteAppWithSmtp();

  async function signedIn(who: string, firm = 'compta'): Promise<Client> {
    const c = suite.app.client(firm);
    await c.login(who);
    return c;
  }
  const owner = () => suite.app.db.owner;
  const findContact = (email: string, firm = 'compta') => inFirm(owner(), firm, (trx, firmId) => trx('users').where({ firmId }).whereRaw('lower(email) = ?', [email.toLowerCase()]).first());
  const contactRow = async (email: string, firm = 'compta') => {
    const row = await findContact(email, firm);
    assert.ok(row, `no account ${email}`);
    return row;
  };
  const numbersOf = (userId: string) =>
    inFirm(owner(), 'compta', async (trx, firmId) =>
      (await trx('clientContacts').join('clients', (j) => j.on('clients.firmId', 'clientContacts.firmId').andOn('clients.id', 'clientContacts.clientId')).where('clientContacts.firmId', firmId).where('clientContacts.userId', userId).select('clients.number'))
        .map((r: { number: number }) => r.number)
        .sort((a: number, b: number) => a - b),
    );
  const clientId = (number: number) => inFirm(owner(), 'compta', async (trx, firmId) => (await trx('clients').where({ firmId, number }).first('id'))!.id as string);
  const namesOn = (html: string) => [...html.matchAll(/<a href="\/contacts\/\d+" class="fw-semibold">([^<]+)<\/a>/g)].map((m) => unescapeHtml(m[1]!));

  describe('the list', () => {
    it('shows a supervisor every contact, with their clients and access state, sorted by name', async () => {
      const res = await (await signedIn('superviseur')).get('/contacts');
      assert.equal(res.status, 200);
      assert.deepEqual(namesOn(res.text), ['Muriel Bonnafous', 'Sophie Despéries', 'Jérôme Puech', 'Claire Sabatier']);
      const table = textOf(res.text, '.data-table');
      assert.match(table, /Sophie Despéries.*sophie\.desperies@boulangerie-desperies\.example.*3310 — Boulangerie Despéries.*Activé/);
      assert.match(table, /Jérôme Puech.*4 — C2J INFO.*Codes à envoyer.*Jamais/);
      assert.match(textOf(res.text, '.page-head'), /4 contacts/);
    });

    it('shows a collaborator only the contacts of the clients open to them', async () => {
      const julien = await signedIn('collaborateur');
      assert.deepEqual(namesOn((await julien.get('/contacts')).text), ['Muriel Bonnafous', 'Sophie Despéries', 'Jérôme Puech']);
      const claire = await contactRow('claire.sabatier@infirmiers-stcyprien.example');
      assert.equal((await julien.get(`/contacts/${claire.id}`)).status, 404, 'a contact of a client not open to them looks absent');
      assert.equal((await julien.get(`/contacts/${claire.id}/consultations.xlsx`)).status, 404);
    });

    it('searches without accents or case, by name, email, identifier and client; filters by access; sorts', async () => {
      const c = await signedIn('superviseur');
      const search = async (q: string) => namesOn((await c.get(`/contacts?q=${encodeURIComponent(q)}`)).text);
      assert.deepEqual(await search('desperies'), ['Sophie Despéries']);
      assert.deepEqual(await search('JEROME'), ['Jérôme Puech']);
      assert.deepEqual(await search('c2j info'), ['Jérôme Puech'], 'by the name of one of their clients');
      assert.deepEqual(await search('3315'), ['Claire Sabatier'], 'by a client number');
      assert.deepEqual(await search('infirmiers-stcyprien'), ['Claire Sabatier'], 'by email');
      assert.deepEqual(await search('50%_'), []);
      assert.deepEqual(namesOn((await c.get('/contacts?access=activated')).text), ['Sophie Despéries']);
      assert.deepEqual(namesOn((await c.get('/contacts?sort=name&dir=desc')).text), ['Claire Sabatier', 'Jérôme Puech', 'Sophie Despéries', 'Muriel Bonnafous']);
      await signedIn('client');
      assert.equal(namesOn((await c.get('/contacts?sort=lastLogin')).text)[0], 'Sophie Despéries', 'the latest login first');
      assert.equal(namesOn((await c.get('/contacts?sort=lastLogin&dir=asc')).text).at(-1), 'Sophie Despéries', 'never logged in: first, going up');
      const nothing = await c.get('/contacts?q=zzzz');
      assert.match(textOf(nothing.text, '.empty'), /Aucun contact ne correspond/);
      // Nonsense in the query is ignored, not an error.
      assert.equal((await c.get('/contacts?sort=evil&dir=up&page=-3&access=x')).status, 200);
    });

    it('is for staff: a contact gets 403, and the home page tells who has not activated their access', async () => {
      const sophie = await signedIn('client');
      assert.equal((await sophie.get('/contacts')).status, 403);
      assert.equal((await sophie.get('/contacts/export.xlsx')).status, 403);
      const home = textOf((await (await signedIn('superviseur')).get('/')).text, '.content');
      assert.match(home, /3 contacts n'ont pas encore activé leur accès/);
    });
  });

  describe('create, edit, delete', () => {
    it('creates a contact with copies and clients, and sends the access codes: a link, never a password', async () => {
      const c = await signedIn('superviseur');
      await c.get('/contacts/new');
      const res = await c.post('/contacts', LUC);
      assert.equal(res.status, 303);
      const luc = await contactRow(LUC.email);
      assert.equal(luc.role, 'contact');
      assert.equal(luc.identifier, LUC.email, 'no identifier typed: the email');
      assert.deepEqual(luc.copyEmails, ['devis@menuiserie-caussade.example', 'compta@menuiserie-caussade.example']);
      assert.equal(luc.passwordHash, null);
      assert.deepEqual(await numbersOf(luc.id), [657, 3327]);
      assert.match(textOf((await c.get(res.location!)).text, '.alert-success'), /codes d'accès sont envoyés à luc\.caussade/);
      const mail = await suite.smtp.waitFor(LUC.email);
      assert.match(mail.text ?? '', /\/password\/reset\/[A-Za-z0-9_-]{30,}/);
      assert.doesNotMatch(mail.text ?? '', /Demo-Passerelle/);
      // The link made is in the client's history.
      const history = textOf((await c.get(`/clients/${await clientId(3327)}?tab=history`)).text, '.content');
      assert.match(history, /Contact ajouté au client/);
    });

    it('copies the clients of an inherited account ("Compte hérité")', async () => {
      const c = await signedIn('superviseur');
      await c.get('/contacts/new');
      const res = await c.post('/contacts', { ...LUC, firstName: 'Paul', lastName: 'Despéries', email: 'paul@boulangerie-desperies.example', copyEmails: '', clientNumbers: '', inheritFrom: SOPHIE.toUpperCase(), sendCodes: '' });
      assert.equal(res.status, 303);
      const paul = await contactRow('paul@boulangerie-desperies.example');
      assert.deepEqual(await numbersOf(paul.id), [3310]);
      const outbox = await inFirm(owner(), 'compta', (trx, firmId) => trx('mailOutbox').where({ firmId, recipient: 'paul@boulangerie-desperies.example' }));
      assert.equal(outbox.length, 0, 'codes not asked for: none sent');
    });

    it('refuses bad input with French messages, keeps what was typed, and saves nothing', async () => {
      const c = await signedIn('superviseur');
      await c.get('/contacts/new');
      const count = () => inFirm(owner(), 'compta', async (trx, firmId) => Number((await trx('users').where({ firmId }).count({ n: '*' }))[0]!.n));
      const before = await count();
      const base = { ...LUC, email: 'nouveau@exemple.fr', sendCodes: '' };
      const cases: [string, Record<string, string>, string, RegExp][] = [
        ['no email', { email: '' }, 'email', /obligatoire|valide/],
        ['an email with a line break', { email: 'a@b.fr\nBcc: c@d.fr' }, 'email', /retour à la ligne|valide/],
        ['an email used by another account', { email: SOPHIE }, 'email', /déjà celle d'un autre compte/],
        ['a bad copy address', { copyEmails: 'ok@exemple.fr, pas-une-adresse' }, 'copyEmails', /« pas-une-adresse » n'est pas une adresse/],
        ['an unknown client number', { clientNumbers: '3327, 99999' }, 'clientNumbers', /Aucun de vos clients ne porte le n° 99999/],
        ['letters for a client number', { clientNumbers: 'abc' }, 'clientNumbers', /« abc » n'est pas un numéro/],
        ['a 10,000-character name', { lastName: 'x'.repeat(10_000) }, 'lastName', /au plus 100/],
        ['an identifier taken', { identifier: 'COLLABORATEUR' }, 'identifier', /déjà utilisé/],
        ['an identifier with spaces', { identifier: 'luc caussade' }, 'identifier', /lettres sans accent/],
        ['an unknown inherited account', { inheritFrom: 'personne@nulle-part.example' }, 'inheritFrom', /Aucun contact ne porte/],
        ['an unknown language', { locale: 'de' }, 'locale', /Choisissez/],
      ];
      for (const [what, change, field, message] of cases) {
        const res = await c.post('/contacts', { ...base, ...change });
        assert.equal(res.status, 400, what);
        assert.match(textOf(res.text, `#f-${field}-err`), message, what);
      }
      const extra = await c.post('/contacts', { ...base, role: 'supervisor' });
      assert.equal(extra.status, 400);
      assert.match(textOf(extra.text, '.alert-danger'), /champ inattendu \(role\)/);
      const kept = await c.post('/contacts', { ...base, clientNumbers: '99999' });
      assert.match(kept.text, /value="Caussade"/, 'what was typed comes back');
      assert.equal(await count(), before, 'nothing saved');
    });

    it('edits a contact; a collaborator changes only the links to their own clients', async () => {
      const c = await signedIn('superviseur');
      const sophie = await contactRow(SOPHIE);
      await c.get(`/contacts/${sophie.id}`);
      // The supervisor links Sophie to one of Julien's clients and one of their own.
      const form = { firstName: 'Sophie', lastName: 'Despéries', email: SOPHIE, copyEmails: '', identifier: 'client', phone: '', jobTitle: 'Gérante', locale: 'fr', clientNumbers: '3310, 3306, 3315' };
      assert.equal((await c.post(`/contacts/${sophie.id}`, form)).status, 303);
      assert.deepEqual(await numbersOf(sophie.id), [3306, 3310, 3315]);
      // Julien sees 3306 and 3310 (his), not 3315; he removes 3306: 3315 stays.
      const julien = await signedIn('collaborateur');
      const page = await julien.get(`/contacts/${sophie.id}`);
      assert.match(page.text, /value="3310, 3306"/);
      assert.equal((await julien.post(`/contacts/${sophie.id}`, { ...form, clientNumbers: '3310' })).status, 303);
      assert.deepEqual(await numbersOf(sophie.id), [3310, 3315]);
      // He cannot link a client that is not his, nor leave none of his.
      const notHis = await julien.post(`/contacts/${sophie.id}`, { ...form, clientNumbers: '3310, 3315' });
      assert.equal(notHis.status, 400);
      assert.match(textOf(notHis.text, '#f-clientNumbers-err'), /Aucun de vos clients ne porte le n° 3315/);
      const none = await julien.post(`/contacts/${sophie.id}`, { ...form, clientNumbers: '' });
      assert.match(textOf(none.text, '#f-clientNumbers-err'), /au moins un de vos clients/);
      assert.deepEqual(await numbersOf(sophie.id), [3310, 3315]);
      await c.get(`/contacts/${sophie.id}`);
      assert.equal((await c.post(`/contacts/${sophie.id}`, { ...form, clientNumbers: '3310' })).status, 303);
    });

    it('shows a contact of a read-only client to a collaborator, who cannot change it', async () => {
      const claire = await contactRow('claire.sabatier@infirmiers-stcyprien.example');
      const julienId = (await contactRow('julien.marty@delmas-associes.example')).id;
      const cabinet = await clientId(3315);
      await inFirm(owner(), 'compta', (trx, firmId) => trx('clientAccess').insert({ firmId, clientId: cabinet, userId: julienId, level: 'read' }));
      try {
        const julien = await signedIn('collaborateur');
        const page = await julien.get(`/contacts/${claire.id}`);
        assert.equal(page.status, 200);
        assert.match(textOf(page.text, '.alert-info'), /seuls le superviseur et les collaborateurs en charge/);
        assert.match(page.text, /<fieldset disabled>/);
        const form = { firstName: 'X', lastName: 'Y', email: 'claire.sabatier@infirmiers-stcyprien.example', copyEmails: '', identifier: '', phone: '', jobTitle: '', locale: 'fr', clientNumbers: '3315' };
        assert.equal((await julien.post(`/contacts/${claire.id}`, form)).status, 403);
        assert.equal((await julien.post(`/contacts/${claire.id}/codes`)).status, 403);
        assert.equal((await julien.post(`/contacts/${claire.id}/delete`)).status, 403);
        assert.equal((await contactRow('claire.sabatier@infirmiers-stcyprien.example')).lastName, 'Sabatier');
      } finally {
        await inFirm(owner(), 'compta', (trx, firmId) => trx('clientAccess').where({ firmId, clientId: cabinet, userId: julienId }).delete());
      }
    });

    it('deletes a contact for a supervisor only: the account goes, its clients stay, its sessions end', async () => {
      const c = await signedIn('superviseur');
      await c.get('/contacts/new');
      await c.post('/contacts', { ...LUC, email: 'a.supprimer@exemple.fr', copyEmails: '', clientNumbers: '3310', sendCodes: '' });
      const gone = await contactRow('a.supprimer@exemple.fr');
      const julien = await signedIn('collaborateur');
      assert.equal((await julien.post(`/contacts/${gone.id}/delete`)).status, 403);
      await c.get(`/contacts/${gone.id}`);
      const res = await c.post(`/contacts/${gone.id}/delete`);
      assert.equal(res.status, 303);
      assert.equal(res.location, '/contacts');
      assert.equal(await findContact('a.supprimer@exemple.fr'), undefined);
      assert.ok(await clientId(3310), 'the client stays');
      assert.match(textOf((await c.get('/contacts')).text, '.alert-success'), /est supprimé/);
      assert.equal((await c.post(`/contacts/${gone.id}/delete`)).status, 404);
    });
  });

  describe('access codes, email, exports', () => {
    it('"Envoyer les codes d\'accès" emails a link to choose a password, from the list back to the list', async () => {
      const julien = await signedIn('collaborateur');
      const jerome = await contactRow('jerome.puech@c2jinfo.example');
      await julien.get('/contacts?q=puech');
      const res = await julien.post(`/contacts/${jerome.id}/codes?back=${encodeURIComponent('/contacts?q=puech')}`);
      assert.equal(res.status, 303);
      assert.equal(res.location, '/contacts?q=puech');
      assert.match(textOf((await julien.get(res.location!)).text, '.alert-success'), /codes d'accès sont envoyés à jerome\.puech@c2jinfo\.example/);
      const mail = await suite.smtp.waitFor('jerome.puech@c2jinfo.example');
      assert.match(mail.subject ?? '', /vos codes d'accès/);
      assert.match(mail.text ?? '', /\/password\/reset\/[A-Za-z0-9_-]{30,}/);
      // An address elsewhere is not followed.
      const offsite = await julien.post(`/contacts/${jerome.id}/codes?back=${encodeURIComponent('https://evil.example/')}`);
      assert.equal(offsite.location, `/contacts/${jerome.id}`);
    });

    it('emails a contact, with copies and the writer as Reply-To; bad input sends nothing', async () => {
      const julien = await signedIn('collaborateur');
      const jerome = await contactRow('jerome.puech@c2jinfo.example');
      await julien.get(`/contacts/${jerome.id}/mail`);
      const outbox = () => inFirm(owner(), 'compta', async (trx, firmId) => Number((await trx('mailOutbox').where({ firmId, kind: 'contacts.message' }).count({ n: '*' }))[0]!.n));
      const before = await outbox();
      for (const [what, form, field] of [
        ['no subject', { subject: '', message: 'Bonjour' }, 'subject'],
        ['a subject with a line break', { subject: 'Bilan\nBcc: x@y.fr', message: 'Bonjour' }, 'subject'],
        ['no message', { subject: 'Bilan', message: '   ' }, 'message'],
        ['a message of 10,001 characters', { subject: 'Bilan', message: 'x'.repeat(10_001) }, 'message'],
      ] as const) {
        const res = await julien.post(`/contacts/${jerome.id}/mail`, form);
        assert.equal(res.status, 400, what);
        assert.ok(textOf(res.text, `#f-${field}-err`), what);
      }
      assert.equal(await outbox(), before, 'nothing queued');
      const res = await julien.post(`/contacts/${jerome.id}/mail`, { subject: 'Bilan 2026', message: 'Bonjour Monsieur Puech,\n\nVotre bilan est prêt.', copies: 'on' });
      assert.equal(res.status, 303);
      const mail = await suite.smtp.waitFor('jerome.puech@c2jinfo.example', (m) => m.subject === 'Bilan 2026');
      assert.match(mail.text ?? '', /Votre bilan est prêt\.[\s\S]*Julien Marty/);
      assert.equal(mail.replyTo?.value[0]?.address, 'julien.marty@delmas-associes.example');
      await suite.smtp.waitFor('compta@c2jinfo.example', (m) => m.subject === 'Bilan 2026');
      const history = textOf((await julien.get(`/clients/${await clientId(4)}?tab=history`)).text, '.content');
      assert.match(history, /Mail envoyé à un contact/);
    });

    it('exports the contact list to Excel with the search in force', async () => {
      const c = await signedIn('superviseur');
      const res = await c.get('/contacts/export.xlsx?q=desperies');
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-disposition']), /^attachment; filename="Contacts \d{4}-\d{2}-\d{2}\.xlsx"/);
      const ws = (await new ExcelJS.Workbook().xlsx.load(res.body as unknown as ArrayBuffer)).worksheets[0]!;
      const headers = (ws.getRow(1).values as unknown[]).slice(1);
      assert.deepEqual(headers.slice(0, 4), ['Nom', 'Prénom', 'Identifiant', 'E-mail']);
      const names = [];
      for (let r = 2; r <= ws.rowCount; r++) names.push(`${ws.getRow(r).getCell(2).value} ${ws.getRow(r).getCell(1).value}`);
      assert.ok(names.includes('Sophie Despéries'));
      assert.ok(names.every((n) => /Despéries/.test(n)), names.join(', '));
      const sophieRow = ws.getRow(names.indexOf('Sophie Despéries') + 2);
      assert.equal(sophieRow.getCell(headers.indexOf('Accès activé') + 1).value, true);
      assert.ok(sophieRow.getCell(headers.indexOf('Dernière connexion') + 1).value instanceof Date);
      assert.match(String(sophieRow.getCell(headers.indexOf('Clients') + 1).value), /Boulangerie Despéries/);
    });

    it('exports what a contact did, newest first; a collaborator gets only what concerns their clients', async () => {
      const sophie = await contactRow(SOPHIE);
      await signedIn('client'); // a login, in the log
      const [mine, other] = [await clientId(3310), await clientId(3315)];
      await inFirm(owner(), 'compta', (trx, firmId) =>
        trx('activityLog').insert([
          { firmId, action: 'documents.downloaded', actorId: sophie.id, actorName: 'Sophie Despéries', clientId: mine, objectType: 'file', objectLabel: 'Bilan 2025.pdf', ip: '203.0.113.7' },
          { firmId, action: 'documents.downloaded', actorId: sophie.id, actorName: 'Sophie Despéries', clientId: other, objectType: 'file', objectLabel: 'Secret du cabinet infirmier.pdf', ip: '203.0.113.7' },
        ]),
      );
      const rowsOf = async (c: Client) => {
        const res = await c.get(`/contacts/${sophie.id}/consultations.xlsx`);
        assert.equal(res.status, 200);
        assert.match(String(res.headers['content-disposition']), /filename="Consultations Sophie Desperies/);
        const ws = (await new ExcelJS.Workbook().xlsx.load(res.body as unknown as ArrayBuffer)).worksheets[0]!;
        assert.deepEqual((ws.getRow(1).values as unknown[]).slice(1), ['Date et heure', 'Action', 'N° client', 'Client', 'Dossier ou fichier', 'Adresse IP']);
        const rows = [];
        for (let r = 2; r <= ws.rowCount; r++) rows.push((ws.getRow(r).values as unknown[]).slice(1));
        return rows;
      };
      const all = await rowsOf(await signedIn('superviseur'));
      assert.equal(all[0]![4], 'Secret du cabinet infirmier.pdf', 'newest first');
      assert.ok(all[0]![0] instanceof Date);
      assert.equal(all[1]![2], 3310);
      assert.equal(all[1]![5], '203.0.113.7');
      assert.ok(all.some((r) => r[1] === 'Connexion'), all.map((r) => r[1]).join(', '));
      const julien = await rowsOf(await signedIn('collaborateur'));
      assert.ok(julien.some((r) => r[4] === 'Bilan 2025.pdf'));
      assert.ok(!julien.some((r) => r[4] === 'Secret du cabinet infirmier.pdf'), 'not a client of his');
    });
  });

  describe('firms', () => {
    it("gives another firm's contacts a 404, for every route", async () => {
      const sophie = await contactRow(SOPHIE);
      const diag = await signedIn('superviseur', 'diag');
      await diag.get('/contacts');
      assert.equal((await diag.get(`/contacts/${sophie.id}`)).status, 404);
      assert.equal((await diag.get(`/contacts/${sophie.id}/mail`)).status, 404);
      assert.equal((await diag.get(`/contacts/${sophie.id}/consultations.xlsx`)).status, 404);
      for (const path of ['', '/codes', '/mail', '/delete']) assert.equal((await diag.post(`/contacts/${sophie.id}${path}`, { subject: 'x', message: 'y' })).status, 404, path);
      assert.deepEqual(namesOn((await diag.get('/contacts')).text), ['Laurent Castan', 'Nathalie Fabre']);
      assert.equal((await contactRow(SOPHIE)).lastName, 'Despéries');
    });
  });
});
