// Mail ("courriers", G1–G4): a PDF put in a client's mail, the people in charge told by email without
// the document, "Nouveaux courriers" sorted and filtered, opening archives it, a client's archive;
// bad input; a contact, another firm and a collaborator without the client kept out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withFirm } from '../../src/db/withFirm.ts';
import { suiteAppWithSmtp } from '../support/app.ts';
import { EXE, storedFiles, TINY_PDF as PDF } from '../support/files.ts';
import { SOPHIE } from '../support/demo.ts';
import { inFirm, userOf } from '../support/firmdb.ts';
import { unescapeHtml, type Client } from '../support/http.ts';


describe('mail (G1–G4)', () => {
  const suite = suiteAppWithSmtp();
  const owner = () => suite.app.db.owner;
  const signedIn = (who: string, firm = 'compta'): Promise<Client> => suite.app.signedIn(who, firm);
  const put = (c: Client, fields: Record<string, string>, data = PDF, filename = 'Question TVA.pdf') =>
    c.postMultipart(`/mail?_csrf=${encodeURIComponent(c.csrf)}`, { type: 'question', subject: 'Question sur la TVA', needsReply: 'on', replyBy: '2026-12-15', ...fields, document: { filename, type: 'application/pdf', data } });
  const stored = () => storedFiles(suite.app.filesDir);
  const mailId = async (subject: string) => String((await inFirm(owner(), 'compta', (trx, firmId) => trx('mailItems').where({ firmId, subject }).first('id')))!.id);

  it('puts a PDF in a client\'s mail and tells the collaborator in charge, without the document', async () => {
    const helene = await signedIn('superviseur');
    const res = await put(helene, { clientNumber: '3310' });
    assert.equal(res.status, 303);
    const mail = await suite.smtp.waitFor('julien.marty@delmas-associes.example', (m) => /Nouveau courrier/.test(m.subject ?? ''));
    assert.match(mail.subject ?? '', /Nouveau courrier pour Boulangerie Despéries \(n° 3310\)/);
    assert.match(mail.text ?? '', /Question sur la TVA/);
    assert.equal(mail.attachments.length, 0, 'never the document itself');
  });

  it('lists new mail sorted and filtered, unread in bold red with the reply mark; opening archives it', async () => {
    const julien = await signedIn('collaborateur');
    await put(julien, { clientNumber: '3310', type: 'information', subject: 'Attestation de dépôt', needsReply: '', replyBy: '' });
    const list = (await julien.get('/mail')).text;
    assert.match(list, /<tr class="mail-unread">[\s\S]*?Question sur la TVA/);
    assert.ok(list.includes('reply-mark'));
    const toAnswer = unescapeHtml((await julien.get('/mail?filter=toAnswer')).text);
    assert.ok(toAnswer.includes('Question sur la TVA') && !toAnswer.includes('Attestation de dépôt'));
    const noReply = unescapeHtml((await julien.get('/mail?filter=noReply&type=information')).text);
    assert.ok(!noReply.includes('Question sur la TVA') && noReply.includes('Attestation de dépôt'));
    assert.equal((await julien.get('/mail?sort=number')).status, 200);
    assert.match(unescapeHtml((await julien.get('/')).text), /2 courriers à répondre/, "this one and the demo centre's question");

    const id = await mailId('Question sur la TVA');
    const doc = await julien.get(`/mail/${id}/document`);
    assert.equal(doc.status, 200);
    assert.deepEqual(doc.body, PDF);
    assert.ok(!unescapeHtml((await julien.get('/mail')).text).includes('Question sur la TVA'), 'opened: archived');
    const row = (await inFirm(owner(), 'compta', (trx, firmId) => trx('mailItems').where({ firmId, id }).first()))!;
    assert.ok(row.readAt && row.archivedAt);
    const boulangerie = String((await inFirm(owner(), 'compta', (trx, firmId) => trx('clients').where({ firmId, number: 3310 }).first('id')))!.id);
    const archive = unescapeHtml((await julien.get(`/clients/${boulangerie}/mail`)).text);
    assert.ok(archive.includes('Question sur la TVA') && archive.includes('En attente de réponse'));
  });

  it('refuses a renamed executable, an unknown client, a reply date without a reply, an empty subject — keeping nothing', async () => {
    const julien = await signedIn('collaborateur');
    const before = stored();
    const count = async () => Number((await inFirm(owner(), 'compta', (trx, firmId) => trx('mailItems').where({ firmId }).count({ n: '*' })))[0]!.n);
    const rows = await count();
    const exe = await put(julien, { clientNumber: '3310' }, EXE, 'courrier.pdf');
    assert.equal(exe.status, 415);
    assert.ok(unescapeHtml(exe.text).includes('Le document doit être un PDF.'));
    assert.equal((await put(julien, { clientNumber: '999999' })).status, 400);
    const lateReply = await put(julien, { clientNumber: '3310', needsReply: '', replyBy: '2026-12-01' });
    assert.equal(lateReply.status, 400);
    assert.ok(unescapeHtml(lateReply.text).includes("Une date de réponse n'a de sens"));
    assert.equal((await put(julien, { clientNumber: '3310', subject: '' })).status, 400);
    assert.equal(stored(), before);
    assert.equal(await count(), rows);
  });

  it('keeps contacts, other firms and collaborators without the client out', async () => {
    const helene = await signedIn('superviseur');
    // A client of nobody: Julien does not see it.
    await inFirm(owner(), 'compta', (trx, firmId) => trx('clients').insert({ firmId, number: 9001, name: 'Client du superviseur' }));
    await put(helene, { clientNumber: '9001', subject: 'Courrier confidentiel' });
    const id = await mailId('Courrier confidentiel');
    const julien = await signedIn('collaborateur');
    assert.ok(!unescapeHtml((await julien.get('/mail')).text).includes('Courrier confidentiel'));
    assert.equal((await julien.get(`/mail/${id}/document`)).status, 404);
    assert.equal((await put(julien, { clientNumber: '9001' })).status, 400);

    const sophie = await signedIn(SOPHIE);
    assert.equal((await sophie.get('/mail')).status, 403);
    assert.equal((await sophie.get(`/mail/${id}/document`)).status, 403);
    const sophieRow = await userOf(owner(), 'compta', 'client');
    const seen = await withFirm(suite.app.running.deps.db, sophieRow.firmId, (trx) => trx('mailItems').where({ firmId: sophieRow.firmId }).count({ n: '*' }), { id: sophieRow.id, role: 'contact' });
    assert.equal(Number(seen[0]!.n), 0, 'the database shows a contact no mail');

    const diag = await signedIn('superviseur', 'diag');
    assert.equal((await diag.get(`/mail/${id}/document`)).status, 404);
    const client = String((await inFirm(owner(), 'compta', (trx, firmId) => trx('clients').where({ firmId, number: 9001 }).first('id')))!.id);
    assert.equal((await diag.get(`/clients/${client}/mail`)).status, 404);
    assert.ok(!unescapeHtml((await diag.get('/mail')).text).includes('Courrier confidentiel'));
  });
});

describe('answers to mail and their supervision (G4, I2)', () => {
  const suite = suiteAppWithSmtp();
  const owner = () => suite.app.db.owner;
  const HELENE = 'helene.delmas@delmas-associes.example';
  const JULIEN = 'julien.marty@delmas-associes.example';
  const signedIn = (who: string, firm = 'compta'): Promise<Client> => suite.app.signedIn(who, firm);
  const putQuestion = async (c: Client, subject: string, needsReply = 'on') => {
    await c.postMultipart(`/mail?_csrf=${encodeURIComponent(c.csrf)}`, { clientNumber: '3310', type: 'question', subject, needsReply, replyBy: '', document: { filename: 'q.pdf', type: 'application/pdf', data: PDF } });
    return String((await inFirm(owner(), 'compta', (trx, firmId) => trx('mailItems').where({ firmId, subject }).first('id')))!.id);
  };
  const answer = async (c: Client, mailId: string, body: string) => {
    await c.get(`/mail/${mailId}`);
    return c.postMultipart(`/mail/${mailId}/replies?_csrf=${encodeURIComponent(c.csrf)}`, { body, files: [{ filename: 'Justificatif.pdf', type: 'application/pdf', data: PDF }] });
  };
  const replyOf = (mailId: string) => inFirm(owner(), 'compta', (trx, firmId) => trx('mailReplies').where({ firmId, mailId }).orderBy('id', 'desc').first());
  const sentMails = () => inFirm(owner(), 'compta', (trx, firmId) => trx('mailOutbox').where({ firmId }).select('recipient', 'subject', 'textBody'));

  it('queues a collaborator\'s answer, lets the supervisor reject, then edit and approve it once; only then does it reach the sender', async () => {
    const helene = await signedIn('superviseur');
    await helene.get('/supervision/replies');
    assert.equal((await helene.post('/supervision/replies/setting', { supervise: 'yes' })).status, 303);
    const mailId = await putQuestion(helene, 'Frais de véhicule 2025');

    const julien = await signedIn('collaborateur');
    const written = await answer(julien, mailId, 'Voici le justificatif des frais.');
    assert.equal(written.status, 303);
    let reply = (await replyOf(mailId))!;
    assert.equal(reply.status, 'pending');
    await suite.smtp.waitFor(HELENE, (m) => m.subject === 'Une réponse attend votre validation');
    assert.equal((await julien.get(`/mail/${mailId}`)).status, 200);
    assert.equal((await answer(julien, mailId, 'Une deuxième réponse')).status, 409, 'one answer at a time');

    await helene.get('/supervision/replies');
    assert.equal((await helene.post(`/supervision/replies/${reply.id}/reject`, { comment: '' })).status, 400);
    assert.equal((await helene.post(`/supervision/replies/${reply.id}/reject`, { comment: 'Précisez le montant.' })).status, 303);
    const rejectedMail = await suite.smtp.waitFor(JULIEN, (m) => /a été refusée/.test(m.subject ?? ''));
    assert.match(rejectedMail.text ?? '', /Précisez le montant\./);

    await julien.get(`/mail/${mailId}`);
    assert.equal((await julien.post(`/mail/${mailId}/replies/${reply.id}/rework`, { body: 'Voici le justificatif : 1 240 € de frais.' })).status, 303);
    reply = (await replyOf(mailId))!;
    assert.equal(reply.status, 'pending');

    // Two tabs: the first approval sends the edited answer, the second changes nothing.
    await helene.get('/supervision/replies');
    const edited = 'Voici le justificatif : 1 240 € de frais kilométriques.';
    assert.equal((await helene.post(`/supervision/replies/${reply.id}/approve`, { body: edited })).status, 303);
    assert.equal((await helene.post(`/supervision/replies/${reply.id}/approve`, { body: 'autre texte' })).status, 409);
    const delivered = await suite.smtp.waitFor(HELENE, (m) => /Réponse à votre courrier/.test(m.subject ?? ''));
    assert.ok((delivered.text ?? '').includes(edited));
    await suite.smtp.waitFor(JULIEN, (m) => /a été validée/.test(m.subject ?? ''));
    const answers = (await sentMails()).filter((m) => /Réponse à votre courrier « Frais de véhicule 2025 »/.test(m.subject));
    assert.equal(answers.length, 1, 'delivered once, never before approval');

    const mail = (await inFirm(owner(), 'compta', (trx, firmId) => trx('mailItems').where({ firmId, id: mailId }).first('answeredAt')))!;
    assert.ok(mail.answeredAt);
    const page = unescapeHtml((await julien.get(`/mail/${mailId}`)).text);
    for (const step of ['Réponse rédigée', 'Réponse refusée', 'Réponse retravaillée', 'Réponse modifiée par le superviseur', 'Réponse validée', 'Réponse envoyée']) assert.ok(page.includes(step), step);
    const file = /\/mail\/\d+\/files\/(\d+)/.exec(page)![1]!;
    assert.deepEqual((await julien.get(`/mail/${mailId}/files/${file}`)).body, PDF);
  });

  it('sends at once without supervision, refuses an answer to a mail that needs none, and keeps others out', async () => {
    const helene = await signedIn('superviseur');
    await helene.get('/supervision/replies');
    await helene.post('/supervision/replies/setting', { supervise: 'no' });
    const mailId = await putQuestion(helene, 'Relevé bancaire de décembre');
    const julien = await signedIn('collaborateur');
    assert.equal((await answer(julien, mailId, 'Le relevé est joint.')).status, 303);
    assert.equal((await replyOf(mailId))!.status, 'sent');
    await suite.smtp.waitFor(HELENE, (m) => /Relevé bancaire de décembre/.test(m.subject ?? '') && /Réponse/.test(m.subject ?? ''));

    const info = await putQuestion(helene, 'Information sans réponse', '');
    const refused = await answer(julien, info, 'Merci');
    assert.equal(refused.status, 400);
    assert.equal(await replyOf(info), undefined);
    await julien.get(`/mail/${mailId}`);
    assert.equal((await julien.postMultipart(`/mail/${mailId}/replies?_csrf=${encodeURIComponent(julien.csrf)}`, { body: '   ' })).status, 400, 'an empty answer');
    assert.equal((await julien.postMultipart(`/mail/${mailId}/replies?_csrf=${encodeURIComponent(julien.csrf)}`, { body: 'Encore' })).status, 409, 'already answered');

    assert.equal((await julien.get('/supervision/replies')).status, 403);
    const sophie = await signedIn(SOPHIE);
    assert.equal((await sophie.get(`/mail/${mailId}`)).status, 403);
    const diag = await signedIn('superviseur', 'diag');
    assert.equal((await diag.get(`/mail/${mailId}`)).status, 404);
    const reply = (await replyOf(mailId))!;
    assert.equal((await diag.post(`/supervision/replies/${reply.id}/approve`, { body: 'x' })).status, 404);
  });
});

describe("Copie du document envoyé à l'adhérent", () => {
  const suite = suiteAppWithSmtp();
  const owner = () => suite.app.db.owner;
  const signedIn = (who: string, firm = 'compta'): Promise<Client> => suite.app.signedIn(who, firm);

  it('puts a copy in the client\'s documents once, tells its contacts without the document, and keeps others out', async () => {
    const mail = (await inFirm(owner(), 'compta', (trx, firmId) => trx('mailItems').where({ firmId, subject: 'Examen de cohérence 2025 : marge brute' }).first()))!;
    const filesBefore = await inFirm(owner(), 'compta', (trx, firmId) => trx('files').where({ firmId }).count({ n: '*' }));

    const sophie = await signedIn(SOPHIE);
    assert.equal((await sophie.post(`/mail/${mail.id}/copy`, {})).status, 403);
    const centre = await signedIn('centre');
    assert.equal((await centre.post(`/mail/${mail.id}/copy`, {})).status, 403);
    const diag = await signedIn('superviseur', 'diag');
    assert.equal((await diag.post(`/mail/${mail.id}/copy`, {})).status, 404);
    assert.deepEqual(await inFirm(owner(), 'compta', (trx, firmId) => trx('files').where({ firmId }).count({ n: '*' })), filesBefore, 'nothing copied');

    const julien = await signedIn('collaborateur');
    await julien.get(`/mail/${mail.id}`);
    assert.equal((await julien.post(`/mail/${mail.id}/copy`, {})).status, 303);
    const told = await suite.smtp.waitFor(SOPHIE, (m) => /Un nouveau document est disponible/.test(m.subject ?? ''));
    assert.equal(told.attachments.length, 0, 'never the document itself');
    const copied = (await inFirm(owner(), 'compta', (trx, firmId) => trx('mailItems').where({ firmId, id: mail.id }).first()))!;
    assert.ok(copied.copiedAt && copied.copyFileId);
    const file = (await inFirm(owner(), 'compta', (trx, firmId) => trx('files').where({ firmId, id: copied.copyFileId! }).first()))!;
    assert.notEqual(file.storageKey, mail.storageKey, 'a file of its own');
    const folder = (await inFirm(owner(), 'compta', (trx, firmId) => trx('folders').where({ firmId, id: file.folderId! }).first()))!;
    assert.equal(folder.name, 'Courriers');
    assert.ok(unescapeHtml((await julien.get(`/mail/${mail.id}`)).text).includes('Copie envoyée au client le'));

    const download = await sophie.get(`/files/${file.id}/download`);
    assert.equal(download.status, 200);
    assert.equal(download.body.length, Number(mail.size));
    assert.equal((await julien.post(`/mail/${mail.id}/copy`, {})).status, 409, 'once');
    assert.equal(Number((await inFirm(owner(), 'compta', (trx, firmId) => trx('files').where({ firmId, folderId: folder.id }).count({ n: '*' })))[0]!.n), 1);
  });
});
