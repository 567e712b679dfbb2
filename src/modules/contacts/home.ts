// The contacts module on the home page (A5): the contacts who cannot log in yet, their codes not sent or not used.
import type { FirmRow } from '../../db/tables.ts';
import type { FirmTrx } from '../../db/withFirm.ts';
import type { SessionUser } from '../../http/context.ts';
import type { HomeWidgets } from '../registry.ts';
import { searchContacts } from './repo.ts';

export async function contactsHome(trx: FirmTrx, firm: FirmRow, user: SessionUser): Promise<HomeWidgets> {
  if (user.role !== 'supervisor' && user.role !== 'collaborator') return { counts: [], waiting: [] };
  const [{ n }] = (await searchContacts(trx, firm.id, user, { access: 'pending' }).count({ n: '*' })) as [{ n: string }];
  const pending = Number(n);
  return { counts: [], waiting: pending ? [{ key: 'contacts:home.pending', count: pending, href: '/contacts?access=pending' }] : [] };
}
