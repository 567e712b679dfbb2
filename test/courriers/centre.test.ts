// The management centre's staff (role "centre"): accounts opened by the supervisor, mail put in for
// the firm's current clients, the answers read once they went out — and nothing else, in the code
// and in the database.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withFirm } from '../../src/db/withFirm.ts';
import { suiteAppWithSmtp } from '../support/app.ts';
import { TINY_PDF as PDF } from '../support/files.ts';
import { inFirm, userOf } from '../support/firmdb.ts';
import { unescapeHtml, type Client } from '../support/http.ts';

const AGNES = 'agnes.roux@cga-occitanie.example';
const JULIEN = 'julien.marty@delmas-associes.example';

describe('the management centre (role centre)', () => {
  const suite = suiteAppWithSmtp();
  const owner = () => suite.app.db.owner;
  const signedIn = (who: string, firm = 'compta'): Promise<Client> => suite.app.signedIn(who, firm);
  const put = (c: Client, fields: Record<string, string>) =>
    c.postMultipart(`/mail?_csrf=${encodeURIComponent(c.csrf)}`, { type: 'question', subject: 'Question', needsReply: 'on', replyBy: '', clientNumber: '3310', ...fields, document: { filename: 'Question.pdf', type: 'application/pdf', data: PDF } });
  const mailId = async (subject: string) => String((await inFirm(owner(), 'compta', (trx, firmId) => trx('mailItems').where({ firmId, subject }).first('id')))!.id);

  it('puts a question in a member\'s mail, follows it in "Courriers envoyés", reads the answer only once approved', async () => {
    const agnes = await signedIn('centre');
    const home = unescapeHtml((await agnes.get('/')).text);
    assert.match(home, /Courriers envoyés/);
    assert.match(home, /1 courrier en attente de réponse/, 'the demo question');
    assert.ok(!/Dossiers|Documentation|Paramètres|impayé/.test(home), 'a menu and figures of its own only');

    const membersRes = await agnes.get('/mail/members?q=' + encodeURIComponent('despéries'));
    const members = unescapeHtml(membersRes.text);
    assert.ok(members.includes('Boulangerie Despéries') && members.includes('DESPÉRIES Christophe'));
    assert.equal((await put(agnes, { subject: 'Examen de cohérence : stocks', replyBy: '2026-12-20' })).status, 303);
    const arrived = await suite.smtp.waitFor(JULIEN, (m) => /Nouveau courrier/.test(m.subject ?? '') && /stocks/.test(m.text ?? ''));
    assert.equal(arrived.attachments.length, 0);
    const id = await mailId('Examen de cohérence : stocks');
    const notified = (identifier: string, key: string) =>
      inFirm(owner(), 'compta', async (trx, firmId) => {
        const user = (await trx('users').where({ firmId, identifier }).first('id'))!;
        return trx('notifications').where({ firmId, userId: user.id, key }).select('href', 'params');
      });
    assert.deepEqual((await notified('collaborateur', 'courriers:notifications.arrived')).map((n) => n.href), [`/mail/${id}`], 'the collaborator in charge is notified in the app');

    // Rereading what it sent does not mark it read for the firm.
    assert.deepEqual((await agnes.get(`/mail/${id}/document`)).body, PDF);
    const row = (await inFirm(owner(), 'compta', (trx, firmId) => trx('mailItems').where({ firmId, id }).first()))!;
    assert.ok(row.fromCentre && !row.readAt && !row.archivedAt);

    // The firm supervises: the collaborator's answer waits; the centre sees nothing of it.
    const helene = await signedIn('superviseur');
    await helene.get('/supervision/replies');
    await helene.post('/supervision/replies/setting', { supervise: 'yes' });
    const julien = await signedIn('collaborateur');
    await julien.get(`/mail/${id}`);
    assert.equal((await julien.postMultipart(`/mail/${id}/replies?_csrf=${encodeURIComponent(julien.csrf)}`, { body: 'Le stock est valorisé au coût moyen.', files: [{ filename: 'Inventaire.pdf', type: 'application/pdf', data: PDF }] })).status, 303);
    let page = unescapeHtml((await agnes.get(`/mail/${id}`)).text);
    assert.ok(!page.includes('coût moyen') && page.includes("Le cabinet n'a pas encore répondu"));
    const reply = (await inFirm(owner(), 'compta', (trx, firmId) => trx('mailReplies').where({ firmId, mailId: id }).first()))!;
    const file = (await inFirm(owner(), 'compta', (trx, firmId) => trx('mailReplyFiles').where({ firmId, replyId: reply.id }).first('id')))!;
    assert.equal((await agnes.get(`/mail/${id}/files/${file.id}`)).status, 404, 'not before approval');

    await helene.get('/supervision/replies');
    assert.equal((await helene.post(`/supervision/replies/${reply.id}/approve`, { body: 'Le stock est valorisé au coût moyen pondéré.' })).status, 303);
    const answered = await suite.smtp.waitFor(AGNES, (m) => /Réponse à votre courrier/.test(m.subject ?? ''));
    assert.equal((await notified('centre', 'courriers:notifications.answered')).length, 1);
    assert.equal((await notified('collaborateur', 'courriers:notifications.approved')).length, 1);
    assert.equal((await notified('superviseur', 'courriers:notifications.toApprove')).length, 1);
    assert.match(answered.text ?? '', /coût moyen pondéré/);
    page = unescapeHtml((await agnes.get(`/mail/${id}`)).text);
    assert.ok(page.includes('coût moyen pondéré') && page.includes('Réponse envoyée le'));
    assert.ok(!page.includes('Historique') && !page.includes('Réponse rédigée'), 'the firm\'s supervision stays the firm\'s');
    assert.deepEqual((await agnes.get(`/mail/${id}/files/${file.id}`)).body, PDF);
    await helene.post('/supervision/replies/setting', { supervise: 'no' });

    // It never answers itself.
    const other = await put(agnes, { subject: 'Question sans suite' });
    assert.equal(other.status, 303);
    const otherId = await mailId('Question sans suite');
    await agnes.get(`/mail/${otherId}`);
    assert.equal((await agnes.postMultipart(`/mail/${otherId}/replies?_csrf=${encodeURIComponent(agnes.csrf)}`, { body: 'Moi-même' })).status, 403);
    assert.equal((await inFirm(owner(), 'compta', (trx, firmId) => trx('mailReplies').where({ firmId, mailId: otherId }).count({ n: '*' })))[0]!.n, '0');
  });

  it('sees only the mail the centre sent and the firm\'s current clients; every other page is closed', async () => {
    const helene = await signedIn('superviseur');
    assert.equal((await put(helene, { subject: 'Courrier interne du cabinet', needsReply: '' })).status, 303);
    const firmOwn = await mailId('Courrier interne du cabinet');
    const agnes = await signedIn('centre');
    const list = unescapeHtml((await agnes.get('/mail')).text);
    assert.ok(list.includes('Examen de cohérence 2025 : marge brute') && !list.includes('Courrier interne du cabinet'));
    assert.equal((await agnes.get(`/mail/${firmOwn}`)).status, 404);
    assert.equal((await agnes.get(`/mail/${firmOwn}/document`)).status, 404);

    // A departed client is no longer a member.
    await inFirm(owner(), 'compta', (trx, firmId) => trx('clients').where({ firmId, number: 657 }).update({ departedOn: '2026-01-31' }));
    assert.ok(!unescapeHtml((await agnes.get('/mail/members')).text).includes('GARROS'));
    const refused = await put(agnes, { clientNumber: '657', subject: 'Pour un ancien client' });
    assert.equal(refused.status, 400);
    assert.match(unescapeHtml(refused.text), /Aucun client n° 657/);

    const clientId = String((await inFirm(owner(), 'compta', (trx, firmId) => trx('clients').where({ firmId, number: 3310 }).first('id')))!.id);
    for (const path of ['/clients', `/clients/${clientId}`, `/clients/${clientId}/mail`, `/clients/${clientId}/files`, '/contacts', '/dossiers', '/dossiers/new', '/documentation', '/documents', '/settings', '/settings/users', '/activity', '/supervision', '/supervision/replies', '/dev/mail']) {
      const res = await agnes.get(path);
      assert.ok([403, 404].includes(res.status), `${path} → ${res.status}`);
    }
    const before = await inFirm(owner(), 'compta', (trx, firmId) => trx('clients').where({ firmId, number: 3310 }).first('name'));
    assert.equal((await agnes.post(`/clients/${clientId}`, { name: 'Piraté' })).status, 403);
    assert.equal((await agnes.post('/supervision/replies/setting', { supervise: 'yes' })).status, 403);
    assert.deepEqual(await inFirm(owner(), 'compta', (trx, firmId) => trx('clients').where({ firmId, number: 3310 }).first('name')), before);

    // The staff pages the centre has: a collaborator has no members list; another firm sees nothing.
    assert.equal((await (await signedIn('collaborateur')).get('/mail/members')).status, 403);
    const diag = await signedIn('superviseur', 'diag');
    const centreMail = await mailId('Examen de cohérence 2025 : marge brute');
    assert.equal((await diag.get(`/mail/${centreMail}`)).status, 404);
  });

  it('is walled off in the database too: the centre\'s transactions see only what concerns it', async () => {
    const centre = await userOf(owner(), 'compta', 'centre');
    const db = suite.app.running.deps.db;
    const as = <T>(work: Parameters<typeof withFirm<T>>[2]) => withFirm(db, centre.firmId, work, { id: String(centre.id), role: 'centre' });
    const count = async (table: string) => Number((await as((trx) => trx(table).count({ n: '*' })))[0]!.n);
    for (const table of ['files', 'folders', 'dossiers', 'clientContacts', 'clientAccess', 'publications', 'passwordTokens', 'mailOutbox', 'activityLog']) assert.equal(await count(table), 0, table);
    const firmClients = await inFirm(owner(), 'compta', (trx, firmId) => trx('clients').where({ firmId, inTrash: false }).whereNull('departedOn').count({ n: '*' }));
    assert.equal(await count('clients'), Number(firmClients[0]!.n), 'the current clients');
    assert.equal(Number((await as((trx) => trx('users').where('role', 'contact').count({ n: '*' })))[0]!.n), 0, 'no contact');
    assert.equal(Number((await as((trx) => trx('mailItems').where('fromCentre', false).count({ n: '*' })))[0]!.n), 0, 'no mail of the firm');
    const client = (await as((trx) => trx('clients').first('id')))!;
    await assert.rejects(
      as((trx) => trx('mailItems').insert({ firmId: centre.firmId, clientId: client.id, senderId: String(centre.id), type: 'other', subject: 'x', needsReply: false, replyBy: null, name: 'x.pdf', size: '1', sha256: '0'.repeat(64), storageKey: 'k-centre' })),
      /row-level security/,
      'mail not marked as the centre\'s',
    );
    assert.equal(await as((trx) => trx('clients').where({ id: client.id }).update({ name: 'Piraté' })), 0, 'no client to change');
    assert.equal(await as((trx) => trx('users').where('role', 'supervisor').update({ jobTitle: 'x' })), 0, 'no other account to change');
  });

  it('lets the supervisor open, close and reopen a centre account; bad input changes nothing', async () => {
    const helene = await signedIn('superviseur');
    await helene.get('/settings/users');
    const count = async () => Number((await inFirm(owner(), 'compta', (trx, firmId) => trx('users').where({ firmId, role: 'centre' }).count({ n: '*' })))[0]!.n);
    const before = await count();
    const bads: Record<string, string>[] = [{ lastName: '', email: 'x@cga.example', identifier: 'x' }, { lastName: 'Roux', email: 'pas-une-adresse', identifier: 'y' }, { lastName: 'Roux', email: 'z@cga.example', identifier: 'centre' }, { lastName: 'x'.repeat(10_000), email: 'w@cga.example', identifier: 'w' }, { lastName: 'Roux', email: 'v@cga.example', identifier: 'v', role: 'supervisor' }];
    for (const bad of bads) {
      const res = await helene.post('/settings/users/centre', { firstName: '', jobTitle: '', ...bad });
      assert.equal(res.status, 400, JSON.stringify(bad).slice(0, 80));
    }
    assert.equal(await count(), before, 'nothing created');

    assert.equal((await helene.post('/settings/users/centre', { firstName: 'Paul', lastName: 'Azéma', email: 'paul.azema@cga-occitanie.example', identifier: 'p.azema', jobTitle: 'Juriste' })).status, 303);
    const invite = await suite.smtp.waitFor('paul.azema@cga-occitanie.example', () => true);
    assert.match(invite.text ?? '', /\/password\/\S+/);
    const paul = await userOf(owner(), 'compta', 'p.azema');
    assert.equal(paul.role, 'centre');

    const agnes = await signedIn('centre');
    const agnesRow = await userOf(owner(), 'compta', 'centre');
    await helene.get('/settings/users');
    assert.equal((await helene.post(`/settings/users/${agnesRow.id}/centre-close`, {})).status, 303);
    assert.notEqual((await agnes.get('/mail')).status, 200, 'its session ended');
    assert.equal((await userOf(owner(), 'compta', 'centre')).active, false);
    assert.equal((await helene.post(`/settings/users/${agnesRow.id}/centre-reopen`, {})).status, 303);
    assert.equal((await userOf(owner(), 'compta', 'centre')).active, true);

    const julien = await userOf(owner(), 'compta', 'collaborateur');
    assert.equal((await helene.post(`/settings/users/${julien.id}/centre-close`, {})).status, 404, 'only centre accounts');
    const collab = await signedIn('collaborateur');
    assert.equal((await collab.post('/settings/users/centre', { lastName: 'X', email: 'x@x.example', identifier: 'xx' })).status, 403);
    const diag = await signedIn('superviseur', 'diag');
    assert.equal((await diag.post(`/settings/users/${agnesRow.id}/centre-close`, {})).status, 404);
  });
  it('keeps working with the SMTP server down; the emails go out once it is back, each once', async () => {
    suite.smtp.setDown(true);
    try {
      const agnes = await signedIn('centre');
      assert.equal((await put(agnes, { subject: 'Question pendant la panne' })).status, 303, 'the page works without the SMTP server');
      const id = await mailId('Question pendant la panne');
      const julien = await signedIn('collaborateur');
      await julien.get(`/mail/${id}`);
      assert.equal((await julien.postMultipart(`/mail/${id}/replies?_csrf=${encodeURIComponent(julien.csrf)}`, { body: 'Réponse pendant la panne.' })).status, 303);
      assert.equal((await agnes.get(`/mail/${id}`)).status, 200);
      const pending = await inFirm(owner(), 'compta', (trx, firmId) => trx('mailOutbox').where({ firmId }).whereIn('recipient', [JULIEN, AGNES]).where('textBody', 'like', '%pendant la panne%').select('id', 'status'));
      assert.equal(pending.length, 2);
      assert.ok(pending.every((m) => m.status !== 'sent'));
      assert.equal(suite.smtp.received.filter((m) => (m.subject ?? '').includes('panne') || (m.text ?? '').includes('panne')).length, 0);

      suite.smtp.setDown(false);
      await inFirm(owner(), 'compta', (trx, firmId) => trx('mailOutbox').where({ firmId }).whereIn('id', pending.map((m) => m.id)).update({ nextAttemptAt: new Date() }));
      await suite.smtp.waitFor(JULIEN, (m) => (m.text ?? '').includes('Question pendant la panne'));
      await suite.smtp.waitFor(AGNES, (m) => (m.text ?? '').includes('Réponse pendant la panne.'));
      await new Promise((r) => setTimeout(r, 500)); // more worker rounds
      const received = suite.smtp.received.filter((m) => (m.text ?? '').includes('pendant la panne'));
      assert.equal(received.length, 2, 'each email once, none lost');
    } finally {
      suite.smtp.setDown(false);
    }
  });
});
