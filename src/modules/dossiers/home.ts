// Dossiers on the home page (A5, seed 001 §I): how many, and the total still unpaid.
import type { FirmRow } from '../../db/tables.ts';
import type { FirmTrx } from '../../db/withFirm.ts';
import type { SessionUser } from '../../http/context.ts';
import { formatAmount } from '../../lib/format.ts';
import type { HomeWidgets } from '../registry.ts';
import { visibleDossiers } from './repo.ts';

export async function dossiersHome(trx: FirmTrx, firm: FirmRow, user: SessionUser): Promise<HomeWidgets> {
  const [row] = (await visibleDossiers(trx, firm.id, user)
    .select(trx.raw('count(*) AS n'), trx.raw('coalesce(sum(dossiers.amount) FILTER (WHERE NOT dossiers.paid), 0) AS unpaid'), trx.raw('count(*) FILTER (WHERE NOT dossiers.paid AND dossiers.amount > 0) AS unpaid_count'))) as {
    n: string;
    unpaid: string;
    unpaidCount: string;
  }[];
  const unpaid = Number(row?.unpaid ?? 0);
  return {
    counts: [{ key: 'dossiers:home.count', value: Number(row?.n ?? 0), href: '/dossiers' }],
    waiting: unpaid > 0 ? [{ key: 'dossiers:home.unpaid', count: Number(row?.unpaidCount ?? 0), href: '/dossiers?paid=unpaid', params: { amount: formatAmount(unpaid, user.locale ?? firm.defaultLocale) } }] : [],
  };
}
