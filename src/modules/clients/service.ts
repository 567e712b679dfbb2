// Changing clients: create (the wizard's last step, in one transaction), edit with its history and
// a guard against two people saving at once, trash and restore, delete, and the commercial block.
import type { AccessLevel, ClientAttributeRow, ClientGroupRow, ClientRow, FirmRow, Locale, UserRow } from '../../db/tables.ts';
import { withFirm, type FirmTrx } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import type { SessionUser } from '../../http/context.ts';
import { AppError } from '../../lib/errors.ts';
import type { FieldErrors } from '../../lib/validation.ts';
import { recordActivity } from '../activity/service.ts';
import { queuePasswordLink } from '../auth/service.ts';
import { applyTemplateTo } from '../documents/templates.ts';
import { displayName } from '../users/repo.ts';
import { accessOf, attributesOf, findVisibleClient, likelyDuplicates, staffOptions } from './repo.ts';
import type { ClientFields } from './schemas.ts';
import type { NewAttribute } from './wizard.ts';

export type Duplicate = Awaited<ReturnType<typeof likelyDuplicates>>[number];
export type SaveResult = { ok: true; id: string } | { ok: false; errors: FieldErrors; duplicates?: Duplicate[] };

/** A contact the wizard creates, or one that exists, with the language and sending of the activation email. */
export type WizardContact =
  | { kind: 'new'; firstName: string; lastName: string; email: string; locale: Locale; sendActivation: boolean }
  | { kind: 'existing'; userId: string; sendActivation: boolean };

export interface NewClient {
  fields: ClientFields;
  collaboratorId: string | null;
  contacts: WizardContact[];
  access: Record<string, AccessLevel>; // collaborator id → level; absent: no access
  newAttributes?: NewAttribute[]; // custom values keyed new1… until these exist
  confirmDuplicate: boolean;
  /** B3 step 4: a folder tree template applied in the same transaction. */
  folderTemplateId?: string | null;
}

const NUMBER_TAKEN = 'clients_firm_id_number_key';

/** Problems the database would refuse (or that would lose data): unknown ids, a number in use, duplicates. */
async function check(trx: FirmTrx, firmId: string, fields: ClientFields, collaboratorId: string | null | undefined, confirmDuplicate: boolean, exceptId?: string): Promise<SaveResult | undefined> {
  const errors: FieldErrors = {};
  if (collaboratorId && !(await staffOptions(trx, firmId)).some((s) => s.id === collaboratorId)) errors.collaboratorId = { key: 'validation.choice' };
  if (fields.groupId && !(await trx('clientGroups').where({ firmId, id: fields.groupId }).first('id'))) errors.groupId = { key: 'validation.choice' };
  if (fields.number !== null) {
    const taken = await trx('clients').where({ firmId, number: fields.number }).modify((q) => exceptId && q.whereNot('id', exceptId)).first('id');
    if (taken) errors.number = { key: 'clients:errors.numberTaken' };
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  if (!confirmDuplicate) {
    const duplicates = await likelyDuplicates(trx, firmId, fields, exceptId);
    if (duplicates.length) return { ok: false, errors: {}, duplicates };
  }
  return undefined;
}

async function nextNumber(trx: FirmTrx, firmId: string): Promise<number> {
  const row = await trx('clients').where({ firmId }).max({ n: 'number' }).first();
  return Number(row?.n ?? 0) + 1;
}

/** Numbers given at the same moment by two people: the loser gets a clear message, not a 500. */
function isNumberRace(err: unknown): boolean {
  return (err as { code?: string; constraint?: string }).code === '23505' && (err as { constraint?: string }).constraint === NUMBER_TAKEN;
}

export async function createClient(deps: AppDeps, firm: FirmRow, actor: SessionUser, c: NewClient): Promise<SaveResult> {
  try {
    return await withFirm(deps.db, firm.id, async (trx) => {
      // A collaborator who creates a client keeps it: assigned to them unless they chose someone else,
      // in which case they keep full access to it.
      const collaboratorId = actor.role === 'collaborator' ? (c.collaboratorId ?? actor.id) : c.collaboratorId;
      const problem = await check(trx, firm.id, c.fields, collaboratorId, c.confirmDuplicate);
      if (problem) return problem;
      const number = c.fields.number ?? (await nextNumber(trx, firm.id));
      const customValues = await createAttributes(trx, firm.id, c.newAttributes ?? [], c.fields.customValues);
      const [row] = await trx('clients').insert({ ...c.fields, customValues, number, firmId: firm.id, collaboratorId }).returning(['id', 'number', 'name']);
      const client = row as Pick<ClientRow, 'id' | 'number' | 'name'>;
      await linkContacts(deps, trx, firm, actor, client.id, c.contacts);
      const access = { ...c.access };
      if (actor.role === 'collaborator' && collaboratorId !== actor.id) access[actor.id] = 'write';
      await setAccess(trx, firm.id, client.id, access, collaboratorId);
      if (c.folderTemplateId) await applyTemplateTo(trx, firm.id, client.id, c.folderTemplateId);
      await recordActivity(trx, firm.id, { action: 'clients.created', actor, clientId: client.id, objectType: 'client', objectId: client.id, objectLabel: label(client) });
      return { ok: true as const, id: client.id };
    });
  } catch (err) {
    if (isNumberRace(err)) return { ok: false, errors: { number: { key: 'clients:errors.numberTaken' } } };
    if ((err as { constraint?: string }).constraint === 'client_attributes_label_key') return { ok: false, errors: { newLabel: { key: 'clients:errors.nameTaken' } } };
    throw err;
  }
}

/** The wizard's new attributes become the firm's; the values typed for them move to their ids. */
async function createAttributes(trx: FirmTrx, firmId: string, added: NewAttribute[], values: ClientFields['customValues']): Promise<ClientFields['customValues']> {
  const out = { ...values };
  for (const a of added) {
    const [row] = await trx('clientAttributes').insert({ firmId, label: a.label, type: a.type }).returning('id');
    const id = (row as { id: string }).id;
    if (a.key in out) out[id] = out[a.key]!;
    delete out[a.key];
  }
  return out;
}

async function linkContacts(deps: AppDeps, trx: FirmTrx, firm: FirmRow, actor: SessionUser, clientId: string, contacts: WizardContact[]): Promise<void> {
  for (const contact of contacts) {
    let userId: string;
    if (contact.kind === 'new') {
      const [u] = await trx('users')
        .insert({ firmId: firm.id, role: 'contact', identifier: contact.email.toLowerCase(), email: contact.email, firstName: contact.firstName, lastName: contact.lastName, locale: contact.locale })
        .returning('id');
      userId = (u as { id: string }).id;
    } else {
      const existing = await trx('users').where({ firmId: firm.id, id: contact.userId, role: 'contact' }).first('id');
      if (!existing) throw new AppError(400, 'invalid', 'errors.invalid');
      userId = existing.id;
    }
    await trx('clientContacts').insert({ firmId: firm.id, clientId, userId }).onConflict(['firmId', 'clientId', 'userId']).ignore();
    if (contact.sendActivation) {
      const user = await trx('users').where({ firmId: firm.id, id: userId }).first('id', 'email', 'passwordHash', 'locale', 'identifier');
      if (user) await queuePasswordLink(deps, trx, firm, actor, user);
    }
  }
}

async function setAccess(trx: FirmTrx, firmId: string, clientId: string, access: Record<string, AccessLevel>, assignedId: string | null): Promise<void> {
  const rows = Object.entries(access)
    .filter(([userId]) => userId !== assignedId) // the assigned collaborator has full access already
    .map(([userId, level]) => ({ firmId, clientId, userId, level }));
  if (!rows.length) return;
  const staff = new Set((await staffOptions(trx, firmId)).map((s) => s.id));
  if (rows.some((r) => !staff.has(r.userId))) throw new AppError(400, 'invalid', 'errors.invalid');
  await trx('clientAccess').insert(rows);
}

export const label = (c: Pick<ClientRow, 'number' | 'name'>) => `${c.name} (n° ${c.number})`;

/** The fields whose changes the history lists, in the order of the sheet. */
const TRACKED = ['number', 'name', 'siret', 'legalStatus', 'profession', 'activityStartedOn', 'clientSince', 'address', 'postcode', 'city', 'homeAddress', 'homePostcode', 'homeCity', 'phone', 'fax', 'email', 'dossierNumber', 'groupId', 'collaboratorId', 'blocked', 'blockReason'] as const;

type Change = { field: string; from: unknown; to: unknown };

function changesBetween(before: ClientRow, after: Partial<ClientRow>, attributes: ClientAttributeRow[]): Change[] {
  const changes: Change[] = [];
  for (const field of TRACKED) {
    if (!(field in after)) continue;
    const from = before[field] ?? null;
    const to = after[field] ?? null;
    if (String(from) !== String(to)) changes.push({ field, from, to });
  }
  for (const a of attributes) {
    const from = before.customValues[a.id] ?? null;
    const to = after.customValues?.[a.id] ?? null;
    if (String(from) !== String(to)) changes.push({ field: `attr:${a.label}`, from, to });
  }
  return changes;
}

/** The history shows people and groups by name, as they were called at the time of the change. */
async function withNames(trx: FirmTrx, firmId: string, changes: Change[]): Promise<Change[]> {
  const ids = (field: string) => changes.filter((c) => c.field === field).flatMap((c) => [c.from, c.to]).filter((v): v is string => typeof v === 'string');
  const people = new Map((await trx('users').where({ firmId }).whereIn('id', ids('collaboratorId')).select('id', 'firstName', 'lastName', 'identifier')).map((u: Pick<UserRow, 'id' | 'firstName' | 'lastName' | 'identifier'>) => [u.id, displayName(u)]));
  const groups = new Map((await trx('clientGroups').where({ firmId }).whereIn('id', ids('groupId')).select('id', 'name')).map((g: ClientGroupRow) => [g.id, g.name]));
  const name = (field: string, v: unknown) => (v === null ? null : field === 'collaboratorId' ? (people.get(String(v)) ?? v) : field === 'groupId' ? (groups.get(String(v)) ?? v) : v);
  return changes.map((c) => ({ field: c.field, from: name(c.field, c.from), to: name(c.field, c.to) }));
}

export async function updateClient(
  deps: AppDeps,
  firm: FirmRow,
  actor: SessionUser,
  id: string,
  form: { fields: ClientFields; collaboratorId?: string | null; version?: number; confirmDuplicate: boolean },
): Promise<SaveResult | { ok: false; conflict: { by: string; at: Date } }> {
  try {
    return await withFirm(deps.db, firm.id, async (trx) => {
      const before = await findVisibleClient(trx, firm.id, actor, id);
      if ((await accessOf(trx, firm.id, actor, before)) === 'read') throw new AppError(403, 'forbidden', 'clients:errors.readOnly');
      if (before.version !== form.version) return conflict(trx, firm.id, before);
      const number = form.fields.number ?? before.number;
      const problem = await check(trx, firm.id, { ...form.fields, number }, form.collaboratorId, form.confirmDuplicate, id);
      if (problem) return problem;
      const next: Partial<ClientRow> = { ...form.fields, number, ...(form.collaboratorId !== undefined && { collaboratorId: form.collaboratorId }) };
      // Saved only if nobody saved in between: the version read with the form must still be the one stored.
      const updated = await trx('clients')
        .where({ firmId: firm.id, id, version: form.version })
        .update({ ...next, version: before.version + 1, updatedAt: new Date() });
      if (!updated) return conflict(trx, firm.id, before);
      const changes = await withNames(trx, firm.id, changesBetween(before, next, await attributesOf(trx, firm.id)));
      // A new collaborator is an assignment (I3's history); the other changes, an edit of the sheet.
      const assignment = changes.filter((c) => c.field === 'collaboratorId');
      const edits = changes.filter((c) => c.field !== 'collaboratorId');
      const objectLabel = label({ number, name: form.fields.name });
      if (edits.length) await recordActivity(trx, firm.id, { action: 'clients.updated', actor, clientId: id, objectType: 'client', objectId: id, objectLabel, details: { changes: edits } });
      if (assignment.length) {
        await recordActivity(trx, firm.id, { action: 'clients.assigned', actor, clientId: id, objectType: 'client', objectId: id, objectLabel, details: { changes: assignment, fromId: before.collaboratorId, toId: next.collaboratorId } });
      }
      return { ok: true as const, id };
    });
  } catch (err) {
    if (isNumberRace(err)) return { ok: false, errors: { number: { key: 'clients:errors.numberTaken' } } };
    throw err;
  }
}

/** Who saved the client last, for the message shown to the one whose save was refused. */
async function conflict(trx: FirmTrx, firmId: string, client: ClientRow): Promise<{ ok: false; conflict: { by: string; at: Date } }> {
  const last = await trx('activityLog').where({ firmId, clientId: client.id }).whereIn('action', ['clients.updated', 'clients.assigned', 'clients.trashed', 'clients.restored']).orderBy('id', 'desc').first('actorName', 'at');
  return { ok: false, conflict: { by: last?.actorName ?? '', at: last?.at ?? client.updatedAt } };
}

/** Trash ("Corbeille"), restore, or delete for good; a supervisor's decision. Contacts stay (B4). */
export async function moveClient(deps: AppDeps, firm: FirmRow, actor: SessionUser, id: string, to: 'trash' | 'restore' | 'delete'): Promise<Pick<ClientRow, 'number' | 'name'>> {
  return withFirm(deps.db, firm.id, async (trx) => {
    const client = await findVisibleClient(trx, firm.id, actor, id);
    if (to === 'delete') {
      await trx('clients').where({ firmId: firm.id, id }).delete();
    } else {
      await trx('clients').where({ firmId: firm.id, id }).update({ inTrash: to === 'trash', version: client.version + 1, updatedAt: new Date() });
    }
    const action = { trash: 'clients.trashed', restore: 'clients.restored', delete: 'clients.deleted' }[to];
    await recordActivity(trx, firm.id, { action, actor, clientId: to === 'delete' ? null : id, objectType: 'client', objectId: id, objectLabel: label(client) });
    return client;
  });
}

/**
 * B6, for the modules that sell (orders, quotes, invoices): refuses, with the reason the firm typed,
 * when the client's commercial management is blocked. Call it inside the transaction of the sale.
 */
export async function assertCommercialAllowed(trx: FirmTrx, firmId: string, clientId: string): Promise<void> {
  const client = await trx('clients').where({ firmId, id: clientId }).first('blocked', 'blockReason');
  if (!client) throw new AppError(404, 'not_found', 'errors.notFound');
  if (client.blocked) throw new CommercialBlocked(client.blockReason);
}

export class CommercialBlocked extends AppError {
  readonly reason: string;
  constructor(reason: string) {
    super(409, 'commercial_blocked', 'clients:errors.commercialBlocked');
    this.reason = reason;
  }
}
