// In-app notifications (K3): notify() from a module, the header's count on every page, the list,
// "Lu", "Reporter" (back after the next login), "Tout marquer comme lu", following a link; another
// person's or another firm's notification refused and unchanged; bad ids; the database's own wall
// between people; a dossier announced to its client's contacts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withFirm } from '../../src/db/withFirm.ts';
import type { Role } from '../../src/db/tables.ts';
import { notify, type NewNotification } from '../../src/modules/notifications/service.ts';
import { suiteAppWithSmtp } from '../support/app.ts';
import { firmId, inFirm, userOf } from '../support/firmdb.ts';
import { unescapeHtml, type Client } from '../support/http.ts';

const AVAILABLE = (dossier: string): NewNotification => ({ kind: 'dossier', key: 'dossiers:notifications.available', params: { dossier }, href: '/dossiers' });

describe('notifications (K3)', () => {
  const suite = suiteAppWithSmtp();
  const owner = () => suite.app.db.owner;

  const signedIn = async (who: string, firm = 'compta'): Promise<Client> => {
    const c = suite.app.client(firm);
    assert.equal((await c.login(who)).status, 303);
    return c;
  };
  const user = async (identifier: string, firm = 'compta') => {
    const u = await userOf(owner(), firm, identifier);
    return { id: String(u.id), role: u.role as Role };
  };
  /** notify() as a module calls it: as the app role, in a firm transaction that names the writer. */
  const send = async (firm: string, to: string[], n: NewNotification, writer = 'superviseur') => {
    const id = await firmId(owner(), firm);
    const ids = await Promise.all(to.map(async (who) => (await user(who, firm)).id));
    await withFirm(suite.app.db.asApp, id, (trx) => notify(trx, id, ids, n), await user(writer, firm));
  };
  const rowsOf = (identifier: string, firm = 'compta') =>
    inFirm(owner(), firm, async (trx, firmId) => trx('notifications').where({ firmId, userId: (await user(identifier, firm)).id }).orderBy('id'));
  const idOf = async (identifier: string, dossier: string, firm = 'compta') => {
    const row = (await rowsOf(identifier, firm)).find((r) => r.params.dossier === dossier);
    assert.ok(row, `${identifier} has a notification about ${dossier}`);
    return String(row.id);
  };
  /** What the header says: the bell's label and the number drawn on it (none when 0). */
  const badge = (html: string) => ({
    label: unescapeHtml(/class="notif-bell" aria-label="([^"]+)"/.exec(html)?.[1] ?? ''),
    count: /<span class="notif-count" aria-hidden="true">([^<]+)<\/span>/.exec(html)?.[1],
  });
  const listed = async (c: Client, query = '') => unescapeHtml((await c.get(`/notifications${query}`)).text);

  it('notifies each person once, shows the count in the header of every page and the text in the list, newest first', async () => {
    await send('compta', ['collaborateur', 'collaborateur', 'superviseur'], AVAILABLE('Bilan 2025'));
    await send('compta', ['collaborateur'], AVAILABLE('TVA T4 <2026>'));
    assert.equal((await rowsOf('collaborateur')).length, 2, 'a repeated person is told once');

    const julien = await signedIn('collaborateur');
    for (const page of ['/', '/account', '/clients', '/notifications']) {
      assert.deepEqual(badge((await julien.get(page)).text), { label: 'Notifications : 2 non lues', count: '2' }, page);
    }
    const home = (await julien.get('/')).text;
    assert.match(home, /<a href="\/notifications" class="notif-bell"/, 'the bell leads to the list');
    const list = await listed(julien);
    assert.ok(list.includes('2 notifications'));
    const tva = list.indexOf('Le dossier « TVA T4 <2026> » est disponible.');
    const bilan = list.indexOf('Le dossier « Bilan 2025 » est disponible.');
    assert.ok(tva > 0 && bilan > tva, 'newest first, the values shown as text');
    assert.ok((await julien.get('/notifications')).text.includes('TVA T4 &lt;2026&gt;'), 'escaped once');
    assert.equal(badge((await (await signedIn('superviseur')).get('/')).text).count, '1');
  });

  it('shows the text in the reader\'s language, and no bell to someone signed out', async () => {
    const julien = await user('collaborateur');
    await inFirm(owner(), 'compta', (trx, firmId) => trx('users').where({ firmId, id: julien.id }).update({ locale: 'en' }));
    try {
      const c = await signedIn('collaborateur');
      assert.ok((await listed(c)).includes('The dossier “Bilan 2025” is available.'));
      assert.equal(badge((await c.get('/')).text).label, 'Notifications: 2 unread');
    } finally {
      await inFirm(owner(), 'compta', (trx, firmId) => trx('users').where({ firmId, id: julien.id }).update({ locale: null }));
    }
    const anonymous = suite.app.client('compta');
    assert.ok(!(await anonymous.get('/login')).text.includes('notif-bell'));
    const res = await anonymous.get('/notifications');
    assert.equal(res.status, 303);
    assert.equal(res.location, '/login?next=%2Fnotifications');
  });

  it('refuses a bad key, kind, link or person, writing nothing; nobody to tell writes nothing', async () => {
    const before = (await rowsOf('collaborateur')).length;
    await assert.rejects(send('compta', ['collaborateur'], { ...AVAILABLE('x'), href: '//evil.example/' }), /invalid notification/);
    await assert.rejects(send('compta', ['collaborateur'], { ...AVAILABLE('x'), href: 'https://evil.example/' }), /invalid notification/);
    await assert.rejects(send('compta', ['collaborateur'], { ...AVAILABLE('x'), key: 'no namespace' }), /invalid notification/);
    await assert.rejects(send('compta', ['collaborateur'], { ...AVAILABLE('x'), kind: 'Mail!' }), /invalid notification/);
    const id = await firmId(owner(), 'compta');
    await assert.rejects(withFirm(suite.app.db.asApp, id, (trx) => notify(trx, id, ['1; DROP TABLE users'], AVAILABLE('x'))), /invalid user id/);
    await withFirm(suite.app.db.asApp, id, (trx) => notify(trx, id, [], AVAILABLE('x')));
    // A person of another firm: the composite foreign key refuses it, and the transaction with it.
    const mixed = [(await user('collaborateur')).id, (await user('superviseur', 'diag')).id];
    await assert.rejects(withFirm(suite.app.db.asApp, id, (trx) => notify(trx, id, mixed, AVAILABLE('x'))));
    assert.equal((await rowsOf('collaborateur')).length, before);
  });

  it('"Lu" marks one read: the count goes down and it stays in the list as read; twice changes nothing', async () => {
    const julien = await signedIn('collaborateur');
    const id = await idOf('collaborateur', 'Bilan 2025');
    await julien.get('/notifications');
    const res = await julien.post(`/notifications/${id}/read`, { back: '/notifications?state=unread' });
    assert.equal(res.status, 303);
    assert.equal(res.location, '/notifications?state=unread');
    const page = (await julien.get('/notifications')).text;
    assert.deepEqual(badge(page), { label: 'Notifications : 1 non lue', count: '1' });
    assert.match(unescapeHtml(page), /Bilan 2025 » est disponible\.<\/button>\s*<\/form>\s*<div class="small text-muted">.*lue le/);
    assert.ok(!unescapeHtml(await listed(julien, '?state=unread')).includes('Bilan 2025'), 'not among the unread');
    const readAt = (await rowsOf('collaborateur')).find((r) => String(r.id) === id)!.readAt;
    assert.ok(readAt);
    assert.equal((await julien.post(`/notifications/${id}/read`)).status, 303);
    assert.deepEqual((await rowsOf('collaborateur')).find((r) => String(r.id) === id)!.readAt, readAt, 'read once, when it was read first');
  });

  it('"Reporter" hides it from the count and the list until the person signs in again', async () => {
    await send('compta', ['collaborateur'], AVAILABLE('Liasse 2025'));
    const julien = await signedIn('collaborateur');
    const id = await idOf('collaborateur', 'Liasse 2025');
    assert.equal(badge((await julien.get('/notifications')).text).count, '2');
    const res = await julien.post(`/notifications/${id}/postpone`);
    assert.equal(res.status, 303);
    const after = (await julien.get('/notifications')).text;
    assert.equal(badge(after).count, '1');
    assert.ok(unescapeHtml(after).includes('La notification réapparaîtra à votre prochaine connexion.'));
    assert.ok(!unescapeHtml(after).includes('Liasse 2025'));
    assert.equal(badge((await julien.get('/')).text).count, '1', 'on every page, for the rest of this session');

    assert.equal((await julien.post('/logout')).status, 303);
    const again = await signedIn('collaborateur');
    assert.equal(badge((await again.get('/')).text).count, '2', 'back after signing in again');
    assert.ok((await listed(again)).includes('Liasse 2025'));
  });

  it('"Tout marquer comme lu" marks what the list shows, not what was put off until the next login', async () => {
    await send('compta', ['collaborateur'], AVAILABLE('Put off'));
    await send('compta', ['collaborateur'], AVAILABLE('Read all'));
    const julien = await signedIn('collaborateur');
    await julien.get('/notifications');
    assert.equal((await julien.post(`/notifications/${await idOf('collaborateur', 'Put off')}/postpone`)).status, 303);
    const res = await julien.post('/notifications/read-all', { back: '/notifications' });
    assert.equal(res.status, 303);
    const page = (await julien.get('/notifications')).text;
    assert.ok(unescapeHtml(page).includes('3 notifications marquées comme lues.'), 'TVA T4, Liasse 2025, Read all');
    assert.deepEqual(badge(page), { label: 'Notifications : aucune non lue', count: undefined });
    assert.ok(!page.includes('/notifications/read-all'), 'nothing left to mark');
    const rows = await rowsOf('collaborateur');
    assert.equal(rows.filter((r) => !r.readAt).map((r) => r.params.dossier).join(), 'Put off');
  });

  it('following a notification\'s link marks it read and leads to its page', async () => {
    await send('compta', ['superviseur'], { kind: 'mail', key: 'dossiers:notifications.available', params: { dossier: 'Lien' }, href: '/mail?filter=toAnswer' });
    const helene = await signedIn('superviseur');
    const id = await idOf('superviseur', 'Lien');
    const page = (await helene.get('/notifications?kind=mail')).text;
    assert.ok(page.includes(`action="/notifications/${id}/open"`) && !page.includes('Bilan 2025'), 'filtered by kind');
    const res = await helene.post(`/notifications/${id}/open`);
    assert.equal(res.status, 303);
    assert.equal(res.location, '/mail?filter=toAnswer');
    assert.ok((await rowsOf('superviseur')).find((r) => String(r.id) === id)!.readAt);
  });

  it('answers 404 to another person\'s notification and to another firm\'s, and changes nothing', async () => {
    await send('compta', ['superviseur'], AVAILABLE('Privé'));
    const id = await idOf('superviseur', 'Privé');
    const snapshot = async () => (await rowsOf('superviseur')).find((r) => String(r.id) === id);
    const before = await snapshot();

    const julien = await signedIn('collaborateur');
    await julien.get('/notifications');
    assert.ok(!(await listed(julien)).includes('Privé'));
    const diag = await signedIn('superviseur', 'diag');
    await diag.get('/notifications');
    for (const c of [julien, diag]) {
      for (const action of ['read', 'postpone', 'open']) assert.equal((await c.post(`/notifications/${id}/${action}`)).status, 404, action);
    }
    // Someone else's "Tout marquer comme lu" leaves it too.
    assert.equal((await diag.post('/notifications/read-all')).status, 303);
    assert.equal((await julien.post('/notifications/read-all')).status, 303);
    assert.deepEqual(await snapshot(), before);
  });

  it('answers 404 to bad ids, ignores a bad query and never goes back anywhere but the list; refuses a post without the CSRF token', async () => {
    const helene = await signedIn('superviseur');
    await helene.get('/notifications');
    for (const bad of ['abc', '-1', '1.5', '0x10', '1234567890123456789', '%20']) {
      for (const action of ['read', 'postpone', 'open']) assert.equal((await helene.post(`/notifications/${bad}/${action}`)).status, 404, `${bad} ${action}`);
    }
    assert.equal((await helene.get('/notifications?page=abc&kind=evil&state=%00')).status, 200);
    const id = await idOf('superviseur', 'Privé');
    for (const back of ['//evil.example/', 'https://evil.example/', '/notifications/../account', '/clients']) {
      assert.equal((await helene.post(`/notifications/${id}/postpone`, { back })).location, '/notifications', back);
    }
    await helene.post('/logout');
    const again = await signedIn('superviseur');
    await again.get('/notifications');
    const before = (await rowsOf('superviseur')).find((r) => String(r.id) === id);
    assert.equal((await again.post(`/notifications/${id}/read`, { _csrf: 'forged' })).status, 403);
    assert.equal((await again.post('/notifications/read-all', { _csrf: '' })).status, 403);
    assert.deepEqual((await rowsOf('superviseur')).find((r) => String(r.id) === id), before);
  });

  it('shows "99+" past 99 unread, counting at most 100', async () => {
    const diag = await user('collaborateur', 'diag');
    await inFirm(owner(), 'diag', (trx, firmId) =>
      trx('notifications').insert(Array.from({ length: 130 }, (_, i) => ({ firmId, userId: diag.id, kind: 'dossier', key: 'dossiers:notifications.available', params: JSON.stringify({ dossier: `D${i}` }), href: '/dossiers' }))),
    );
    const c = await signedIn('collaborateur', 'diag');
    const page = await c.get('/');
    assert.deepEqual(badge(page.text), { label: 'Notifications : plus de 99 non lues', count: '99+' });
    const list = await listed(c);
    assert.ok(list.includes('130 notifications') && list.includes('Page 1'), 'paged');
    assert.equal((await c.post('/notifications/read-all')).status, 303);
    assert.equal(badge((await c.get('/')).text).count, undefined, 'all 130 read, beyond the first page');
  });

  it('tells the client\'s contacts in the extranet when a dossier is announced, and every role has the page', async () => {
    const dossier = (await inFirm(owner(), 'compta', (trx, firmId) => trx('dossiers').where({ firmId, title: 'Comptes annuels 2025' }).first('id', 'clientId')))!;
    const helene = await signedIn('superviseur');
    await helene.get(`/dossiers/${dossier.id}`);
    assert.equal((await helene.post(`/dossiers/${dossier.id}/notify`)).status, 303);
    const contacts = (await inFirm(owner(), 'compta', (trx, firmId) =>
      trx('users').join('clientContacts as cc', (j) => j.on('cc.firmId', 'users.firmId').andOn('cc.userId', 'users.id'))
        .where({ 'users.firmId': firmId, 'cc.clientId': dossier.clientId }).whereNotNull('users.email').select('users.identifier'))).map((u) => u.identifier);
    assert.ok(contacts.includes('client'));
    for (const who of contacts) assert.equal((await rowsOf(who)).filter((r) => r.href === `/dossiers/${dossier.id}`).length, 1, who);

    const sophie = await signedIn('client');
    assert.equal(badge((await sophie.get('/')).text).count, '1');
    assert.ok((await listed(sophie)).includes('Le dossier « Comptes annuels 2025 » est disponible.'));
    const id = await idOf('client', 'Comptes annuels 2025');
    const open = await sophie.post(`/notifications/${id}/open`);
    assert.equal(open.location, `/dossiers/${dossier.id}`);
    assert.equal((await sophie.get(open.location!)).status, 200, 'the contact may open the dossier');

    await send('compta', ['centre'], AVAILABLE('Pour le centre'));
    const centre = await signedIn('centre');
    assert.equal(badge((await centre.get('/notifications')).text).count, '1');
    assert.ok((await listed(centre)).includes('Pour le centre'));
  });

  it('walls people off in the database: as person A, person B\'s rows are invisible and unchangeable, another firm\'s too', async () => {
    const compta = await firmId(owner(), 'compta');
    const helene = await user('superviseur');
    const julien = await user('collaborateur');
    const asJulien = <T>(work: Parameters<typeof withFirm<T>>[2]) => withFirm(suite.app.db.asApp, compta, work, julien);
    const seen = await asJulien((trx) => trx('notifications').where({ firmId: compta }).distinct('userId'));
    assert.deepEqual(seen.map((r) => String(r.userId)), [julien.id], 'only his own rows, though the query asks for the whole firm');
    assert.equal(await asJulien((trx) => trx('notifications').where({ firmId: compta, userId: helene.id }).update({ readAt: new Date() })), 0);
    assert.equal(await asJulien((trx) => trx('notifications').where({ firmId: compta, userId: helene.id }).delete()), 0);
    assert.ok((await rowsOf('superviseur')).some((r) => !r.readAt), "Hélène's unread ones are still unread");
    // Writing one for someone else is what notify() does: allowed.
    await asJulien((trx) => notify(trx, compta, [helene.id], AVAILABLE('De Julien')));
    assert.ok((await rowsOf('superviseur')).some((r) => r.params.dossier === 'De Julien'));
    // Without a person (system work) the firm's rows are all there; another firm's never.
    const all = (await withFirm(suite.app.db.asApp, compta, (trx) => trx('notifications').distinct('userId'))).map((r) => String(r.userId));
    assert.ok(all.includes(helene.id) && all.includes(julien.id));
    const diag = await firmId(owner(), 'diag');
    assert.equal((await withFirm(suite.app.db.asApp, diag, (trx) => trx('notifications').where({ firmId: compta }).select('id'))).length, 0);
    // The header's count function puts back the firm and person it found.
    const kept = await asJulien(async (trx) => {
      await trx.raw('SELECT app_unread_notifications(?, ?)', [diag, '1']);
      const { rows } = (await trx.raw(`SELECT current_setting('app.firm_id') AS firm, current_setting('app.user_id') AS person`)) as { rows: { firm: string; person: string }[] };
      return rows[0];
    });
    assert.deepEqual(kept, { firm: compta, person: julien.id });
  });
});
