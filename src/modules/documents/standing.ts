// Which client a person may open documents of, and how: staff through the client list's rules
// (B1, B3), a contact through being one of the client's contacts. Anything else looks absent (404).
import type { ClientRow } from '../../db/tables.ts';
import type { FirmTrx } from '../../db/withFirm.ts';
import type { SessionUser } from '../../http/context.ts';
import { NotFound } from '../../lib/errors.ts';
import { accessOf, findVisibleClient } from '../clients/repo.ts';
import type { ClientStanding } from './levels.ts';

export type Person = Pick<SessionUser, 'id' | 'role' | 'name'>;
export type ClientRef = Pick<ClientRow, 'id' | 'number' | 'name' | 'inTrash'>;

export async function standingOf(trx: FirmTrx, firmId: string, person: Person, clientId: string): Promise<{ client: ClientRef; standing: ClientStanding }> {
  if (person.role === 'contact') {
    if (!/^\d{1,18}$/.test(clientId)) throw new NotFound();
    const client = (await trx('clients')
      .join('clientContacts as cc', (j) => j.on('cc.firmId', 'clients.firmId').andOn('cc.clientId', 'clients.id'))
      .where({ 'clients.firmId': firmId, 'clients.id': clientId, 'clients.inTrash': false, 'cc.userId': person.id })
      .first('clients.id', 'clients.number', 'clients.name', 'clients.inTrash')) as ClientRef | undefined;
    if (!client) throw new NotFound();
    return { client, standing: { role: 'contact' } };
  }
  const client = await findVisibleClient(trx, firmId, person, clientId);
  const access = await accessOf(trx, firmId, person, client);
  return { client, standing: access === 'all' ? { role: 'supervisor' } : { role: 'collaborator', access } };
}

/** The clients whose documents a contact may open, by name. */
export function clientsOfContact(trx: FirmTrx, firmId: string, contactId: string): Promise<Pick<ClientRow, 'id' | 'number' | 'name'>[]> {
  return trx('clients')
    .join('clientContacts as cc', (j) => j.on('cc.firmId', 'clients.firmId').andOn('cc.clientId', 'clients.id'))
    .where({ 'clients.firmId': firmId, 'clients.inTrash': false, 'cc.userId': contactId })
    .orderBy('clients.nameKey')
    .select('clients.id', 'clients.number', 'clients.name');
}
