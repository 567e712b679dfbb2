import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/app.ts';
import { inFirm } from '../support/firmdb.ts';
import { textOf as rawTextOf, unescapeHtml, type Client } from '../support/http.ts';

const textOf = (html: string, selector: string) => unescapeHtml(rawTextOf(html, selector));

describe('client sheet settings: groups, attributes, record templates (B5)', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  async function supervisor(slug = 'compta'): Promise<Client> {
    const c = app.client(slug);
    await c.login('superviseur');
    await c.get('/settings/clients');
    return c;
  }
  const rows = <T>(table: 'clientGroups' | 'clientAttributes' | 'recordTemplates', slug = 'compta') =>
    inFirm(app.db.owner, slug, (trx, firmId) => trx(table).where({ firmId }).orderBy('id')) as Promise<T[]>;

  it('adds, renames and deletes a group; its clients stay, without group', async () => {
    const c = await supervisor();
    assert.equal((await c.post('/settings/clients/group', { name: 'Commerçants' })).status, 303);
    const group = (await rows<{ id: string; name: string }>('clientGroups')).find((g) => g.name === 'Commerçants')!;
    assert.ok(group);
    assert.equal((await c.post(`/settings/clients/group/${group.id}`, { name: 'Commerces' })).status, 303);
    const page = await c.get('/settings/clients');
    assert.match(textOf(page.text, '.content'), /Commerces/);
    const artisans = (await rows<{ id: string; name: string }>('clientGroups')).find((g) => g.name === 'Artisans')!;
    assert.equal((await c.post(`/settings/clients/group/${artisans.id}/delete`)).status, 303);
    const left = await inFirm(app.db.owner, 'compta', (trx, firmId) => trx('clients').where({ firmId, name: 'Boulangerie Despéries' }).first('groupId'));
    assert.equal(left?.groupId, null);
  });

  it('adds a list attribute and a template; the wizard loads the template and the sheet checks the value', async () => {
    const c = await supervisor();
    assert.equal((await c.post('/settings/clients/attribute', { label: 'Mode de règlement', type: 'list', options: 'Virement\nPrélèvement\nChèque' })).status, 303);
    const attribute = (await rows<{ id: string; label: string; options: string[]; type: string }>('clientAttributes')).find((a) => a.label === 'Mode de règlement')!;
    assert.deepEqual(attribute.options, ['Virement', 'Prélèvement', 'Chèque']);
    assert.equal((await c.post('/settings/clients/template', { name: 'Artisan', attributeIds: [attribute.id] })).status, 303);
    const template = (await rows<{ id: string; name: string }>('recordTemplates')).find((t) => t.name === 'Artisan')!;
    const page = await c.get('/settings/clients');
    assert.match(textOf(page.text, '.content'), /Artisan · Mode de règlement/);
    // Editing keeps the type, changes the options.
    assert.equal((await c.post(`/settings/clients/attribute/${attribute.id}`, { label: 'Mode de règlement', type: 'text', options: 'Virement\nChèque' })).status, 303);
    const edited = (await rows<{ id: string; type: string; options: string[] }>('clientAttributes')).find((a) => a.id === attribute.id)!;
    assert.deepEqual([edited.type, edited.options], ['list', ['Virement', 'Chèque']]);
    assert.ok(template);
  });

  it('refuses bad input with a message next to the field, and changes nothing', async () => {
    const c = await supervisor();
    const before = await rows('clientAttributes');
    const cases: [string, string, Record<string, string | string[]>, string, RegExp][] = [
      ['an empty group name', 'group', { name: '' }, 'name', /obligatoire/],
      ['a group name already used', 'group', { name: 'agents commerciaux' }, 'name', /déjà utilisé/],
      ['a list without values', 'attribute', { label: 'Vide', type: 'list', options: '' }, 'options', /au moins une valeur/],
      ['an unknown type', 'attribute', { label: 'Couleur', type: 'colour', options: '' }, 'type', /Choisissez une valeur/],
      ['a 10,000-character label', 'attribute', { label: 'x'.repeat(10_000), type: 'text', options: '' }, 'label', /au plus 100/],
      ['an attribute name already used', 'attribute', { label: 'régime fiscal', type: 'text', options: '' }, 'label', /déjà utilisé/],
      ['a template without a name', 'template', { name: '' }, 'name', /obligatoire/],
    ];
    for (const [what, kind, form, field, message] of cases) {
      const res = await c.post(`/settings/clients/${kind}`, form);
      assert.equal(res.status, 400, what);
      assert.match(textOf(res.text, `#f-${field}-err`) || textOf(res.text, '.invalid-feedback'), message, what);
    }
    const unknown = await c.post('/settings/clients/group', { name: 'X', color: 'red' });
    assert.equal(unknown.status, 400);
    assert.match(textOf(unknown.text, '.alert-danger'), /champ inattendu/);
    assert.deepEqual(await rows('clientAttributes'), before);
    assert.equal((await c.post('/settings/clients/template', { name: 'Fantôme', attributeIds: ['99999999'] })).status, 404);
  });

  it('deletes an attribute and the values typed for it', async () => {
    const c = await supervisor();
    const regime = (await rows<{ id: string; label: string }>('clientAttributes')).find((a) => a.label === 'Régime fiscal')!;
    assert.equal((await c.post(`/settings/clients/attribute/${regime.id}/delete`)).status, 303);
    const left = await inFirm(app.db.owner, 'compta', (trx, firmId) => trx('clients').where({ firmId }).whereRaw('custom_values -> ? IS NOT NULL', [regime.id]).count({ n: '*' }).first());
    assert.equal(Number(left?.n), 0);
  });

  it('is for the supervisor only (403), and another firm\'s items do not exist (404)', async () => {
    for (const who of ['collaborateur', 'client']) {
      const c = app.client();
      await c.login(who);
      await c.get('/account');
      assert.equal((await c.get('/settings/clients')).status, 403, who);
      assert.equal((await c.post('/settings/clients/group', { name: 'Intrus' })).status, 403, who);
    }
    const diagGroup = (await rows<{ id: string }>('clientGroups', 'diag'))[0]!;
    const c = await supervisor();
    assert.equal((await c.post(`/settings/clients/group/${diagGroup.id}`, { name: 'Piraté' })).status, 404);
    assert.equal((await c.post(`/settings/clients/group/${diagGroup.id}/delete`)).status, 404);
    assert.equal((await c.get(`/settings/clients?kind=group&edit=${diagGroup.id}`)).status, 404);
    assert.notEqual((await rows<{ name: string }>('clientGroups', 'diag'))[0]!.name, 'Piraté');
  });
});
