import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ParsedMail } from 'mailparser';
import { suiteAppWithSmtp } from '../support/app.ts';
import { inFirm, userOf } from '../support/firmdb.ts';
import { textOf, type Client } from '../support/http.ts';
import { DEMO_PASSWORD, HELENE, JULIEN, SOPHIE } from '../support/demo.ts';

const NEW_PASSWORD = 'Carafe-Lune-Verte-Tarn-42';

describe('password reset by email ("Mot de passe oublié ?")', () => {
  const suite = suiteAppWithSmtp();

  const forgot = (identifier: string, firm = 'compta') => suite.app.client(firm).forgotPassword(identifier);

  /** The next mail to `to` that had not arrived before `known` was taken, and the token of its link. */
  async function linkMailTo(to: string, known: Set<ParsedMail>): Promise<{ mail: ParsedMail; link: string; token: string }> {
    const mail = await suite.smtp.waitFor(to, (m) => !known.has(m));
    const m = /(https?:\/\/\S+\/password\/reset\/)([A-Za-z0-9_-]+)/.exec(mail.text ?? '');
    assert.ok(m, `the mail holds a reset link: ${mail.text}`);
    return { mail, link: m[0], token: m[2]! };
  }

  const seen = () => new Set(suite.smtp.received);

  async function hashOf(slug: string, identifier: string) {
    return (await userOf(suite.app.db.owner, slug, identifier)).passwordHash;
  }

  it('answers with the same page whether or not the account exists, and mails only a real account', async () => {
    const known = seen();
    const real = await forgot('client');
    const ghost = await forgot('personne-de-ce-nom');
    assert.equal(real.status, 200);
    assert.equal(ghost.status, 200);
    assert.match(textOf(real.text, '#main'), /Vérifiez votre messagerie/);
    assert.equal(textOf(real.text, '#main'), textOf(ghost.text, '#main'));
    const { mail } = await linkMailTo(SOPHIE, known);
    assert.equal(mail.subject, 'Cabinet Delmas & Associés, expertise comptable : choisissez un nouveau mot de passe');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(
      suite.smtp.received.filter((m) => !known.has(m)).map((m) => m.subject),
      [mail.subject],
      'one mail, for the real account only',
    );
  });

  it('mails a link built from configuration that a mere GET does not use up', async () => {
    const known = seen();
    await forgot(SOPHIE.toUpperCase()); // the email address works as well as the identifier
    const { mail, link, token } = await linkMailTo(SOPHIE, known);
    assert.equal(link, `http://localhost:${suite.app.port}/password/reset/${token}`, 'the default firm keeps the configured public address');
    assert.match(mail.html || '', new RegExp(`<a href="${link}">`));
    assert.match(mail.text ?? '', /valable une heure/);
    const knownDiag = seen();
    await forgot('client', 'diag');
    const diag = await linkMailTo('nathalie.fabre@agence-chartrons.example', knownDiag);
    assert.equal(diag.link, `http://diag.localhost:${suite.app.port}/password/reset/${diag.token}`, 'another firm gets its own host');
    const c = suite.app.client();
    for (let i = 0; i < 2; i++) {
      const page = await c.get(`/password/reset/${token}`);
      assert.equal(page.status, 200, `GET number ${i + 1} still shows the form`);
      assert.match(page.text, new RegExp(`action="/password/reset/${token}"`));
      assert.match(textOf(page.text, '#main'), /Choisissez votre mot de passe/);
    }
  });

  it('sets a new password once, ends the other sessions, and kills every older link', async () => {
    const signedIn = suite.app.client();
    assert.equal((await signedIn.login('client')).status, 303);
    assert.equal((await signedIn.get('/')).status, 200);

    const known = seen();
    await forgot('client');
    const older = await linkMailTo(SOPHIE, known);
    const known2 = seen();
    await forgot('client');
    const { token } = await linkMailTo(SOPHIE, known2);

    const c = suite.app.client();
    await c.get(`/password/reset/${token}`);
    const res = await c.post(`/password/reset/${token}`, { password: NEW_PASSWORD, confirmation: NEW_PASSWORD });
    assert.equal(res.status, 303);
    assert.equal(res.location, '/login');
    const login = await c.get('/login');
    assert.equal(textOf(login.text, '.alert-success'), 'Votre mot de passe est enregistré. Vous pouvez vous connecter.');

    assert.equal((await suite.app.client().login('client', DEMO_PASSWORD)).status, 401, 'the old password no longer works');
    assert.equal((await suite.app.client().login('client', NEW_PASSWORD)).status, 303, 'the new one does');

    const stale = await signedIn.get('/');
    assert.equal(stale.status, 303, 'the session opened before the change is over');
    assert.match(stale.location ?? '', /^\/login/);

    for (const used of [token, older.token]) {
      const again = await suite.app.client().get(`/password/reset/${used}`);
      assert.equal(again.status, 410);
      assert.match(textOf(again.text, '#main'), /Lien expiré/);
    }
    const replay = suite.app.client();
    await replay.get('/login');
    const post = await replay.post(`/password/reset/${token}`, { password: 'Autre-Phrase-Solide-2027', confirmation: 'Autre-Phrase-Solide-2027' });
    assert.equal(post.status, 410);
    assert.equal((await suite.app.client().login('client', NEW_PASSWORD)).status, 303, 'the replay changed nothing');
  });

  it('refuses weak or mismatched passwords next to the field, in French, and changes nothing', async () => {
    const known = seen();
    await forgot('collaborateur');
    const { token } = await linkMailTo(JULIEN, known);
    const hash = await hashOf('compta', 'collaborateur');
    const c = suite.app.client();
    await c.get(`/password/reset/${token}`);

    const cases: [Record<string, string>, string, RegExp][] = [
      [{ password: 'motdepasse123', confirmation: 'motdepasse123' }, '#f-password-err', /trop courant ou trop facile à deviner/],
      [{ password: 'short', confirmation: 'short' }, '#f-password-err', /au moins 12 caractères/],
      [{ password: NEW_PASSWORD, confirmation: NEW_PASSWORD + 'x' }, '#f-confirmation-err', /Les deux mots de passe ne sont pas identiques/],
    ];
    for (const [form, field, message] of cases) {
      const res = await c.post(`/password/reset/${token}`, form);
      assert.equal(res.status, 400, form.password);
      assert.match(textOf(res.text, field), message);
      assert.match(textOf(res.text, '.alert-danger'), /Le formulaire contient des erreurs/);
      assert.doesNotMatch(res.text, new RegExp(form.password!), 'a password is never written back into the page');
    }
    assert.equal(await hashOf('compta', 'collaborateur'), hash, 'the password is unchanged');
    assert.equal((await suite.app.client().get(`/password/reset/${token}`)).status, 200, 'the link is still good');
  });

  it('refuses a link older than one hour', async () => {
    const known = seen();
    await forgot('collaborateur');
    const { token } = await linkMailTo(JULIEN, known);
    const user = await userOf(suite.app.db.owner, 'compta', 'collaborateur');
    const aged = await inFirm(suite.app.db.owner, 'compta', (trx, firmId) =>
      trx.raw(`update password_tokens set expires_at = now() - interval '1 second', created_at = now() - interval '61 minutes' where firm_id = ? and user_id = ? and used_at is null`, [firmId, user.id]),
    );
    assert.ok(aged.rowCount >= 1);
    const c = suite.app.client();
    const page = await c.get(`/password/reset/${token}`);
    assert.equal(page.status, 410);
    assert.match(textOf(page.text, '#main'), /Lien expiré/);
    assert.match(page.text, /href="\/password\/forgot"/, 'offers to ask for a new link');
    await c.get('/login');
    const post = await c.post(`/password/reset/${token}`, { password: NEW_PASSWORD, confirmation: NEW_PASSWORD });
    assert.equal(post.status, 410);
    assert.equal(await hashOf('compta', 'collaborateur'), user.passwordHash);
  });

  it("does not accept one firm's link on the host of another", async () => {
    const known = seen();
    await forgot('superviseur');
    const { token } = await linkMailTo(HELENE, known);
    const hash = await hashOf('compta', 'superviseur');
    const diag = suite.app.client('diag');
    const page = await diag.get(`/password/reset/${token}`);
    assert.equal(page.status, 410);
    assert.match(textOf(page.text, '#main'), /Lien expiré/);
    await diag.get('/login');
    const post = await diag.post(`/password/reset/${token}`, { password: NEW_PASSWORD, confirmation: NEW_PASSWORD });
    assert.equal(post.status, 410);
    assert.equal(await hashOf('compta', 'superviseur'), hash, 'nothing changed');
    assert.equal((await suite.app.client('compta').get(`/password/reset/${token}`)).status, 200, 'the link still works where it belongs');
  });

  describe('a supervisor sends a user a link (Comptes utilisateurs)', () => {
    const outboxCount = (slug: string) => inFirm(suite.app.db.owner, slug, async (trx, firmId) => Number((await trx('mailOutbox').where({ firmId }).count({ n: '*' }).first())?.n));

    async function signedIn(identifier: string, firm = 'compta'): Promise<Client> {
      const c = suite.app.client(firm);
      assert.equal((await c.login(identifier)).status, 303);
      return c;
    }

    it('lets the supervisor send the link; the user receives it and can use it', async () => {
      const julien = await userOf(suite.app.db.owner, 'compta', 'collaborateur');
      const sup = await signedIn('superviseur');
      const list = await sup.get('/settings/users');
      assert.equal(list.status, 200);
      assert.match(list.text, new RegExp(`action="/settings/users/${julien.id}/password-link"`));
      const known = seen();
      const res = await sup.post(`/settings/users/${julien.id}/password-link`);
      assert.equal(res.status, 303);
      assert.equal(res.location, '/settings/users');
      const after = await sup.get('/settings/users');
      assert.equal(textOf(after.text, '.alert-success'), `Un lien pour choisir un nouveau mot de passe a été envoyé à ${JULIEN}.`);
      const { token } = await linkMailTo(JULIEN, known);
      const c = suite.app.client();
      assert.equal((await c.get(`/password/reset/${token}`)).status, 200);
      assert.equal((await c.post(`/password/reset/${token}`, { password: NEW_PASSWORD, confirmation: NEW_PASSWORD })).status, 303);
      assert.equal((await suite.app.client().login('collaborateur', NEW_PASSWORD)).status, 303);
    });

    it('refuses a collaborator with 403 and sends nothing', async () => {
      const collab = await signedIn('collaborateur', 'diag');
      assert.equal((await collab.get('/settings/users')).status, 403);
      const before = await outboxCount('diag');
      await collab.get('/account');
      const diagClient = await userOf(suite.app.db.owner, 'diag', 'client');
      const res = await collab.post(`/settings/users/${diagClient.id}/password-link`);
      assert.equal(res.status, 403);
      assert.match(textOf(res.text, '#main'), /Accès refusé/);
      assert.equal(await outboxCount('diag'), before);
    });

    it("answers 404 to a supervisor of another firm and sends nothing", async () => {
      const sophie = await userOf(suite.app.db.owner, 'compta', 'client');
      const diagSup = await signedIn('superviseur', 'diag');
      await diagSup.get('/settings/users');
      const [compta, diag] = [await outboxCount('compta'), await outboxCount('diag')];
      const res = await diagSup.post(`/settings/users/${sophie.id}/password-link`);
      assert.equal(res.status, 404);
      assert.match(textOf(res.text, '#main'), /Page introuvable/);
      assert.deepEqual([await outboxCount('compta'), await outboxCount('diag')], [compta, diag]);
    });
  });
});
