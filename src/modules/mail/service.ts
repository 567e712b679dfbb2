// Putting a document in a client's mail, and opening it (G1–G4). Staff put mail in for the clients
// open to them (a firm without a management centre does this itself); the people in charge of the
// client are told by email — never sent the document. Opening the PDF marks it read and archives it.
import type { Request, Response } from 'express';
import type { FirmRow } from '../../db/tables.ts';
import { asPerson, type FirmTrx } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import type { SentFile } from '../../http/attachment.ts';
import { Forbidden } from '../../lib/errors.ts';
import { checkDisplayName } from '../../lib/files/name.ts';
import { composeMail, enqueueMail } from '../../lib/mail/outbox.ts';
import { UploadEngine } from '../../lib/storage/uploadEngine.ts';
import { parseForm, type FieldErrors } from '../../lib/validation.ts';
import { recordActivity } from '../activity/service.ts';
import { visibleTo } from '../clients/repo.ts';
import { notify } from '../notifications/service.ts';
import { firmStorage, removeStored } from '../documents/store.ts';
import { findMail, type Person } from './repo.ts';
import { newMailSchema } from './schemas.ts';

export type PutOutcome = { ok: true; id: string } | { ok: false; errors: FieldErrors; status: number };

/** The people in charge of a client: its collaborator and those it is shared with; else the supervisors. */
async function peopleInCharge(trx: FirmTrx, firmId: string, clientId: string, collaboratorId: string | null): Promise<{ id: string; email: string | null; locale: string | null }[]> {
  const staff: { email: string | null; locale: string | null; id: string }[] = await trx('users')
    .where({ firmId, active: true })
    .where((w) => w.where('id', collaboratorId ?? '0').orWhereExists((s) => s.select(trx.raw('1')).from('clientAccess as ca').where('ca.firmId', firmId).where('ca.clientId', clientId).whereRaw('ca.user_id = users.id')))
    .select('id', 'email', 'locale');
  if (staff.length) return staff;
  return trx('users').where({ firmId, active: true, role: 'supervisor' }).select('id', 'email', 'locale');
}

/** "Mettre un courrier": a PDF, its type and subject, whether it needs a reply and by when. */
export async function putMail(deps: AppDeps, firm: FirmRow, person: Person, req: Request, res: Response): Promise<PutOutcome> {
  if (person.role === 'contact') throw new Forbidden();
  const policy = { maxBytes: firm.uploadMaxMb * 1024 * 1024, kinds: ['pdf' as const] };
  const received = await new UploadEngine(await firmStorage(deps, firm.id), policy).receive(req, res, { field: 'document', maxFiles: 1, policy });
  if (!received.ok) return { ok: false, errors: { document: received.error.key === 'validation.fileType' ? { key: 'courriers:errors.pdfOnly' } : received.error }, status: received.status };
  const file = received.files[0]!;
  try {
    const form = parseForm(newMailSchema, req.body);
    const name = checkDisplayName(file.originalName);
    if (!form.ok || !name.ok) {
      await removeStored(deps, firm.id, [file.key]);
      return { ok: false, errors: form.ok ? { document: { key: `documents:errors.name.${name.ok ? 'malformed' : name.reason}`, params: { name: file.originalName.slice(0, 80) } } } : form.errors, status: 400 };
    }
    const outcome = await asPerson(deps, firm, person, async (trx): Promise<PutOutcome> => {
      const q = trx('clients').where('clients.firmId', firm.id).where('clients.number', Number(form.data.clientNumber)).where('clients.inTrash', false).first('clients.id', 'clients.name', 'clients.number', 'clients.collaboratorId');
      visibleTo(q, firm.id, person);
      const client = (await q) as { id: string; name: string; number: number; collaboratorId: string | null } | undefined;
      if (!client) return { ok: false, errors: { clientNumber: { key: 'courriers:errors.clientUnknown', params: { number: form.data.clientNumber } } }, status: 400 };
      const { clientNumber: _n, ...fields } = form.data;
      const [row] = await trx('mailItems')
        .insert({ firmId: firm.id, clientId: client.id, senderId: person.id, fromCentre: person.role === 'centre', ...fields, name: name.name, size: String(file.size), sha256: file.sha256, storageKey: file.key })
        .returning('id');
      const id = String(row!.id);
      const link = new URL('/mail', deps.firms.urlFor(firm, deps.config.publicUrl)).toString();
      const inCharge = (await peopleInCharge(trx, firm.id, client.id, client.collaboratorId)).filter((p) => p.id !== person.id); // who put it in knows
      await notify(trx, firm.id, inCharge.map((p) => p.id), { kind: 'mail', key: 'courriers:notifications.arrived', params: { subject: form.data.subject, client: client.name }, href: `/mail/${id}` });
      for (const p of inCharge) {
        if (!p.email) continue; // told in the extranet only
        const t = deps.i18n.getFixedT(p.locale ?? firm.defaultLocale);
        await enqueueMail(trx, firm.id, composeMail(t, p.email, 'courriers:mail.arrived', { client: `${client.name} (n° ${client.number})`, objet: form.data.subject, type: t(`courriers:types.${form.data.type}`), lien: link, cabinet: firm.siteName || firm.name }));
      }
      await recordActivity(trx, firm.id, { action: 'courriers.put', actor: person, clientId: client.id, objectType: 'mailItem', objectId: id, objectLabel: form.data.subject, details: { type: form.data.type, needsReply: form.data.needsReply } });
      return { ok: true, id };
    });
    if (!outcome.ok) await removeStored(deps, firm.id, [file.key]);
    return outcome;
  } catch (err) {
    await removeStored(deps, firm.id, [file.key]);
    throw err;
  }
}

/**
 * Opening the document: read by this person, archived, logged; then the PDF, shown in the browser to
 * print or save. The centre rereading what it sent changes nothing: read and archived are the firm's.
 */
export async function openMail(deps: AppDeps, firm: FirmRow, person: Person, id: string, ip: string | null): Promise<SentFile> {
  const mail = await asPerson(deps, firm, person, async (trx) => {
    const mail = await findMail(trx, firm.id, person, id);
    if (person.role === 'centre') return mail;
    await trx('mailItems')
      .where({ firmId: firm.id, id: mail.id })
      .update({ readAt: mail.readAt ?? new Date(), readBy: mail.readBy ?? person.id, archivedAt: mail.archivedAt ?? new Date() });
    await recordActivity(trx, firm.id, { action: 'courriers.opened', actor: person, clientId: mail.clientId, objectType: 'mailItem', objectId: mail.id, objectLabel: mail.subject, ip });
    return mail;
  });
  const storage = await firmStorage(deps, firm.id);
  return { name: mail.name, size: Number(mail.size), mime: 'application/pdf', open: async () => (await storage.open(mail.storageKey)).stream };
}
