// The home page (A7): each person's figures, read in one statement that is built once per firm
// settings and person (home/service.ts). The figures must follow the data at the next visit, differ
// from one person to the next, and follow the modules the firm enables.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/app.ts';
import { firmId, inFirm } from '../support/firmdb.ts';
import { unescapeHtml } from '../support/http.ts';

/** The home page's tiles, label → value. */
function tiles(html: string): Record<string, number> {
  const found = [...html.matchAll(/<span class="tile-value">(\d+)<\/span><span class="tile-label">([^<]+)<\/span>/g)];
  return Object.fromEntries(found.map((m) => [unescapeHtml(m[2]!), Number(m[1])]));
}

describe('the home page', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  it("follows the data at every visit, gives each person their own figures, and follows the firm's modules", async () => {
    const helene = await app.signedIn('superviseur');
    const julien = await app.signedIn('collaborateur');
    const before = tiles((await helene.get('/')).text);
    assert.ok(before['comptes du cabinet']! > 0 && before['clients'] !== undefined, JSON.stringify(before));

    // A new collaborator and a new client, written behind the app's back: the next visit counts them.
    await inFirm(app.db.owner, 'compta', async (trx, firm) => {
      await trx('users').insert({ firmId: firm, role: 'collaborator', identifier: 'nouveau', firstName: 'Noé', lastName: 'Nouveau', email: 'noe@delmas-associes.example' });
      await trx('clients').insert({ firmId: firm, number: 9901, name: 'Fromagerie Test' });
    });
    const after = tiles((await helene.get('/')).text);
    assert.equal(after['comptes du cabinet'], before['comptes du cabinet']! + 1);
    assert.equal(after['clients'], before['clients']! + 1);

    // The collaborator's own figures: the clients open to him, which are fewer than the firm's.
    const mine = tiles((await julien.get('/')).text);
    const firm = await firmId(app.db.owner, 'compta');
    const { rows } = await app.db.owner.raw(
      `SELECT count(*)::int AS n FROM clients c JOIN users u ON u.firm_id = c.firm_id AND u.identifier = 'collaborateur'
        WHERE c.firm_id = ? AND NOT c.in_trash AND c.departed_on IS NULL
          AND (c.collaborator_id = u.id OR EXISTS (SELECT 1 FROM client_access a WHERE a.firm_id = c.firm_id AND a.client_id = c.id AND a.user_id = u.id))`,
      [firm],
    );
    assert.equal(mine['clients'], rows[0].n);
    assert.ok(mine['clients']! < after['clients']!, 'fewer than the whole firm');
    assert.equal(mine['comptes du cabinet'], undefined, "the firm's accounts are the supervisor's");

    // The firm switches its dossiers off, then on again: the figures follow at once.
    assert.ok(after['Dossiers'] !== undefined, 'the dossiers are counted while enabled');
    await app.db.owner.raw(`UPDATE firms SET modules = array_remove(modules, 'dossiers') WHERE id = ?`, [firm]);
    await app.running.deps.firms.refresh();
    assert.equal(tiles((await helene.get('/')).text)['Dossiers'], undefined);
    await app.db.owner.raw(`UPDATE firms SET modules = array_append(modules, 'dossiers') WHERE id = ?`, [firm]);
    await app.running.deps.firms.refresh();
    assert.equal(tiles((await helene.get('/')).text)['Dossiers'], after['Dossiers']);
  });

  it("counts the Documentation's publications of the last 30 days for the audience they are for", async () => {
    const sophie = await app.signedIn('client');
    const news = async () => (/(\d+) nouveaux? documents? dans la Documentation/.exec(unescapeHtml((await sophie.get('/')).text))?.[1] ?? '0');
    const before = Number(await news());
    const publish = (title: string, audience: string, daysAgo: number) =>
      inFirm(app.db.owner, 'compta', (trx, firm) =>
        trx.raw(
          `INSERT INTO publications (firm_id, title, summary, category, audience, name, kind, mime, size, sha256, storage_key, published_at)
           VALUES (?, ?, '', 'Fiscal', ?, 'note.pdf', 'pdf', 'application/pdf', 10, repeat('0', 64), ?, now() - make_interval(days => ?))`,
          [firm, title, audience, `test-${title}`, daysAgo],
        ),
      );
    await publish('Nouveautés TVA', 'clients', 1);
    await publish('Note interne', 'staff', 1);
    await publish('Barème 2025', 'all', 31);
    assert.equal(Number(await news()), before + 1, 'the new one for clients, not the staff note nor the old one');
    await publish('Calendrier fiscal', 'all', 29);
    assert.equal(Number(await news()), before + 2);
  });
});

