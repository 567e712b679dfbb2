import assert from 'node:assert/strict';
import { Router } from 'express';
import { after, before, describe, it } from 'node:test';
import type { FeatureModule } from '../../src/modules/registry.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { textOf, unescapeHtml } from '../support/http.ts';

// A module as later issues will add them: a menu entry and a page, switched on per firm.
const clientsModule: FeatureModule = {
  key: 'clients',
  menu: [{ labelKey: 'modules.clients', href: '/clients', roles: ['supervisor', 'collaborator'] }],
  router: () => Router().get('/clients', (_req, res) => void res.send('liste des clients')),
};

// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

const VALID = {
  name: 'Cabinet Delmas & Associés',
  siteName: 'Extranet Delmas',
  legalName: 'SAS',
  siret: '834 512 964 00018',
  address: '12 allées Jean Jaurès',
  postcode: '31000',
  city: 'Toulouse',
  phone: '05 61 22 45 80',
  email: 'contact@delmas-associes.example',
  primaryColor: '#7a1f3d',
  accentColor: '#0055aa',
  rowsPerPage: '50',
  defaultLocale: 'fr',
  modules: ['clients', 'documents'],
  showForgotPassword: 'on',
};

describe('firm settings', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ modules: [clientsModule] });
  });
  after(() => app.close());

  const firmRow = () => app.db.owner('firms').where({ slug: 'compta' }).first();

  async function supervisor() {
    const c = app.client();
    await c.login('superviseur');
    await c.get('/settings');
    return c;
  }

  it('saves company information, branding, paging, language and modules, and the layout follows', async () => {
    const c = await supervisor();
    const res = await c.post('/settings', VALID);
    assert.equal(res.status, 303);
    const page = await c.get('/settings');
    assert.match(textOf(page.text, '.alert-success'), /Les paramètres sont enregistrés/);
    assert.match(page.text, /<title>Paramètres · Extranet Delmas<\/title>/);
    assert.match(page.text, /--brand: #7a1f3d;/);
    const firm = await firmRow();
    assert.equal(firm?.siret, '83451296400018');
    assert.equal(firm?.rowsPerPage, 50);
    assert.deepEqual(firm?.modules, ['clients', 'documents']);
  });

  it('stores the message before the redirect reaches the browser, which follows it at once', async () => {
    const c = await supervisor();
    for (let i = 0; i < 25; i++) {
      const page = await c.postFollowingAtOnce('/settings', { ...VALID, rowsPerPage: String(30 + i) });
      assert.match(textOf(page.text, '.alert-success'), /Les paramètres sont enregistrés/, `save ${i + 1}`);
    }
  });

  const BAD: [string, Record<string, string | string[]>, string, RegExp][] = [
    ['a SIRET with a wrong key', { siret: '83451296400019' }, 'siret', /SIRET n'est pas valide/],
    ['9 rows per page', { rowsPerPage: '9' }, 'rowsPerPage', /au moins 10/],
    ['351 rows per page', { rowsPerPage: '351' }, 'rowsPerPage', /au plus 350/],
    ['rows per page that are not a number', { rowsPerPage: 'abc' }, 'rowsPerPage', /nombre/],
    ['a colour name', { primaryColor: 'red' }, 'primaryColor', /couleur/],
    ['a 10,000-character name', { name: 'x'.repeat(10_000) }, 'name', /au plus 200 caractères/],
    ['a name with a line break', { name: 'Cabinet\nBcc: x@y.example' }, 'name', /retour à la ligne/],
    ['an empty name', { name: '' }, 'name', /obligatoire/],
    ['an unknown module', { modules: ['clients', 'teleportation'] }, 'modules', /Choisissez une valeur/],
  ];
  for (const [what, change, field, message] of BAD) {
    it(`refuses ${what} with a message next to the field, keeps the values typed, and changes nothing`, async () => {
      const before = await firmRow();
      const c = await supervisor();
      const res = await c.post('/settings', { ...VALID, city: 'Albi', ...change });
      assert.equal(res.status, 400);
      const feedback = field === 'modules' ? unescapeHtml(res.text) : unescapeHtml(textOf(res.text, `#f-${field}-err`));
      assert.match(feedback, message);
      assert.match(res.text, /value="Albi"/, 'the other values typed are kept');
      assert.deepEqual(await firmRow(), before);
    });
  }

  it('refuses a field that is not in the form', async () => {
    const before = await firmRow();
    const c = await supervisor();
    const res = await c.post('/settings', { ...VALID, id: 'autre', hasLogo: 'on' });
    assert.equal(res.status, 400);
    assert.match(unescapeHtml(textOf(res.text, '.alert-danger')), /champ inattendu/);
    assert.deepEqual(await firmRow(), before);
  });

  it('accepts a real PNG logo, serves it, and refuses what is not an image or too large', async () => {
    const c = await supervisor();
    const fake = await c.postMultipart(`/settings/logo?_csrf=${encodeURIComponent(c.csrf)}`, { logo: { filename: 'logo.png', type: 'image/png', data: Buffer.from('du texte, pas une image') } });
    assert.equal(fake.status, 400);
    assert.match(unescapeHtml(textOf(fake.text, '#f-logo-err')), /Ce type de fichier n'est pas accepté/);
    const big = await c.postMultipart(`/settings/logo?_csrf=${encodeURIComponent(c.csrf)}`, { logo: { filename: 'big.png', type: 'image/png', data: Buffer.concat([PNG, Buffer.alloc(1024 * 1024)]) } });
    assert.equal(big.status, 400);
    assert.match(unescapeHtml(textOf(big.text, '#f-logo-err')), /trop volumineux/);
    const noToken = await c.postMultipart('/settings/logo', { logo: { filename: 'logo.png', type: 'image/png', data: PNG } });
    assert.equal(noToken.status, 403);
    assert.equal((await firmRow())?.hasLogo, false, 'nothing changed after the refusals');

    await c.get('/settings');
    const ok = await c.postMultipart(`/settings/logo?_csrf=${encodeURIComponent(c.csrf)}`, { logo: { filename: 'logo.png', type: 'image/png', data: PNG } });
    assert.equal(ok.status, 303);
    const logo = await app.client().get('/brand/logo');
    assert.equal(logo.status, 200);
    assert.equal(logo.headers['content-type'], 'image/png');
    assert.equal(logo.headers['x-content-type-options'], 'nosniff');
    assert.deepEqual(logo.body, PNG);
  });

  it('shows a module in the menu of the roles it is for while the firm enables it, and removes it when switched off', async () => {
    const c = await supervisor();
    await c.post('/settings', { ...VALID, modules: ['clients'] });
    const collaborator = app.client();
    await collaborator.login('collaborateur');
    const contact = app.client();
    await contact.login('client');
    assert.match(textOf((await collaborator.get('/')).text, '.sidebar'), /Dossiers clients/);
    assert.equal((await collaborator.get('/clients')).text, 'liste des clients');
    assert.doesNotMatch(textOf((await contact.get('/')).text, '.sidebar'), /Dossiers clients/);
    assert.doesNotMatch(textOf((await app.client('diag').get('/login')).text, '.sidebar'), /Dossiers clients/);

    await c.get('/settings');
    await c.post('/settings', { ...VALID, modules: ['documents'] });
    assert.doesNotMatch(textOf((await collaborator.get('/')).text, '.sidebar'), /Dossiers clients/);
    assert.equal((await collaborator.get('/clients')).status, 404);
  });

  it('hides "Mot de passe oublié ?" when switched off, and speaks English when that is the default language', async () => {
    const c = await supervisor();
    const { showForgotPassword: _off, ...rest } = VALID;
    await c.post('/settings', { ...rest, defaultLocale: 'en' });
    const login = await app.client().get('/login');
    assert.doesNotMatch(login.text, /Mot de passe oublié|Forgot your password/);
    assert.match(login.text, /<html lang="en">/);
    assert.match(login.text, /Sign in to your space/);
    const diag = await app.client('diag').get('/login');
    assert.match(diag.text, /Connectez-vous à votre espace/, "another firm's language is untouched");
  });
});
