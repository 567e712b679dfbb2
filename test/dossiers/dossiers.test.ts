// Dossiers (E1–E4) and unpaid management (D5, D8): created with their files, listed with their
// states, downloaded by the client's contact stamped while unpaid (read back with pdftotext),
// blocked when the firm says so, clean once paid; isolation by client and firm; bad input.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { buffer } from 'node:stream/consumers';
import ExcelJS from 'exceljs';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import yauzl from 'yauzl';
import { suiteAppWithSmtp } from '../support/app.ts';
import { storedFiles } from '../support/files.ts';
import { SOPHIE } from '../support/demo.ts';
import { inFirm } from '../support/firmdb.ts';
import { unescapeHtml, type Client, type UploadPart } from '../support/http.ts';

async function pdf(pages: number, label: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) doc.addPage([595, 842]).drawText(`${label} page ${i}`, { x: 60, y: 760, size: 14, font });
  return Buffer.from(await doc.save());
}
const ENCRYPTED = Buffer.from(
  '%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj\n3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>> endobj\n4 0 obj <</Filter/Standard/V 1/R 2/O(x)/U(y)/P -4>> endobj\ntrailer <</Root 1 0 R/Encrypt 4 0 R/Size 5>>\n%%EOF\n',
);
/** The entries of a ZIP, by name. */
function zipEntries(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, file) => {
      if (err || !file) return reject(err);
      const out = new Map<string, Buffer>();
      file.on('entry', (e: yauzl.Entry) => {
        file.openReadStream(e, async (e2, stream) => {
          if (e2 || !stream) return reject(e2);
          out.set(e.fileName, await buffer(stream));
          file.readEntry();
        });
      });
      file.on('end', () => resolve(out));
      file.on('error', reject);
      file.readEntry();
    });
  });
}

/** The text of each page of a PDF, as poppler reads it. */
function pagesText(bytes: Buffer): string[] {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pdftext-')), 'in.pdf');
  fs.writeFileSync(file, bytes);
  return execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' }).split('\f').filter((p) => p.trim());
}
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const today = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeZone: 'Europe/Paris' }).format(new Date());

describe('dossiers (E1–E4, D5, D8)', () => {
  const suite = suiteAppWithSmtp();
  const owner = () => suite.app.db.owner;
  const signedIn = (who: string, firm = 'compta'): Promise<Client> => suite.app.signedIn(who, firm, '/dossiers');
  const create = (c: Client, fields: Record<string, string>, files: UploadPart[]) => c.postMultipart(`/dossiers?_csrf=${encodeURIComponent(c.csrf)}`, { ...fields, files });
  const stored = () => storedFiles(suite.app.filesDir);
  const filesOf = (dossierId: string) => inFirm(owner(), 'compta', (trx, firmId) => trx('files').where({ firmId, dossierId }).orderBy('id').select('id', 'name', 'sha256', 'downloadCount'));
  const setFirm = async (fields: Record<string, unknown>) => {
    await owner()('firms').where({ slug: 'compta' }).update(fields);
    await suite.app.running.deps.firms.refresh();
  };

  let dossierId = '';
  let rapport: Buffer = Buffer.alloc(0);

  it('creates a dossier with its files in one form, and lists it as unpaid and not downloaded', async () => {
    const julien = await signedIn('collaborateur');
    rapport = await pdf(3, 'Bilan 2025');
    const res = await create(julien, { clientNumber: '3310', title: 'Bilan 2025', comments: 'Comptes annuels clos au 30/09/2025.', amount: '1 480,50', name: '', fileTitle: 'Bilan', fileComment: '' }, [
      { filename: 'Bilan 2025.pdf', type: 'application/pdf', data: rapport },
      { filename: 'Liasse fiscale 2025.pdf', type: 'application/pdf', data: await pdf(2, 'Liasse') },
    ]);
    assert.equal(res.status, 303);
    dossierId = res.location!.split('/').pop()!;
    const row = await inFirm(owner(), 'compta', (trx, firmId) => trx('dossiers').where({ firmId, id: dossierId }).first());
    assert.equal(row!.amount, '1480.50');
    assert.equal(row!.paid, false);
    assert.equal((await filesOf(dossierId)).length, 2);
    const list = unescapeHtml((await julien.get('/dossiers?q=bilan')).text).replace(/[\u00a0\u202f]/g, ' ');
    assert.ok(list.includes('Bilan 2025') && list.includes('Non téléchargé') && list.includes('Impayé') && list.includes('1 480,50'));
  });

  it('refuses a bad amount or an unknown client, and keeps no file of the refused form', async () => {
    const julien = await signedIn('collaborateur');
    const before = stored();
    const count = async () => Number((await inFirm(owner(), 'compta', (trx, firmId) => trx('dossiers').where({ firmId }).count({ n: '*' })))[0]!.n);
    const dossiers = await count();
    const file = { filename: 'x.pdf', type: 'application/pdf', data: await pdf(1, 'x') };
    const badAmount = await create(julien, { clientNumber: '3310', title: 'X', comments: '', amount: 'beaucoup' }, [file]);
    assert.equal(badAmount.status, 400);
    assert.ok(unescapeHtml(badAmount.text).includes('Indiquez un montant en euros'));
    const unknown = await create(julien, { clientNumber: '999999', title: 'X', comments: '', amount: '' }, [file]);
    assert.equal(unknown.status, 400);
    assert.ok(unescapeHtml(unknown.text).includes('Aucun client n° 999999'));
    assert.equal(stored(), before);
    assert.equal(await count(), dossiers);
    const sophie = await signedIn(SOPHIE);
    assert.equal((await create(sophie, { clientNumber: '3310', title: 'X', comments: '', amount: '' }, [file])).status, 403);
  });

  it('gives the contact every page stamped with their name and the date while unpaid, and the original once paid', async () => {
    const sophie = await signedIn(SOPHIE);
    const page = unescapeHtml((await sophie.get(`/dossiers/${dossierId}`)).text);
    assert.ok(page.includes('POUR CONSULTATION UNIQUEMENT'), 'the page says why');
    const [bilan] = await filesOf(dossierId);
    const first = await sophie.get(`/dossiers/${dossierId}/files/${bilan!.id}/download`);
    assert.equal(first.status, 200);
    assert.notDeepEqual(first.body, rapport);
    const pages = pagesText(first.body);
    assert.equal(pages.length, 3);
    for (const text of pages) {
      // The headline runs along the diagonal: poppler gives it a letter per line.
      const letters = text.replace(/\s+/g, '');
      assert.ok(letters.includes('POURCONSULTATIONUNIQUEMENT'), text);
      assert.ok(letters.includes(`TéléchargéparSophieDespériesle${today}`), text);
      assert.match(text, /Bilan 2025 page \d/, 'the page itself is still there');
    }
    // The stored original never changes; the second download is the cached copy.
    const stillOriginal = await inFirm(owner(), 'compta', (trx, firmId) => trx('files').where({ firmId, id: bilan!.id }).first('sha256'));
    assert.equal(stillOriginal!.sha256, sha(rapport));
    const again = await sophie.get(`/dossiers/${dossierId}/files/${bilan!.id}/download`);
    assert.deepEqual(again.body, first.body);
    assert.equal((await filesOf(dossierId))[0]!.downloadCount, 2);
    assert.ok(unescapeHtml((await sophie.get('/dossiers')).text).includes('Partiellement téléchargé'));

    // Staff always get the original.
    const julien = await signedIn('collaborateur');
    assert.deepEqual((await julien.get(`/dossiers/${dossierId}/files/${bilan!.id}/download`)).body, rapport);

    const helene = await signedIn('superviseur');
    await helene.get(`/dossiers/${dossierId}`);
    assert.equal((await sophie.post(`/dossiers/${dossierId}/paid`, {}, { csrf: false })).status, 403);
    assert.equal((await helene.post(`/dossiers/${dossierId}/paid`)).status, 303);
    assert.deepEqual((await sophie.get(`/dossiers/${dossierId}/files/${bilan!.id}/download`)).body, rapport, 'paid: the stamp is lifted at once');
  });

  it('blocks unpaid documents when the firm chooses so, with how to pay, unless the client is exempted', async () => {
    const julien = await signedIn('collaborateur');
    const res = await create(julien, { clientNumber: '3310', title: 'Situation intermédiaire', comments: '', amount: '300' }, [{ filename: 'Situation.pdf', type: 'application/pdf', data: await pdf(1, 'Situation') }]);
    const id = res.location!.split('/').pop()!;
    const [file] = await filesOf(id);
    const helene = await signedIn('superviseur');
    await helene.get('/settings/folders');
    assert.equal((await helene.post('/settings/folders/unpaid', { unpaidMode: 'peut-être', paymentInfo: '', linkDays: '30' })).status, 400);
    assert.equal((await julien.post('/settings/folders/unpaid', { unpaidMode: 'off', paymentInfo: '', linkDays: '30' })).status, 403);
    assert.equal((await helene.post('/settings/folders/unpaid', { unpaidMode: 'block', paymentInfo: 'Virement : FR76 3000 4000 0500 0012 3456 789', linkDays: '30' })).status, 303);
    const boulangerie = String((await inFirm(owner(), 'compta', (trx, firmId) => trx('clients').where({ firmId, number: 3310 }).first('id')))!.id);
    try {
      const sophie = await signedIn(SOPHIE);
      const blocked = await sophie.get(`/dossiers/${id}/files/${file!.id}/download`);
      assert.equal(blocked.status, 402);
      const text = unescapeHtml(blocked.text);
      assert.ok(text.replace(/[\u00a0\u202f]/g, ' ').includes('300,00 €') && text.includes('FR76 3000 4000'));
      assert.equal((await filesOf(id))[0]!.downloadCount, 0, 'a refused download is not counted');
      // "Autoriser l'accès aux documents même en cas d'impayés", from the client sheet.
      await julien.get(`/clients/${boulangerie}`);
      assert.equal((await sophie.post(`/clients/${boulangerie}/unpaid-exempt`, { exempt: 'yes' }, { csrf: false })).status, 403);
      assert.equal((await julien.post(`/clients/${boulangerie}/unpaid-exempt`, { exempt: 'yes' })).status, 303);
      assert.equal((await sophie.get(`/dossiers/${id}/files/${file!.id}/download`)).status, 200);
      assert.equal((await julien.post(`/clients/${boulangerie}/unpaid-exempt`, { exempt: 'no' })).status, 303);
      assert.equal((await sophie.get(`/dossiers/${id}/files/${file!.id}/download`)).status, 402);
    } finally {
      await setFirm({ unpaidMode: 'stamp', paymentInfo: '' });
    }
  });

  it('refuses to serve an encrypted PDF of an unpaid dossier rather than serve it unstamped', async () => {
    const julien = await signedIn('collaborateur');
    const res = await create(julien, { clientNumber: '3310', title: 'Attestation', comments: '', amount: '' }, [{ filename: 'Attestation.pdf', type: 'application/pdf', data: ENCRYPTED }]);
    assert.equal(res.status, 303);
    const id = res.location!.split('/').pop()!;
    const [file] = await filesOf(id);
    const sophie = await signedIn(SOPHIE);
    const refused = await sophie.get(`/dossiers/${id}/files/${file!.id}/download`);
    assert.equal(refused.status, 422);
    assert.ok(unescapeHtml(refused.text).includes('ne peut pas être marqué'));
    assert.ok(!refused.body.includes(Buffer.from('/Encrypt')), 'never the original');
  });

  it('zips a whole dossier with the unpaid rules applied to each file, leaving out what cannot be stamped', async () => {
    const julien = await signedIn('collaborateur');
    const original = await pdf(2, 'Rapport');
    const res = await create(julien, { clientNumber: '3310', title: 'Dossier complet', comments: '', amount: '90' }, [
      { filename: 'Rapport.pdf', type: 'application/pdf', data: original },
      { filename: 'Chiffré.pdf', type: 'application/pdf', data: ENCRYPTED },
      { filename: 'Notes.txt', type: 'text/plain', data: Buffer.from('Relevés du 12 novembre.') },
    ]);
    const id = res.location!.split('/').pop()!;
    const staffZip = await julien.get(`/dossiers/${id}/zip`);
    assert.equal(staffZip.status, 200);
    const staffEntries = await zipEntries(staffZip.body);
    assert.deepEqual([...staffEntries.keys()].sort(), ['Chiffré.pdf', 'Notes.txt', 'Rapport.pdf']);
    assert.deepEqual(staffEntries.get('Rapport.pdf'), original, 'staff get the originals');

    const sophie = await signedIn(SOPHIE);
    const zip = await sophie.get(`/dossiers/${id}/zip`);
    assert.equal(zip.status, 200);
    const entries = await zipEntries(zip.body);
    assert.deepEqual([...entries.keys()].sort(), ['LISEZ-MOI.txt', 'Notes.txt', 'Rapport.pdf']);
    for (const text of pagesText(entries.get('Rapport.pdf')!)) assert.ok(text.replace(/\s+/g, '').includes('POURCONSULTATIONUNIQUEMENT'));
    assert.match(entries.get('LISEZ-MOI.txt')!.toString('utf8'), /- Chiffré\.pdf/);
  });

  it('keeps other clients\' contacts, other firms and read-only staff out', async () => {
    const [file] = await filesOf(dossierId);
    // A contact of another client of the firm.
    const other = await inFirm(owner(), 'compta', async (trx, firmId) => {
      const [u] = await trx('users').insert({ firmId, role: 'contact', identifier: 'voisin', email: 'voisin@exemple.example', lastName: 'Voisin' }).returning('id');
      const client = (await trx('clients').where({ firmId, number: 3315 }).first('id'))!;
      await trx('clientContacts').insert({ firmId, clientId: client.id, userId: (u as { id: string }).id });
      return (u as { id: string }).id;
    });
    const { hashPassword } = await import('../../src/modules/auth/password.ts');
    const passwordHash = await hashPassword('Demo-Passerelle-2026');
    await inFirm(owner(), 'compta', (trx, firmId) => trx('users').where({ firmId, id: other }).update({ passwordHash }));
    const voisin = await signedIn('voisin');
    assert.equal((await voisin.get(`/dossiers/${dossierId}`)).status, 404);
    assert.equal((await voisin.get(`/dossiers/${dossierId}/files/${file!.id}/download`)).status, 404);
    assert.ok(!unescapeHtml((await voisin.get('/dossiers')).text).includes('Bilan 2025'));
    const diag = await signedIn('superviseur', 'diag');
    assert.equal((await diag.get(`/dossiers/${dossierId}`)).status, 404);
    assert.equal((await diag.get(`/dossiers/${dossierId}/files/${file!.id}/download`)).status, 404);
  });

  it('changes details, amount and steps, tells the client by email, and exports the list to Excel', async () => {
    const julien = await signedIn('collaborateur');
    await julien.get(`/dossiers/${dossierId}`);
    assert.equal((await julien.post(`/dossiers/${dossierId}/details`, { summary: 'Exercice bénéficiaire.', conclusions: 'Résultat : 42 300 €\n\nCapitaux propres en hausse' })).status, 303);
    assert.equal((await julien.post(`/dossiers/${dossierId}/amount`, { amount: '12,3,4' })).status, 400);
    assert.equal((await julien.post(`/dossiers/${dossierId}/amount`, { amount: '1500' })).status, 303);
    assert.equal((await julien.post(`/dossiers/${dossierId}/steps`, { label: '', dueOn: '' })).status, 400);
    assert.equal((await julien.post(`/dossiers/${dossierId}/steps`, { label: 'Signature de la liasse', dueOn: '2026-12-15' })).status, 303);
    const step = (await inFirm(owner(), 'compta', (trx, firmId) => trx('dossierSteps').where({ firmId, dossierId }).first('id')))!;
    assert.equal((await julien.post(`/dossiers/${dossierId}/steps/${step.id}/toggle`)).status, 303);
    const row = (await inFirm(owner(), 'compta', (trx, firmId) => trx('dossiers').where({ firmId, id: dossierId }).first()))!;
    assert.deepEqual(row.conclusions, ['Résultat : 42 300 €', 'Capitaux propres en hausse']);
    assert.equal(row.amount, '1500.00');
    const page = unescapeHtml((await julien.get(`/dossiers/${dossierId}`)).text);
    assert.ok(page.includes('Signature de la liasse') && page.includes('15/12/2026') && page.includes('aria-pressed="true"'));

    const notified = await julien.post(`/dossiers/${dossierId}/notify`);
    assert.equal(notified.status, 303);
    const mail = await suite.smtp.waitFor('sophie.desperies@boulangerie-desperies.example', (m) => /Bilan 2025/.test(m.subject ?? ''));
    assert.match(mail.subject ?? '', /Votre dossier « Bilan 2025 » est disponible/);
    assert.match(mail.text ?? '', new RegExp(`http://(compta\\.)?localhost:${suite.app.port}/dossiers/${dossierId}\\n`));

    await julien.get(`/dossiers/${dossierId}`);
    assert.equal((await julien.post(`/dossiers/${dossierId}/message`, { subject: '', message: 'Bonjour' })).status, 400);
    assert.equal((await julien.post(`/dossiers/${dossierId}/message`, { subject: 'Signature', message: '   ' })).status, 400);
    assert.equal((await julien.post(`/dossiers/${dossierId}/message`, { subject: 'Liasse à signer', message: 'Bonjour,\nmerci de signer la liasse avant le 15.' })).status, 303);
    const message = await suite.smtp.waitFor('sophie.desperies@boulangerie-desperies.example', (m) => m.subject === 'Liasse à signer');
    assert.match(message.text ?? '', /merci de signer la liasse/);
    assert.match(message.text ?? '', new RegExp(`/dossiers/${dossierId}`));
    assert.equal(message.replyTo?.value[0]?.address, 'julien.marty@delmas-associes.example');

    const xlsx = await julien.get('/dossiers/export.xlsx?q=bilan');
    assert.equal(xlsx.status, 200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    assert.equal(sheet.getRow(1).getCell(2).value, 'Titre');
    assert.equal(sheet.getRow(2).getCell(2).value, 'Bilan 2025');
    assert.equal(sheet.getRow(2).getCell(5).value, 1500);
    assert.equal(sheet.getRow(2).getCell(6).value, 'Payé', JSON.stringify(sheet.getRow(2).values));
  });
});

describe('emailed links to a dossier (D6)', () => {
  const suite = suiteAppWithSmtp();
  const owner = () => suite.app.db.owner;
  let dossierId = '';
  let fileId = '';

  const signedIn = (who: string, firm = 'compta'): Promise<Client> => suite.app.signedIn(who, firm, '/dossiers');
  /** Sends a link from the dossier page; returns the token read from the email the recipient got. */
  const sendLink = async (c: Client, to: string, fields: Record<string, string> = {}) => {
    await c.get(`/dossiers/${dossierId}`);
    const res = await c.post(`/dossiers/${dossierId}/links`, { email: to, name: '', days: '7', maxDownloads: '', ...fields });
    assert.equal(res.status, 303);
    const mail = await suite.smtp.waitFor(to, (m) => /Documents du dossier/.test(m.subject ?? ''));
    const token = /\/l\/([A-Za-z0-9_-]{43})/.exec(mail.text ?? '')![1]!;
    return { token, mail };
  };
  const guestDownload = async (token: string) => {
    const guest = suite.app.client('compta');
    const page = await guest.get(`/l/${token}`);
    if (page.status !== 200) return page;
    return guest.post(`/l/${token}/files/${fileId}`);
  };
  const linkRow = (email: string) => inFirm(owner(), 'compta', (trx, firmId) => trx('dossierLinks').where({ firmId, email }).orderBy('id', 'desc').first());

  it('sends a link that opens the dossier without using it, and downloads the stamped PDF, once', async () => {
    const julien = await signedIn('collaborateur');
    const res = await julien.postMultipart(`/dossiers?_csrf=${encodeURIComponent(julien.csrf)}`, {
      clientNumber: '3310', title: 'Diagnostic amiante', comments: '', amount: '250',
      files: [{ filename: 'Rapport amiante.pdf', type: 'application/pdf', data: await pdf(2, 'Rapport amiante') }],
    });
    dossierId = res.location!.split('/').pop()!;
    fileId = String((await inFirm(owner(), 'compta', (trx, firmId) => trx('files').where({ firmId, dossierId }).first('id')))!.id);

    const { token, mail } = await sendLink(julien, 'etude@notaire-garonne.example', { name: 'Maître Roques', maxDownloads: '1' });
    assert.match(mail.subject ?? '', /Documents du dossier « Diagnostic amiante »/);
    assert.match(mail.text ?? '', /Il permet 1 téléchargement\./);
    const guest = suite.app.client('compta');
    // A mail scanner opening the link twice uses nothing.
    assert.equal((await guest.get(`/l/${token}`)).status, 200);
    const page = await guest.get(`/l/${token}`);
    assert.ok(unescapeHtml(page.text).includes('Rapport amiante.pdf') && unescapeHtml(page.text).includes('POUR CONSULTATION UNIQUEMENT'));
    assert.equal((await linkRow('etude@notaire-garonne.example'))!.downloads, 0);

    const dl = await guest.post(`/l/${token}/files/${fileId}`);
    assert.equal(dl.status, 200);
    for (const text of pagesText(dl.body)) assert.ok(text.replace(/\s+/g, '').includes(`TéléchargéparMaîtreRoquesle${today}`), text);
    const again = await guest.post(`/l/${token}/files/${fileId}`);
    assert.equal(again.status, 410);
    assert.ok(unescapeHtml(again.text).includes("Ce lien n'est plus valable"));
    assert.equal((await guest.get(`/l/${token}`)).status, 410);

    // The dossier shows every use: opened, downloaded (which file, from where), refused.
    const staffPage = unescapeHtml((await julien.get(`/dossiers/${dossierId}`)).text);
    assert.ok(staffPage.includes('Maître Roques') && staffPage.includes('Épuisé'));
    assert.ok(staffPage.includes('Lien ouvert') && staffPage.includes('Téléchargement par lien : Rapport amiante.pdf (127.0.0.1)'));
    const file = (await inFirm(owner(), 'compta', (trx, firmId) => trx('files').where({ firmId, id: fileId }).first('clientDownloadedAt', 'downloadCount')))!;
    assert.ok(file.clientDownloadedAt, 'a guest download marks the file "Téléchargé"');
  });

  it('lets exactly one of twenty simultaneous downloads through a one-download link', async () => {
    const julien = await signedIn('collaborateur');
    const { token } = await sendLink(julien, 'vingt@exemple.example', { maxDownloads: '1' });
    const guests = await Promise.all(Array.from({ length: 20 }, async () => {
      const g = suite.app.client('compta');
      await g.get(`/l/${token}`);
      return g;
    }));
    const statuses = await Promise.all(guests.map((g) => g.post(`/l/${token}/files/${fileId}`).then((r) => r.status)));
    assert.equal(statuses.filter((s) => s === 200).length, 1, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 410).length, 19);
    assert.equal((await linkRow('vingt@exemple.example'))!.downloads, 1);
  });

  it('refuses revoked, expired and guessed links, and bad or unauthorised link requests', async () => {
    const julien = await signedIn('collaborateur');
    const revoked = await sendLink(julien, 'revoque@exemple.example');
    const id = (await linkRow('revoque@exemple.example'))!.id;
    assert.equal((await julien.post(`/dossiers/${dossierId}/links/${id}/revoke`)).status, 303);
    assert.equal((await guestDownload(revoked.token)).status, 410);

    const expired = await sendLink(julien, 'expire@exemple.example');
    await inFirm(owner(), 'compta', (trx, firmId) => trx('dossierLinks').where({ firmId, email: 'expire@exemple.example' }).update({ expiresAt: new Date(Date.now() - 1000) }));
    assert.equal((await guestDownload(expired.token)).status, 410);

    const guest = suite.app.client('compta');
    assert.equal((await guest.get(`/l/${'A'.repeat(43)}`)).status, 404);
    assert.equal((await guest.get('/l/../../etc/passwd')).status, 404);
    const diagGuest = suite.app.client('diag');
    assert.equal((await diagGuest.get(`/l/${expired.token}`)).status, 404, 'a link is worthless on another firm\'s host');

    await julien.get(`/dossiers/${dossierId}`);
    assert.equal((await julien.post(`/dossiers/${dossierId}/links`, { email: 'pas-une-adresse', name: '', days: '7', maxDownloads: '' })).status, 400);
    assert.equal((await julien.post(`/dossiers/${dossierId}/links`, { email: 'a@b.example', name: '', days: '0', maxDownloads: '' })).status, 400);
    const sophie = await signedIn(SOPHIE);
    assert.equal((await sophie.post(`/dossiers/${dossierId}/links`, { email: 'a@b.example', name: '', days: '7', maxDownloads: '' }, { csrf: false })).status, 403);
    const diag = await signedIn('superviseur', 'diag');
    await diag.get('/dossiers');
    assert.equal((await diag.post(`/dossiers/${dossierId}/links`, { email: 'a@b.example', name: '', days: '7', maxDownloads: '' })).status, 404);
  });
});

describe('dossier routes refuse the wrong role and other firms', () => {
  const suite = suiteAppWithSmtp();

  it('answers 404 to another firm and 403 to a contact on every staff action', async () => {
    const julien = suite.app.client('compta');
    await julien.login('collaborateur');
    await julien.get('/dossiers/new');
    const res = await julien.postMultipart(`/dossiers?_csrf=${encodeURIComponent(julien.csrf)}`, { clientNumber: '3310', title: 'Matrice', comments: '', amount: '10', files: [{ filename: 'a.pdf', type: 'application/pdf', data: await pdf(1, 'a') }] });
    const id = res.location!.split('/').pop()!;
    const file = String((await inFirm(suite.app.db.owner, 'compta', (trx, firmId) => trx('files').where({ firmId, dossierId: id }).first('id')))!.id);
    const actions: [string, Record<string, string>][] = [
      [`/dossiers/${id}/details`, { summary: 'x', conclusions: '' }],
      [`/dossiers/${id}/amount`, { amount: '1' }],
      [`/dossiers/${id}/paid`, {}],
      [`/dossiers/${id}/unpaid`, {}],
      [`/dossiers/${id}/steps`, { label: 'x', dueOn: '' }],
      [`/dossiers/${id}/notify`, {}],
      [`/dossiers/${id}/message`, { subject: 'x', message: 'y' }],
      [`/dossiers/${id}/links`, { email: 'a@b.example', name: '', days: '7', maxDownloads: '' }],
    ];
    const diag = suite.app.client('diag');
    await diag.login('superviseur');
    await diag.get('/account');
    for (const [path, body] of actions) assert.equal((await diag.post(path, body)).status, 404, `other firm: POST ${path}`);
    for (const path of [`/dossiers/${id}`, `/dossiers/${id}/zip`, `/dossiers/${id}/files/${file}/download`]) assert.equal((await diag.get(path)).status, 404, `other firm: GET ${path}`);

    const sophie = suite.app.client('compta');
    await sophie.login(SOPHIE);
    await sophie.get('/account');
    for (const [path, body] of actions) assert.equal((await sophie.post(path, body)).status, 403, `contact: POST ${path}`);
    assert.equal((await sophie.get('/dossiers/new')).status, 403);
    assert.equal((await sophie.get(`/dossiers/${id}`)).status, 200, 'her own client\'s dossier');

    const row = (await inFirm(suite.app.db.owner, 'compta', (trx, firmId) => trx('dossiers').where({ firmId, id }).first()))!;
    assert.deepEqual([row.summary, row.amount, row.paid, row.notifiedAt], ['', '10.00', false, null], 'nothing changed');
  });
});
