import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/app.ts';
import { inFirm } from '../support/firmdb.ts';
import { fromAddress } from '../support/headers.ts';
import { textOf, unescapeHtml, type Client, type Response } from '../support/http.ts';
import { DEMO_PASSWORD } from '../support/demo.ts';

const WRONG = 'pas-le-bon-mot-de-passe';
const STEP_MS = 50; // LOGIN_DELAY_MS in tests

describe('login throttling and reset request limits', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  /** A visitor at `ip` on the login page. */
  async function visitor(ip: string, firm = 'compta'): Promise<Client> {
    const c = fromAddress(app.client(firm), ip);
    await c.get('/login');
    return c;
  }

  async function attempt(c: Client, identifier: string, password: string): Promise<{ res: Response; ms: number; alert: string }> {
    const t0 = performance.now();
    const res = await c.post('/login', { identifier, password });
    return { res, ms: performance.now() - t0, alert: unescapeHtml(textOf(res.text, '.alert-danger')) };
  }

  /** Ten wrong passwords in a row on one login; returns how long each answer took. */
  async function tenFailures(c: Client, identifier: string): Promise<number[]> {
    const durations: number[] = [];
    for (let i = 0; i < 10; i++) {
      const { res, ms, alert } = await attempt(c, identifier, WRONG);
      assert.equal(res.status, 401, `failure ${i + 1}`);
      assert.equal(alert, 'Identifiant ou mot de passe incorrect.', `failure ${i + 1} is an ordinary refusal`);
      durations.push(ms);
    }
    return durations;
  }

  it('slows down failures on one account after three, then refuses it for a while, even with the right password', async () => {
    const c = await visitor('203.0.113.10');
    const durations = await tenFailures(c, 'collaborateur');
    // From the 4th failure on, each answer waits one more step, up to 5 steps: 250 ms from the 8th.
    const fastest = Math.min(...durations.slice(0, 3));
    for (const late of durations.slice(7)) {
      assert.ok(late >= 5 * STEP_MS, `a late failure waits at least ${5 * STEP_MS} ms (took ${Math.round(late)} ms)`);
      assert.ok(late > fastest + 3 * STEP_MS, `late failures are slower than the first ones (${durations.map(Math.round).join(', ')} ms)`);
    }
    const blocked = await attempt(c, 'collaborateur', DEMO_PASSWORD);
    assert.equal(blocked.res.status, 401);
    assert.match(blocked.alert, /^Trop de tentatives de connexion\. Par sécurité, réessayez dans 15 minute\(s\)/);
    assert.equal((await c.get('/')).status, 303, 'not signed in');

    const elsewhere = await visitor('198.51.100.20');
    assert.match((await attempt(elsewhere, 'collaborateur', DEMO_PASSWORD)).alert, /Trop de tentatives/, 'the account is blocked from any address');
    assert.equal((await attempt(c, 'superviseur', DEMO_PASSWORD)).res.status, 303, 'another account from the same address still signs in');
  });

  it('treats an account that does not exist exactly like one that does', async () => {
    const c = await visitor('203.0.113.11');
    const durations = await tenFailures(c, 'personne-de-ce-nom');
    assert.ok(Math.min(...durations.slice(7)) >= 5 * STEP_MS, 'failures slow down the same way');
    const blocked = await attempt(c, 'personne-de-ce-nom', DEMO_PASSWORD);
    assert.equal(blocked.res.status, 401);
    assert.match(blocked.alert, /^Trop de tentatives de connexion\. Par sécurité, réessayez dans 15 minute\(s\)/);
  });

  it('blocks an address that fails on many accounts, and only that address', async () => {
    const c = await visitor('203.0.113.12');
    // 49 failures, each on a different login so that no account counter slows them down.
    for (let batch = 0; batch < 7; batch++) {
      const results = await Promise.all(Array.from({ length: 7 }, (_, i) => attempt(c, `essai-${batch}-${i}`, WRONG)));
      for (const r of results) assert.equal(r.res.status, 401);
    }
    assert.equal((await attempt(c, 'superviseur', DEMO_PASSWORD)).res.status, 303, 'still allowed after 49 failures');
    const c2 = await visitor('203.0.113.12');
    assert.equal((await attempt(c2, 'essai-final', WRONG)).alert, 'Identifiant ou mot de passe incorrect.');
    const blocked = await attempt(c2, 'superviseur', DEMO_PASSWORD);
    assert.equal(blocked.res.status, 401);
    assert.match(blocked.alert, /^Trop de tentatives de connexion\. Par sécurité, réessayez dans 60 minute\(s\)/);
    const other = await visitor('198.51.100.21');
    assert.equal((await attempt(other, 'superviseur', DEMO_PASSWORD)).res.status, 303, 'another address is not blocked');
  });

  it('limits "Mot de passe oublié ?" requests per address with a French message', async () => {
    const c = fromAddress(app.client(), '203.0.113.13');
    await c.get('/password/forgot');
    for (let i = 1; i <= 10; i++) {
      const res = await c.post('/password/forgot', { identifier: `inconnu-${i}` });
      assert.equal(res.status, 200, `request ${i}`);
      assert.match(textOf(res.text, '#main'), /Vérifiez votre messagerie/);
    }
    await c.get('/password/forgot');
    const refused = await c.post('/password/forgot', { identifier: 'inconnu-11' });
    assert.equal(refused.status, 429);
    assert.equal(unescapeHtml(textOf(refused.text, '.alert-danger')), "Trop de demandes depuis votre connexion. Patientez un quart d'heure puis réessayez.");
    assert.match(refused.text, /value="inconnu-11"/, 'the form keeps what was typed');

    const other = fromAddress(app.client(), '198.51.100.22');
    await other.get('/password/forgot');
    assert.equal((await other.post('/password/forgot', { identifier: 'inconnu-12' })).status, 200, 'another address may still ask');
  });

  it('mails one account at most three links an hour, with the same answer for the extra requests', async () => {
    const mailsToSophie = () =>
      inFirm(app.db.owner, 'compta', async (trx, firmId) =>
        Number((await trx('mailOutbox').where({ firmId, recipient: 'sophie.desperies@boulangerie-desperies.example' }).count({ n: '*' }).first())?.n),
      );
    const before = await mailsToSophie();
    const pages: string[] = [];
    for (let i = 0; i < 5; i++) {
      const c = fromAddress(app.client(), `192.0.2.${i + 1}`);
      await c.get('/password/forgot');
      const res = await c.post('/password/forgot', { identifier: 'client' });
      assert.equal(res.status, 200);
      pages.push(textOf(res.text, '#main'));
    }
    assert.equal(new Set(pages).size, 1, 'every request gets the same page');
    assert.equal((await mailsToSophie()) - before, 3);
  });
});
