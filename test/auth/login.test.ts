import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/app.ts';
import { textOf } from '../support/http.ts';

describe('login and logout', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  it('shows the login form with the fields identifier and password, labelled in French', async () => {
    const res = await app.client().get('/login');
    assert.equal(res.status, 200);
    assert.match(res.text, /<label for="f-identifier"[^>]*>Identifiant/);
    assert.match(res.text, /<label for="f-password"[^>]*>Mot de passe/);
    assert.match(res.text, /name="identifier"/);
    assert.match(res.text, /name="password"/);
    assert.match(res.text, /Mot de passe oublié \?/);
  });

  it('signs in with the identifier, changes the session id, and opens the home page', async () => {
    const c = app.client();
    await c.get('/login');
    const before = c.sessionId();
    assert.ok(before, 'the login page issues a session for its CSRF token');
    const res = await c.post('/login', { identifier: 'superviseur', password: 'Demo-Passerelle-2026' });
    assert.equal(res.status, 303);
    assert.equal(res.location, '/');
    assert.notEqual(c.sessionId(), before, 'the session id changes at login');
    const home = await c.get('/');
    assert.equal(home.status, 200);
    assert.match(textOf(home.text, '.page-head'), /Bonjour Hélène Delmas/);
    assert.equal(home.headers['cache-control'], 'no-store');
  });

  it('accepts the email address instead of the identifier, in any case', async () => {
    const c = app.client('diag');
    const res = await c.login('Camille.Roussel@garonne-diagnostics.example');
    assert.equal(res.status, 303);
    assert.equal((await c.get('/')).status, 200);
  });

  it('gives the same answer for a wrong password and for an account that does not exist', async () => {
    const wrong = await app.client().login('collaborateur', 'not-the-password-at-all');
    const ghost = await app.client().login('personne-de-ce-nom', 'not-the-password-at-all');
    assert.equal(wrong.status, 401);
    assert.equal(ghost.status, 401);
    assert.equal(textOf(wrong.text, '.alert-danger'), 'Identifiant ou mot de passe incorrect.');
    assert.equal(textOf(ghost.text, '.alert-danger'), textOf(wrong.text, '.alert-danger'));
    assert.match(wrong.text, /value="collaborateur"/, 'the identifier typed is kept');
  });

  it('refuses an empty or oversized identifier with a message next to the field, without asking the database', async () => {
    const c = app.client();
    await c.get('/login');
    const empty = await c.post('/login', { identifier: '', password: '' });
    assert.equal(empty.status, 400);
    assert.match(textOf(empty.text, '.invalid-feedback'), /Ce champ est obligatoire/);
    const huge = await c.post('/login', { identifier: 'x'.repeat(10_000), password: 'y' });
    assert.equal(huge.status, 400);
    assert.match(textOf(huge.text, '.invalid-feedback'), /au plus 254 caractères/);
    const extra = await c.post('/login', { identifier: 'superviseur', password: 'Demo-Passerelle-2026', role: 'supervisor' });
    assert.equal(extra.status, 400);
    assert.match(textOf(extra.text, '.alert-danger'), /champ inattendu/);
  });

  it('goes back to the page asked for after login, but never to another site', async () => {
    const c = app.client();
    const gate = await c.get('/account');
    assert.equal(gate.status, 303);
    assert.equal(gate.location, '/login?next=%2Faccount');
    await c.get('/login?next=%2Faccount');
    const res = await c.post('/login', { identifier: 'client', password: 'Demo-Passerelle-2026', next: '/account' });
    assert.equal(res.location, '/account');
    const evil = app.client();
    await evil.get('/login');
    const res2 = await evil.post('/login', { identifier: 'client', password: 'Demo-Passerelle-2026', next: '//evil.example/x' });
    assert.equal(res2.location, '/');
  });

  it('ends the session at logout: the old cookie opens nothing', async () => {
    const c = app.client();
    await c.login('collaborateur');
    const sid = c.sessionId()!;
    await c.get('/');
    const out = await c.post('/logout');
    assert.equal(out.status, 303);
    assert.equal(out.location, '/login');
    const replay = app.client();
    replay.cookies.set('passerelle.sid', sid);
    const res = await replay.get('/');
    assert.equal(res.status, 303, 'the old session id is worthless');
  });

  it('refuses a POST without a valid CSRF token and changes nothing', async () => {
    const c = app.client();
    await c.login('superviseur');
    await c.get('/account');
    const res = await c.post('/account', { firstName: 'Pirate', lastName: 'Pirate', email: '', phone: '', jobTitle: '', locale: 'fr', _csrf: 'forged' });
    assert.equal(res.status, 403);
    assert.match(res.text, /Votre page a expiré/);
    const page = await c.get('/account');
    assert.doesNotMatch(page.text, /value="Pirate"/);
  });

  it('does not accept a session of one firm on the host of another', async () => {
    const c = app.client('compta');
    await c.login('superviseur');
    const other = app.client('diag');
    other.cookies.set('passerelle.sid', c.sessionId()!);
    const res = await other.get('/');
    assert.equal(res.status, 303);
    assert.match(res.location ?? '', /^\/login/);
  });

  it('serves the default firm on plain localhost', async () => {
    const res = await app.client('localhost').get('/login');
    assert.equal(res.status, 200);
    assert.match(res.text, /Cabinet Delmas &amp; Associés/);
  });

  it('answers 404 for an unknown host', async () => {
    const res = await app.client('inconnu').get('/login');
    assert.equal(res.status, 404);
  });
});
