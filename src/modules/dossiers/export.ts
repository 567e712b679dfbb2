// "Exportation Excel" of the dossier list (E1), with the search and filters in force, streamed in
// keyset batches, each in its own short transaction.
import { asPerson } from '../../db/withFirm.ts';
import type { FirmRow } from '../../db/tables.ts';
import type { AppDeps } from '../../deps.ts';
import type { TFunction } from '../../lib/i18n/index.ts';
import type { XlsxCell, XlsxSheet } from '../../lib/xlsx/stream.ts';
import { downloadState, filteredDossiers, withListColumns, type DossierListRow, type Person } from './repo.ts';
import type { DossierListQuery } from './schemas.ts';

const BATCH = 2000;

export function dossierExport(deps: AppDeps, firm: FirmRow, person: Person, query: DossierListQuery, t: TFunction): { sheet: XlsxSheet; rows: AsyncIterable<XlsxCell[]> } {
  const sheet: XlsxSheet = {
    name: t('dossiers:title'),
    columns: [
      { header: t('dossiers:columns.created'), type: 'date' },
      { header: t('dossiers:columns.title'), type: 'text', width: 40 },
      { header: t('dossiers:columns.clientNumber'), type: 'number', width: 10 },
      { header: t('dossiers:columns.client'), type: 'text', width: 30 },
      { header: t('dossiers:columns.amount'), type: 'amount' },
      { header: t('dossiers:columns.payment'), type: 'text', width: 12 },
      { header: t('dossiers:columns.files'), type: 'number', width: 10 },
      { header: t('dossiers:columns.state'), type: 'text', width: 26 },
    ],
  };
  async function* rows(): AsyncGenerator<XlsxCell[]> {
    let after: { createdAt: Date; id: string } | undefined;
    for (;;) {
      const batch = (await asPerson(deps, firm, person, (trx) => {
        const q = withListColumns(trx, filteredDossiers(trx, firm.id, person, query)).limit(BATCH);
        if (after) q.whereRaw('(dossiers.created_at, dossiers.id) < (?, ?)', [after.createdAt, after.id]);
        return q;
      })) as DossierListRow[];
      for (const d of batch) {
        yield [d.createdAt, d.title, d.clientNumber, d.clientName, d.amount, t(d.paid ? 'dossiers:paid.yes' : 'dossiers:paid.no'), Number(d.fileCount), t(`dossiers:states.${downloadState(d)}`)];
      }
      if (batch.length < BATCH) return;
      const last = batch.at(-1)!;
      after = { createdAt: last.createdAt, id: last.id };
    }
  }
  return { sheet, rows: rows() };
}
