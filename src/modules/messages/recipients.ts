// Who a person may write to (H2, "En allant sélectionner un destinataire, vous accéderez à la liste
// déroulante"), and the check of the one they chose:
// - staff: the centre's predefined addresses, and the contacts of the clients open to them (B1
//   rules: a collaborator, their own clients), each about one client;
// - a contact: the firm, about one of their clients. It reaches the person in charge of that client:
//   its collaborator, else the firm's first supervisor. One reader, never a copy to each supervisor,
//   so that "consulté" and "Annuler" mean one thing;
// - the centre's people: the firm's supervisors and collaborators.
// A choice outside that list (another firm's person, a contact of a client not open to the writer)
// is refused with a message, before anything is written.
import type { Knex } from 'knex';
import type { RecipientKind } from '../../db/messageTables.ts';
import type { FirmRow } from '../../db/tables.ts';
import type { FirmTrx } from '../../db/withFirm.ts';
import type { FieldError } from '../../lib/validation.ts';
import { visibleTo } from '../clients/repo.ts';
import type { Person } from './repo.ts';
import { RECIPIENT } from './schemas.ts';

/** How many contacts the list shows at once; past that, the page offers a search. */
export const CONTACT_OPTIONS = 300;

export interface Recipient {
  kind: RecipientKind;
  userId: string | null;
  addressId: string | null;
  /** As the sender's list shows it. */
  name: string;
  clientId: string | null;
  /** A client's contact: a collaborator's message to them may be held for a supervisor. */
  isContact: boolean;
}

export type Resolution = { ok: true; recipient: Recipient } | { ok: false; error: FieldError };

export interface RecipientOption {
  value: string;
  kind: 'address' | 'contact' | 'firm' | 'staff';
  name: string;
  /** The client (contacts, the firm) or the role (staff). */
  detail: string;
}

export const fullName = (u: { firstName: string; lastName: string; identifier?: string }) => `${u.firstName} ${u.lastName}`.trim() || (u.identifier ?? '');
const isStaff = (person: Person) => person.role === 'supervisor' || person.role === 'collaborator';
const escapeLike = (word: string) => word.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The contacts of the clients open to a member of staff, each with one of their clients. */
function contactsOf(trx: FirmTrx, firmId: string, person: Person): Knex.QueryBuilder {
  const q = trx('clientContacts as cc')
    .join('users as u', (j) => j.on('u.firmId', 'cc.firmId').andOn('u.id', 'cc.userId'))
    .join('clients', (j) => j.on('clients.firmId', 'cc.firmId').andOn('clients.id', 'cc.clientId'))
    .where('cc.firmId', firmId)
    .where('u.role', 'contact')
    .where('u.active', true)
    .where('clients.inTrash', false);
  return visibleTo(q, firmId, person);
}

function staffOf(trx: FirmTrx, firmId: string): Knex.QueryBuilder {
  return trx('users').where({ firmId, active: true }).whereIn('role', ['supervisor', 'collaborator']);
}

/** The list to choose from; `search` narrows the contacts (by name, email or client). */
export async function recipientOptions(trx: FirmTrx, firm: FirmRow, person: Person, search?: string): Promise<{ options: RecipientOption[]; more: boolean }> {
  if (person.role === 'contact') {
    const clients: { id: string; name: string; number: number }[] = await trx('clientContacts as cc')
      .join('clients', (j) => j.on('clients.firmId', 'cc.firmId').andOn('clients.id', 'cc.clientId'))
      .where('cc.firmId', firm.id)
      .where('cc.userId', person.id)
      .where('clients.inTrash', false)
      .orderBy('clients.nameKey')
      .select('clients.id', 'clients.name', 'clients.number');
    return { options: clients.map((c) => ({ value: `firm:${c.id}`, kind: 'firm', name: firm.siteName || firm.name, detail: c.name })), more: false };
  }
  if (person.role === 'centre') {
    const staff: { id: string; firstName: string; lastName: string; identifier: string; role: string }[] = await staffOf(trx, firm.id).orderBy(['lastName', 'firstName']).select('id', 'firstName', 'lastName', 'identifier', 'role');
    return { options: staff.map((u) => ({ value: `user:${u.id}`, kind: 'staff', name: fullName(u), detail: u.role })), more: false };
  }
  if (!isStaff(person)) return { options: [], more: false };
  const addresses: { id: string; label: string; email: string }[] = await trx('messageAddresses').where({ firmId: firm.id }).whereNull('archivedAt').orderBy(['position', 'label']).select('id', 'label', 'email');
  const contacts = contactsOf(trx, firm.id, person)
    .orderBy(['u.nameKey', 'clients.nameKey'])
    .limit(CONTACT_OPTIONS + 1)
    .select('u.id', 'u.firstName', 'u.lastName', 'u.identifier', 'clients.id as clientId', 'clients.name as clientName', 'clients.number as clientNumber');
  for (const word of (search ?? '').split(/\s+/).filter(Boolean).slice(0, 8)) {
    contacts.where((w) => w.whereRaw(`u.search_text LIKE '%' || app_fold(?) || '%'`, [escapeLike(word)]).orWhereRaw(`clients.search_text LIKE '%' || app_fold(?) || '%'`, [escapeLike(word)]));
  }
  const rows = (await contacts) as { id: string; firstName: string; lastName: string; identifier: string; clientId: string; clientName: string; clientNumber: number }[];
  return {
    options: [
      ...addresses.map((a): RecipientOption => ({ value: `address:${a.id}`, kind: 'address', name: a.label, detail: a.email })),
      ...rows.slice(0, CONTACT_OPTIONS).map((c): RecipientOption => ({ value: `contact:${c.id}:${c.clientId}`, kind: 'contact', name: fullName(c), detail: `${c.clientName} (n° ${c.clientNumber})` })),
    ],
    more: rows.length > CONTACT_OPTIONS,
  };
}

const unknown: Resolution = { ok: false, error: { key: 'messages:errors.recipientUnknown' } };

/** The recipient a person chose, checked against what they may choose. */
export async function resolveRecipient(trx: FirmTrx, firm: FirmRow, person: Person, value: string): Promise<Resolution> {
  const match = RECIPIENT.exec(value);
  if (!match) return unknown;
  const [, kind, id, clientId] = match as unknown as [string, string, string, string | undefined];
  if (kind === 'address') {
    if (!isStaff(person) || clientId) return unknown;
    const address = await trx('messageAddresses').where({ firmId: firm.id, id }).whereNull('archivedAt').first('id', 'label');
    return address ? { ok: true, recipient: { kind: 'address', userId: null, addressId: address.id, name: address.label, clientId: null, isContact: false } } : unknown;
  }
  if (kind === 'contact') {
    if (!isStaff(person) || !clientId) return unknown;
    const contact = (await contactsOf(trx, firm.id, person).where({ 'u.id': id, 'clients.id': clientId }).first('u.id', 'u.firstName', 'u.lastName', 'u.identifier')) as { id: string; firstName: string; lastName: string; identifier: string } | undefined;
    if (!contact) return { ok: false, error: { key: 'messages:errors.contactNotYours' } };
    return { ok: true, recipient: { kind: 'user', userId: contact.id, addressId: null, name: fullName(contact), clientId, isContact: true } };
  }
  if (kind === 'firm') {
    if (person.role !== 'contact' || clientId) return unknown;
    const client = await trx('clientContacts as cc')
      .join('clients', (j) => j.on('clients.firmId', 'cc.firmId').andOn('clients.id', 'cc.clientId'))
      .where('cc.firmId', firm.id)
      .where('cc.userId', person.id)
      .where('clients.id', id)
      .where('clients.inTrash', false)
      .first('clients.id', 'clients.collaboratorId');
    if (!client) return unknown;
    const inCharge = await personInCharge(trx, firm.id, client.collaboratorId);
    if (!inCharge) return { ok: false, error: { key: 'messages:errors.nobodyInCharge' } };
    return { ok: true, recipient: { kind: 'user', userId: inCharge.id, addressId: null, name: fullName(inCharge), clientId: client.id, isContact: false } };
  }
  // user: the centre writes to a person of the firm.
  if (person.role !== 'centre' || clientId) return unknown;
  const staff = await staffOf(trx, firm.id).where({ id }).first('id', 'firstName', 'lastName', 'identifier');
  return staff ? { ok: true, recipient: { kind: 'user', userId: staff.id, addressId: null, name: fullName(staff), clientId: null, isContact: false } } : unknown;
}

/** The client's collaborator when they still work here, else the firm's first supervisor. */
async function personInCharge(trx: FirmTrx, firmId: string, collaboratorId: string | null) {
  const columns = ['id', 'firstName', 'lastName', 'identifier'] as const;
  const assigned = collaboratorId ? await staffOf(trx, firmId).where({ id: collaboratorId }).first(...columns) : undefined;
  return assigned ?? (await trx('users').where({ firmId, active: true, role: 'supervisor' }).orderBy('id').first(...columns));
}

/**
 * Where a reply goes: back to the original's sender — to the centre's address when a centre person
 * answered from it. A member of staff answering a contact must still have the contact's client.
 */
export async function replyRecipient(
  trx: FirmTrx,
  firm: FirmRow,
  person: Person,
  original: { senderId: string | null; senderAddressId: string | null; clientId: string | null },
): Promise<Resolution> {
  if (original.senderAddressId) {
    if (!isStaff(person)) return unknown;
    const address = await trx('messageAddresses').where({ firmId: firm.id, id: original.senderAddressId }).first('id', 'label', 'archivedAt');
    if (!address || address.archivedAt) return { ok: false, error: { key: 'messages:errors.addressGone' } };
    return { ok: true, recipient: { kind: 'address', userId: null, addressId: address.id, name: address.label, clientId: null, isContact: false } };
  }
  const sender = original.senderId ? await trx('users').where({ firmId: firm.id, id: original.senderId, active: true }).first('id', 'role', 'firstName', 'lastName', 'identifier') : undefined;
  if (!sender) return { ok: false, error: { key: 'messages:errors.senderGone' } };
  if (sender.role === 'contact') {
    if (!isStaff(person) || !original.clientId) return unknown;
    return resolveRecipient(trx, firm, person, `contact:${sender.id}:${original.clientId}`);
  }
  // A contact answers about the same client; the centre and staff answer a person of the firm or the centre.
  if (person.role === 'contact' && !original.clientId) return unknown;
  return { ok: true, recipient: { kind: 'user', userId: sender.id, addressId: null, name: fullName(sender), clientId: original.clientId, isContact: false } };
}
