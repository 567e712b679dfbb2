// The clients module on the home page (A5): the clients and contacts open to the user, and what waits.
import type { HomeSource, HomeWidgets } from '../registry.ts';
import { visibleTo } from './repo.ts';

const ACTIVE = 'NOT clients.in_trash AND clients.departed_on IS NULL';
const PENDING = `NOT clients.in_trash AND ((clients.departed_on IS NULL AND clients.reported_added_at IS NULL) OR (clients.departed_on IS NOT NULL AND clients.reported_departure_at IS NULL))`;

export const clientsHome: HomeSource = {
  figures(trx, firm, user) {
    if (user.role !== 'supervisor' && user.role !== 'collaborator') return undefined;
    const q = trx('clients')
      .leftJoin('clientContacts as cc', (j) => j.on('cc.firmId', 'clients.firmId').andOn('cc.clientId', 'clients.id'))
      .where('clients.firmId', firm.id)
      .select(
        trx.raw(`count(DISTINCT clients.id) FILTER (WHERE ${ACTIVE}) AS clients`),
        trx.raw(`count(DISTINCT cc.user_id) FILTER (WHERE ${ACTIVE}) AS contacts`),
        trx.raw(`count(DISTINCT clients.id) FILTER (WHERE ${ACTIVE} AND clients.collaborator_id IS NULL) AS unassigned`),
        trx.raw(`count(DISTINCT clients.id) FILTER (WHERE ${PENDING}) AS pending`),
      );
    return visibleTo(q, firm.id, user);
  },
  widgets(row, firm, user) {
    // What waits is the supervisor's: assigning clients, telling the management centre.
    const unassigned = user.role === 'supervisor' ? (row.unassigned ?? 0) : 0;
    const pending = user.role === 'supervisor' ? (row.pending ?? 0) : 0;
    const waiting: HomeWidgets['waiting'] = [];
    if (unassigned) waiting.push({ key: 'clients:home.unassigned', count: unassigned, href: '/clients?view=unassigned' });
    if (pending) waiting.push({ key: 'clients:home.pendingUpdates', count: pending, href: '/clients/updates' });
    return {
      counts: [
        { key: 'clients:home.clients', value: row.clients ?? 0, href: '/clients' },
        { key: 'clients:home.contacts', value: row.contacts ?? 0, href: firm.modules.includes('contacts') ? '/contacts' : '/clients' },
      ],
      waiting,
    };
  },
};
