// The clients module on the home page (A5): the clients and contacts open to the user, and what waits.
import type { FirmRow } from '../../db/tables.ts';
import { inTurn, type FirmTrx } from '../../db/withFirm.ts';
import type { SessionUser } from '../../http/context.ts';
import type { HomeWidgets } from '../registry.ts';
import { filtered } from './repo.ts';

export async function clientsHome(trx: FirmTrx, firm: FirmRow, user: SessionUser): Promise<HomeWidgets> {
  if (user.role !== 'supervisor' && user.role !== 'collaborator') return { counts: [], waiting: [] };
  const count = async (q: ReturnType<typeof filtered>) => Number(((await q.count({ n: '*' })) as { n: string }[])[0]?.n ?? 0);
  const visible = filtered(trx, firm.id, user, {});
  const contacts = trx('clientContacts')
    .where('clientContacts.firmId', firm.id)
    .whereIn('clientContacts.clientId', filtered(trx, firm.id, user, {}).select('clients.id'))
    .countDistinct({ n: 'clientContacts.userId' });
  const [clients, contactCount, unassigned, pending] = await inTurn(
    () => count(visible),
    () => contacts.then((r) => Number((r as { n: string }[])[0]?.n ?? 0)),
    () => (user.role === 'supervisor' ? count(filtered(trx, firm.id, user, { view: 'unassigned' })) : 0),
    () =>
      user.role === 'supervisor'
        ? count(
            trx('clients')
              .where({ firmId: firm.id, inTrash: false })
              .where((w) => w.where((a) => a.whereNull('departedOn').whereNull('reportedAddedAt')).orWhere((d) => d.whereNotNull('departedOn').whereNull('reportedDepartureAt'))),
          )
        : 0,
  );
  const waiting: HomeWidgets['waiting'] = [];
  if (unassigned) waiting.push({ key: 'clients:home.unassigned', count: unassigned, href: '/clients?view=unassigned' });
  if (pending) waiting.push({ key: 'clients:home.pendingUpdates', count: pending, href: '/clients/updates' });
  return {
    counts: [
      { key: 'clients:home.clients', value: clients, href: '/clients' },
      { key: 'clients:home.contacts', value: contactCount, href: firm.modules.includes('contacts') ? '/contacts' : '/clients' },
    ],
    waiting,
  };
}
