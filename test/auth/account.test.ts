import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/app.ts';
import { userOf } from '../support/firmdb.ts';
import { textOf, unescapeHtml, type Client, type Form } from '../support/http.ts';
import { DEMO_PASSWORD } from '../support/demo.ts';


describe('"Votre compte": personal data and password', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  async function signedIn(identifier: string, firm = 'compta', password = DEMO_PASSWORD): Promise<Client> {
    const c = app.client(firm);
    assert.equal((await c.login(identifier, password)).status, 303, `${identifier} signs in`);
    return c;
  }

  /** The profile form as the page shows it, with some fields changed. */
  function profile(changes: Form = {}): Form {
    return { firstName: 'Julien', lastName: 'Marty', email: 'julien.marty@delmas-associes.example', phone: '05 61 22 45 86', jobTitle: 'Collaborateur comptable', locale: 'fr', ...changes };
  }

  const text = (html: string, selector: string) => unescapeHtml(textOf(html, selector));

  it('opens for every role, with the account filled in', async () => {
    for (const [identifier, role, name] of [
      ['superviseur', 'Superviseur', 'Hélène'],
      ['collaborateur', 'Collaborateur', 'Julien'],
      ['client', 'Client', 'Sophie'],
    ] as const) {
      const c = await signedIn(identifier);
      const page = await c.get('/account');
      assert.equal(page.status, 200, identifier);
      assert.match(text(page.text, '.page-head'), /Votre compte/);
      assert.match(text(page.text, '.meta'), new RegExp(`Identifiant ${identifier} Profil ${role}`));
      assert.match(page.text, new RegExp(`id="f-firstName" name="firstName" type="text" class="form-control"\\s+value="${name}"`));
      assert.equal(page.headers['cache-control'], 'no-store');
    }
  });

  it('sends an anonymous visitor to the login page, and back afterwards', async () => {
    const res = await app.client().get('/account');
    assert.equal(res.status, 303);
    assert.equal(res.location, '/login?next=%2Faccount');
  });

  it('saves the profile and shows the new name in the header', async () => {
    const c = await signedIn('collaborateur');
    await c.get('/account');
    const res = await c.post('/account', profile({ lastName: 'Marty-Roques', jobTitle: 'Chef de mission', phone: '+33 5 61 22 45 99' }));
    assert.equal(res.status, 303);
    assert.equal(res.location, '/account');
    const page = await c.get('/account');
    assert.equal(text(page.text, '.alert-success'), 'Vos données personnelles sont enregistrées.');
    assert.match(text(page.text, '.topbar-user'), /^JM Julien Marty-Roques Collaborateur/);
    const row = await userOf(app.db.owner, 'compta', 'collaborateur');
    assert.deepEqual([row.lastName, row.jobTitle, row.phone], ['Marty-Roques', 'Chef de mission', '+33 5 61 22 45 99']);
  });

  it('switches the interface to English from the next page on, and back', async () => {
    const c = await signedIn('client');
    await c.get('/account');
    const res = await c.post('/account', {
      firstName: 'Sophie', lastName: 'Despéries', email: 'sophie.desperies@boulangerie-desperies.example', phone: '06 12 48 73 95', jobTitle: 'Gérante, Boulangerie Despéries', locale: 'en',
    });
    assert.equal(res.status, 303);
    const page = await c.get('/account');
    assert.match(page.text, /<html lang="en">/);
    assert.equal(text(page.text, '.alert-success'), 'Your personal data is saved.');
    assert.match(text(page.text, '.page-head'), /Your account/);
    assert.match(text(page.text, '.topbar-user'), /Sign out/);
    assert.match((await c.get('/')).text, /<html lang="en">/);
    assert.equal((await userOf(app.db.owner, 'compta', 'client')).locale, 'en');

    await c.post('/account', {
      firstName: 'Sophie', lastName: 'Despéries', email: 'sophie.desperies@boulangerie-desperies.example', phone: '06 12 48 73 95', jobTitle: 'Gérante, Boulangerie Despéries', locale: 'fr',
    });
    assert.match((await c.get('/account')).text, /<html lang="fr">/);
  });

  it('refuses bad input with French messages next to the fields, keeps what was typed, and changes nothing', async () => {
    const c = await signedIn('superviseur');
    await c.get('/account');
    const before = await userOf(app.db.owner, 'compta', 'superviseur');
    const longName = 'x'.repeat(10_000);
    const cases: { form: Form; field: string; message: RegExp; kept?: string }[] = [
      { form: profile({ firstName: 'Hélène', lastName: longName }), field: '#f-lastName-err', message: /^Saisissez au plus 100 caractères\.$/, kept: `value="${longName}"` },
      { form: profile({ firstName: 'Hélène', lastName: 'Delmas', email: 'a@b.fr\nBcc: x@y.fr' }), field: '#f-email-err', message: /ne peut pas contenir de retour à la ligne/, kept: 'value="a@b.fr\nBcc: x@y.fr"' },
      { form: profile({ firstName: 'Hélène', lastName: 'Delmas', email: 'pas-une-adresse' }), field: '#f-email-err', message: /Saisissez une adresse e-mail valide/, kept: 'value="pas-une-adresse"' },
      { form: profile({ firstName: 'Hélène', lastName: '' }), field: '#f-lastName-err', message: /^Ce champ est obligatoire\.$/ },
      { form: profile({ firstName: 'Hélène', lastName: 'Delmas', phone: '<script>' }), field: '#f-phone-err', message: /Saisissez un numéro de téléphone/, kept: 'value="&lt;script&gt;"' },
      { form: profile({ firstName: 'Hélène', lastName: 'Delmas', locale: 'de' }), field: '#f-locale-err', message: /Choisissez une valeur de la liste/ },
      { form: profile({ firstName: 'Hélène', lastName: 'Delmas', role: 'supervisor' }), field: '.alert-danger', message: /champ inattendu \(role\)/, kept: 'value="Delmas"' },
    ];
    for (const { form, field, message, kept } of cases) {
      const res = await c.post('/account', form);
      const label = JSON.stringify(form).slice(0, 120);
      assert.equal(res.status, 400, label);
      assert.match(text(res.text, field), message, label);
      if (field !== '.alert-danger') assert.match(text(res.text, '.alert-danger'), /Le formulaire contient des erreurs/, label);
      if (kept) assert.ok(res.text.includes(kept), `the form shows what was typed: ${label}`);
    }
    assert.deepEqual(await userOf(app.db.owner, 'compta', 'superviseur'), before, 'nothing changed in the database');
  });

  it('refuses an email address already used by another account of the firm, but not one of another firm', async () => {
    const c = await signedIn('superviseur', 'diag');
    await c.get('/account');
    const before = await userOf(app.db.owner, 'diag', 'superviseur');
    const base = { firstName: 'Marc', lastName: 'Lescure', phone: '', jobTitle: '', locale: 'fr' };
    const taken = await c.post('/account', { ...base, email: 'Camille.Roussel@Garonne-Diagnostics.example' });
    assert.equal(taken.status, 400);
    assert.equal(text(taken.text, '#f-email-err'), 'Cette adresse e-mail est déjà utilisée par un autre compte du cabinet.');
    assert.deepEqual(await userOf(app.db.owner, 'diag', 'superviseur'), before);

    const otherFirm = await c.post('/account', { ...base, email: 'helene.delmas@delmas-associes.example' });
    assert.equal(otherFirm.status, 303, 'firms do not share their users');
    assert.equal((await userOf(app.db.owner, 'diag', 'superviseur')).email, 'helene.delmas@delmas-associes.example');
  });

  it('changes the password only with the right current one and a strong new one, ending the other sessions but not this one', async () => {
    const NEW = 'Quai-Des-Chartrons-Brume-7';
    const elsewhere = await signedIn('client', 'diag');
    const c = await signedIn('client', 'diag');
    await c.get('/account');
    const hash = (await userOf(app.db.owner, 'diag', 'client')).passwordHash;

    const cases: [Form, string, RegExp][] = [
      [{ current: 'pas-le-bon', password: NEW, confirmation: NEW }, '#f-current-err', /^Le mot de passe actuel est incorrect\.$/],
      [{ current: DEMO_PASSWORD, password: 'motdepasse123', confirmation: 'motdepasse123' }, '#f-password-err', /trop courant ou trop facile à deviner/],
      [{ current: DEMO_PASSWORD, password: 'short', confirmation: 'short' }, '#f-password-err', /au moins 12 caractères/],
      [{ current: DEMO_PASSWORD, password: NEW, confirmation: 'autre-chose' }, '#f-confirmation-err', /Les deux mots de passe ne sont pas identiques/],
      [{ current: '', password: NEW, confirmation: NEW }, '#f-current-err', /^Ce champ est obligatoire\.$/],
    ];
    for (const [form, field, message] of cases) {
      const res = await c.post('/account/password', form);
      assert.equal(res.status, 400, JSON.stringify(form));
      assert.match(text(res.text, field), message);
      assert.ok(!res.text.includes(NEW) && !res.text.includes(DEMO_PASSWORD), 'passwords are never written back into the page');
    }
    assert.equal((await userOf(app.db.owner, 'diag', 'client')).passwordHash, hash, 'the password is unchanged');
    assert.equal((await elsewhere.get('/')).status, 200, 'refusals end no session');

    const res = await c.post('/account/password', { current: DEMO_PASSWORD, password: NEW, confirmation: NEW });
    assert.equal(res.status, 303);
    assert.equal(res.location, '/account');
    const page = await c.get('/account');
    assert.equal(page.status, 200, 'this session goes on');
    assert.equal(text(page.text, '.alert-success'), 'Votre mot de passe est changé. Vos autres sessions ont été fermées.');
    const stale = await elsewhere.get('/');
    assert.equal(stale.status, 303, 'the other session is over');
    assert.match(stale.location ?? '', /^\/login/);
    assert.equal((await app.client('diag').login('client', DEMO_PASSWORD)).status, 401);
    assert.equal((await app.client('diag').login('client', NEW)).status, 303);
  });
});
