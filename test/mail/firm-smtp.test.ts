import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { ParsedMail } from 'mailparser';
import { createKnex, WORKER_ROLE } from '../../src/db/knex.ts';
import type { MailOutboxRow } from '../../src/db/tables.ts';
import { withFirm } from '../../src/db/withFirm.ts';
import { startTestApp, suiteAppWithSmtp, type TestApp } from '../support/app.ts';
import { HELENE, JULIEN, NATHALIE } from '../support/demo.ts';
import { firmId, inFirm, userOf } from '../support/firmdb.ts';
import { textOf as rawTextOf, unescapeHtml, type Client } from '../support/http.ts';
import { startSmtp } from '../support/smtp.ts';
import { isPrivateAddress, PrivateSmtpHost, smtpAddressOf } from '../../src/lib/mail/smtpHost.ts';

const textOf = (html: string, selector: string) => unescapeHtml(rawTextOf(html, selector));
const PASSWORD = 'Mot-de-passe SMTP 9#xq';

/** The firm's own server: asks for a login (checked), keeps what it receives with the user who sent it. */
interface FirmServer {
  port: number;
  received: { mail: ParsedMail; user: string | undefined }[];
  waitFor(to: string, after: number, ms?: number): Promise<{ mail: ParsedMail; user: string | undefined }>;
  setDown(down: boolean): void;
  close(): Promise<void>;
}

async function startFirmServer(user: string, password: string): Promise<FirmServer> {
  const smtp = await startSmtp({ login: { user, password } });
  const withUser = (mail: ParsedMail) => ({ mail, user: smtp.userOf(mail) });
  return {
    port: Number(new URL(smtp.url).port),
    get received() {
      return smtp.received.map(withUser);
    },
    waitFor: async (to, from, ms) => withUser(await smtp.waitFor(to, (m) => smtp.received.indexOf(m) >= from, ms)),
    setDown: (down) => smtp.setDown(down),
    close: () => smtp.close(),
  };
}

const signedIn = (app: TestApp, who: string, firm = 'compta'): Promise<Client> => app.signedIn(who, firm);

const outboxOf = (app: TestApp, slug: string, recipient: string): Promise<MailOutboxRow[]> =>
  inFirm(app.db.owner, slug, (trx, id) => trx('mailOutbox').where({ firmId: id, recipient }).orderBy('id'));

describe("the firm's own SMTP server and sender (K1)", () => {
  const suite = suiteAppWithSmtp();
  let own: FirmServer;
  before(async () => {
    own = await startFirmServer('cabinet', PASSWORD);
  });
  after(() => own.close());

  const settingsRow = () => inFirm(suite.app.db.owner, 'compta', (trx, id) => trx('firmSmtpSettings').where({ firmId: id }).first());
  const form = (over: Record<string, string> = {}) => ({
    host: '127.0.0.1', port: String(own.port), security: 'none', username: 'cabinet', password: PASSWORD, fromName: 'Cabinet Delmas', fromAddress: 'extranet@delmas-associes.example', ...over,
  });
  /**
   * Sends `who` a new-password email ("Envoyer les codes d'accès" by the supervisor: "Mot de passe
   * oublié ?" allows three an hour), and returns the outbox row of that email.
   */
  async function forgot(who: string, to: string, slug = 'compta'): Promise<MailOutboxRow> {
    const before = (await outboxOf(suite.app, slug, to)).length;
    const supervisor = await signedIn(suite.app, 'superviseur', slug);
    assert.equal((await supervisor.post(`/settings/users/${(await userOf(suite.app.db.owner, slug, who)).id}/password-link`)).status, 303);
    const rows = await outboxOf(suite.app, slug, to);
    assert.equal(rows.length, before + 1);
    return rows.at(-1)!;
  }
  async function rowWhen(id: string, test: (r: MailOutboxRow) => boolean, ms = 8000): Promise<MailOutboxRow> {
    const deadline = Date.now() + ms;
    for (;;) {
      const row = await inFirm(suite.app.db.owner, 'compta', (trx, firm) => trx('mailOutbox').where({ firmId: firm, id }).first());
      if (row && test(row)) return row;
      if (Date.now() > deadline) throw new Error(`outbox row ${id} never reached the expected state: ${JSON.stringify(row)}`);
      await sleep(50);
    }
  }
  const platformCount = (to: string) => suite.smtp.received.filter((m) => [m.to ?? []].flat().some((a) => a.value.some((v) => v.address === to))).length;

  it("sends the firm's emails through its server, as its sender, and other firms' through the platform's", async () => {
    const helene = await signedIn(suite.app, 'superviseur');
    const page = await helene.get('/settings/smtp');
    assert.equal(page.status, 200);
    assert.match(textOf(page.text, '.alert-secondary'), /Les emails du cabinet partent du serveur de Passerelle/);
    const saved = await helene.post('/settings/smtp', form());
    assert.equal(saved.status, 303);
    assert.match(textOf((await helene.get('/settings/smtp')).text, '.alert-success'), /Le serveur d'envoi est enregistré.*partent de votre serveur 127\.0\.0\.1:\d+, avec l'expéditeur Cabinet Delmas <extranet@delmas-associes\.example>/);

    const before = own.received.length;
    const platformBefore = platformCount(JULIEN);
    const row = await forgot('collaborateur', JULIEN);
    const got = await own.waitFor(JULIEN, before);
    assert.equal(got.user, 'cabinet', 'logged in with the saved password');
    assert.deepEqual(got.mail.from?.value, [{ name: 'Cabinet Delmas', address: 'extranet@delmas-associes.example' }]);
    assert.match(got.mail.subject ?? '', /choisissez un nouveau mot de passe/);
    await rowWhen(row.id, (r) => r.status === 'sent');
    assert.equal(platformCount(JULIEN), platformBefore, 'nothing through the platform');

    await forgot('client', NATHALIE, 'diag');
    const diagMail = await suite.smtp.waitFor(NATHALIE);
    assert.deepEqual(diagMail.from?.value, [{ name: 'Passerelle', address: 'ne-pas-repondre@passerelle.localhost' }], "diag has no server of its own: the platform's, with MAIL_FROM");
    assert.ok(!own.received.some((r) => r.mail.to && [r.mail.to].flat().some((a) => a.text.includes(NATHALIE))));
  });

  it('never shows the password back, keeps it when the field is left empty, and clears it on request', async () => {
    const helene = await signedIn(suite.app, 'superviseur');
    const page = await helene.get('/settings/smtp');
    assert.ok(!page.text.includes(PASSWORD) && !unescapeHtml(page.text).includes(PASSWORD), 'the password is not in the page');
    assert.match(page.text, /id="f-password" name="password" type="password"[^>]*\s+value=""/);
    assert.match(textOf(page.text, '.content'), /Un mot de passe est enregistré\. Laissez ce champ vide pour le garder\. Mot de passe : enregistré/);
    assert.match(page.text, /value="127\.0\.0\.1"/, 'the other settings are shown');
    const row = await settingsRow();
    assert.ok(row?.passwordSecret && !row.passwordSecret.includes(PASSWORD) && !row.passwordSecret.includes(Buffer.from(PASSWORD).toString('base64url')), 'stored sealed');

    // A refused form does not echo the password typed either.
    const refused = await helene.post('/settings/smtp', form({ port: 'abc', password: 'Nouveau-secret-42' }));
    assert.equal(refused.status, 400);
    assert.ok(!refused.text.includes('Nouveau-secret-42'));

    // Saved again with the field empty: the password stays, and the server still takes it.
    assert.equal((await helene.post('/settings/smtp', form({ password: '', fromName: 'Delmas & Associés' }))).status, 303);
    const stored = await settingsRow();
    assert.equal(stored?.passwordSecret, row.passwordSecret);
    assert.equal(stored?.fromName, 'Delmas & Associés');
    const before = own.received.length;
    await forgot('collaborateur', JULIEN);
    const got = await own.waitFor(JULIEN, before);
    assert.equal(got.user, 'cabinet');
    assert.equal(got.mail.from?.value[0]?.name, 'Delmas & Associés');

    // "Supprimer le mot de passe enregistré", and no login: the server takes mail without one.
    assert.equal((await helene.post('/settings/smtp', form({ password: '', username: '', clearPassword: 'on' }))).status, 303);
    assert.equal((await settingsRow())?.passwordSecret, null);
    assert.match(textOf((await helene.get('/settings/smtp')).text, '.content'), /Aucun mot de passe enregistré/);
    const again = own.received.length;
    await forgot('collaborateur', JULIEN);
    assert.equal((await own.waitFor(JULIEN, again)).user, undefined, 'sent without logging in');
    assert.equal((await helene.post('/settings/smtp', form())).status, 303);
  });

  it('sends a test email to the supervisor through the outbox, and shows how it went', async () => {
    const helene = await signedIn(suite.app, 'superviseur');
    const page = await helene.get('/settings/smtp');
    assert.match(textOf(page.text, '.content'), /Un email part à votre adresse helene\.delmas@delmas-associes\.example/);
    const before = own.received.length;
    const sent = await helene.post('/settings/smtp/test');
    assert.equal(sent.status, 303);
    const got = await own.waitFor(HELENE, before);
    assert.equal(got.mail.subject, 'Cabinet Delmas & Associés, expertise comptable : email de test');
    assert.match(got.mail.text ?? '', /par le serveur 127\.0\.0\.1\./);
    const [row] = (await outboxOf(suite.app, 'compta', HELENE)).slice(-1);
    assert.equal(row?.kind, 'emails:mail.test');
    await rowWhen(row!.id, (r) => r.status === 'sent');
    const after = await helene.get('/settings/smtp');
    assert.match(textOf(after.text, '#last-test'), /Dernier email de test, à helene\.delmas@delmas-associes\.example : envoyé le \d\d\/\d\d\/\d{4}/);
  });

  it("retries with backoff while the firm's server fails, delivers once when it is back, and uses new settings at once", async () => {
    own.setDown(true);
    let row: MailOutboxRow;
    try {
      row = await forgot('collaborateur', JULIEN);
      const failed = await rowWhen(row.id, (r) => r.status === 'pending' && r.attempts >= 1 && r.lastError != null);
      assert.match(failed.lastError!, /421/);
      assert.ok(failed.nextAttemptAt.getTime() > Date.now() + 3000, 'the next attempt waits');
    } finally {
      own.setDown(false);
    }
    const before = own.received.length;
    await inFirm(suite.app.db.owner, 'compta', (trx, id) => trx('mailOutbox').where({ firmId: id, id: row.id }).update({ nextAttemptAt: new Date() }));
    await own.waitFor(JULIEN, before);
    await rowWhen(row.id, (r) => r.status === 'sent');
    await sleep(400); // a few more worker rounds
    assert.equal(own.received.slice(before).filter((r) => r.mail.messageId === `<outbox-${row.id}.${row.firmId}@passerelle>`).length, 1, 'exactly once');

    // A wrong password saved: the worker builds the firm's transport again, and the login fails.
    const helene = await signedIn(suite.app, 'superviseur');
    assert.equal((await helene.post('/settings/smtp', form({ password: 'pas le bon' }))).status, 303);
    const refused = await forgot('collaborateur', JULIEN);
    assert.match((await rowWhen(refused.id, (r) => r.lastError != null)).lastError!, /Invalid login|535|Invalid username/i);
    assert.equal((await helene.post('/settings/smtp', form())).status, 303);
    const back = own.received.length;
    await inFirm(suite.app.db.owner, 'compta', (trx, id) => trx('mailOutbox').where({ firmId: id, id: refused.id }).update({ nextAttemptAt: new Date() }));
    assert.equal((await own.waitFor(JULIEN, back)).user, 'cabinet');
    await rowWhen(refused.id, (r) => r.status === 'sent');
  });

  it('refuses bad input with a French message next to the field, and changes nothing', async () => {
    const helene = await signedIn(suite.app, 'superviseur');
    const before = await settingsRow();
    const cases: [string, Record<string, string>, string, RegExp][] = [
      ['no server', { host: ' ' }, 'host', /Ce champ est obligatoire/],
      ['a server name with a space', { host: 'smtp exemple.fr' }, 'host', /Saisissez le nom du serveur/],
      ['a port of 0', { port: '0' }, 'port', /au moins 1/],
      ['a port beyond 65535', { port: '70000' }, 'port', /au plus 65535/],
      ['a port in words', { port: 'vingt-cinq' }, 'port', /Saisissez un nombre/],
      ['an unknown security', { security: 'ssl' }, 'security', /Choisissez une valeur de la liste/],
      ['a sender address that is none', { fromAddress: 'extranet-at-delmas' }, 'fromAddress', /adresse e-mail valide/],
      ['no sender address', { fromAddress: '' }, 'fromAddress', /adresse e-mail valide|obligatoire/],
      ['a line break in the sender name', { fromName: 'Delmas\r\nBcc: x@y.example' }, 'fromName', /retour à la ligne/],
      ['a 300-character user name', { username: 'u'.repeat(300) }, 'username', /au plus 254/],
    ];
    for (const [what, over, field, message] of cases) {
      const res = await helene.post('/settings/smtp', form(over));
      assert.equal(res.status, 400, what);
      assert.match(textOf(res.text, `#f-${field}-err`), message, what);
      assert.match(textOf(res.text, '.alert-danger'), /Le formulaire contient des erreurs/, what);
    }
    const extra = await helene.post('/settings/smtp', { ...form(), firmId: 'autre' });
    assert.equal(extra.status, 400);
    assert.match(textOf(extra.text, '.alert-danger'), /champ inattendu/);
    assert.deepEqual(await settingsRow(), before);
  });

  it("is for the supervisor only (403), and another firm's supervisor neither sees nor changes it", async () => {
    const before = await settingsRow();
    assert.ok(before);
    for (const who of ['collaborateur', 'client']) {
      const c = await signedIn(suite.app, who);
      assert.equal((await c.get('/settings/smtp')).status, 403, who);
      assert.equal((await c.post('/settings/smtp', form({ host: 'pirate.example' }))).status, 403, who);
      assert.equal((await c.post('/settings/smtp/delete')).status, 403, who);
      assert.equal((await c.post('/settings/smtp/test')).status, 403, who);
    }
    const marc = await signedIn(suite.app, 'superviseur', 'diag');
    const page = await marc.get('/settings/smtp');
    assert.equal(page.status, 200);
    assert.match(textOf(page.text, '.content'), /partent du serveur de Passerelle/);
    assert.ok(!page.text.includes('extranet@delmas-associes.example'));
    assert.equal((await marc.post('/settings/smtp/delete')).status, 303);
    assert.deepEqual(await settingsRow(), before, "diag's removal touches only diag");

    // In the database: neither a collaborator nor a contact reads it; the worker reads every firm's.
    const compta = await firmId(suite.app.db.owner, 'compta');
    for (const who of ['collaborateur', 'client']) {
      const u = await userOf(suite.app.db.owner, 'compta', who);
      const rows = await withFirm(suite.app.db.asApp, compta, (trx) => trx('firmSmtpSettings').select('host'), { id: u.id, role: u.role });
      assert.deepEqual(rows, [], who);
    }
    const worker = createKnex({ url: suite.app.db.url, role: WORKER_ROLE, poolMax: 1 });
    try {
      assert.deepEqual((await worker('firmSmtpSettings').select('firmId')).map((r) => r.firmId), [compta]);
      await assert.rejects(worker('firmSmtpSettings').where({ firmId: compta }).update({ host: 'pirate.example' }), /permission denied/);
    } finally {
      await worker.destroy();
    }
  });

  it("goes back to the platform's server when the firm removes its own", async () => {
    const helene = await signedIn(suite.app, 'superviseur');
    const removed = await helene.post('/settings/smtp/delete');
    assert.equal(removed.status, 303);
    assert.match(textOf((await helene.get('/settings/smtp')).text, '.content'), /Les emails partiront du serveur de Passerelle/);
    assert.equal(await settingsRow(), undefined);
    const platformBefore = platformCount(JULIEN);
    const ownBefore = own.received.length;
    const row = await forgot('collaborateur', JULIEN);
    await rowWhen(row.id, (r) => r.status === 'sent');
    assert.equal(platformCount(JULIEN), platformBefore + 1);
    assert.equal(own.received.length, ownBefore);
  });
});

describe('a platform without SMTP_URL', () => {
  let app: TestApp;
  let own: FirmServer;
  before(async () => {
    own = await startFirmServer('cabinet', PASSWORD);
    app = await startTestApp();
  });
  after(async () => {
    await app?.close();
    await own?.close();
  });

  it("still sends the mail of a firm with its own server, and keeps the others' in the outbox", async () => {
    const helene = await signedIn(app, 'superviseur');
    assert.equal((await helene.post('/settings/smtp', { host: '127.0.0.1', port: String(own.port), security: 'none', username: 'cabinet', password: PASSWORD, fromName: '', fromAddress: 'extranet@delmas-associes.example' })).status, 303);
    assert.equal((await app.client().forgotPassword('collaborateur')).status, 200);
    const got = await own.waitFor(JULIEN, 0);
    assert.deepEqual(got.mail.from?.value, [{ name: '', address: 'extranet@delmas-associes.example' }]);
    assert.equal((await app.client('diag').forgotPassword('client')).status, 200);
    await sleep(600); // six worker rounds
    const [diagRow] = await outboxOf(app, 'diag', NATHALIE);
    assert.deepEqual([diagRow?.status, diagRow?.attempts], ['pending', 0], 'waits for a server, untouched');
  });
});

describe("a firm's server on a private address, where the platform refuses them (production's default)", () => {
  let app: TestApp;
  let own: FirmServer;
  before(async () => {
    own = await startFirmServer('cabinet', PASSWORD);
    app = await startTestApp({ env: { FIRM_SMTP_PRIVATE_HOSTS: 'deny' } });
  });
  after(async () => {
    await app?.close();
    await own?.close();
  });

  it('never connects to it: the mail waits with the reason, and nothing reaches the server', async () => {
    const helene = await signedIn(app, 'superviseur');
    assert.equal((await helene.post('/settings/smtp', { host: 'localhost', port: String(own.port), security: 'none', username: 'cabinet', password: PASSWORD, fromName: '', fromAddress: 'extranet@delmas-associes.example' })).status, 303);
    assert.equal((await app.client().forgotPassword('collaborateur')).status, 200);
    const deadline = Date.now() + 8000;
    let row: MailOutboxRow | undefined;
    while (Date.now() < deadline) {
      [row] = (await outboxOf(app, 'compta', JULIEN)).slice(-1);
      if (row?.lastError) break;
      await sleep(100);
    }
    assert.match(row?.lastError ?? '', /private or local address/);
    assert.equal(row?.status, 'pending');
    assert.equal(own.received.length, 0);
  });

  it('tells private and local addresses from public ones', async () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.5', '192.168.1.10', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1']) assert.ok(isPrivateAddress(a), a);
    for (const a of ['93.184.216.34', '2a00:1450:4007:80c::2005', '172.32.0.1']) assert.ok(!isPrivateAddress(a), a);
    await assert.rejects(smtpAddressOf('localhost', false), PrivateSmtpHost);
    assert.match(await smtpAddressOf('localhost', true), /^(127\.0\.0\.1|::1)$/);
  });
});
