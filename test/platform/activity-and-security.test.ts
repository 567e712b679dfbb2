import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/app.ts';
import { inFirm, userOf } from '../support/firmdb.ts';
import { unescapeHtml } from '../support/http.ts';

function rowIds(html: string): string[] {
  return [...html.matchAll(/<td>Test n°(\d+)<\/td>/g)].map((m) => m[1]!);
}

function link(html: string, label: string): string | undefined {
  const m = new RegExp(`href="(/activity\\?(?:before|after)=\\d+)">[^<]*${label}`).exec(html);
  return m?.[1];
}

describe('activity log', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
    await inFirm(app.db.owner, 'compta', async (trx, firmId) => {
      const rows = Array.from({ length: 130 }, (_, i) => ({ firmId, action: 'settings.updated', actorName: 'Robot', objectLabel: `Test n°${i + 1}` }));
      await trx('activityLog').insert(rows);
    });
  });
  after(() => app.close());

  it('records sign-ins and settings changes, newest first', async () => {
    const c = app.client();
    await c.login('superviseur');
    await c.get('/settings/users');
    const collaborator = await userOf(app.db.owner, 'compta', 'collaborateur');
    assert.equal((await c.post(`/settings/users/${collaborator.id}/password-link`)).status, 303);
    const page = await c.get('/activity');
    assert.equal(page.status, 200);
    const text = unescapeHtml(page.text);
    const first = text.indexOf("<td>Envoi d'un lien de mot de passe</td>");
    const login = text.indexOf('<td>Connexion</td>');
    assert.ok(first > 0 && login > first, 'the link sent after the sign-in comes first');
  });

  it('pages through the whole log with the firm rows per page, without gaps or repeats, both ways', async () => {
    const c = app.client();
    await c.login('superviseur');
    let page = await c.get('/activity');
    const seen: string[] = [];
    const pages: string[][] = [];
    for (let guard = 0; guard < 20; guard++) {
      const ids = rowIds(page.text);
      pages.push(ids);
      seen.push(...ids);
      const older = link(page.text, 'Plus anciennes');
      if (!older) break;
      page = await c.get(older);
    }
    assert.equal(seen.length, 130);
    assert.equal(new Set(seen).size, 130, 'no row twice');
    assert.deepEqual(seen, Array.from({ length: 130 }, (_, i) => String(130 - i)), 'newest first, no gap');
    assert.ok(pages.slice(0, -1).every((p) => p.length === 25 || p === pages[0]), 'full pages of 25');
    const newer = link(page.text, 'Plus récentes');
    assert.ok(newer);
    const back = await c.get(newer!);
    assert.deepEqual(rowIds(back.text), pages.at(-2)?.slice(-rowIds(back.text).length));
  });

  it("never shows one firm's activity to another", async () => {
    const c = app.client('diag');
    await c.login('superviseur');
    const page = await c.get('/activity');
    assert.equal(rowIds(page.text).length, 0);
    assert.doesNotMatch(page.text, /Hélène Delmas|Robot/);
  });
});

describe('security baseline', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  it('sends a nonce-based Content-Security-Policy, new on every response', async () => {
    const a = await app.client().get('/login');
    const b = await app.client().get('/login');
    const csp = String(a.headers['content-security-policy']);
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce);
    assert.notEqual(nonce, /'nonce-([^']+)'/.exec(String(b.headers['content-security-policy']))?.[1]);
    assert.match(csp, /script-src 'self' 'nonce-/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(a.text, new RegExp(`<style nonce="${nonce!.replace(/[+/=]/g, '\\$&')}">`));
    assert.doesNotMatch(a.text, /\son[a-z]+="/, 'no inline event handler');
    // Drawn 256 at a time: across several draws, each is 16 bytes and none comes twice.
    const seen = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const n = /'nonce-([^']+)'/.exec(String((await app.client().get('/healthz')).headers['content-security-policy']))![1]!;
      assert.equal(Buffer.from(n, 'base64').length, 16);
      seen.add(n);
    }
    assert.equal(seen.size, 600);
  });

  it('sets an HttpOnly, SameSite=Lax session cookie, no-store on signed-in pages, and a request id', async () => {
    const c = app.client();
    const page = await c.get('/login');
    const cookie = String(page.headers['set-cookie']);
    assert.match(cookie, /passerelle\.sid=/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(String(page.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    await c.post('/login', { identifier: 'client', password: 'Demo-Passerelle-2026' });
    assert.equal((await c.get('/')).headers['cache-control'], 'no-store');
  });

  it('marks the session cookie Secure in production', async () => {
    const prod = await startTestApp({ env: { NODE_ENV: 'production', SESSION_SECRET: 'a-production-secret-of-more-than-32-chars', TRUST_PROXY: 'loopback' } });
    try {
      const firms = (await prod.db.owner('firms').count('* as n')) as unknown as { n: string }[];
      assert.equal(Number(firms[0]?.n), 0, 'no demo data in production');
      await prod.db.owner('firms').insert({ slug: 'compta', name: 'Cabinet' });
      await prod.running.deps.firms.refresh();
      const res = await prod.client().get('/login', { 'x-forwarded-proto': 'https' });
      assert.match(String(res.headers['set-cookie']), /; Secure/);
      assert.match(String(res.headers['strict-transport-security']), /max-age/);
    } finally {
      await prod.close();
    }
  });

  it('sends a page with its length in bytes, and only its headers to HEAD', async () => {
    const c = await app.signedIn('superviseur');
    const page = await c.get('/');
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(Number(page.headers['content-length']), Buffer.byteLength(page.text), 'accents and € counted as bytes');
    assert.match(page.text, /<\/html>\s*$/);
    const head = await c.request('HEAD', '/');
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.ok(Number(head.headers['content-length']) > 1000);
  });

  it('answers /healthz and caches static assets for a long time', async () => {
    const health = await app.client().get('/healthz');
    assert.equal(health.status, 200);
    assert.deepEqual(JSON.parse(health.text), { status: 'ok' });
    const css = await app.client().get('/static/css/app.css');
    assert.equal(css.status, 200);
    assert.match(String(css.headers['cache-control']), /max-age=31536000/);
    assert.ok(css.headers.etag, 'static files keep their ETag');
    assert.equal((await app.client().get('/login')).headers.etag, undefined, 'a page (new nonce each time) has none');
  });
});
