// "Paramètres › Messages": the centre's predefined addresses (seed 000: "envoyer un mail aux
// adresses prédéfinies par votre CGA"), which the supervisor keeps. An address already written to is
// archived rather than deleted, so its messages keep their recipient.
import type { MessageAddressRow } from '../../db/messageTables.ts';
import type { FirmRow } from '../../db/tables.ts';
import type { FirmTrx } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import { Forbidden, NotFound } from '../../lib/errors.ts';
import type { FieldErrors } from '../../lib/validation.ts';
import { recordActivity } from '../activity/service.ts';
import type { Person } from './repo.ts';
import type { AddressForm } from './schemas.ts';
import { asPerson } from '../../db/withFirm.ts';

export function addressesOf(trx: FirmTrx, firmId: string): Promise<(Pick<MessageAddressRow, 'id' | 'label' | 'email' | 'position'> & { messages: string })[]> {
  return trx('messageAddresses')
    .where({ firmId })
    .whereNull('archivedAt')
    .orderBy(['position', 'label'])
    .select('id', 'label', 'email', 'position', trx.raw('(SELECT count(*) FROM messages m WHERE m.firm_id = message_addresses.firm_id AND m.recipient_address_id = message_addresses.id) AS messages'));
}

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';

/** Adds an address, or changes one (`id`). */
export async function saveAddress(deps: AppDeps, firm: FirmRow, person: Person, id: string | undefined, form: AddressForm): Promise<{ ok: true } | { ok: false; errors: FieldErrors }> {
  if (person.role !== 'supervisor') throw new Forbidden();
  if (id !== undefined && !/^\d{1,18}$/.test(id)) throw new NotFound();
  try {
    await asPerson(deps, firm, person, async (trx) => {
      let addressId = id;
      if (id) {
        const changed = await trx('messageAddresses').where({ firmId: firm.id, id }).whereNull('archivedAt').update({ label: form.label, email: form.email, position: form.position });
        if (!changed) throw new NotFound();
      } else {
        const [row] = await trx('messageAddresses').insert({ firmId: firm.id, label: form.label, email: form.email, position: form.position }).returning('id');
        addressId = String(row!.id);
      }
      await recordActivity(trx, firm.id, { action: id ? 'messages.addressChanged' : 'messages.addressAdded', actor: person, objectType: 'messageAddress', objectId: addressId, objectLabel: form.label, details: { email: form.email } });
    });
    return { ok: true };
  } catch (err) {
    if (isUniqueViolation(err)) return { ok: false, errors: { label: { key: 'messages:errors.labelTaken', params: { label: form.label } } } };
    throw err;
  }
}

/** Removes an address from the list: deleted if never written to, else archived. */
export async function removeAddress(deps: AppDeps, firm: FirmRow, person: Person, id: string): Promise<void> {
  if (person.role !== 'supervisor') throw new Forbidden();
  if (!/^\d{1,18}$/.test(id)) throw new NotFound();
  await asPerson(deps, firm, person, async (trx) => {
    const address = await trx('messageAddresses').where({ firmId: firm.id, id }).whereNull('archivedAt').first('id', 'label');
    if (!address) throw new NotFound();
    const used = await trx('messages').where({ firmId: firm.id }).where((w) => w.where('recipientAddressId', id).orWhere('senderAddressId', id)).first('id');
    if (used) await trx('messageAddresses').where({ firmId: firm.id, id }).update({ archivedAt: new Date() });
    else await trx('messageAddresses').where({ firmId: firm.id, id }).delete();
    await recordActivity(trx, firm.id, { action: 'messages.addressRemoved', actor: person, objectType: 'messageAddress', objectId: id, objectLabel: address.label });
  });
}
