// Documents (D1–D3, D7): folder trees and templates, permissions with cascade and "voir comme",
// uploads and downloads against a real file store, the trash, ZIPs — for every role, every firm.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { describe, it } from 'node:test';
import yauzl from 'yauzl';
import { withFirm } from '../../src/db/withFirm.ts';
import { reconcileStorage } from '../../src/modules/documents/reconcile.ts';
import { suiteAppWithSmtp } from '../support/app.ts';
import { EXE, storedFiles, TINY_PDF as PDF } from '../support/files.ts';
import { SOPHIE } from '../support/demo.ts';
import { inFirm, userOf } from '../support/firmdb.ts';
import { unescapeHtml, type Client } from '../support/http.ts';


describe('documents (D1–D3, D7)', () => {
  const suite = suiteAppWithSmtp();
  const owner = () => suite.app.db.owner;
  const signedIn = (who: string, firm = 'compta'): Promise<Client> => suite.app.signedIn(who, firm, '/');
  const clientId = (number: number, firm = 'compta') => inFirm(owner(), firm, async (trx, firmId) => String((await trx('clients').where({ firmId, number }).first('id'))!.id));
  const folderId = (client: string, name: string) =>
    inFirm(owner(), 'compta', async (trx, firmId) => String((await trx('folders').where({ firmId, clientId: client, name }).first('id'))!.id));
  const storedCount = () => storedFiles(suite.app.filesDir);
  const flashOf = async (c: Client, location: string | undefined) => unescapeHtml((await c.get(location!)).text);
  const upload = async (c: Client, client: string, folder: string, files: { filename: string; type: string; data: Buffer }[], fields: Record<string, string> = {}) => {
    await c.get(`/clients/${client}/files?folder=${folder}`).catch(() => undefined);
    if (!c.csrf) await c.get('/');
    return c.postMultipart(`/documents/${client}/folders/${folder}/upload?_csrf=${encodeURIComponent(c.csrf)}`, { ...fields, files });
  };

  it('shows staff the client tree from the template, and a contact only the folders open to them', async () => {
    const boulangerie = await clientId(3310);
    const helene = await signedIn('superviseur');
    const staffPage = unescapeHtml((await helene.get(`/clients/${boulangerie}/files`)).text);
    for (const name of ['Bilans et liasses fiscales', 'TVA', 'Pièces à fournir', 'Documents internes du cabinet']) assert.ok(staffPage.includes(name), name);

    const sophie = await signedIn(SOPHIE);
    const list = await sophie.get('/documents');
    assert.equal(list.status, 303);
    assert.equal(list.location, `/documents/${boulangerie}`);
    const contactPage = unescapeHtml((await sophie.get(list.location!)).text);
    assert.ok(contactPage.includes('Bilans et liasses fiscales'));
    assert.ok(!contactPage.includes('Documents internes du cabinet'), 'a folder closed to contacts is not even named');
    const internal = await folderId(boulangerie, 'Documents internes du cabinet');
    assert.equal((await sophie.get(`/documents/${boulangerie}?folder=${internal}`)).status, 404);
  });

  it('hides closed folders from a contact in the database too, whatever the query', async () => {
    const boulangerie = await clientId(3310);
    const sophie = await userOf(owner(), 'compta', 'client');
    const firm = sophie.firmId;
    const seen = await withFirm(suite.app.running.deps.db, firm, (trx) => trx('folders').where({ firmId: firm }).pluck('name'), { id: sophie.id, role: 'contact' });
    assert.ok(seen.includes('Bilans et liasses fiscales'));
    assert.ok(!seen.includes('Documents internes du cabinet'));
    // Another client's folders are not hers either.
    const others = await withFirm(suite.app.running.deps.db, firm, (trx) => trx('folders').where({ firmId: firm }).whereNot('clientId', boulangerie).count({ n: '*' }), { id: sophie.id, role: 'contact' });
    assert.equal(Number(others[0]!.n), 0);
  });

  it('uploads a PDF to disk and lets the contact download it under its name, counted and logged', async () => {
    const boulangerie = await clientId(3310);
    const bilans = await folderId(boulangerie, 'Bilans et liasses fiscales');
    const julien = await signedIn('collaborateur');
    const before = storedCount();
    const res = await upload(julien, boulangerie, bilans, [{ filename: 'Bilan 2025 « définitif ».pdf', type: 'application/pdf', data: PDF }], { title: 'Bilan 2025', comment: 'Version signée' });
    assert.equal(res.status, 303);
    assert.match(await flashOf(julien, res.location), /1 fichier déposé/);
    assert.equal(storedCount(), before + 1);
    const file = (await inFirm(owner(), 'compta', (trx, firmId) => trx('files').where({ firmId, folderId: bilans }).orderBy('id', 'desc').first()))!;
    assert.equal(file.name, 'Bilan 2025 « définitif ».pdf');
    assert.equal(file.kind, 'pdf');
    assert.equal(file.title, 'Bilan 2025');

    const sophie = await signedIn(SOPHIE);
    const page = unescapeHtml((await sophie.get(`/documents/${boulangerie}?folder=${bilans}`)).text);
    assert.ok(page.includes('Bilan 2025'));
    const dl = await sophie.get(`/files/${file.id}/download`);
    assert.equal(dl.status, 200);
    assert.deepEqual(dl.body, PDF);
    assert.equal(dl.headers['content-type'], 'application/pdf');
    assert.equal(dl.headers['x-content-type-options'], 'nosniff');
    assert.match(String(dl.headers['content-disposition']), /^attachment; filename=".*"; filename\*=UTF-8''Bilan%202025%20%C2%AB%20d%C3%A9finitif%20%C2%BB\.pdf$/);

    const after = (await inFirm(owner(), 'compta', (trx, firmId) => trx('files').where({ firmId, id: file.id }).first()))!;
    assert.equal(after.downloadCount, 1);
    assert.ok(after.clientDownloadedAt, 'a contact\'s download marks the file "Téléchargé"');
    const details = unescapeHtml((await julien.get(`/files/${file.id}`)).text);
    assert.ok(details.includes('Sophie Despéries'), 'the access history names the contact');
    assert.ok(details.includes('Fichier téléchargé'));
  });

  it('refuses an .exe renamed .pdf, an empty file and a name with "../", leaving nothing behind', async () => {
    const boulangerie = await clientId(3310);
    const bilans = await folderId(boulangerie, 'Bilans et liasses fiscales');
    const julien = await signedIn('collaborateur');
    const rows = () => inFirm(owner(), 'compta', async (trx, firmId) => Number((await trx('files').where({ firmId }).count({ n: '*' }))[0]!.n));
    const [filesBefore, rowsBefore] = [storedCount(), await rows()];

    const exe = await upload(julien, boulangerie, bilans, [{ filename: 'facture.pdf', type: 'application/pdf', data: EXE }]);
    assert.match(await flashOf(julien, exe.location), /Ce type de fichier n'est pas accepté/);
    const empty = await upload(julien, boulangerie, bilans, [{ filename: 'vide.pdf', type: 'application/pdf', data: Buffer.alloc(0) }]);
    assert.match(await flashOf(julien, empty.location), /Le fichier est vide/);
    const sneaky = await upload(julien, boulangerie, bilans, [{ filename: 'ok.pdf', type: 'application/pdf', data: PDF }], { name: '../../etc/passwd' });
    assert.match(await flashOf(julien, sneaky.location), /ne peut pas contenir « \/ »/);
    // One good file and one bad: all or nothing.
    const mixed = await upload(julien, boulangerie, bilans, [
      { filename: 'a.pdf', type: 'application/pdf', data: PDF },
      { filename: 'b.pdf', type: 'application/pdf', data: EXE },
    ]);
    assert.match(await flashOf(julien, mixed.location), /n'est pas accepté/);

    assert.equal(storedCount(), filesBefore, 'no file left on disk');
    assert.equal(await rows(), rowsBefore, 'no row written');
  });

  it('keeps nothing of an upload cut off halfway', async () => {
    const boulangerie = await clientId(3310);
    const bilans = await folderId(boulangerie, 'Bilans et liasses fiscales');
    const julien = await signedIn('collaborateur');
    await julien.get(`/clients/${boulangerie}/files?folder=${bilans}`);
    const rows = () => inFirm(owner(), 'compta', async (trx, firmId) => Number((await trx('files').where({ firmId }).count({ n: '*' }))[0]!.n));
    const [filesBefore, rowsBefore] = [storedCount(), await rows()];
    const boundary = 'coupure';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="gros.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n`);
    await new Promise<void>((resolve) => {
      const req = http.request({
        host: '127.0.0.1', port: suite.app.port, method: 'POST', path: `/documents/${boulangerie}/folders/${bilans}/upload?_csrf=${encodeURIComponent(julien.csrf)}`,
        headers: { host: `compta.localhost:${suite.app.port}`, cookie: [...julien.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(10 * 1024 * 1024) },
      });
      req.on('error', () => resolve());
      req.write(head);
      req.write(Buffer.alloc(512 * 1024, 7), () => setTimeout(() => { req.destroy(); resolve(); }, 200));
    });
    // The server notices the cut and cleans up: poll briefly rather than guess how long it takes.
    const temp = () => fs.readdirSync(suite.app.filesDir, { recursive: true }).filter((f) => String(f).endsWith('.part')).length;
    for (let i = 0; i < 50 && temp() > 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(temp(), 0, 'no temporary file left');
    assert.equal(storedCount(), filesBefore);
    assert.equal(await rows(), rowsBefore);
    // And the app still answers.
    assert.equal((await julien.get(`/clients/${boulangerie}/files?folder=${bilans}`)).status, 200);
  });

  it('keeps a contact out of folders they may only read, and other clients and firms out of everything', async () => {
    const boulangerie = await clientId(3310);
    const bilans = await folderId(boulangerie, 'Bilans et liasses fiscales');
    const pieces = await folderId(boulangerie, 'Pièces à fournir');
    const sophie = await signedIn(SOPHIE);
    // "Pièces à fournir" is Total for contacts: she may upload there, not in "Bilans".
    assert.equal((await upload(sophie, boulangerie, pieces, [{ filename: 'Relevé.pdf', type: 'application/pdf', data: PDF }])).status, 303);
    assert.equal((await upload(sophie, boulangerie, bilans, [{ filename: 'x.pdf', type: 'application/pdf', data: PDF }])).status, 403);
    // Staff pages are not hers.
    assert.equal((await sophie.get(`/documents/${boulangerie}/permissions`)).status, 404);
    assert.equal((await sophie.get(`/clients/${boulangerie}/files`)).status, 403);

    const file = (await inFirm(owner(), 'compta', (trx, firmId) => trx('files').where({ firmId, folderId: pieces }).first('id')))!;
    // Another client's contact, a diag user, a collaborator without access: all 404.
    const other = await clientId(3315);
    const otherFolder = await folderId(other, 'Pièces à fournir');
    assert.equal((await sophie.get(`/documents/${other}?folder=${otherFolder}`)).status, 404);
    const nathalie = await signedIn('client', 'diag');
    assert.equal((await nathalie.get(`/files/${file.id}/download`)).status, 404);
    const diagBoss = await signedIn('superviseur', 'diag');
    assert.equal((await diagBoss.get(`/files/${file.id}/download`)).status, 404);
    assert.equal((await diagBoss.get(`/clients/${boulangerie}/files`)).status, 404);
  });

  it('applies per-person permissions, cascades them to sub-folders and shows the tree "comme" the contact', async () => {
    const boulangerie = await clientId(3310);
    const declarations = await folderId(boulangerie, 'Déclarations fiscales');
    const sophieRow = await userOf(owner(), 'compta', 'client');
    const helene = await signedIn('superviseur');
    const page = await helene.get(`/documents/${boulangerie}/permissions?folder=${declarations}`);
    assert.equal(page.status, 200);
    const saved = await helene.post(`/documents/${boulangerie}/permissions/${declarations}`, { contactLevel: 'read', staffLevel: 'full', [`user_${sophieRow.id}`]: 'none' });
    assert.equal(saved.status, 303);
    const sophie = await signedIn(SOPHIE);
    let seen = unescapeHtml((await sophie.get(`/documents/${boulangerie}`)).text);
    assert.ok(!seen.includes('Déclarations fiscales'));
    assert.ok(seen.includes('TVA'), 'sub-folders keep their own permissions until cascaded');

    const cascade = await helene.post(`/documents/${boulangerie}/permissions/${declarations}/cascade`);
    assert.match(await flashOf(helene, cascade.location), /Droits appliqués à 2 sous-dossiers/);
    seen = unescapeHtml((await sophie.get(`/documents/${boulangerie}`)).text);
    assert.ok(!seen.includes('TVA') && !seen.includes('Impôt sur les sociétés'));

    const asHer = unescapeHtml((await helene.get(`/clients/${boulangerie}/files?as=${sophieRow.id}`)).text);
    assert.ok(asHer.includes('Vous voyez les documents comme Sophie Despéries (contact)'));
    assert.ok(!asHer.includes('TVA') && !asHer.includes('Documents internes du cabinet'));
    // A collaborator who may only read the client cannot change permissions; bad levels are refused.
    const bad = await helene.post(`/documents/${boulangerie}/permissions/${declarations}`, { contactLevel: 'everything', staffLevel: 'full' });
    assert.equal(bad.status, 400);
  });

  it('creates, renames, moves and deletes folders, asking first when one is not empty', async () => {
    const boulangerie = await clientId(3310);
    const social = await folderId(boulangerie, 'Social');
    const julien = await signedIn('collaborateur');
    await julien.get(`/clients/${boulangerie}/files`);
    const created = await julien.post(`/documents/${boulangerie}/folders`, { name: 'Contrats', parent: social });
    assert.equal(created.status, 303);
    const dup = await julien.post(`/documents/${boulangerie}/folders`, { name: 'contrats', parent: social });
    assert.equal(dup.status, 400);
    assert.ok(unescapeHtml(dup.text).includes('Un répertoire de ce nom existe déjà'));
    assert.equal((await julien.post(`/documents/${boulangerie}/folders`, { name: '../x', parent: social })).status, 400);
    const contrats = await folderId(boulangerie, 'Contrats');
    assert.equal((await julien.post(`/documents/${boulangerie}/folders/${contrats}/rename`, { name: 'Contrats de travail' })).status, 303);
    assert.equal((await julien.post(`/documents/${boulangerie}/folders/${social}/move`, { parent: contrats })).status, 400, 'not into its own sub-folder');
    await upload(julien, boulangerie, contrats, [{ filename: 'CDI.pdf', type: 'application/pdf', data: PDF }]);
    const stored = storedCount();
    const ask = await julien.post(`/documents/${boulangerie}/folders/${contrats}/delete`);
    assert.equal(ask.status, 200);
    assert.ok(unescapeHtml(ask.text).includes('1 fichier(s)'));
    const gone = await julien.post(`/documents/${boulangerie}/folders/${contrats}/delete`, { confirm: 'yes' });
    assert.equal(gone.status, 303);
    assert.equal(storedCount(), stored - 1, 'the stored file goes with its folder');
  });

  it('puts deleted files in a trash that staff restore from and a supervisor empties', async () => {
    const boulangerie = await clientId(3310);
    const tva = await folderId(boulangerie, 'TVA');
    const julien = await signedIn('collaborateur');
    await upload(julien, boulangerie, tva, [{ filename: 'TVA T3.pdf', type: 'application/pdf', data: PDF }]);
    const file = (await inFirm(owner(), 'compta', (trx, firmId) => trx('files').where({ firmId, folderId: tva, name: 'TVA T3.pdf' }).first('id')))!;
    assert.equal((await julien.post(`/files/${file.id}/delete`)).status, 303);
    assert.equal((await julien.get(`/files/${file.id}/download`)).status, 404, 'a trashed file cannot be downloaded');
    assert.ok(unescapeHtml((await julien.get(`/clients/${boulangerie}/files/trash`)).text).includes('TVA T3.pdf'));
    assert.equal((await julien.post(`/files/${file.id}/restore`)).status, 303);
    assert.equal((await julien.get(`/files/${file.id}/download`)).status, 200);
    await julien.post(`/files/${file.id}/delete`);
    assert.equal((await julien.post(`/clients/${boulangerie}/files/trash/empty`)).status, 403, 'only a supervisor empties the trash');
    const helene = await signedIn('superviseur');
    await helene.get(`/clients/${boulangerie}/files/trash`);
    const stored = storedCount();
    assert.equal((await helene.post(`/clients/${boulangerie}/files/trash/empty`)).status, 303);
    assert.equal(storedCount(), stored - 1);
  });

  it('streams a folder as a ZIP with only what the person may read', async () => {
    const boulangerie = await clientId(3310);
    const social = await folderId(boulangerie, 'Social');
    const paie = await folderId(boulangerie, 'Bulletins de paie');
    const julien = await signedIn('collaborateur');
    await upload(julien, boulangerie, social, [{ filename: 'Registre.pdf', type: 'application/pdf', data: PDF }]);
    await upload(julien, boulangerie, paie, [{ filename: 'Paie janvier.pdf', type: 'application/pdf', data: PDF }]);
    const zipOf = async (c: Client) => {
      const res = await c.get(`/documents/${boulangerie}/folders/${social}/zip`);
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/zip');
      return entryNames(res.body);
    };
    assert.deepEqual((await zipOf(julien)).sort(), ['Bulletins de paie/Paie janvier.pdf', 'Registre.pdf']);
    const helene = await signedIn('superviseur');
    const sophieRow = await userOf(owner(), 'compta', 'client');
    await helene.get(`/documents/${boulangerie}/permissions?folder=${paie}`);
    await helene.post(`/documents/${boulangerie}/permissions/${paie}`, { contactLevel: 'read', staffLevel: 'full', [`user_${sophieRow.id}`]: 'none' });
    const sophie = await signedIn(SOPHIE);
    assert.deepEqual(await zipOf(sophie), ['Registre.pdf'], 'a sub-folder closed to her is not in her ZIP');
  });

  it('lets the supervisor build tree templates, and no one else', async () => {
    const helene = await signedIn('superviseur');
    await helene.get('/settings/folders');
    const created = await helene.post('/settings/folders', { name: 'Création d’entreprise' });
    assert.equal(created.status, 303);
    const id = created.location!.split('/').pop()!;
    assert.equal((await helene.post(`/settings/folders/${id}/nodes`, { name: 'Statuts', parent: '', contactLevel: 'read', staffLevel: 'full' })).status, 303);
    assert.equal((await helene.post(`/settings/folders/${id}/nodes`, { name: 'statuts', parent: '', contactLevel: 'read', staffLevel: 'full' })).status, 400);
    assert.equal((await helene.post('/settings/folders', { name: 'création d’entreprise' })).status, 400);
    assert.ok(unescapeHtml((await helene.get(`/settings/folders/${id}`)).text).includes('Statuts'));

    const boulangerie = await clientId(3310);
    await helene.get(`/clients/${boulangerie}/files`);
    const applied = await helene.post(`/documents/${boulangerie}/template`, { template: id });
    assert.match(await flashOf(helene, applied.location), /1 répertoire ajouté/);

    const julien = await signedIn('collaborateur');
    assert.equal((await julien.get('/settings/folders')).status, 403);
    const diagBoss = await signedIn('superviseur', 'diag');
    assert.equal((await diagBoss.get(`/settings/folders/${id}`)).status, 404);
  });
  it('lists the client\'s document activity, searchable by file name, format, sub-folder, period and type', async () => {
    const boulangerie = await clientId(3310);
    const julien = await signedIn('collaborateur');
    const all = unescapeHtml((await julien.get(`/clients/${boulangerie}/activities`)).text);
    assert.ok(all.includes('Fichier déposé') && all.includes('Fichier téléchargé'));
    const rowsOf = (html: string) => unescapeHtml(/<tbody>([\s\S]*)<\/tbody>/.exec(html)?.[1] ?? '');
    const byName = rowsOf((await julien.get(`/clients/${boulangerie}/activities?q=definitif&type=downloaded`)).text);
    assert.ok(byName.includes('Bilan 2025 « définitif ».pdf'), 'accents ignored');
    assert.ok(!byName.includes('Fichier déposé'));
    const none = unescapeHtml((await julien.get(`/clients/${boulangerie}/activities?format=docx`)).text);
    assert.ok(none.includes('Aucune activité ne correspond.'));
    const future = unescapeHtml((await julien.get(`/clients/${boulangerie}/activities?from=2099-01-01`)).text);
    assert.ok(future.includes('Aucune activité ne correspond.'));
    const folder = rowsOf((await julien.get(`/clients/${boulangerie}/activities?folder=${encodeURIComponent('Bilans et liasses fiscales')}`)).text);
    assert.ok(folder.includes('Bilan 2025') && !folder.includes('TVA T3.pdf'));
    assert.equal((await (await signedIn(SOPHIE)).get(`/clients/${boulangerie}/activities`)).status, 403);
    assert.equal((await (await signedIn('superviseur', 'diag')).get(`/clients/${boulangerie}/activities`)).status, 404);
  });
});

function entryNames(zip: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, file) => {
      if (err || !file) return reject(err);
      const names: string[] = [];
      file.on('entry', (e: yauzl.Entry) => {
        if (!e.fileName.endsWith('/')) names.push(e.fileName);
        file.readEntry();
      });
      file.on('end', () => resolve(names));
      file.on('error', reject);
      file.readEntry();
    });
  });
}

describe('file storage after a crash', () => {
  const suite = suiteAppWithSmtp();

  it('removes files stored without a row and half-written uploads, and keeps every file a row names', async () => {
    const julien = suite.app.client('compta');
    await julien.login('collaborateur');
    const boulangerie = await inFirm(suite.app.db.owner, 'compta', async (trx, firmId) => String((await trx('clients').where({ firmId, number: 3310 }).first('id'))!.id));
    const bilans = await inFirm(suite.app.db.owner, 'compta', async (trx, firmId) => String((await trx('folders').where({ firmId, clientId: boulangerie, name: 'Bilans et liasses fiscales' }).first('id'))!.id));
    await julien.get(`/clients/${boulangerie}/files?folder=${bilans}`);
    await julien.postMultipart(`/documents/${boulangerie}/folders/${bilans}/upload?_csrf=${encodeURIComponent(julien.csrf)}`, { files: { filename: 'gardé.pdf', type: 'application/pdf', data: PDF } });
    const kept = (await inFirm(suite.app.db.owner, 'compta', (trx, firmId) => trx('files').where({ firmId, name: 'gardé.pdf' }).first('storageKey')))!.storageKey;

    // What a process killed between the rename and the commit, or mid-upload, leaves behind.
    const firmDir = path.join(suite.app.filesDir, (await userOf(suite.app.db.owner, 'compta', 'superviseur')).firmId);
    const orphan = 'ab'.repeat(16);
    fs.mkdirSync(path.join(firmDir, 'ab', 'ab'), { recursive: true });
    fs.writeFileSync(path.join(firmDir, 'ab', 'ab', orphan), 'orphan');
    fs.writeFileSync(path.join(firmDir, '.tmp', 'cd'.repeat(16) + '.part'), 'half');
    fs.mkdirSync(path.join(firmDir, '.stamped'), { recursive: true });
    fs.writeFileSync(path.join(firmDir, '.stamped', 'ef'.repeat(32) + '.pdf'), 'old stamped copy');
    const result = await reconcileStorage(suite.app.running.deps, { orphanAgeMs: 0, tempAgeMs: 0, stampedAgeMs: 0 });
    assert.deepEqual(result, { orphans: 1, temporaries: 1, stamped: 1 });
    assert.ok(!fs.existsSync(path.join(firmDir, 'ab', 'ab', orphan)));
    assert.ok(fs.existsSync(path.join(firmDir, kept.slice(0, 2), kept.slice(2, 4), kept)), 'a file with its row stays');
    const mailKeys = await inFirm(suite.app.db.owner, 'compta', (trx, firmId) => trx('mailItems').where({ firmId }).select('storageKey')).then((rows) => rows.map((r: { storageKey: string }) => r.storageKey));
    assert.ok(mailKeys.length >= 2, 'the demo mail is stored');
    for (const key of mailKeys) assert.ok(fs.existsSync(path.join(firmDir, key.slice(0, 2), key.slice(2, 4), key)), 'mail documents are files with a row too');
  });
});

describe('the firm\'s upload settings', () => {
  const suite = suiteAppWithSmtp();

  it('narrows the kinds and the size a firm accepts, and refuses bad settings without changing anything', async () => {
    const helene = suite.app.client('compta');
    await helene.login('superviseur');
    await helene.get('/settings/folders');
    assert.equal((await helene.post('/settings/folders/uploads', { uploadMaxMb: '0', uploadKinds: ['pdf'] })).status, 400);
    const none = await helene.post('/settings/folders/uploads', { uploadMaxMb: '5' });
    assert.equal(none.status, 400);
    assert.ok(unescapeHtml(none.text).includes('Cochez au moins un type de fichier.'));
    assert.equal((await helene.post('/settings/folders/uploads', { uploadMaxMb: '1', uploadKinds: ['pdf'] })).status, 303);
    const firm = await suite.app.db.owner('firms').where({ slug: 'compta' }).first('uploadMaxMb', 'uploadKinds');
    assert.deepEqual(firm, { uploadMaxMb: 1, uploadKinds: ['pdf'] });

    const boulangerie = await inFirm(suite.app.db.owner, 'compta', async (trx, firmId) => String((await trx('clients').where({ firmId, number: 3310 }).first('id'))!.id));
    const bilans = await inFirm(suite.app.db.owner, 'compta', async (trx, firmId) => String((await trx('folders').where({ firmId, clientId: boulangerie, name: 'Bilans et liasses fiscales' }).first('id'))!.id));
    await helene.get(`/clients/${boulangerie}/files?folder=${bilans}`);
    const up = (filename: string, type: string, data: Buffer) => helene.postMultipart(`/documents/${boulangerie}/folders/${bilans}/upload?_csrf=${encodeURIComponent(helene.csrf)}`, { files: { filename, type, data } });
    const big = await up('gros.pdf', 'application/pdf', Buffer.concat([PDF, Buffer.alloc(1024 * 1024)]));
    assert.match(unescapeHtml((await helene.get(big.location!)).text), /trop volumineux/);
    const text = await up('notes.txt', 'text/plain', Buffer.from('Bonjour, voici mes notes.'));
    assert.match(unescapeHtml((await helene.get(text.location!)).text), /Ce type de fichier n'est pas accepté/);
    const ok = await up('petit.pdf', 'application/pdf', PDF);
    assert.match(unescapeHtml((await helene.get(ok.location!)).text), /1 fichier déposé/);

    const julien = suite.app.client('compta');
    await julien.login('collaborateur');
    assert.equal((await julien.post('/settings/folders/uploads', { uploadMaxMb: '50', uploadKinds: ['pdf'] })).status, 403);
  });
});

describe('the documentation space (D4)', () => {
  const suite = suiteAppWithSmtp();
  const signedIn = (who: string, firm = 'compta'): Promise<Client> => suite.app.signedIn(who, firm, '/documentation');
  const publishAs = (c: Client, fields: Record<string, string>, data = PDF) =>
    c.postMultipart(`/documentation?_csrf=${encodeURIComponent(c.csrf)}`, { ...fields, file: { filename: 'Notice fiscalité.pdf', type: 'application/pdf', data } });
  const stored = () => storedFiles(suite.app.filesDir);
  const idOf = async (title: string) => String((await inFirm(suite.app.db.owner, 'compta', (trx, firmId) => trx('publications').where({ firmId, title }).first('id')))!.id);

  it('publishes to clients, to staff or to both, and each reader sees only what is meant for them', async () => {
    const helene = await signedIn('superviseur');
    assert.equal((await publishAs(helene, { title: 'Notice fiscalité 2026', summary: 'Les nouveautés de la loi de finances.', category: 'Notices', audience: 'clients' })).status, 303);
    assert.equal((await publishAs(helene, { title: 'Procédure interne de clôture', summary: '', category: 'Cabinet', audience: 'staff' })).status, 303);

    const sophie = await signedIn(SOPHIE);
    const page = unescapeHtml((await sophie.get('/documentation?q=notice+fiscalite')).text);
    assert.ok(page.includes('Notice fiscalité 2026'), 'found without its accents');
    assert.ok(!unescapeHtml((await sophie.get('/documentation')).text).includes('Procédure interne'));
    assert.equal((await sophie.get(`/documentation/${await idOf('Notice fiscalité 2026')}/download`)).status, 200);
    assert.equal((await sophie.get(`/documentation/${await idOf('Procédure interne de clôture')}/download`)).status, 404);
    assert.match(unescapeHtml((await sophie.get('/')).text), /1 nouveau document dans la Documentation/);
    const sophieRow = await userOf(suite.app.db.owner, 'compta', 'client');
    const seen = await withFirm(suite.app.running.deps.db, sophieRow.firmId, (trx) => trx('publications').where({ firmId: sophieRow.firmId }).select('title'), { id: sophieRow.id, role: 'contact' });
    assert.deepEqual(seen.map((r: { title: string }) => r.title), ['Notice fiscalité 2026'], 'the database shows a contact only what is published to clients');

    const julien = await signedIn('collaborateur');
    const staffPage = unescapeHtml((await julien.get('/documentation')).text);
    assert.ok(staffPage.includes('Procédure interne de clôture') && !staffPage.includes('Notice fiscalité 2026'));
    const diag = await signedIn('superviseur', 'diag');
    assert.equal((await diag.get(`/documentation/${await idOf('Procédure interne de clôture')}/download`)).status, 404);
  });

  it('refuses a publication without a title, from a collaborator, or of a refused type, leaving nothing behind', async () => {
    const helene = await signedIn('superviseur');
    const before = stored();
    const noTitle = await publishAs(helene, { title: '', summary: '', category: '', audience: 'all' });
    assert.equal(noTitle.status, 400);
    const exe = await publishAs(helene, { title: 'Outil', summary: '', category: '', audience: 'all' }, EXE);
    assert.equal(exe.status, 415);
    assert.ok(unescapeHtml(exe.text).includes("Ce type de fichier n'est pas accepté"));
    const julien = await signedIn('collaborateur');
    assert.equal((await publishAs(julien, { title: 'Pirate', summary: '', category: '', audience: 'all' })).status, 403);
    assert.equal(stored(), before);
    const rows = await inFirm(suite.app.db.owner, 'compta', (trx, firmId) => trx('publications').where({ firmId }).whereIn('title', ['Outil', 'Pirate']).count({ n: '*' }));
    assert.equal(Number(rows[0]!.n), 0);
  });

  it('lets the supervisor withdraw a document, file included', async () => {
    const helene = await signedIn('superviseur');
    await publishAs(helene, { title: 'Statistiques 2025', summary: '', category: 'Statistiques', audience: 'all' });
    const before = stored();
    const id = await idOf('Statistiques 2025');
    const julien = await signedIn('collaborateur');
    assert.equal((await julien.post(`/documentation/${id}/delete`)).status, 403);
    assert.equal((await helene.post(`/documentation/${id}/delete`)).status, 303);
    assert.equal(stored(), before - 1);
    assert.equal((await julien.get(`/documentation/${id}/download`)).status, 404);
  });
});

describe('document routes refuse the wrong role and other firms', () => {
  const suite = suiteAppWithSmtp();

  it('answers 404 to another firm and refuses a contact every staff action, changing nothing', async () => {
    const owner = suite.app.db.owner;
    const boulangerie = await inFirm(owner, 'compta', async (trx, firmId) => String((await trx('clients').where({ firmId, number: 3310 }).first('id'))!.id));
    const bilans = await inFirm(owner, 'compta', async (trx, firmId) => String((await trx('folders').where({ firmId, clientId: boulangerie, name: 'Bilans et liasses fiscales' }).first('id'))!.id));
    const template = await inFirm(owner, 'compta', async (trx, firmId) => String((await trx('folderTemplates').where({ firmId }).first('id'))!.id));
    const julien = suite.app.client('compta');
    await julien.login('collaborateur');
    await julien.get(`/clients/${boulangerie}/files?folder=${bilans}`);
    await julien.postMultipart(`/documents/${boulangerie}/folders/${bilans}/upload?_csrf=${encodeURIComponent(julien.csrf)}`, { files: { filename: 'Matrice.pdf', type: 'application/pdf', data: PDF } });
    const file = await inFirm(owner, 'compta', async (trx, firmId) => String((await trx('files').where({ firmId, name: 'Matrice.pdf' }).first('id'))!.id));
    const staffPosts: [string, Record<string, string>][] = [
      [`/documents/${boulangerie}/folders`, { name: 'Intrus', parent: '' }],
      [`/documents/${boulangerie}/folders/${bilans}/rename`, { name: 'Intrus' }],
      [`/documents/${boulangerie}/folders/${bilans}/move`, { parent: '' }],
      [`/documents/${boulangerie}/folders/${bilans}/delete`, { confirm: 'yes' }],
      [`/documents/${boulangerie}/template`, { template }],
      [`/documents/${boulangerie}/permissions/${bilans}`, { contactLevel: 'none', staffLevel: 'none' }],
      [`/documents/${boulangerie}/permissions/${bilans}/cascade`, {}],
      [`/files/${file}`, { title: 'Intrus', comment: '' }],
      [`/files/${file}/delete`, {}],
      [`/clients/${boulangerie}/files/trash/empty`, {}],
    ];
    const staffGets = [`/clients/${boulangerie}/files`, `/documents/${boulangerie}/permissions`, `/files/${file}`, `/files/${file}/download`, `/clients/${boulangerie}/files/trash`, `/clients/${boulangerie}/activities`, `/documents/${boulangerie}/folders/${bilans}/zip`, `/settings/folders/${template}`];

    const diag = suite.app.client('diag');
    await diag.login('superviseur');
    await diag.get('/account');
    for (const [path, body] of staffPosts) assert.equal((await diag.post(path, body)).status, 404, `other firm: POST ${path}`);
    for (const path of staffGets) assert.equal((await diag.get(path)).status, 404, `other firm: GET ${path}`);

    const sophie = suite.app.client('compta');
    await sophie.login(SOPHIE);
    await sophie.get('/account');
    for (const [path, body] of staffPosts) assert.ok([403, 404].includes((await sophie.post(path, body)).status), `contact: POST ${path}`);
    for (const path of [`/clients/${boulangerie}/files`, `/documents/${boulangerie}/permissions`, `/files/${file}`, `/clients/${boulangerie}/files/trash`, `/clients/${boulangerie}/activities`, `/settings/folders`]) {
      assert.ok([403, 404].includes((await sophie.get(path)).status), `contact: GET ${path}`);
    }

    const after = await inFirm(owner, 'compta', async (trx, firmId) => ({
      folder: await trx('folders').where({ firmId, id: bilans }).first('name', 'parentId', 'contactLevel'),
      file: await trx('files').where({ firmId, id: file }).first('title', 'deletedAt'),
      intruders: Number((await trx('folders').where({ firmId, name: 'Intrus' }).count({ n: '*' }))[0]!.n),
    }));
    assert.deepEqual(after, { folder: { name: 'Bilans et liasses fiscales', parentId: null, contactLevel: 'read' }, file: { title: '', deletedAt: null }, intruders: 0 });
  });
});
