import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/http.ts';

describe('client list export to Excel (B8)', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  async function signedIn(who: string): Promise<Client> {
    const c = app.client();
    await c.login(who);
    return c;
  }

  async function workbook(c: Client, query: string) {
    const res = await c.get(`/clients/export.xlsx${query}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="Clients \d{4}-\d{2}-\d{2}\.xlsx"/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as unknown as ArrayBuffer);
    return wb.worksheets[0]!;
  }

  const headers = (ws: ExcelJS.Worksheet) => (ws.getRow(1).values as unknown[]).slice(1);
  const column = (ws: ExcelJS.Worksheet, header: string) => headers(ws).indexOf(header) + 1;

  it('exports every visible client with every column, typed, a header row, frozen panes and an autofilter', async () => {
    const ws = await workbook(await signedIn('superviseur'), '?sort=number');
    assert.equal(ws.rowCount, 13, 'a header and the 12 active clients');
    const h = headers(ws);
    for (const expected of ['N° client', 'Nom', 'SIRET', 'SIREN', 'Début d\'activité le', 'Client depuis le', 'Collaborateur', 'Groupe', 'Gestion commerciale bloquée', 'Régime fiscal', 'Date de clôture', 'Adhérent CGA', "Chiffre d'affaires N-1"]) {
      assert.ok(h.includes(expected), `column ${expected}`);
    }
    const first = ws.getRow(2);
    assert.equal(first.getCell(column(ws, 'N° client')).value, 1);
    assert.equal(first.getCell(column(ws, 'Nom')).value, 'CHAZEAU Christophe');
    assert.equal(first.getCell(column(ws, 'Collaborateur')).value, 'Julien Marty');
    const since = first.getCell(column(ws, 'Client depuis le')).value;
    assert.ok(since instanceof Date, 'dates are dates');
    assert.equal((since as Date).toISOString().slice(0, 10), '2012-01-01');
    assert.equal(first.getCell(column(ws, "Chiffre d'affaires N-1")).value, 84250);
    assert.equal(first.getCell(column(ws, 'Adhérent CGA')).value, true);
    const numbers = [];
    for (let r = 2; r <= ws.rowCount; r++) numbers.push(ws.getRow(r).getCell(1).value as number);
    assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b), 'in the order of the list');
    assert.equal(ws.views[0]?.state, 'frozen');
    assert.equal((ws.views[0] as { ySplit?: number }).ySplit, 1);
    assert.ok(ws.autoFilter, 'an autofilter on the header');
  });

  it('keeps the search and filters in force, and shows a collaborator only their clients', async () => {
    const c = await signedIn('superviseur');
    const found = await workbook(c, '?q=desperies');
    assert.equal(found.rowCount, 3);
    const collaborator = await workbook(await signedIn('collaborateur'), '');
    assert.equal(collaborator.rowCount, 8, 'a header and Julien Marty\'s 7 clients');
    const names: string[] = [];
    collaborator.eachRow((row, n) => n > 1 && names.push(String(row.getCell(2).value)));
    assert.ok(!names.includes('ESSAI Paul'));
    const trash = await workbook(c, '?view=trash');
    assert.equal(trash.rowCount, 1, 'only the header: the trash is empty');
  });

  it('is refused to a contact', async () => {
    const contact = await signedIn('client');
    assert.equal((await contact.get('/clients/export.xlsx')).status, 403);
  });
});
