// The contacts module on the home page (A5): the contacts who cannot log in yet, their codes not sent or not used.
import type { HomeSource } from '../registry.ts';
import { searchContacts } from './repo.ts';

export const contactsHome: HomeSource = {
  figures: (trx, firm, user) => (user.role === 'supervisor' || user.role === 'collaborator' ? searchContacts(trx, firm.id, user, { access: 'pending' }).count({ pending: '*' }) : undefined),
  widgets: ({ pending = 0 }) => ({ counts: [], waiting: pending ? [{ key: 'contacts:home.pending', count: pending, href: '/contacts?access=pending' }] : [] }),
};
