// Messages ("Dialogue", H1–H3): a collaborator writes to the centre's address and to a client's
// contact, a contact to the firm, the centre to the firm's staff; replies quote the original;
// attachments checked from their content (5 MB, png/jpg/jpeg/gif/pdf, all or nothing); cancelling
// while unread; the email read back from the SMTP server; a contact kept to their own messages in
// the pages and in the database; the lists, their export; every route's roles and firms.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { withFirm } from '../../src/db/withFirm.ts';
import { reconcileStorage } from '../../src/modules/documents/reconcile.ts';
import { suiteAppWithSmtp } from '../support/app.ts';
import { HELENE, JULIEN, SOPHIE } from '../support/demo.ts';
import { EXE, storedFiles, TINY_PDF as PDF } from '../support/files.ts';
import { firmId, inFirm, userOf } from '../support/firmdb.ts';
import { unescapeHtml, type Client, type UploadPart } from '../support/http.ts';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const FISCAL = 'fiscal@cga-occitanie.example';
const MB5 = 5 * 1024 * 1024;
const text = (html: string) => unescapeHtml(html).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('messages (H1–H3)', () => {
  const suite = suiteAppWithSmtp();
  const owner = () => suite.app.db.owner;
  const signedIn = (who: string, firm = 'compta'): Promise<Client> => suite.app.signedIn(who, firm, '/messages/new');
  const send = (c: Client, fields: Record<string, string>, files: UploadPart[] = []) =>
    c.postMultipart(`/messages?_csrf=${encodeURIComponent(c.csrf)}`, { subject: 'Objet', body: 'Texte', ...fields, ...(files.length ? { files } : {}) });
  const reply = async (c: Client, id: string, fields: Record<string, string>, files: UploadPart[] = []) => {
    await c.get(`/messages/${id}/reply`);
    return c.postMultipart(`/messages/${id}/reply?_csrf=${encodeURIComponent(c.csrf)}`, { ...fields, ...(files.length ? { files } : {}) });
  };
  const idOf = (res: { location: string | undefined }) => /^\/messages\/(\d+)$/.exec(res.location ?? '')![1]!;
  const message = (id: string) => inFirm(owner(), 'compta', (trx, firm) => trx('messages').where({ firmId: firm, id }).first());
  const count = async () => Number((await inFirm(owner(), 'compta', (trx, firm) => trx('messages').where({ firmId: firm }).count({ n: '*' })))[0]!.n);
  const stored = () => storedFiles(suite.app.filesDir);
  const address = async (label: string) => `address:${(await inFirm(owner(), 'compta', (trx, firm) => trx('messageAddresses').where({ firmId: firm, label }).first('id')))!.id}`;
  const clientId = async (number: number, slug = 'compta') => String((await inFirm(owner(), slug, (trx, firm) => trx('clients').where({ firmId: firm, number }).first('id')))!.id);
  const contactOf = async (email: string, number: number) => {
    const u = await inFirm(owner(), 'compta', (trx, firm) => trx('users').where({ firmId: firm, email }).first('id'));
    return `contact:${u!.id}:${await clientId(number)}`;
  };

  it('sends a collaborator\'s message to the centre\'s address: emailed there with its text but not its files, read in the centre\'s space, answered from the address', async () => {
    const julien = await signedIn('collaborateur');
    const page = unescapeHtml((await julien.get('/messages/new')).text);
    assert.ok(page.includes('Service fiscal') && page.includes('Sophie Despéries — Boulangerie Despéries (n° 3310)'), 'the centre\'s addresses and his clients\' contacts');
    assert.ok(!page.includes('Claire Sabatier'), 'not the contacts of a client he does not follow');
    const sent = await send(julien, { to: await address('Service fiscal'), subject: 'Liasse 2025 de la boulangerie', body: 'Bonjour,\nVoici la liasse fiscale.' }, [{ filename: 'Liasse 2025.pdf', type: 'application/pdf', data: PDF }]);
    assert.equal(sent.status, 303);
    const id = idOf(sent);

    const mail = await suite.smtp.waitFor(FISCAL, (m) => (m.subject ?? '').includes('Liasse 2025 de la boulangerie'));
    assert.match(mail.text ?? '', /Voici la liasse fiscale\./);
    assert.match(mail.text ?? '', /Liasse 2025\.pdf/);
    assert.match(mail.text ?? '', new RegExp(`/messages/${id}`));
    assert.equal(mail.attachments.length, 0, 'never the attachments');
    assert.equal(mail.replyTo?.value[0]?.address, JULIEN);

    const centre = await signedIn('centre');
    assert.match(text((await centre.get('/')).text), /1 message à consulter/, 'on the centre\'s home page');
    const list = text((await centre.get('/messages')).text);
    assert.match(list, /Julien Marty Liasse 2025 de la boulangerie \(À consulter\) 1 À consulter/);
    const shown = text((await centre.get(`/messages/${id}`)).text);
    assert.ok(shown.includes('Voici la liasse fiscale.') && shown.includes('Liasse 2025.pdf'));
    const agnes = await userOf(owner(), 'compta', 'centre');
    const read = (await message(id))!;
    assert.ok(read.readAt);
    assert.equal(read.readBy, agnes.id);
    assert.match(text((await julien.get('/messages?box=sent')).text), /Liasse 2025 de la boulangerie 1 Consulté/);
    const file = /\/messages\/\d+\/files\/(\d+)/.exec((await centre.get(`/messages/${id}`)).text)![1]!;
    assert.deepEqual((await centre.get(`/messages/${id}/files/${file}`)).body, PDF);

    const form = text((await centre.get(`/messages/${id}/reply`)).text);
    assert.ok(form.includes("Message d'origine") && form.includes('Voici la liasse fiscale.') && form.includes('Agnès Roux · Service fiscal'), 'the original quoted below, the address as sender');
    const answered = await reply(centre, id, { subject: 'RE : Liasse 2025 de la boulangerie', body: 'Bien reçue, merci.' });
    assert.equal(answered.status, 303);
    const answer = (await message(idOf(answered)))!;
    assert.equal(answer.senderAddressId, read.recipientAddressId);
    assert.equal(answer.recipientUserId, (await userOf(owner(), 'compta', 'collaborateur')).id);
    assert.equal(answer.inReplyTo, id);
    const told = await suite.smtp.waitFor(JULIEN, (m) => (m.subject ?? '').includes('RE : Liasse 2025'));
    assert.ok(!(told.text ?? '').includes('Bien reçue'), 'the email to a person holds a link, not the text');
    assert.match(told.text ?? '', new RegExp(`/messages/${answer.id}`));
    const notes = await inFirm(owner(), 'compta', (trx, firm) => trx('notifications').where({ firmId: firm, userId: answer.recipientUserId!, href: `/messages/${answer.id}` }).select('key'));
    assert.deepEqual(notes.map((n) => n.key), ['messages:notifications.new']);

    const inbox = text((await julien.get(`/messages/${answer.id}`)).text);
    assert.ok(inbox.includes('Bien reçue, merci.') && inbox.includes("Message d'origine") && inbox.includes('Voici la liasse fiscale.'));
    // His answer goes back to the address, which all of the centre's people read.
    const again = await reply(julien, answer.id, { subject: 'RE : RE : Liasse', body: 'Parfait.' });
    assert.equal(again.status, 303);
    assert.equal((await message(idOf(again)))!.recipientAddressId, read.recipientAddressId);
    await suite.smtp.waitFor(FISCAL, (m) => (m.text ?? '').includes('Parfait.'));
  });

  it('takes a contact\'s message to the firm to the collaborator of their client, whose answer comes back quoting it', async () => {
    const sophie = await signedIn(SOPHIE);
    const page = unescapeHtml((await sophie.get('/messages/new')).text);
    const boulangerie = await clientId(3310);
    assert.ok(page.includes(`value="firm:${boulangerie}"`) && page.includes('au sujet de Boulangerie Despéries'));
    assert.ok(!page.includes('Service fiscal') && !/value="(contact|address|user):/.test(page), 'a contact writes only to the firm');
    const sent = await send(sophie, { to: `firm:${boulangerie}`, subject: 'Photo de la facture du four', body: 'La voici.' }, [{ filename: 'four.png', type: 'image/png', data: PNG }]);
    assert.equal(sent.status, 303);
    const id = idOf(sent);
    const row = (await message(id))!;
    assert.equal(row.recipientUserId, (await userOf(owner(), 'compta', 'collaborateur')).id, "the client's collaborator");
    assert.equal(row.clientId, boulangerie);
    const mail = await suite.smtp.waitFor(JULIEN, (m) => (m.subject ?? '').includes('Photo de la facture du four'));
    assert.ok(!(mail.text ?? '').includes('La voici.'));
    assert.equal(mail.attachments.length, 0);

    const julien = await signedIn('collaborateur');
    assert.match(text((await julien.get('/')).text), /messages? à consulter/);
    assert.equal((await reply(julien, id, { subject: 'RE : Photo', body: 'Merci, bien reçu.' })).status, 303);
    const back = await suite.smtp.waitFor(SOPHIE, (m) => (m.subject ?? '').includes('RE : Photo'));
    const answerId = new RegExp('/messages/(\\d+)').exec(back.text ?? '')![1]!;
    const shown = text((await sophie.get(`/messages/${answerId}`)).text);
    assert.ok(shown.includes('Merci, bien reçu.') && shown.includes('La voici.'), 'the original below the answer');
    assert.equal((await reply(sophie, id, { subject: 'x', body: 'y' })).status, 403, 'the sender does not answer her own message');

    // A client nobody follows (or whose collaborator left): the firm's first supervisor gets it.
    const setCollaborator = (collaboratorId: string | null) => inFirm(owner(), 'compta', (trx, firm) => trx('clients').where({ firmId: firm, id: boulangerie }).update({ collaboratorId }));
    const julienId = (await userOf(owner(), 'compta', 'collaborateur')).id;
    try {
      await setCollaborator(null);
      await sophie.get('/messages/new');
      const toFirm = await send(sophie, { to: `firm:${boulangerie}`, subject: 'Sans collaborateur', body: 'Qui me lira ?' });
      assert.equal((await message(idOf(toFirm)))!.recipientUserId, (await userOf(owner(), 'compta', 'superviseur')).id);
      await suite.smtp.waitFor(HELENE, (m) => (m.subject ?? '').includes('Sans collaborateur'));
    } finally {
      await setCollaborator(julienId);
    }
  });

  it('lets the centre write to the firm\'s staff only', async () => {
    const centre = await signedIn('centre');
    const page = unescapeHtml((await centre.get('/messages/new')).text);
    const helene = await userOf(owner(), 'compta', 'superviseur');
    const sophie = await userOf(owner(), 'compta', 'client');
    assert.ok(page.includes(`value="user:${helene.id}"`) && !page.includes(`user:${sophie.id}`) && !page.includes('Service fiscal'));
    const before = await count();
    const refused = await send(centre, { to: `user:${sophie.id}`, subject: 'Pour un client', body: 'Texte' });
    assert.equal(refused.status, 400);
    assert.ok(text(refused.text).includes('Ce destinataire ne fait pas partie de la liste qui vous est proposée.'));
    assert.equal((await send(centre, { to: await contactOf(SOPHIE, 3310), subject: 'x', body: 'y' })).status, 400);
    assert.equal(await count(), before, 'nothing saved');
    const ok = await send(centre, { to: `user:${helene.id}`, subject: 'Réunion des adhérents', body: 'Le 12 décembre à 18 h.' });
    assert.equal(ok.status, 303);
    await suite.smtp.waitFor(HELENE, (m) => (m.subject ?? '').includes('Réunion des adhérents'));
    // The answer goes to Agnès herself: her box merges it with the centre's addresses', newest first.
    const hel = await signedIn('superviseur');
    assert.equal((await reply(hel, idOf(ok), { subject: 'RE : Réunion des adhérents', body: 'Nous y serons.' })).status, 303);
    const box = text((await centre.get('/messages')).text);
    assert.ok(box.indexOf('RE : Réunion des adhérents') < box.indexOf('Liasse 2025 de la boulangerie'), 'her own message, then the addresses\' older ones');
    assert.ok(box.includes('Déclaration 2035 de M. Garros'));
  });

  it('keeps a PDF of exactly 5 MB and a PNG; refuses 5 MB + 1 byte, an executable renamed .pdf, a PNG named .pdf — keeping no file and no message', async () => {
    const julien = await signedIn('collaborateur');
    const to = await address('Service juridique');
    const big = Buffer.concat([PDF, Buffer.alloc(MB5 - PDF.length, 0x20)]);
    const ok = await send(julien, { to, subject: 'Deux pièces' }, [{ filename: 'Statuts.pdf', type: 'application/pdf', data: big }, { filename: 'Kbis.png', type: 'image/png', data: PNG }]);
    assert.equal(ok.status, 303);
    const files = await inFirm(owner(), 'compta', (trx, firm) => trx('messageFiles').where({ firmId: firm, messageId: idOf(ok) }).orderBy('id').select('id', 'name', 'mime', 'size'));
    assert.deepEqual(files.map(({ id: _id, ...f }) => f), [{ name: 'Statuts.pdf', mime: 'application/pdf', size: String(MB5) }, { name: 'Kbis.png', mime: 'image/png', size: String(PNG.length) }]);
    // The start-up sweep of files without a row keeps a message's attachments.
    await reconcileStorage(suite.app.running.deps, { orphanAgeMs: 0 });
    const png = await julien.get(`/messages/${idOf(ok)}/files/${files[1]!.id}`);
    assert.equal(png.status, 200);
    assert.deepEqual(png.body, PNG);
    assert.equal(png.headers['content-type'], 'image/png');
    assert.equal(png.headers['x-content-type-options'], 'nosniff');
    assert.match(String(png.headers['content-disposition']), /^attachment; filename="Kbis\.png"/);

    const before = { files: stored(), rows: await count() };
    const tooBig = await send(julien, { to, subject: 'Trop gros' }, [{ filename: 'Kbis.png', type: 'image/png', data: PNG }, { filename: 'Gros.pdf', type: 'application/pdf', data: Buffer.concat([big, Buffer.from(' ')]) }]);
    assert.equal(tooBig.status, 413);
    assert.ok(text(tooBig.text).includes('Une pièce jointe dépasse 5 Mo : aucun fichier n\'a été gardé.'));
    assert.ok(unescapeHtml(tooBig.text).includes('value="Trop gros"'), 'the form keeps what was typed');
    const exe = await send(julien, { to, subject: 'Exécutable' }, [{ filename: 'Bilan.pdf', type: 'application/pdf', data: PDF }, { filename: 'Facture.pdf', type: 'application/pdf', data: EXE }]);
    assert.equal(exe.status, 415);
    assert.ok(text(exe.text).includes('Seuls les fichiers png, jpg, jpeg, gif et pdf peuvent être joints'));
    const disguised = await send(julien, { to, subject: 'Déguisé' }, [{ filename: 'Photo.pdf', type: 'application/pdf', data: PNG }]);
    assert.equal(disguised.status, 415);
    assert.ok(text(disguised.text).includes('« Photo.pdf » n\'est pas un fichier png, jpg, jpeg, gif ou pdf'));
    // A valid attachment with a refused message: the file goes too.
    assert.equal((await send(julien, { to, subject: '' }, [{ filename: 'Bilan.pdf', type: 'application/pdf', data: PDF }])).status, 400);
    assert.equal(stored(), before.files, 'no file kept');
    assert.equal(await count(), before.rows, 'no message saved');
  });

  it('refuses a message without recipient, subject or text, or too long, with a message by each field, saving nothing', async () => {
    const julien = await signedIn('collaborateur');
    const before = await count();
    const empty = await send(julien, { to: '', subject: '', body: '  ' });
    assert.equal(empty.status, 400);
    const page = text(empty.text);
    assert.ok(page.includes('Choisissez un destinataire.') && (page.match(/Ce champ est obligatoire\./g) ?? []).length === 2);
    const long = await send(julien, { to: await address('Service fiscal'), subject: 'x'.repeat(201), body: 'Texte' });
    assert.equal(long.status, 400);
    assert.ok(text(long.text).includes('Saisissez au plus 200 caractères.'));
    assert.equal((await send(julien, { to: 'n’importe quoi' })).status, 400);
    assert.equal((await send(julien, { to: await address('Service fiscal'), body: 'x'.repeat(10_001) })).status, 400);
    assert.equal(await count(), before);
  });

  it("refuses a recipient of another firm and a contact of a client the collaborator does not follow, with a clear message and nothing saved", async () => {
    const julien = await signedIn('collaborateur');
    const before = await count();
    const claire = await contactOf('claire.sabatier@infirmiers-stcyprien.example', 3315);
    const notHis = await send(julien, { to: claire, subject: 'Bonjour' });
    assert.equal(notHis.status, 400);
    assert.ok(text(notHis.text).includes("Ce contact n'est pas celui d'un de vos clients : le message n'a pas été envoyé."));
    const nathalie = await userOf(owner(), 'diag', 'client');
    assert.equal((await send(julien, { to: `contact:${nathalie.id}:${await clientId(1, 'diag')}` })).status, 400);
    assert.equal((await send(julien, { to: `contact:${nathalie.id}:${await clientId(3310)}` })).status, 400);
    const diagAddress = await inFirm(owner(), 'diag', async (trx, firm) => (await trx('messageAddresses').insert({ firmId: firm, label: 'Service qualité', email: 'qualite@diag.example' }).returning('id'))[0]!.id);
    const other = await send(julien, { to: `address:${diagAddress}` });
    assert.equal(other.status, 400);
    assert.ok(text(other.text).includes('Ce destinataire ne fait pas partie de la liste qui vous est proposée.'));
    assert.equal(await count(), before);
    // The supervisor follows every client: Claire is hers to write to.
    const helene = await signedIn('superviseur');
    assert.ok(unescapeHtml((await helene.get('/messages/new')).text).includes('Claire Sabatier'));
    assert.equal((await send(helene, { to: claire, subject: 'Vos relevés', body: 'Bonjour' })).status, 303);
  });

  it('cancels an unread message ("annulé": its recipient keeps the subject, not the text nor the files) but not a read one', async () => {
    const julien = await signedIn('collaborateur');
    const sophie = await signedIn(SOPHIE);
    const to = await contactOf(SOPHIE, 3310);
    const first = idOf(await send(julien, { to, subject: 'Message à retirer', body: 'Texte confidentiel' }, [{ filename: 'Note.pdf', type: 'application/pdf', data: PDF }]));
    const file = (await inFirm(owner(), 'compta', (trx, firm) => trx('messageFiles').where({ firmId: firm, messageId: first }).first('id')))!.id;
    assert.equal((await sophie.post(`/messages/${first}/cancel`)).status, 403, 'only its sender cancels it');
    await julien.get(`/messages/${first}`);
    assert.equal((await julien.post(`/messages/${first}/cancel`)).status, 303);
    const cancelled = (await message(first))!;
    assert.equal(cancelled.status, 'cancelled');
    assert.ok(cancelled.cancelledAt && !cancelled.readAt);
    assert.match(text((await sophie.get('/messages')).text), /Message à retirer Annulé/);
    const page = text((await sophie.get(`/messages/${first}`)).text);
    assert.ok(page.includes('annulé par son expéditeur') && !page.includes('Texte confidentiel') && !page.includes('Note.pdf'));
    assert.equal((await message(first))!.readAt, null, 'opening a cancelled message reads nothing');
    assert.equal((await sophie.get(`/messages/${first}/files/${file}`)).status, 404);
    assert.equal((await sophie.get(`/messages/${first}/reply`)).status, 409);
    assert.equal((await julien.post(`/messages/${first}/cancel`)).status, 409, 'already cancelled');

    const second = idOf(await send(julien, { to, subject: 'Message lu', body: 'Lu avant' }));
    await julien.get(`/messages/${second}`); // his own page: reading it himself changes nothing
    assert.equal((await message(second))!.readAt, null);
    assert.ok(text((await sophie.get(`/messages/${second}`)).text).includes('Lu avant'));
    assert.ok((await message(second))!.readAt, 'opened by its recipient: consulté');
    const refused = await julien.post(`/messages/${second}/cancel`);
    assert.equal(refused.status, 409);
    assert.ok(text(refused.text).includes('Ce message a déjà été consulté par son destinataire : il ne peut plus être annulé.'));
    assert.equal((await message(second))!.status, 'sent');
  });

  it('never shows a contact another client\'s messages, in the pages or in the database', async () => {
    const julien = await signedIn('collaborateur');
    const sophie = await signedIn(SOPHIE);
    const sophieRow = await userOf(owner(), 'compta', 'client');
    const c2j = await clientId(4);
    // Jérôme Puech is C2J INFO's contact; Sophie becomes one of its contacts too, for a while.
    const jerome = await contactOf('jerome.puech@c2jinfo.example', 4);
    const toJerome = idOf(await send(julien, { to: jerome, subject: 'Pour C2J uniquement', body: 'Chiffres de C2J' }));
    await inFirm(owner(), 'compta', (trx, firm) => trx('clientContacts').insert({ firmId: firm, clientId: c2j, userId: sophieRow.id }));
    await julien.get('/messages/new');
    const aboutC2j = idOf(await send(julien, { to: `contact:${sophieRow.id}:${c2j}`, subject: 'Au sujet de C2J', body: 'Pour vous, sur C2J' }));
    assert.equal((await sophie.get(`/messages/${aboutC2j}`)).status, 200);
    assert.equal((await sophie.get(`/messages/${toJerome}`)).status, 404, "another contact's message");
    assert.ok(!text((await sophie.get('/messages')).text).includes('Pour C2J uniquement'));

    // No longer C2J's contact: its messages are no longer hers, here and in the database.
    await inFirm(owner(), 'compta', (trx, firm) => trx('clientContacts').where({ firmId: firm, clientId: c2j, userId: sophieRow.id }).delete());
    assert.equal((await sophie.get(`/messages/${aboutC2j}`)).status, 404);
    const list = text((await sophie.get('/messages')).text);
    assert.ok(!list.includes('Au sujet de C2J') && !list.includes('Pour C2J uniquement'));
    const db = suite.app.running.deps.db;
    const firm = await firmId(owner(), 'compta');
    const asSophie = { id: sophieRow.id, role: 'contact' as const };
    const seen: { id: string; senderId: string | null; recipientUserId: string | null; clientId: string | null }[] = await withFirm(db, firm, (trx) => trx('messages').where({ firmId: firm }).select('id', 'senderId', 'recipientUserId', 'clientId'), asSophie);
    assert.ok(seen.length > 0);
    const boulangerie = await clientId(3310);
    for (const m of seen) {
      assert.ok(m.senderId === sophieRow.id || m.recipientUserId === sophieRow.id, `message ${m.id} is hers`);
      assert.equal(m.clientId, boulangerie, `message ${m.id} is about her client`);
    }
    assert.ok(!seen.some((m) => m.id === toJerome || m.id === aboutC2j));
    const files = await withFirm(db, firm, (trx) => trx('messageFiles').where({ firmId: firm }).whereNotIn('messageId', seen.map((m) => m.id)).count({ n: '*' }), asSophie);
    assert.equal(Number(files[0]!.n), 0, "no other message's files");
    const jeromeId = jerome.split(':')[1]!;
    // Writing as herself to another client's contact, or about another client, is refused by the database too.
    const base = { firmId: firm, senderId: sophieRow.id, senderName: 'Sophie', recipientKind: 'user' as const, recipientName: 'x', subject: 's', body: 'b', status: 'sent' as const, sentAt: new Date() };
    await assert.rejects(withFirm(db, firm, (trx) => trx('messages').insert({ ...base, recipientUserId: jeromeId, clientId: boulangerie }), asSophie), /row-level security/);
    const julienId = (await userOf(owner(), 'compta', 'collaborateur')).id;
    await assert.rejects(withFirm(db, firm, (trx) => trx('messages').insert({ ...base, recipientUserId: julienId, clientId: c2j }), asSophie), /row-level security/);
    // The same message about her own client passes: the refusals above are the policy's, not the row's.
    await withFirm(db, firm, (trx) => trx('messages').insert({ ...base, recipientUserId: julienId, clientId: boulangerie }), asSophie);
    await assert.rejects(withFirm(db, firm, (trx) => trx('messageAddresses').insert({ firmId: firm, label: 'x', email: 'x@x.example' }), asSophie), /row-level security/);
    assert.equal((await withFirm(db, firm, (trx) => trx('messageAddresses').where({ firmId: firm }).count({ n: '*' }), asSophie))[0]!.n, '0', 'nor the centre\'s addresses');
  });

  it('lists each box with the firm\'s rows per page, filters by state and words, and exports what is shown', async () => {
    const julien = await userOf(owner(), 'compta', 'collaborateur');
    await inFirm(owner(), 'compta', async (trx, firm) => {
      const sophie = await trx('users').where({ firmId: firm, identifier: 'client' }).first('id');
      const client = await trx('clients').where({ firmId: firm, number: 3310 }).first('id');
      const rows = Array.from({ length: 30 }, (_, i) => ({
        firmId: firm, senderId: sophie!.id, senderName: 'Sophie Despéries', recipientKind: 'user' as const, recipientUserId: julien.id, recipientName: 'Julien Marty', clientId: client!.id,
        subject: `Relevé n° ${String(i + 1).padStart(2, '0')}`, body: 'Relevé', status: 'sent' as const, sentAt: new Date(Date.UTC(2026, 0, 1 + i)), readAt: i % 2 ? new Date() : null,
      }));
      await trx('messages').insert(rows);
    });
    const c = await signedIn('collaborateur');
    const firstPage = text((await c.get('/messages?q=relev%C3%A9')).text);
    assert.match(firstPage, /30 messages/);
    assert.ok(firstPage.includes('Relevé n° 30') && !firstPage.includes('Relevé n° 05'), 'newest first, 25 a page');
    const nextLink = (html: string, rel: 'next' | 'prev') => unescapeHtml(new RegExp(`href="([^"]+)" rel="${rel}"`).exec(html)?.[1] ?? '');
    const second = (await c.get(nextLink((await c.get('/messages?q=relev%C3%A9')).text, 'next'))).text;
    assert.ok(text(second).includes('Relevé n° 05') && !text(second).includes('Relevé n° 06'), 'the next page, by keyset');
    assert.equal(nextLink(second, 'next'), '', 'the last page');
    const back = text((await c.get(nextLink(second, 'prev'))).text);
    assert.ok(back.includes('Relevé n° 30') && back.includes('Relevé n° 06') && !back.includes('Relevé n° 05'), 'and back');
    const oldest = text((await c.get('/messages?q=releve&sort=oldest')).text);
    assert.ok(oldest.indexOf('Relevé n° 01') < oldest.indexOf('Relevé n° 02'));
    assert.match(text((await c.get('/messages?q=relev%C3%A9&state=toRead')).text), /15 messages/);
    assert.equal((await c.get('/messages?box=nimporte&state=x&next=2026-01-01&prev=%27')).status, 200, 'a bad query falls back to the defaults');

    const res = await c.get('/messages/export.xlsx?q=relev%C3%A9&state=read');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /spreadsheetml/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.body as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    assert.equal(sheet.getRow(1).getCell(4).value, 'Objet');
    assert.equal(sheet.rowCount, 16, 'the header and the 15 read ones');
    assert.equal(sheet.getRow(2).getCell(4).value, 'Relevé n° 30');
    assert.equal(sheet.getRow(2).getCell(8).value, 'Consulté');

    // Past 10,000, the list says "plus de" rather than count them all; the home page past 999.
    await inFirm(owner(), 'compta', (trx, firm) => trx.raw(`
      INSERT INTO messages (firm_id, sender_id, sender_name, recipient_kind, recipient_user_id, recipient_name, subject, body, status, sent_at)
      SELECT ?, NULL, 'Robot', 'user', ?, 'Julien Marty', 'Alerte ' || g, 'Texte', 'sent', now() - make_interval(secs => g) FROM generate_series(1, 10001) g`, [firm, julien.id]));
    assert.match(text((await c.get('/messages')).text), /Plus de 10 000 messages/);
    assert.match(text((await c.get('/')).text), /Plus de 999 messages à consulter/);
  });

  it('opens the messages to every role and keeps each to its own, its firm and its rights', async () => {
    const helene = await signedIn('superviseur');
    const julien = await signedIn('collaborateur');
    const sophie = await signedIn(SOPHIE);
    const centre = await signedIn('centre');
    const diag = await signedIn('superviseur', 'diag');
    for (const c of [helene, julien, sophie, centre, diag]) {
      for (const path of ['/messages', '/messages?box=sent', '/messages/new', '/messages/export.xlsx']) assert.equal((await c.get(path)).status, 200, path);
    }
    const anonymous = suite.app.client('compta');
    assert.equal((await anonymous.get('/messages')).status, 303);

    const secret = idOf(await send(helene, { to: await address('Administration'), subject: 'Entre le cabinet et le centre', body: 'Rien pour les autres' }, [{ filename: 'Annexe.pdf', type: 'application/pdf', data: PDF }]));
    const file = (await inFirm(owner(), 'compta', (trx, firm) => trx('messageFiles').where({ firmId: firm, messageId: secret }).first('id')))!.id;
    for (const [who, c] of [['collaborator', julien], ['contact', sophie], ['diag', diag]] as const) {
      assert.equal((await c.get(`/messages/${secret}`)).status, 404, `${who} page`);
      assert.equal((await c.get(`/messages/${secret}/files/${file}`)).status, 404, `${who} file`);
      assert.equal((await c.get(`/messages/${secret}/reply`)).status, 404, `${who} reply form`);
      await c.get('/messages/new');
      assert.equal((await c.post(`/messages/${secret}/cancel`)).status, 404, `${who} cancel`);
      assert.equal((await c.postMultipart(`/messages/${secret}/reply?_csrf=${encodeURIComponent(c.csrf)}`, { subject: 'x', body: 'y' })).status, 404, `${who} reply`);
    }
    assert.equal((await diag.get('/messages/abc')).status, 404);
    assert.equal((await helene.get(`/messages/${secret}/reply`)).status, 403, 'the sender does not answer her own message');
    assert.equal((await centre.get(`/messages/${secret}`)).status, 200);
    assert.equal((await centre.post(`/messages/${secret}/cancel`)).status, 403, 'the recipient does not cancel it');
    assert.equal((await message(secret))!.status, 'sent');
  });

  it('lets the supervisor keep the centre\'s addresses, refusing bad input, other roles and other firms', async () => {
    const helene = await signedIn('superviseur');
    const page = text((await helene.get('/settings/messages')).text);
    assert.ok(page.includes('Service fiscal') && page.includes('Superviser aussi les messages de mes collaborateurs aux clients'));
    const rows = () => inFirm(owner(), 'compta', (trx, firm) => trx('messageAddresses').where({ firmId: firm }).orderBy('id').select('id', 'label', 'email', 'archivedAt'));
    const before = await rows();
    const bad = await helene.post('/settings/messages/addresses', { label: '', email: 'pas une adresse', position: '' });
    assert.equal(bad.status, 400);
    assert.ok(text(bad.text).includes('Ce champ est obligatoire.'));
    const taken = await helene.post('/settings/messages/addresses', { label: 'service fiscal', email: 'autre@cga.example', position: '' });
    assert.equal(taken.status, 400);
    assert.ok(text(taken.text).includes('Une adresse s\'appelle déjà « service fiscal ».'));
    assert.deepEqual(await rows(), before, 'nothing changed');
    assert.equal((await helene.post('/settings/messages/addresses', { label: 'Service social', email: 'social@cga-occitanie.example', position: '4' })).status, 303);
    const social = (await rows()).find((a) => a.label === 'Service social')!;
    assert.equal((await helene.post(`/settings/messages/addresses/${social.id}`, { label: 'Service social et paie', email: 'paie@cga-occitanie.example', position: '4' })).status, 303);
    assert.equal((await rows()).find((a) => a.id === social.id)!.email, 'paie@cga-occitanie.example');
    assert.equal((await helene.post(`/settings/messages/addresses/${social.id}/delete`)).status, 303);
    assert.ok(!(await rows()).some((a) => a.id === social.id), 'never written to: deleted');
    const fiscal = before.find((a) => a.label === 'Service fiscal')!;
    assert.equal((await helene.post(`/settings/messages/addresses/${fiscal.id}/delete`)).status, 303);
    assert.ok((await rows()).find((a) => a.id === fiscal.id)!.archivedAt, 'written to: archived, its messages keep it');
    assert.ok(!unescapeHtml((await helene.get('/messages/new')).text).includes('Service fiscal'), 'no longer offered');
    assert.equal((await helene.post('/settings/messages/supervision', { supervise: 'peut-être' })).status, 400);

    const julien = await signedIn('collaborateur');
    const sophie = await signedIn(SOPHIE);
    const centre = await signedIn('centre');
    for (const [who, c] of [['collaborator', julien], ['contact', sophie], ['centre', centre]] as const) {
      assert.equal((await c.get('/settings/messages')).status, 403, who);
      assert.equal((await c.post('/settings/messages/addresses', { label: 'Intrus', email: 'intrus@example.com' })).status, 403, who);
      assert.equal((await c.post('/settings/messages/supervision', { supervise: 'yes' })).status, 403, who);
      assert.equal((await c.post(`/settings/messages/addresses/${before[1]!.id}/delete`)).status, 403, who);
      assert.equal((await c.get('/supervision/messages')).status, 403, who);
    }
    const diag = await signedIn('superviseur', 'diag');
    await diag.get('/settings/messages');
    assert.equal((await diag.get(`/settings/messages?edit=${before[1]!.id}`)).status, 404);
    assert.equal((await diag.post(`/settings/messages/addresses/${before[1]!.id}`, { label: 'Piraté', email: 'pirate@example.com' })).status, 404);
    assert.equal((await diag.post(`/settings/messages/addresses/${before[1]!.id}/delete`)).status, 404);
    assert.equal((await rows()).find((a) => a.id === before[1]!.id)!.label, before[1]!.label);
    assert.equal((await firmOf('compta'))!.superviseMessages, false);
  });
  const firmOf = (slug: string) => owner()('firms').where({ slug }).first();
});

describe('supervised messages to clients', () => {
  const suite = suiteAppWithSmtp();
  const owner = () => suite.app.db.owner;
  const signedIn = (who: string, firm = 'compta'): Promise<Client> => suite.app.signedIn(who, firm, '/messages/new');
  const message = (id: string) => inFirm(owner(), 'compta', (trx, firm) => trx('messages').where({ firmId: firm, id }).first());
  const mailsTo = (to: string, subject: string) => inFirm(owner(), 'compta', (trx, firm) => trx('mailOutbox').where({ firmId: firm, recipient: to }).where('subject', 'like', `%${subject}%`).select('subject'));

  it('holds a collaborator\'s message to a contact until a supervisor approves it (edited), once; a rejection goes back to its author', async () => {
    const helene = await signedIn('superviseur');
    assert.equal((await helene.post('/settings/messages/supervision', { supervise: 'yes' })).status, 303);
    const sophieRow = await userOf(owner(), 'compta', 'client');
    const boulangerie = (await inFirm(owner(), 'compta', (trx, firm) => trx('clients').where({ firmId: firm, number: 3310 }).first('id')))!.id;
    const to = `contact:${sophieRow.id}:${boulangerie}`;

    const julien = await signedIn('collaborateur');
    assert.ok(text((await julien.get('/messages/new')).text).includes('Le cabinet supervise les messages aux clients'));
    const sent = await julien.postMultipart(`/messages?_csrf=${encodeURIComponent(julien.csrf)}`, { to, subject: 'Relance des relevés', body: 'Merci de nous envoyer vos relevés.', files: [{ filename: 'Liste.pdf', type: 'application/pdf', data: PDF }] });
    assert.equal(sent.status, 303);
    const id = /\/messages\/(\d+)/.exec(sent.location!)![1]!;
    assert.equal((await message(id))!.status, 'pending');
    assert.ok(text((await julien.get(`/messages/${id}`)).text).includes('En attente de validation'));
    await suite.smtp.waitFor(HELENE, (m) => m.subject === 'Un message attend votre validation');
    // Not held: a collaborator's message to the centre, a supervisor's to a contact.
    const centreAddress = (await inFirm(owner(), 'compta', (trx, firm) => trx('messageAddresses').where({ firmId: firm, label: 'Service fiscal' }).first('id')))!.id;
    const direct = await julien.postMultipart(`/messages?_csrf=${encodeURIComponent(julien.csrf)}`, { to: `address:${centreAddress}`, subject: 'Au centre', body: 'Direct' });
    assert.equal((await message(/\d+$/.exec(direct.location!)![0]))!.status, 'sent');
    const fromHelene = await helene.postMultipart(`/messages?_csrf=${encodeURIComponent(helene.csrf)}`, { to, subject: 'Du superviseur', body: 'Direct' });
    assert.equal((await message(/\d+$/.exec(fromHelene.location!)![0]))!.status, 'sent');

    // The contact sees nothing of it, in the pages or in the database, and is not emailed.
    const sophie = await signedIn(SOPHIE);
    assert.equal((await sophie.get(`/messages/${id}`)).status, 404);
    assert.ok(!text((await sophie.get('/messages')).text).includes('Relance des relevés'));
    const firm = await firmId(owner(), 'compta');
    const seen = await withFirm(suite.app.running.deps.db, firm, (trx) => trx('messages').where({ firmId: firm, id }).first('id'), { id: sophieRow.id, role: 'contact' });
    assert.equal(seen, undefined);
    assert.deepEqual(await mailsTo(SOPHIE, 'Relance des relevés'), []);

    const julienClient = await signedIn('collaborateur');
    assert.equal((await julienClient.get('/supervision/messages')).status, 403);
    assert.match(text((await helene.get('/')).text), /1 message à valider/);
    const queue = text((await helene.get('/supervision/messages')).text);
    assert.ok(queue.includes('Relance des relevés') && queue.includes('Liste.pdf') && queue.includes('De Julien Marty à Sophie Despéries'));
    const file = /\/messages\/\d+\/files\/(\d+)/.exec((await helene.get('/supervision/messages')).text)![1]!;
    assert.deepEqual((await helene.get(`/messages/${id}/files/${file}`)).body, PDF, 'the supervisor opens the attachment');
    assert.equal((await helene.post(`/supervision/messages/${id}/reject`, { comment: '' })).status, 400);
    assert.equal((await message(id))!.status, 'pending');
    assert.equal((await helene.post(`/supervision/messages/${id}/reject`, { comment: 'Précisez les mois.' })).status, 303);
    const rejected = await suite.smtp.waitFor(JULIEN, (m) => /a été refusé/.test(m.subject ?? ''));
    assert.match(rejected.text ?? '', /Précisez les mois\./);

    await julien.get(`/messages/${id}`);
    assert.equal((await julien.post(`/messages/${id}/rework`, { subject: 'Relance des relevés', body: '' })).status, 400);
    assert.equal((await julien.post(`/messages/${id}/rework`, { subject: 'Relance des relevés', body: 'Merci de nous envoyer vos relevés de juillet à septembre.' })).status, 303);
    assert.equal((await message(id))!.status, 'pending');

    // Two tabs: the first approval sends the edited message, the second changes nothing.
    await helene.get('/supervision/messages');
    const edited = 'Merci de nous envoyer vos relevés bancaires de juillet à septembre.';
    assert.equal((await helene.post(`/supervision/messages/${id}/approve`, { subject: 'Relance des relevés', body: '' })).status, 400);
    assert.equal((await helene.post(`/supervision/messages/${id}/approve`, { subject: 'Relance des relevés', body: edited })).status, 303);
    const second = await helene.post(`/supervision/messages/${id}/approve`, { subject: 'Autre', body: 'autre texte' });
    assert.equal(second.status, 409);
    assert.ok(text(second.text).includes('Ce message a déjà été traité entre-temps'));
    assert.equal((await helene.post(`/supervision/messages/${id}/reject`, { comment: 'Trop tard' })).status, 409);
    const approved = (await message(id))!;
    assert.equal(approved.status, 'sent');
    assert.equal(approved.body, edited);
    assert.ok(approved.sentAt);
    await suite.smtp.waitFor(SOPHIE, (m) => (m.subject ?? '').includes('Relance des relevés'));
    await suite.smtp.waitFor(JULIEN, (m) => /a été validé/.test(m.subject ?? ''));
    assert.equal((await mailsTo(SOPHIE, 'Relance des relevés')).length, 1, 'delivered once, and only after approval');
    assert.ok(text((await sophie.get(`/messages/${id}`)).text).includes(edited));
    const history = text((await julien.get(`/messages/${id}`)).text);
    for (const step of ['Message envoyé', 'Message refusé', 'Message retravaillé', 'Message modifié par le superviseur', 'Message validé']) assert.ok(history.includes(step), step);

    const diag = await signedIn('superviseur', 'diag');
    await diag.get('/supervision/messages');
    assert.equal((await diag.post(`/supervision/messages/${id}/approve`, { subject: 'x', body: 'y' })).status, 404);
    assert.equal((await diag.post(`/supervision/messages/${id}/reject`, { comment: 'x' })).status, 404);
  });
});
