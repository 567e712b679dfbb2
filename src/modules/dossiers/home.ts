// Dossiers on the home page (A5, seed 001 §I): how many, and the total still unpaid.
import { formatAmount } from '../../lib/format.ts';
import type { HomeSource } from '../registry.ts';
import { visibleDossiers } from './repo.ts';

export const dossiersHome: HomeSource = {
  figures: (trx, firm, user) =>
    visibleDossiers(trx, firm.id, user).select(
      trx.raw('count(*) AS dossiers'),
      trx.raw('coalesce(sum(dossiers.amount) FILTER (WHERE NOT dossiers.paid), 0) AS owed'),
      trx.raw('count(*) FILTER (WHERE NOT dossiers.paid AND dossiers.amount > 0) AS owing'),
    ),
  widgets: ({ dossiers = 0, owed = 0, owing = 0 }, firm, user) => ({
    counts: [{ key: 'dossiers:home.count', value: dossiers, href: '/dossiers' }],
    waiting: owed > 0 ? [{ key: 'dossiers:home.unpaid', count: owing, href: '/dossiers?paid=unpaid', params: { amount: formatAmount(owed, user.locale ?? firm.defaultLocale) } }] : [],
  }),
};
