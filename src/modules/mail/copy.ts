// "Copie du document envoyé à l'adhérent" (seed 000): someone in charge of the client puts a copy
// of the mail's PDF in the client's documents, folder "Courriers" (made if missing, open to the
// client's contacts), and its contacts are told by email and in the extranet — never sent the
// document. Once per mail: a second click, from another tab too, changes nothing.
import { Readable } from 'node:stream';
import type { FirmRow } from '../../db/tables.ts';
import { asPerson, type FirmTrx } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import { Conflict, Forbidden } from '../../lib/errors.ts';
import { composeMail, enqueueMail } from '../../lib/mail/outbox.ts';
import { recordActivity } from '../activity/service.ts';
import { firmStorage, removeStored } from '../documents/store.ts';
import { notify } from '../notifications/service.ts';
import { reachableContactsOf } from '../clients/repo.ts';
import { mayAnswer } from './replies.ts';
import { findMail, type Person } from './repo.ts';

const FOLDER = 'Courriers';

/** The client's root folder "Courriers", made on first use with the usual defaults (contacts read, staff full). */
async function mailFolder(trx: FirmTrx, firmId: string, clientId: string): Promise<string> {
  const found = await trx('folders').where({ firmId, clientId }).whereNull('parentId').whereRaw('lower(name) = lower(?)', [FOLDER]).first('id');
  if (found) return String(found.id);
  const [row] = await trx('folders').insert({ firmId, clientId, parentId: null, name: FOLDER, contactLevel: 'read', staffLevel: 'full' }).returning('id');
  return String(row!.id);
}

export async function copyToClient(deps: AppDeps, firm: FirmRow, person: Person, mailId: string): Promise<{ contacts: number }> {
  const mail = await asPerson(deps, firm, person, async (trx) => {
    const mail = await findMail(trx, firm.id, person, mailId);
    if (!(await mayAnswer(trx, firm.id, person, mail))) throw new Forbidden('courriers:errors.notInCharge');
    if (mail.copiedAt) throw new Conflict('courriers:copy.already');
    return mail;
  });
  // The copy is a file of its own: emptying the client's trash never touches the mail's document.
  const storage = await firmStorage(deps, firm.id);
  const source = await storage.open(mail.storageKey);
  const stored = await storage.put(Readable.from(source.stream), { maxBytes: Number(mail.size) });
  try {
    return await asPerson(deps, firm, person, async (trx) => {
      const folderId = await mailFolder(trx, firm.id, mail.clientId);
      const [file] = await trx('files')
        .insert({ firmId: firm.id, clientId: mail.clientId, folderId, name: mail.name, title: mail.subject, kind: 'pdf', mime: 'application/pdf', size: String(stored.size), sha256: stored.sha256, storageKey: stored.key, uploadedBy: person.id })
        .returning('id');
      const fileId = String(file!.id);
      const changed = await trx('mailItems').where({ firmId: firm.id, id: mail.id }).whereNull('copiedAt').update({ copiedAt: new Date(), copiedBy: person.id, copyFileId: fileId });
      if (!changed) throw new Conflict('courriers:copy.already');
      const client = (await trx('clients').where({ firmId: firm.id, id: mail.clientId }).first('name'))!;
      const contacts = await reachableContactsOf(trx, firm.id, mail.clientId);
      const href = `/documents/${mail.clientId}?folder=${folderId}`;
      await notify(trx, firm.id, contacts.map((c) => c.id), { kind: 'document', key: 'courriers:notifications.copy', params: { subject: mail.subject }, href });
      const lien = new URL(href, deps.firms.urlFor(firm, deps.config.publicUrl)).toString();
      for (const c of contacts) {
        const t = deps.i18n.getFixedT(c.locale ?? firm.defaultLocale);
        await enqueueMail(trx, firm.id, composeMail(t, c.email, 'courriers:mail.copy', { objet: mail.subject, client: client.name, lien, cabinet: firm.siteName || firm.name }));
      }
      await recordActivity(trx, firm.id, { action: 'courriers.copied', actor: person, clientId: mail.clientId, objectType: 'mailItem', objectId: mail.id, objectLabel: mail.subject, details: { fileId, contacts: contacts.length } });
      return { contacts: contacts.length };
    });
  } catch (err) {
    await removeStored(deps, firm.id, [stored.key]);
    throw err;
  }
}
