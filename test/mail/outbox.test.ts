import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { createKnex, WORKER_ROLE } from '../../src/db/knex.ts';
import type { MailOutboxRow } from '../../src/db/tables.ts';
import { createFirmWithUsers } from '../../src/modules/firms/create.ts';
import { startTestApp, suiteAppWithSmtp } from '../support/app.ts';
import { firmId, inFirm } from '../support/firmdb.ts';
import { withHeaders } from '../support/headers.ts';
import { textOf, unescapeHtml, type Client } from '../support/http.ts';
import { HELENE, JULIEN, SOPHIE, NATHALIE } from '../support/demo.ts';


describe('the mail outbox and its worker', () => {
  const suite = suiteAppWithSmtp();

  const forgot = (identifier: string, firm = 'compta') => suite.app.client(firm).forgotPassword(identifier);

  const outbox = (slug: string, recipient: string): Promise<MailOutboxRow[]> =>
    inFirm(suite.app.db.owner, slug, (trx, id) => trx('mailOutbox').where({ firmId: id, recipient }).orderBy('id'));

  /** Polls the outbox row until `test` holds (the worker runs every 100 ms in tests). */
  async function rowWhen(slug: string, mailId: string, test: (r: MailOutboxRow) => boolean, ms = 5000): Promise<MailOutboxRow> {
    const deadline = Date.now() + ms;
    for (;;) {
      const row = await inFirm(suite.app.db.owner, slug, (trx, id) => trx('mailOutbox').where({ firmId: id, id: mailId }).first());
      if (row && test(row)) return row;
      if (Date.now() > deadline) throw new Error(`outbox row ${mailId} never reached the expected state: ${JSON.stringify(row)}`);
      await sleep(50);
    }
  }

  const receivedBy = (to: string) => suite.smtp.received.filter((m) => [m.to ?? []].flat().some((a) => a.text.toLowerCase().includes(to)));

  async function signedIn(identifier: string, firm = 'compta'): Promise<Client> {
    const c = suite.app.client(firm);
    assert.equal((await c.login(identifier)).status, 303);
    return c;
  }

  it('writes the email in the same transaction as its cause, once, and only for a real account', async () => {
    const before = await outbox('compta', JULIEN);
    assert.equal((await forgot('collaborateur')).status, 200);
    assert.equal((await forgot('nobody-at-all')).status, 200);
    const rows = (await outbox('compta', JULIEN)).slice(before.length);
    assert.equal(rows.length, 1, 'exactly one mail');
    const mail = rows[0]!;
    assert.equal(mail.kind, 'passwordReset');
    assert.match(mail.textBody, /\/password\/reset\/[A-Za-z0-9_-]{43}/);
    // now() is the transaction's start: the token, the mail and the activity entry share it only
    // when one transaction wrote them all.
    const [token, activity] = await inFirm(suite.app.db.owner, 'compta', async (trx, id) => [
      await trx('passwordTokens').where({ firmId: id }).orderBy('id', 'desc').first(),
      await trx('activityLog').where({ firmId: id, action: 'auth.resetRequested' }).orderBy('id', 'desc').first(),
    ] as const);
    assert.equal(token!.createdAt.getTime(), mail.createdAt.getTime());
    assert.equal(activity!.at.getTime(), mail.createdAt.getTime());
    const total = await inFirm(suite.app.db.owner, 'compta', async (trx, id) => Number((await trx('mailOutbox').where({ firmId: id }).count({ n: '*' }).first())?.n));
    assert.equal(total, before.length + 1, 'the unknown identifier wrote nothing');
    await suite.smtp.waitFor(JULIEN);
    await rowWhen('compta', mail.id, (r) => r.status === 'sent');
  });

  it('keeps the mail while the SMTP server is down, and delivers it exactly once when it is back', async () => {
    suite.smtp.setDown(true);
    try {
      const page = await forgot('client');
      assert.equal(page.status, 200, 'the page works without the SMTP server');
      assert.match(textOf(page.text, '#main'), /Vérifiez votre messagerie/);
      const [mail] = (await outbox('compta', SOPHIE)).slice(-1);
      const failed = await rowWhen('compta', mail!.id, (r) => r.attempts >= 1 && r.lastError != null && r.status === 'pending');
      assert.match(failed.lastError!, /421/);
      assert.ok(failed.nextAttemptAt.getTime() > Date.now() + 5000, 'the next attempt waits (backoff)');
      assert.equal((await suite.app.client().get('/login')).status, 200);
      assert.equal(receivedBy(SOPHIE).length, 0);

      suite.smtp.setDown(false);
      await inFirm(suite.app.db.owner, 'compta', (trx, id) => trx('mailOutbox').where({ firmId: id, id: mail!.id }).update({ nextAttemptAt: new Date() }));
      const delivered = await suite.smtp.waitFor(SOPHIE);
      assert.equal(delivered.messageId, `<outbox-${mail!.id}.${mail!.firmId}@passerelle>`);
      const sent = await rowWhen('compta', mail!.id, (r) => r.status === 'sent');
      assert.equal(sent.attempts, 2);
      assert.equal(sent.lastError, null);
      assert.ok(sent.sentAt);
      await sleep(500); // five more worker rounds
      assert.equal(receivedBy(SOPHIE).length, 1, 'sent once, not again');
    } finally {
      suite.smtp.setDown(false);
    }
  });

  it('sends a mail left "sending" by a worker that stopped, once its lease is over, and leaves a live lease alone', async () => {
    const id = await firmId(suite.app.db.owner, 'compta');
    const insert = (recipient: string, lockedUntil: string) =>
      inFirm(suite.app.db.owner, 'compta', async (trx) => {
        const { rows } = await trx.raw<{ rows: { id: string }[] }>(
          `insert into mail_outbox (firm_id, recipient, subject, text_body, kind, status, attempts, locked_until)
           values (?, ?, 'Relance', 'Bonjour', 'test', 'sending', 1, ${lockedUntil}) returning id`,
          [id, recipient],
        );
        return rows[0]!.id;
      });
    const stale = await insert('reprise@example.test', `now() - interval '1 second'`);
    const live = await insert('en-cours@example.test', `now() + interval '2 minutes'`);
    await suite.smtp.waitFor('reprise@example.test');
    await rowWhen('compta', stale, (r) => r.status === 'sent');
    await sleep(300);
    assert.equal(receivedBy('en-cours@example.test').length, 0);
    assert.equal((await rowWhen('compta', live, () => true)).status, 'sending');
  });

  it('gives up after the tenth attempt and says so, without losing the mail', async () => {
    const id = await firmId(suite.app.db.owner, 'compta');
    suite.smtp.setDown(true);
    try {
      const mailId = await inFirm(suite.app.db.owner, 'compta', async (trx) => {
        const { rows } = await trx.raw<{ rows: { id: string }[] }>(
          `insert into mail_outbox (firm_id, recipient, subject, text_body, kind, attempts) values (?, 'abandon@example.test', 'Dernier essai', 'Bonjour', 'test', 9) returning id`,
          [id],
        );
        return rows[0]!.id;
      });
      const row = await rowWhen('compta', mailId, (r) => r.status !== 'pending' && r.status !== 'sending');
      assert.equal(row.status, 'failed');
      assert.equal(row.attempts, 10);
      assert.match(row.lastError!, /421/);
      const sup = await signedIn('superviseur');
      assert.match(textOf((await sup.get('/dev/mail')).text, '#main'), /abandon@example\.test Dernier essai Échec/);
    } finally {
      suite.smtp.setDown(false);
    }
  });

  describe('database roles', () => {
    let worker: Knex;
    before(() => {
      worker = createKnex({ url: suite.app.db.url, role: WORKER_ROLE, poolMax: 1 });
    });
    after(() => worker.destroy());

    it("lets the worker role see every firm's outbox, and nothing else", async () => {
      await forgot('client', 'diag');
      await suite.smtp.waitFor(NATHALIE);
      const firms = (await worker('mailOutbox').distinct('firmId')).map((r) => r.firmId).sort();
      assert.deepEqual(firms, [await firmId(suite.app.db.owner, 'compta'), await firmId(suite.app.db.owner, 'diag')].sort());
      await assert.rejects(worker('users').select('id'), /permission denied for table users/);
      await assert.rejects(worker('passwordTokens').select('id'), /permission denied for table password_tokens/);
      await assert.rejects(worker('session').select('sid'), /permission denied for table session/);
      await assert.rejects(
        worker('mailOutbox').insert({ firmId: firms[0]!, recipient: 'x@example.test', subject: 'x', textBody: 'x', kind: 'x' }),
        /permission denied for table mail_outbox/,
      );
    });

    it('shows the app role no outbox row unless its transaction names a firm, and then only that firm', async () => {
      assert.equal((await suite.app.db.asApp('mailOutbox').select('id')).length, 0);
      const diagId = await firmId(suite.app.db.owner, 'diag');
      const seen = await suite.app.db.asApp.transaction(async (trx) => {
        await trx.raw(`select set_config('app.firm_id', ?, true)`, [diagId]);
        const rows = await trx('mailOutbox').distinct('firmId');
        return rows;
      });
      assert.deepEqual(seen.map((r) => r.firmId), [diagId]);
    });
  });

  describe('/dev/mail (development and tests only)', () => {
    it("lists the firm's mails, and only them, to a supervisor", async () => {
      await forgot('superviseur');
      await suite.smtp.waitFor(HELENE);
      const sup = await signedIn('superviseur');
      const page = await sup.get('/dev/mail');
      assert.equal(page.status, 200);
      const main = unescapeHtml(textOf(page.text, '#main'));
      assert.match(main, /Les courriels sont envoyés par le serveur SMTP configuré/);
      assert.match(main, new RegExp(`${HELENE} Cabinet Delmas & Associés, expertise comptable : choisissez un nouveau mot de passe Envoyé`));
      assert.doesNotMatch(main, new RegExp(NATHALIE), "another firm's mail is not listed");
      const [mail] = (await outbox('compta', HELENE)).slice(-1);
      const one = await sup.get(`/dev/mail/${mail!.id}`);
      assert.equal(one.status, 200);
      assert.match(unescapeHtml(textOf(one.text, '.mail-body')), /http:\/\/localhost:\d+\/password\/reset\//);
    });

    it('refuses a collaborator with 403 and a supervisor of another firm with 404', async () => {
      const collab = await signedIn('collaborateur');
      assert.equal((await collab.get('/dev/mail')).status, 403);
      const [mail] = (await outbox('compta', HELENE)).slice(-1);
      assert.equal((await collab.get(`/dev/mail/${mail!.id}`)).status, 403);
      const diagSup = await signedIn('superviseur', 'diag');
      const res = await diagSup.get(`/dev/mail/${mail!.id}`);
      assert.equal(res.status, 404);
      assert.doesNotMatch(res.text, new RegExp(HELENE));
      assert.equal((await suite.app.client().get('/dev/mail')).status, 303, 'anonymous visitors go to the login page');
    });

    it('does not exist in production', async () => {
      const prod = await startTestApp({ env: { NODE_ENV: 'production', SESSION_SECRET: 'une-phrase-secrete-de-production-assez-longue' } });
      try {
        assert.equal(Number((await prod.db.owner('firms').count({ n: '*' }).first())?.n), 0, 'no demo data in production');
        const password = 'Saison-Garonne-Pluie-88';
        await createFirmWithUsers(prod.db.owner, { slug: 'prod', name: 'Cabinet de production' }, [
          { role: 'supervisor', identifier: 'chef', email: 'chef@prod.example', firstName: 'Paule', lastName: 'Chef', password },
        ]);
        await prod.running.deps.firms.refresh();
        // Secure cookies: the app sees HTTPS through its (loopback) proxy.
        const sup = withHeaders(prod.client('prod'), { 'x-forwarded-proto': 'https' });
        const login = await sup.login('chef', password);
        assert.equal(login.status, 303);
        assert.match(String(login.headers['set-cookie']), /; Secure/);
        assert.equal((await sup.get('/account')).status, 200, 'the supervisor is signed in');
        assert.equal((await sup.get('/dev/mail')).status, 404);
        assert.equal((await sup.get('/dev/mail/1')).status, 404);
      } finally {
        await prod.close();
      }
    });
  });
});
