// Dossiers (E2–E4): create one with its files in one form, change its details, amount, payment
// state and steps, tell the client it is available. Staff who may modify the client only; each
// change is one transaction with its activity entry (and its emails, through the outbox).
import type { Request, Response } from 'express';
import type { FirmRow } from '../../db/tables.ts';
import { asPerson, type FirmTrx } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import { Forbidden, NotFound } from '../../lib/errors.ts';
import { checkDisplayName } from '../../lib/files/name.ts';
import type { FileKind } from '../../lib/files/type.ts';
import { composeMail, enqueueMail, writtenMail } from '../../lib/mail/outbox.ts';
import { UploadEngine, type StoredUpload } from '../../lib/storage/uploadEngine.ts';
import { parseForm, type FieldErrors } from '../../lib/validation.ts';
import { recordActivity } from '../activity/service.ts';
import { accessOf, findVisibleClient, reachableContactsOf } from '../clients/repo.ts';
import { firmStorage, removeStored } from '../documents/store.ts';
import { extensionOf } from '../documents/upload.ts';
import { notify } from '../notifications/service.ts';
import { findDossier, type DossierClient, type Person } from './repo.ts';
import { newDossierSchema } from './schemas.ts';

export const MAX_FILES = 20;

/** Staff who may modify the client manage its dossiers; others may only read them. */
export async function mayManage(trx: FirmTrx, firmId: string, person: Person, client: Pick<DossierClient, 'id' | 'collaboratorId'>): Promise<boolean> {
  if (person.role === 'contact') return false;
  return (await accessOf(trx, firmId, person, client)) !== 'read';
}

/** One dossier its manager may change, or 404 / 403. */
export async function managed(trx: FirmTrx, firmId: string, person: Person, id: string) {
  const found = await findDossier(trx, firmId, person, id);
  if (!(await mayManage(trx, firmId, person, found.client))) throw new Forbidden('dossiers:errors.readOnly');
  return found;
}

/** Streams the request's files to disk with the firm's rules; none at all is fine. */
async function receiveFiles(deps: AppDeps, firm: FirmRow, req: Request, res: Response): Promise<{ ok: true; files: StoredUpload[] } | { ok: false; errors: FieldErrors; status: number }> {
  const policy = { maxBytes: firm.uploadMaxMb * 1024 * 1024, kinds: firm.uploadKinds as FileKind[] };
  const received = await new UploadEngine(await firmStorage(deps, firm.id), policy).receive(req, res, { field: 'files', maxFiles: MAX_FILES, policy });
  if (received.ok) return received;
  if (received.error.key === 'validation.fileMissing') return { ok: true, files: [] };
  return { ok: false, errors: { files: received.error }, status: received.status };
}

/** Checks each file's name (one file may be renamed in the form); the extension stays. */
function named(files: StoredUpload[], rename: string | undefined): { ok: true; names: string[] } | { ok: false; errors: FieldErrors } {
  const names: string[] = [];
  for (const file of files) {
    const ext = extensionOf(file.originalName);
    const wanted = files.length === 1 && rename ? (ext && extensionOf(rename) !== ext ? `${rename}.${ext}` : rename) : file.originalName;
    const check = checkDisplayName(wanted);
    if (!check.ok) return { ok: false, errors: { files: { key: `documents:errors.name.${check.reason}`, params: { name: wanted.slice(0, 80) } } } };
    names.push(check.name);
  }
  return { ok: true, names };
}

async function insertFiles(trx: FirmTrx, firmId: string, person: Person, dossier: { id: string; clientId: string; title: string }, files: StoredUpload[], names: string[], title = '', comment = '', ip: string | null = null) {
  if (!files.length) return;
  const rows = await trx('files')
    .insert(files.map((f, i) => ({ firmId, clientId: dossier.clientId, dossierId: dossier.id, name: names[i]!, title, comment, kind: f.kind, mime: f.mime, size: String(f.size), sha256: f.sha256, storageKey: f.key, uploadedBy: person.id })))
    .returning(['id', 'name']);
  for (const row of rows) {
    await recordActivity(trx, firmId, { action: 'documents.uploaded', actor: person, clientId: dossier.clientId, objectType: 'file', objectId: String(row.id), objectLabel: row.name, ip, details: { dossier: dossier.title, format: extensionOf(row.name) } });
  }
}

export type CreateOutcome = { ok: true; id: string } | { ok: false; errors: FieldErrors; status: number };

/** "Nouveau dossier": title, comments, amount and the attached files, all saved or none. */
export async function createDossier(deps: AppDeps, firm: FirmRow, person: Person, req: Request, res: Response): Promise<CreateOutcome> {
  if (person.role === 'contact') throw new Forbidden();
  const received = await receiveFiles(deps, firm, req, res);
  if (!received.ok) return received;
  const keys = received.files.map((f) => f.key);
  try {
    const form = parseForm(newDossierSchema, req.body);
    const names = form.ok ? named(received.files, form.data.name) : undefined;
    if (!form.ok || !names?.ok) {
      await removeStored(deps, firm.id, keys);
      return { ok: false, errors: !form.ok ? form.errors : (names as { errors: FieldErrors }).errors, status: 400 };
    }
    const outcome = await asPerson(deps, firm, person, async (trx): Promise<CreateOutcome> => {
      const client = await trx('clients').where({ firmId: firm.id, number: Number(form.data.clientNumber), inTrash: false }).first('id', 'collaboratorId', 'number', 'name');
      const visible = client && (person.role === 'supervisor' || (await mayManage(trx, firm.id, person, client)));
      if (!client || !visible) return { ok: false, errors: { clientNumber: { key: 'dossiers:errors.clientUnknown', params: { number: form.data.clientNumber } } }, status: 400 };
      const [row] = await trx('dossiers').insert({ firmId: firm.id, clientId: client.id, title: form.data.title, comments: form.data.comments, amount: form.data.amount, createdBy: person.id }).returning('id');
      const dossier = { id: String(row!.id), clientId: client.id, title: form.data.title };
      await insertFiles(trx, firm.id, person, dossier, received.files, names.names, form.data.fileTitle ?? '', form.data.fileComment ?? '', req.ip ?? null);
      await recordActivity(trx, firm.id, { action: 'dossiers.created', actor: person, clientId: client.id, objectType: 'dossier', objectId: dossier.id, objectLabel: dossier.title, details: { files: received.files.length } });
      return { ok: true, id: dossier.id };
    });
    if (!outcome.ok) await removeStored(deps, firm.id, keys);
    return outcome;
  } catch (err) {
    await removeStored(deps, firm.id, keys);
    throw err;
  }
}

/** Files added to an existing dossier. */
export async function addFiles(deps: AppDeps, firm: FirmRow, person: Person, id: string, req: Request, res: Response): Promise<{ ok: true; count: number } | { ok: false; errors: FieldErrors; status: number }> {
  await asPerson(deps, firm, person, (trx) => managed(trx, firm.id, person, id));
  const received = await receiveFiles(deps, firm, req, res);
  if (!received.ok) return received;
  if (!received.files.length) return { ok: false, errors: { files: { key: 'validation.fileMissing' } }, status: 400 };
  const keys = received.files.map((f) => f.key);
  const body = (req.body ?? {}) as Record<string, unknown>;
  const str = (v: unknown, max: number) => (typeof v === 'string' ? v.trim().slice(0, max) : '');
  const names = named(received.files, str(body.name, 255));
  if (!names.ok) {
    await removeStored(deps, firm.id, keys);
    return { ok: false, errors: names.errors, status: 400 };
  }
  try {
    await asPerson(deps, firm, person, async (trx) => {
      const { dossier } = await managed(trx, firm.id, person, id);
      await insertFiles(trx, firm.id, person, dossier, received.files, names.names, str(body.fileTitle, 255), str(body.fileComment, 2000), req.ip ?? null);
    });
    return { ok: true, count: received.files.length };
  } catch (err) {
    await removeStored(deps, firm.id, keys);
    throw err;
  }
}

type Change = { summary: string; conclusions: string[] } | { amount: string | null } | { paid: boolean };

/** Details, amount, or paid ⇄ unpaid ("Passer un dossier en payé/impayé"): marking it paid lifts the stamp at once. */
export async function changeDossier(deps: AppDeps, firm: FirmRow, person: Person, id: string, change: Change): Promise<void> {
  await asPerson(deps, firm, person, async (trx) => {
    const { dossier } = await managed(trx, firm.id, person, id);
    const update = 'paid' in change ? { paid: change.paid, paidAt: change.paid ? new Date() : null } : change;
    await trx('dossiers').where({ firmId: firm.id, id: dossier.id }).update({ ...update, updatedAt: new Date() });
    const action = 'paid' in change ? (change.paid ? 'dossiers.markedPaid' : 'dossiers.markedUnpaid') : 'amount' in change ? 'dossiers.amountChanged' : 'dossiers.detailsChanged';
    await recordActivity(trx, firm.id, { action, actor: person, clientId: dossier.clientId, objectType: 'dossier', objectId: dossier.id, objectLabel: dossier.title, details: 'amount' in change ? { from: dossier.amount, to: change.amount } : {} });
  });
}

export async function addStep(deps: AppDeps, firm: FirmRow, person: Person, id: string, step: { label: string; dueOn: string | null }): Promise<void> {
  await asPerson(deps, firm, person, async (trx) => {
    const { dossier } = await managed(trx, firm.id, person, id);
    const [{ max }] = (await trx('dossierSteps').where({ firmId: firm.id, dossierId: dossier.id }).max({ max: 'position' })) as [{ max: number | null }];
    await trx('dossierSteps').insert({ firmId: firm.id, dossierId: dossier.id, label: step.label, dueOn: step.dueOn, position: (max ?? 0) + 1 });
  });
}

export async function toggleStep(deps: AppDeps, firm: FirmRow, person: Person, id: string, stepId: string): Promise<void> {
  await asPerson(deps, firm, person, async (trx) => {
    const { dossier } = await managed(trx, firm.id, person, id);
    if (!/^\d{1,18}$/.test(stepId)) throw new NotFound();
    const changed = await trx('dossierSteps').where({ firmId: firm.id, dossierId: dossier.id, id: stepId }).update({ done: trx.raw('NOT done') as unknown as boolean });
    if (!changed) throw new NotFound();
  });
}

/** "Avertir le client de la disponibilité du dossier par mail": one email per contact of the client, with a link to the dossier. */
export async function notifyClient(deps: AppDeps, firm: FirmRow, person: Person, id: string): Promise<{ sentTo: string[] }> {
  return asPerson(deps, firm, person, async (trx) => {
    const { dossier, client } = await managed(trx, firm.id, person, id);
    const contacts = await reachableContactsOf(trx, firm.id, client.id);
    // Told in the extranet too (K3), the same contacts as by email.
    await notify(trx, firm.id, contacts.map((c) => c.id), { kind: 'dossier', key: 'dossiers:notifications.available', params: { dossier: dossier.title }, href: `/dossiers/${dossier.id}` });
    const link = new URL(`/dossiers/${dossier.id}`, deps.firms.urlFor(firm, deps.config.publicUrl)).toString();
    for (const c of contacts) {
      const t = deps.i18n.getFixedT(c.locale ?? firm.defaultLocale);
      await enqueueMail(trx, firm.id, composeMail(t, c.email, 'dossiers:mail.available', { dossier: dossier.title, client: client.name, lien: link, cabinet: firm.siteName || firm.name, nom: `${c.firstName} ${c.lastName}`.trim() }));
    }
    const sentTo = contacts.map((c) => c.email);
    if (sentTo.length) await trx('dossiers').where({ firmId: firm.id, id: dossier.id }).update({ notifiedAt: new Date() });
    await recordActivity(trx, firm.id, { action: 'dossiers.notified', actor: person, clientId: client.id, objectType: 'dossier', objectId: dossier.id, objectLabel: dossier.title, details: { to: sentTo } });
    return { sentTo };
  });
}

/** "Autoriser ce client à accéder aux documents même en cas d'impayés" (D5), for staff who may modify the client. */
export async function setUnpaidExempt(deps: AppDeps, firm: FirmRow, person: Person, clientId: string, exempt: boolean): Promise<void> {
  if (person.role === 'contact' || !/^\d{1,18}$/.test(clientId)) throw new NotFound();
  await asPerson(deps, firm, person, async (trx) => {
    const client = await findVisibleClient(trx, firm.id, person, clientId);
    if (!(await mayManage(trx, firm.id, person, client))) throw new Forbidden('dossiers:errors.readOnly');
    await trx('clients').where({ firmId: firm.id, id: client.id }).update({ unpaidExempt: exempt, updatedAt: new Date() });
    await recordActivity(trx, firm.id, { action: exempt ? 'dossiers.exempted' : 'dossiers.exemptionLifted', actor: person, clientId: client.id, objectType: 'client', objectId: client.id, objectLabel: client.name });
  });
}

/** "Envoyer un message concernant ce dossier": the writer's words and a link to the dossier, to the client's contacts, Reply-To the writer. */
export async function messageAboutDossier(deps: AppDeps, firm: FirmRow, person: Person, id: string, form: { subject: string; message: string }): Promise<string[]> {
  return asPerson(deps, firm, person, async (trx) => {
    const { dossier, client } = await managed(trx, firm.id, person, id);
    const contacts = await reachableContactsOf(trx, firm.id, client.id);
    const writer = await trx('users').where({ firmId: firm.id, id: person.id }).first('email', 'firstName', 'lastName', 'identifier');
    const link = new URL(`/dossiers/${dossier.id}`, deps.firms.urlFor(firm, deps.config.publicUrl)).toString();
    for (const c of contacts) {
      const t = deps.i18n.getFixedT(c.locale ?? firm.defaultLocale);
      const text = `${form.message}\n\n${t('dossiers:message.linkLine', { dossier: dossier.title, lien: link })}\n\n-- \n${writer ? `${writer.firstName} ${writer.lastName}`.trim() || writer.identifier : person.name}\n${firm.siteName || firm.name}`;
      await enqueueMail(trx, firm.id, writtenMail(c.email, 'dossiers.message', form.subject, text, writer?.email ?? undefined));
    }
    const sentTo = contacts.map((c) => c.email);
    await recordActivity(trx, firm.id, { action: 'dossiers.messageSent', actor: person, clientId: client.id, objectType: 'dossier', objectId: dossier.id, objectLabel: dossier.title, details: { subject: form.subject, to: sentTo } });
    return sentTo;
  });
}
