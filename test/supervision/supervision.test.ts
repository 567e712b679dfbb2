import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { suiteAppWithSmtp } from '../support/app.ts';
import { inFirm, userOf } from '../support/firmdb.ts';
import { textOf as rawTextOf, unescapeHtml, type Client } from '../support/http.ts';

const textOf = (html: string, selector: string) => unescapeHtml(rawTextOf(html, selector));
const ANNE = { code: 'COL7', firstName: 'Anne-Marie', lastName: 'Lacroux', identifier: 'amlacroux', email: 'anne-marie.lacroux@delmas-associes.example', phone: '05 61 22 45 88', jobTitle: 'Comptable', departedOn: '' };

describe('supervision: collaborators and client assignments (I1, I3)', () => {
  const suite = suiteAppWithSmtp();

  async function supervisor(): Promise<Client> {
    const c = suite.app.client();
    await c.login('superviseur');
    await c.get('/supervision');
    return c;
  }
  const user = (identifier: string) => inFirm(suite.app.db.owner, 'compta', (trx, firmId) => trx('users').where({ firmId, identifier }).first());
  const clientsOf = (userId: string) => inFirm(suite.app.db.owner, 'compta', (trx, firmId) => trx('clients').where({ firmId, collaboratorId: userId }).pluck('name'));

  it('lists the collaborators with code, function, clients and account state', async () => {
    const c = await supervisor();
    const page = await c.get('/supervision');
    assert.equal(page.status, 200);
    assert.match(textOf(page.text, '.data-table'), /Julien Marty Collaborateur comptable 7 Compte activé/);
  });

  it('creates a collaborator, then activates the accounts: each gets a link by email, none twice', async () => {
    const c = await supervisor();
    assert.equal((await c.post('/supervision/collaborators', ANNE)).status, 303);
    const anne = await user('amlacroux');
    assert.equal(anne?.role, 'collaborator');
    assert.equal(anne?.passwordHash, null);
    await c.get('/supervision');
    assert.equal((await c.post('/supervision/activate')).status, 303);
    assert.match(textOf((await c.get('/supervision')).text, '.alert-success'), /1 lien d'activation envoyé/);
    const mail = await suite.smtp.waitFor(ANNE.email);
    assert.match(mail.text ?? '', /\/password\/reset\/[A-Za-z0-9_-]{30,}/);
    await c.post('/supervision/activate');
    const outbox = await inFirm(suite.app.db.owner, 'compta', (trx, firmId) => trx('mailOutbox').where({ firmId, recipient: ANNE.email }));
    assert.equal(outbox.length, 2, 'still not activated: a second click sends a fresh link');
  });

  it('refuses bad input with French messages, and changes nothing', async () => {
    const c = await supervisor();
    const cases: [string, Record<string, string>, string, RegExp][] = [
      ['an identifier already used', { identifier: 'COLLABORATEUR' }, 'identifier', /déjà utilisé/],
      ['an identifier with spaces', { identifier: 'anne marie' }, 'identifier', /lettres sans accent/],
      ['an email used by another account', { email: 'julien.marty@delmas-associes.example' }, 'email', /déjà utilisée/],
      ['an email with a line break', { email: 'a@b.fr\nBcc: c@d.fr' }, 'email', /retour à la ligne|valide/],
      ['no last name', { lastName: '' }, 'lastName', /obligatoire/],
      ['a 10,000-character function', { jobTitle: 'x'.repeat(10_000) }, 'jobTitle', /au plus 100/],
      ['an impossible departure date', { departedOn: '2026-02-30' }, 'departedOn', /date valide/],
    ];
    for (const [what, change, field, message] of cases) {
      const res = await c.post('/supervision/collaborators', { ...ANNE, identifier: 'nouveau', email: '', ...change });
      assert.equal(res.status, 400, what);
      assert.match(textOf(res.text, `#f-${field}-err`), message, what);
    }
    assert.equal((await c.post('/supervision/collaborators', { ...ANNE, identifier: 'x', role: 'supervisor' })).status, 400);
    assert.equal(await user('nouveau'), undefined);
    const me = (await userOf(suite.app.db.owner, 'compta', 'superviseur')).id;
    const self = await c.post(`/supervision/collaborators/${me}`, { code: '', firstName: 'Hélène', lastName: 'Delmas', identifier: 'superviseur', email: 'helene.delmas@delmas-associes.example', phone: '', jobTitle: '', departedOn: '2020-01-01' });
    assert.equal(self.status, 400);
    assert.match(textOf(self.text, '#f-departedOn-err'), /votre propre compte/);
  });

  it('closes the account of a collaborator who left, and ends their sessions', async () => {
    const c = await supervisor();
    const anne = (await user('amlacroux'))!;
    const res = await c.post(`/supervision/collaborators/${anne.id}`, { ...ANNE, departedOn: '2026-01-31' });
    assert.equal(res.status, 303);
    const closed = (await user('amlacroux'))!;
    assert.equal(closed.active, false);
    assert.equal(closed.departedOn, '2026-01-31');
    assert.match(textOf((await c.get('/supervision')).text, '.data-table'), /Comptable \[départ le 31\/01\/2026\]/);
  });

  it('reassigns one client, then all of a collaborator\'s clients, in one go, with the history', async () => {
    const c = await supervisor();
    const julien = (await userOf(suite.app.db.owner, 'compta', 'collaborateur')).id;
    const helene = (await userOf(suite.app.db.owner, 'compta', 'superviseur')).id;
    const before = await clientsOf(julien);
    const list = await c.get(`/supervision/collaborators/${julien}/clients`);
    assert.match(textOf(list.text, '.page-head'), /Dossiers de Julien Marty 7 clients/);
    const garros = await inFirm(suite.app.db.owner, 'compta', async (trx, firmId) => (await trx('clients').where({ firmId, name: 'GARROS Bernard' }).first('id'))!.id);
    assert.equal((await c.post(`/supervision/clients/${garros}/reassign?back=/supervision/collaborators/${julien}/clients`, { to: helene })).status, 303);
    assert.equal((await clientsOf(julien)).length, before.length - 1);
    await c.get(`/supervision/collaborators/${julien}/clients`);
    const all = await c.post(`/supervision/collaborators/${julien}/reassign`, { to: helene });
    assert.equal(all.location, `/supervision/collaborators/${julien}/clients`);
    assert.deepEqual(await clientsOf(julien), []);
    const history = await c.get(`/supervision/assignments?collaborator=${julien}`);
    const text = textOf(history.text, '.data-table');
    assert.match(text, /GARROS Bernard \(n° 657\) Julien Marty Hélène Delmas Hélène Delmas/);
    assert.equal((text.match(/Julien Marty Hélène Delmas/g) ?? []).length, before.length);
    // The collaborator sees none of them now.
    const julienClient = suite.app.client();
    await julienClient.login('collaborateur');
    assert.doesNotMatch((await julienClient.get('/clients')).text, /GARROS Bernard/);
  });

  it('refuses an unknown, departed or foreign collaborator, and is for the supervisor only', async () => {
    const c = await supervisor();
    const helene = (await userOf(suite.app.db.owner, 'compta', 'superviseur')).id;
    const diagJulie = (await userOf(suite.app.db.owner, 'diag', 'collaborateur')).id;
    const anne = (await user('amlacroux'))!.id;
    for (const to of [diagJulie, anne, '999999']) assert.equal((await c.post(`/supervision/collaborators/${helene}/reassign`, { to })).status, 404, to);
    for (const path of [`/supervision/collaborators/${diagJulie}`, `/supervision/collaborators/${diagJulie}/clients`]) assert.equal((await c.get(path)).status, 404, path);
    assert.equal((await c.post(`/supervision/collaborators/${diagJulie}`, ANNE)).status, 404);
    const empty = await c.post(`/supervision/collaborators/${helene}/reassign`, {});
    assert.equal(empty.status, 303);
    for (const who of ['collaborateur', 'client']) {
      const other = suite.app.client();
      await other.login(who);
      await other.get('/account');
      for (const path of ['/supervision', '/supervision/assignments', '/supervision/collaborators/new']) assert.equal((await other.get(path)).status, 403, `${who} ${path}`);
      assert.equal((await other.post('/supervision/activate')).status, 403, who);
    }
  });
});
