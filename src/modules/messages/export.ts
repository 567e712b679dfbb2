// "Exportation Excel" of the message list (seed 001 §V), with the box and filters in force, streamed
// in keyset batches (the list's own), each in its own short transaction.
import type { FirmRow } from '../../db/tables.ts';
import type { AppDeps } from '../../deps.ts';
import type { TFunction } from '../../lib/i18n/index.ts';
import type { XlsxCell, XlsxSheet } from '../../lib/xlsx/stream.ts';
import { boxParts, noJit, sliceOf, type Person } from './repo.ts';
import type { ListQuery } from './schemas.ts';
import { asPerson } from '../../db/withFirm.ts';

const BATCH = 2000;

export function messageExport(deps: AppDeps, firm: FirmRow, person: Person, query: ListQuery, t: TFunction): { sheet: XlsxSheet; rows: AsyncIterable<XlsxCell[]> } {
  const sheet: XlsxSheet = {
    name: t(query.box === 'sent' ? 'messages:boxes.sent' : 'messages:boxes.received'),
    columns: [
      { header: t('messages:columns.date'), type: 'datetime' },
      { header: t('messages:columns.from'), type: 'text', width: 28 },
      { header: t('messages:columns.to'), type: 'text', width: 28 },
      { header: t('messages:columns.subject'), type: 'text', width: 40 },
      { header: t('messages:columns.clientNumber'), type: 'number', width: 10 },
      { header: t('messages:columns.client'), type: 'text', width: 28 },
      { header: t('messages:columns.files'), type: 'number', width: 12 },
      { header: t('messages:columns.state'), type: 'text', width: 22 },
      { header: t('messages:columns.readAt'), type: 'datetime' },
    ],
  };
  const order = query.sort === 'oldest' ? 'asc' : 'desc';
  async function* rows(): AsyncGenerator<XlsxCell[]> {
    let after: string | undefined;
    for (;;) {
      const batch = await asPerson(deps, firm, person, async (trx) => {
        await noJit(trx);
        return sliceOf(trx, boxParts(trx, firm.id, person, query), query, order, after, BATCH);
      });
      for (const m of batch) {
        yield [query.box === 'sent' ? m.createdAt : m.sentAt, m.senderName, m.recipientName, m.subject, m.clientNumber, m.clientName, Number(m.fileCount), t(`messages:states.${m.state}`), m.readAt];
      }
      if (batch.length < BATCH) return;
      after = batch.at(-1)!.cursor;
    }
  }
  return { sheet, rows: rows() };
}
