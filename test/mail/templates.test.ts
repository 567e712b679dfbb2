import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadCatalogues } from '../../src/lib/i18n/index.ts';
import { catalogueKey, MAIL_KINDS, templateProblem } from '../../src/lib/mail/templates.ts';
import { withFirm } from '../../src/db/withFirm.ts';
import { suiteAppWithSmtp } from '../support/app.ts';
import { JULIEN, NATHALIE, SOPHIE } from '../support/demo.ts';
import { TINY_PDF } from '../support/files.ts';
import { firmId, inFirm, userOf } from '../support/firmdb.ts';
import { textOf as rawTextOf, unescapeHtml, type Client } from '../support/http.ts';

const textOf = (html: string, selector: string) => unescapeHtml(rawTextOf(html, selector));

describe('email templates per firm (K1)', () => {
  const suite = suiteAppWithSmtp();
  const owner = () => suite.app.db.owner;

  async function signedIn(who: string, firm = 'compta'): Promise<Client> {
    const c = suite.app.client(firm);
    assert.equal((await c.login(who)).status, 303);
    await c.get('/account');
    return c;
  }
  const templates = (slug = 'compta') => inFirm(owner(), slug, (trx, id) => trx('emailTemplates').where({ firmId: id }).orderBy(['kind', 'lang']));
  const setLocale = (identifier: string, locale: 'fr' | 'en' | null) => inFirm(owner(), 'compta', (trx, id) => trx('users').where({ firmId: id, identifier }).update({ locale }));
  /**
   * A new-password email for `who` ("Envoyer les codes d'accès" by the supervisor: "Mot de passe
   * oublié ?" allows three an hour), then the next email to `to` received after it.
   */
  async function resetMail(who: string, to: string, slug = 'compta') {
    const seen = suite.smtp.received.length;
    const supervisor = await signedIn('superviseur', slug);
    const user = await userOf(owner(), slug, who);
    assert.equal((await supervisor.post(`/settings/users/${user.id}/password-link`)).status, 303);
    return suite.smtp.waitFor(to, (m) => suite.smtp.received.indexOf(m) >= seen);
  }

  it('sends the firm\'s own text for the next email of that kind, in the recipient\'s language, and the default again after reset', async () => {
    const helene = await signedIn('superviseur');
    const editor = await helene.get('/settings/emails/password-reset?lang=fr');
    assert.equal(editor.status, 200);
    assert.match(textOf(editor.text, '#f-body'), /Vous avez demandé un nouveau mot de passe pour votre espace \{\{cabinet\}\}/, 'the default text, tags unfilled');
    assert.match(textOf(editor.text, '.content'), /Modèle par défaut/);

    const saved = await helene.post('/settings/emails/password-reset', {
      lang: 'fr',
      subject: 'Réinitialisation chez {{ cabinet }}',
      body: 'Bonjour,\r\n\r\nVoici votre lien personnel : {{lien}}\r\n\r\nÀ très vite,\r\nL\'équipe {{cabinet}}',
    });
    assert.equal(saved.status, 303);
    assert.equal(saved.location, '/settings/emails/password-reset?lang=fr');
    const page = await helene.get(saved.location!);
    assert.match(textOf(page.text, '.alert-success'), /Le modèle est enregistré/);
    assert.match(textOf(page.text, '.content'), /Modèle personnalisé, modifié le \d\d\/\d\d\/2\d{3}/);
    assert.match(textOf((await helene.get('/settings/emails')).text, '.content'), /Email de nouveau mot de passe.*Français : personnalisé.*Anglais : par défaut/);

    await setLocale('collaborateur', null); // the firm's language, French
    const fr = await resetMail('collaborateur', JULIEN);
    assert.equal(fr.subject, 'Réinitialisation chez Cabinet Delmas & Associés, expertise comptable');
    assert.match(fr.text ?? '', /^Bonjour,\n\nVoici votre lien personnel : http:\/\/\S+\/password\/reset\/[A-Za-z0-9_-]{43}\n\nÀ très vite,\nL'équipe Cabinet Delmas/);
    assert.match(fr.text ?? '', /-- \nCabinet Delmas & Associés, expertise comptable — ce message est envoyé automatiquement/, 'the footer stays');
    assert.match(String(fr.html), /<a href="http:\/\/\S+\/password\/reset\/[A-Za-z0-9_-]{43}">/, 'the link is clickable');

    // An English reader gets the English default while only French is rewritten, then the English text.
    await setLocale('client', 'en');
    try {
      assert.equal((await resetMail('client', SOPHIE)).subject, 'Cabinet Delmas & Associés, expertise comptable: choose a new password');
      assert.equal((await helene.post('/settings/emails/password-reset', { lang: 'en', subject: 'Your new password at {{cabinet}}', body: 'Hi,\n\n{{lien}}' })).status, 303);
      const en = await resetMail('client', SOPHIE);
      assert.equal(en.subject, 'Your new password at Cabinet Delmas & Associés, expertise comptable');
      assert.match(en.text ?? '', /^Hi,\n\nhttp:\/\/\S+\/password\/reset\/\S+\n\n-- \n.*please do not reply/);
    } finally {
      await setLocale('client', null);
    }

    // "Rétablir le modèle par défaut" (French only): Passerelle's text again, the English one kept.
    assert.equal((await helene.post('/settings/emails/password-reset/reset', { lang: 'fr' })).status, 303);
    assert.equal((await resetMail('collaborateur', JULIEN)).subject, 'Cabinet Delmas & Associés, expertise comptable : choisissez un nouveau mot de passe');
    assert.deepEqual((await templates()).map((t) => [t.kind, t.lang]), [['passwordReset', 'en']]);
    const actions = await inFirm(owner(), 'compta', (trx, id) => trx('activityLog').where({ firmId: id }).whereLike('action', 'emails.%').orderBy('id').pluck('action'));
    assert.deepEqual(actions, ['emails.templateSaved', 'emails.templateSaved', 'emails.templateReset']);
  });

  it('refuses an unknown or badly written tag, a missing link, an empty or over-long text, with a French message, and saves nothing', async () => {
    const helene = await signedIn('superviseur');
    const before = await templates();
    const good = { lang: 'fr', subject: 'Votre dossier {{dossier}}', body: 'Bonjour {{nom}},\n\n{{lien}}' };
    const cases: [string, string, Record<string, string>, string, RegExp][] = [
      ['an unknown tag in the body', 'dossier-available', { ...good, body: 'Bonjour {{client.nom}} {{prenom}}' }, 'body', /La balise \{\{client\.nom\}\} n'existe pas pour cet email\. Balises possibles : \{\{nom\}\}, \{\{dossier\}\}, \{\{client\}\}, \{\{lien\}\}, \{\{cabinet\}\}\./],
      ['an unknown tag in the subject', 'dossier-available', { ...good, subject: 'Dossier {{numero}}' }, 'subject', /La balise \{\{numero\}\} n'existe pas/],
      ['a tag of another email', 'password-reset', { ...good, body: '{{lien}} pour {{dossier}}' }, 'body', /La balise \{\{dossier\}\} n'existe pas/],
      ['a brace left open', 'dossier-available', { ...good, body: 'Votre lien : {{lien' }, 'body', /Une balise est mal écrite près de « \{\{lien »/],
      ['a password email without its link', 'password-reset', { ...good, body: 'Bonjour, à bientôt.' }, 'body', /Le texte doit contenir la balise \{\{lien\}\}/],
      ['an empty subject', 'dossier-available', { ...good, subject: '   ' }, 'subject', /Ce champ est obligatoire/],
      ['an empty body', 'dossier-available', { ...good, body: '\r\n ' }, 'body', /Ce champ est obligatoire/],
      ['a subject over 200 characters', 'dossier-available', { ...good, subject: 'x'.repeat(201) }, 'subject', /au plus 200 caractères/],
      ['a body over 10,000 characters', 'dossier-available', { ...good, body: '{{lien}} ' + 'x'.repeat(10_000) }, 'body', /au plus 10000 caractères/],
      ['a line break in the subject', 'dossier-available', { ...good, subject: 'Objet\nBcc: x@y.example' }, 'subject', /retour à la ligne/],
    ];
    for (const [what, id, form, field, message] of cases) {
      for (const action of ['', '/preview']) {
        const res = await helene.post(`/settings/emails/${id}${action}`, form);
        assert.equal(res.status, 400, `${what} ${action}`);
        assert.match(textOf(res.text, `#f-${field}-err`), message, `${what} ${action}`);
        assert.match(textOf(res.text, '.alert-danger'), /Le formulaire contient des erreurs/);
        if (form.body && form.body.length < 200) assert.ok(unescapeHtml(res.text).includes(form.body.trim()), `${what}: the text typed is kept`);
      }
    }
    const badLang = await helene.post('/settings/emails/dossier-available', { ...good, lang: 'de' });
    assert.equal(badLang.status, 400);
    assert.match(textOf(badLang.text, '.alert-danger'), /erreurs/);
    const extra = await helene.post('/settings/emails/dossier-available', { ...good, firmId: 'autre' });
    assert.equal(extra.status, 400);
    assert.match(textOf(extra.text, '.alert-danger'), /champ inattendu \(firmId\)/);
    assert.equal((await helene.post('/settings/emails/dossier-available/reset', { lang: 'klingon' })).status, 400);
    assert.deepEqual(await templates(), before, 'nothing saved');
  });

  it('previews the text typed with sample values, without saving it', async () => {
    const helene = await signedIn('superviseur');
    const before = await templates();
    const res = await helene.post('/settings/emails/dossier-link/preview', { lang: 'fr', subject: 'Accès au dossier {{dossier}}', body: 'Bonjour {{nom}},\n\n{{lien}}\n\nValable jusqu\'au {{expire}}. {{limite}}' });
    assert.equal(res.status, 200);
    assert.equal(textOf(res.text, '.preview-subject'), 'Accès au dossier DPE — 12 rue des Lilas');
    const body = textOf(res.text, '.preview-body');
    assert.match(body, /^Bonjour Sophie Martin, http:\/\/\S+\/exemple Valable jusqu'au 22\/12\/2026\. Il permet 3 téléchargements\. -- Cabinet Delmas & Associés, expertise comptable — ce message/);
    assert.match(res.text, /id="f-subject" name="subject"[^>]*\n?\s*value="Accès au dossier \{\{dossier\}\}"/, 'the form keeps the text with its tags');
    assert.deepEqual(await templates(), before);
  });

  it('escapes tag values and the firm\'s own text in the HTML part', async () => {
    const helene = await signedIn('superviseur');
    assert.equal((await helene.post('/settings/emails/courrier-arrived', {
      lang: 'fr', subject: 'Courrier : {{objet}}', body: '<b>Nouveau</b> courrier pour {{client}} : {{objet}}\n\n{{lien}}',
    })).status, 303);
    const evil = '<script>alert("client")</script> & Fils';
    await inFirm(owner(), 'compta', (trx, id) => trx('clients').where({ firmId: id, number: 3310 }).update({ name: evil }));
    const seen = suite.smtp.received.length;
    const put = await helene.postMultipart(`/mail?_csrf=${encodeURIComponent(helene.csrf)}`, {
      clientNumber: '3310', type: 'information', subject: '<img src=x onerror=alert(1)>', needsReply: '', replyBy: '',
      document: { filename: 'note.pdf', type: 'application/pdf', data: TINY_PDF },
    });
    assert.equal(put.status, 303);
    const mail = await suite.smtp.waitFor(JULIEN, (m) => suite.smtp.received.indexOf(m) >= seen && /^Courrier :/.test(m.subject ?? ''));
    assert.equal(mail.subject, 'Courrier : <img src=x onerror=alert(1)>', 'a subject is plain text');
    assert.match(mail.text ?? '', /^<b>Nouveau<\/b> courrier pour <script>alert\("client"\)<\/script> & Fils \(n° 3310\) : <img src=x onerror=alert\(1\)>/, 'the text part reads as typed');
    const html = String(mail.html);
    assert.doesNotMatch(html, /<script|<img|<b>/i);
    assert.ok(html.includes('&lt;b&gt;Nouveau&lt;/b&gt; courrier pour &lt;script&gt;alert(&quot;client&quot;)&lt;/script&gt; &amp; Fils (n° 3310) : &lt;img src=x onerror=alert(1)&gt;'), html);
  });

  it('lets a contact\'s or a visitor\'s transaction use the templates through the database function, and read none', async () => {
    const compta = await firmId(owner(), 'compta');
    const sophie = await userOf(owner(), 'compta', 'client');
    const julien = await userOf(owner(), 'compta', 'collaborateur');
    const db = suite.app.db.asApp;
    await inFirm(owner(), 'compta', (trx, id) => trx('emailTemplates').insert({ firmId: id, kind: 'dossiers:mail.available', lang: 'fr', subject: 'Dispo', body: '{{lien}}' }).onConflict(['firmId', 'kind', 'lang']).ignore());
    const read = (person?: { id: string; role: 'contact' | 'collaborator' | 'supervisor' }) =>
      withFirm(db, compta, async (trx) => ({
        rows: (await trx('emailTemplates').select('kind')).length,
        fn: ((await trx.raw(`SELECT subject FROM app_email_template('dossiers:mail.available', 'fr')`)) as { rows: unknown[] }).rows.length,
      }), person);
    assert.deepEqual(await read({ id: sophie.id, role: 'contact' }), { rows: 0, fn: 1 }, 'a contact reads no template, yet its emails use them');
    assert.deepEqual(await read(), { rows: 0, fn: 1 }, 'a visitor (password forgotten) likewise');
    assert.ok((await read({ id: julien.id, role: 'collaborator' })).rows >= 1, 'the staff read them');
    await assert.rejects(
      withFirm(db, compta, (trx) => trx('emailTemplates').insert({ firmId: compta, kind: 'passwordInvite', lang: 'fr', subject: 'x', body: '{{lien}}' }), { id: julien.id, role: 'collaborator' }),
      /row-level security/,
      'only the supervisor writes them',
    );
    const diag = await firmId(owner(), 'diag');
    const other = await withFirm(db, diag, async (trx) => ((await trx.raw(`SELECT subject FROM app_email_template('dossiers:mail.available', 'fr')`)) as { rows: unknown[] }).rows.length);
    assert.equal(other, 0, "another firm's transaction never gets compta's template");
  });

  it('is for the supervisor only (403), and another firm\'s emails do not exist (404)', async () => {
    const before = await templates();
    const form = { lang: 'fr', subject: 'Piraté', body: '{{lien}}' };
    for (const who of ['collaborateur', 'client']) {
      const c = await signedIn(who);
      for (const path of ['/settings/emails', '/settings/emails/password-reset', '/settings/emails/password-reset?lang=en']) assert.equal((await c.get(path)).status, 403, `${who} ${path}`);
      for (const path of ['/settings/emails/password-reset', '/settings/emails/password-reset/preview', '/settings/emails/password-reset/reset']) assert.equal((await c.post(path, form)).status, 403, `${who} ${path}`);
    }
    // diag has no mail module: its list has no courrier email, and their editors do not exist for it.
    const marc = await signedIn('superviseur', 'diag');
    const list = await marc.get('/settings/emails');
    assert.equal(list.status, 200);
    assert.doesNotMatch(textOf(list.text, '.content'), /courrier/i);
    assert.match(textOf(list.text, '.content'), /Email d'accès au dossier pour les utilisateurs occasionnels/);
    assert.equal((await marc.get('/settings/emails/courrier-arrived')).status, 404);
    assert.equal((await marc.post('/settings/emails/courrier-arrived', { lang: 'fr', subject: 'x', body: '{{lien}} {{objet}}' })).status, 404);
    assert.equal((await marc.post('/settings/emails/courrier-arrived/reset', { lang: 'fr' })).status, 404);
    assert.equal((await marc.get('/settings/emails/nothing-like-it')).status, 404);
    // diag rewriting its own password email changes nothing for compta.
    assert.equal((await marc.post('/settings/emails/password-reset', { lang: 'fr', subject: 'Garonne : mot de passe', body: '{{lien}}' })).status, 303);
    assert.deepEqual(await templates(), before);
    assert.match((await resetMail('collaborateur', JULIEN)).subject ?? '', /choisissez un nouveau mot de passe/);
    // A visitor's "Mot de passe oublié ?" (no one signed in) gets the firm's text too.
    const seen = suite.smtp.received.length;
    assert.equal((await suite.app.client('diag').forgotPassword('client')).status, 200);
    assert.equal((await suite.smtp.waitFor(NATHALIE, (m) => suite.smtp.received.indexOf(m) >= seen)).subject, 'Garonne : mot de passe');
  });
});

describe('the emails a firm may rewrite', () => {
  const catalogues = loadCatalogues();
  const read = (lang: string, ns: string, key: string): unknown => key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], catalogues[lang]?.[ns]);

  it('lists every email the code composes from the catalogue', () => {
    const src = path.resolve(import.meta.dirname, '../../src');
    const kinds = new Set<string>();
    for (const file of fs.readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(src, file), 'utf8');
      // The kind argument: a literal, or a choice between literals (approved ? '…approved' : '…rejected').
      for (const m of text.matchAll(/composeMail\([^,]+,[^,]+,\s*([^,{]+),/g)) for (const q of m[1]!.matchAll(/'([^']+)'/g)) kinds.add(q[1]!);
      // `messages:mail.${kind}`: each value the code gives it
      for (const m of text.matchAll(/composeMail\([^,]+,[^,]+,\s*`([a-z]+:mail\.)\$\{kind\}`/g)) for (const k of ['approved', 'rejected']) kinds.add(m[1]! + k);
    }
    assert.ok(kinds.size >= 10, [...kinds].join(', '));
    const registered = new Set(MAIL_KINDS.map((k) => k.kind));
    // The test email of "Serveur d'envoi" is no firm's to rewrite.
    assert.deepEqual([...kinds].filter((k) => !registered.has(k) && k !== 'emails:mail.test'), []);
    for (const k of ['passwordReset', 'passwordInvite']) assert.ok(registered.has(k));
  });

  it("gives each a name, a description, tags described with a sample, and a default text that uses only its tags, in French and in English", () => {
    for (const spec of MAIL_KINDS) {
      const { ns, key } = catalogueKey(spec.kind);
      for (const lang of ['fr', 'en']) {
        const subject = read(lang, ns, `${key}.subject`);
        const body = read(lang, ns, `${key}.body`);
        assert.ok(typeof subject === 'string' && typeof body === 'string', `${spec.kind} ${lang}: catalogue text`);
        assert.equal(templateProblem(spec, subject, 'subject'), undefined, `${spec.kind} ${lang} subject`);
        assert.equal(templateProblem(spec, body, 'body'), undefined, `${spec.kind} ${lang} body`);
        assert.ok(read(lang, 'emails', `kinds.${spec.id}.name`) && read(lang, 'emails', `kinds.${spec.id}.description`), `${spec.id} ${lang}: name and description`);
        for (const tag of spec.tags) {
          assert.ok(read(lang, 'emails', `tags.${tag}`), `${spec.id} ${lang}: tag ${tag} described`);
          if (tag !== 'lien' && tag !== 'cabinet') assert.ok(read(lang, 'emails', `samples.${tag}`), `${spec.id} ${lang}: tag ${tag} has a sample`);
        }
      }
    }
    assert.equal(new Set(MAIL_KINDS.map((k) => k.id)).size, MAIL_KINDS.length, 'ids are unique');
  });
});
