import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { suiteAppWithSmtp } from '../support/app.ts';
import { inFirm } from '../support/firmdb.ts';
import { textOf as rawTextOf, unescapeHtml, type Client } from '../support/http.ts';

const textOf = (html: string, selector: string) => unescapeHtml(rawTextOf(html, selector));
const CENTRE = ['adhesions@cga-occitanie.example', 'suivi@cga-occitanie.example'];

describe('client-list updates for the management centre (B7)', () => {
  const suite = suiteAppWithSmtp();

  async function supervisor(): Promise<Client> {
    const c = suite.app.client();
    await c.login('superviseur');
    await c.get('/clients/updates');
    return c;
  }
  const clientId = (name: string) => inFirm(suite.app.db.owner, 'compta', async (trx, firmId) => (await trx('clients').where({ firmId, name }).first('id'))!.id);

  it('lists the active clients as the centre knows them, and prints them on a clean page', async () => {
    const c = await supervisor();
    const page = await c.get('/clients/updates');
    assert.equal(page.status, 200);
    assert.match(textOf(page.text, '.client-lines'), /DESPÉRIES Christophe \(adh\. n° 3306\), MAÇONNERIE/);
    const print = await c.get('/clients/updates/print');
    assert.equal(print.status, 200);
    assert.doesNotMatch(print.text, /class="sidebar"/, 'no menu on the printed page');
    assert.match(print.text, /<td class="num">3306<\/td><td>DESPÉRIES Christophe<\/td><td>Maçonnerie<\/td>/);
  });

  it('refuses to send without the centre\'s addresses, then sends new clients and departures once, by email', async () => {
    const c = await supervisor();
    const refused = await c.post('/clients/updates/send');
    assert.equal(refused.status, 303);
    assert.match(textOf((await c.get('/clients/updates')).text, '.alert-danger'), /adresses de votre centre de gestion/);

    const bad = await c.post('/clients/updates/centre', { centreEmails: 'adhesions@cga-occitanie.example, pas-une-adresse' });
    assert.equal(bad.status, 400);
    assert.match(textOf(bad.text, '#f-centreEmails-err'), /adresse e-mail valide/);
    assert.equal((await c.post('/clients/updates/centre', { centreEmails: CENTRE.join('\n') })).status, 303);

    // Nothing new yet: the demo clients were reported.
    await c.get('/clients/updates');
    await c.post('/clients/updates/send');
    assert.match(textOf((await c.get('/clients/updates')).text, '.alert-info'), /Aucune mise à jour à envoyer/);

    // A departure and a new client.
    const taxi = await clientId('Taxi Lauragais');
    assert.equal((await c.post('/clients/updates/departure', { clientId: taxi, departedOn: '2026-10-31' })).status, 303);
    await inFirm(suite.app.db.owner, 'compta', (trx, firmId) => trx('clients').insert({ firmId, number: 4000, name: 'Fromagerie Occitane', profession: 'Crèmerie' }));
    const page = await c.get('/clients/updates');
    assert.match(textOf(page.text, '.content'), /Nouveaux clients Fromagerie Occitane \(adh\. n° 4000\), CRÈMERIE Départs clients Taxi Lauragais \(adh\. n° 3327\), TAXI — 31\/10\/2026/);
    assert.ok(!namesOf(page.text).includes('Taxi Lauragais'), 'a departed client leaves the active list');

    assert.equal((await c.post('/clients/updates/send')).status, 303);
    assert.match(textOf((await c.get('/clients/updates')).text, '.alert-success'), /2 mises à jour envoyées à adhesions@cga-occitanie\.example, suivi@cga-occitanie\.example/);
    for (const to of CENTRE) {
      const mail = await suite.smtp.waitFor(to, (m) => /mise à jour de la liste des clients/.test(m.subject ?? ''));
      assert.match(mail.text ?? '', /Nouveaux clients :\n- Fromagerie Occitane \(n° 4000\), Crèmerie/);
      assert.match(mail.text ?? '', /Départs clients :\n- Taxi Lauragais \(n° 3327\), Taxi — 31\/10\/2026/);
    }
    const dispatches = await inFirm(suite.app.db.owner, 'compta', (trx, firmId) => trx('clientListDispatches').where({ firmId }));
    assert.equal(dispatches.length, 1);
    assert.deepEqual(dispatches[0]!.recipients, CENTRE);
    assert.deepEqual(dispatches[0]!.added, [{ number: 4000, name: 'Fromagerie Occitane' }]);
    // Sent once: a second click sends nothing.
    await c.post('/clients/updates/send');
    assert.equal((await inFirm(suite.app.db.owner, 'compta', (trx, firmId) => trx('clientListDispatches').where({ firmId }))).length, 1);
  });

  it('refuses bad input and another firm\'s client, and is for the supervisor only', async () => {
    const c = await supervisor();
    const noDate = await c.post('/clients/updates/departure', { clientId: await clientId('GARROS Bernard'), departedOn: '' });
    assert.equal(noDate.status, 400);
    assert.match(textOf(noDate.text, '#f-departedOn-err'), /obligatoire/);
    const chartrons = await inFirm(suite.app.db.owner, 'diag', async (trx, firmId) => (await trx('clients').where({ firmId }).first('id'))!.id);
    assert.equal((await c.post('/clients/updates/departure', { clientId: chartrons, departedOn: '2026-10-01' })).status, 404);
    const collaborator = suite.app.client();
    await collaborator.login('collaborateur');
    await collaborator.get('/account');
    for (const path of ['/clients/updates', '/clients/updates/print']) assert.equal((await collaborator.get(path)).status, 403, path);
    assert.equal((await collaborator.post('/clients/updates/send')).status, 403);
  });
});

function namesOf(html: string): string[] {
  return [...html.matchAll(/<li><a href="\/clients\/\d+">([^<(]*) \(adh/g)].map((m) => unescapeHtml(m[1]!));
}
