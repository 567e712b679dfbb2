import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/app.ts';
import { textOf as rawTextOf, unescapeHtml } from '../support/http.ts';

const textOf = (html: string, selector: string) => unescapeHtml(rawTextOf(html, selector));
import { userOf } from '../support/firmdb.ts';

const SUPERVISOR_PAGES = ['/settings', '/settings/users', '/settings/clients', '/activity', '/dev/mail', '/clients/updates', '/supervision', '/supervision/assignments'];

describe('roles get a friendly 403, other firms a 404', () => {
  let app: TestApp;
  let comptaClientId: string;
  before(async () => {
    app = await startTestApp();
    comptaClientId = (await userOf(app.db.owner, 'compta', 'client')).id;
  });
  after(() => app.close());

  it('opens every supervisor page to the supervisor', async () => {
    const c = app.client();
    await c.login('superviseur');
    for (const page of SUPERVISOR_PAGES) assert.equal((await c.get(page)).status, 200, page);
  });

  for (const who of ['collaborateur', 'client']) {
    it(`refuses the supervisor pages and actions to a ${who} with the friendly 403 page`, async () => {
      const c = app.client();
      await c.login(who);
      await c.get('/account');
      for (const page of SUPERVISOR_PAGES) {
        const res = await c.get(page);
        assert.equal(res.status, 403, page);
        assert.match(textOf(res.text, '.error-page'), /Accès refusé.*Votre profil ne vous permet pas.*Référence : [0-9a-f-]{36}/);
        assert.doesNotMatch(res.text, /\bat .+\.ts:\d+|node_modules|SELECT /);
      }
      for (const path of ['/settings', '/settings/logo/delete', `/settings/users/${comptaClientId}/password-link`]) {
        assert.equal((await c.post(path, { name: 'Piraté' })).status, 403, path);
      }
      const upload = await c.postMultipart(`/settings/logo?_csrf=${encodeURIComponent(c.csrf)}`, { logo: { filename: 'x.png', type: 'image/png', data: Buffer.from('x') } });
      assert.equal(upload.status, 403);
      const firm = await app.db.owner('firms').where({ slug: 'compta' }).first();
      assert.equal(firm?.name, 'Cabinet Delmas & Associés');
    });
  }

  it('sends anonymous visitors to the login page', async () => {
    for (const page of SUPERVISOR_PAGES) {
      const res = await app.client().get(page);
      assert.equal(res.status, 303);
      assert.equal(res.location, `/login?next=${encodeURIComponent(page)}`);
    }
  });

  it("answers 404 for another firm's object exactly as for one that does not exist", async () => {
    const c = app.client('diag');
    await c.login('superviseur');
    await c.get('/settings/users');
    const visible = (html: string) => textOf(html, '.error-page').replace(/[0-9a-f-]{36}/, '');
    const other = await c.post(`/settings/users/${comptaClientId}/password-link`);
    const missing = await c.post('/settings/users/999999999/password-link');
    const garbage = await c.post('/settings/users/abc/password-link');
    for (const res of [other, missing, garbage]) assert.equal(res.status, 404);
    assert.equal(visible(other.text), visible(missing.text));
    assert.equal(visible(garbage.text), visible(missing.text));
    assert.match(visible(other.text), /Page introuvable/);
    const outbox = (await app.db.owner('mailOutbox').count('* as n')) as unknown as { n: string }[];
    assert.equal(Number(outbox[0]?.n), 0, 'no link was sent');
  });

  it('shows a French 404 page for an unknown address, without internals', async () => {
    const c = app.client();
    await c.login('collaborateur');
    const res = await c.get('/nulle-part');
    assert.equal(res.status, 404);
    assert.match(textOf(res.text, '.error-page'), /Page introuvable.*Cette page n'existe pas/);
    assert.doesNotMatch(res.text, /Error:|\bat .+:\d+:\d+|\/work\//);
  });
});
