// "Exportation Excel" of the message list (seed 001 §V), with the box and filters in force, streamed
// in keyset batches, each in its own short transaction.
import type { FirmRow } from '../../db/tables.ts';
import type { AppDeps } from '../../deps.ts';
import type { TFunction } from '../../lib/i18n/index.ts';
import type { XlsxCell, XlsxSheet } from '../../lib/xlsx/stream.ts';
import { filteredMessages, orderOf, stateOf, withListColumns, type MessageListRow, type Person } from './repo.ts';
import type { ListQuery } from './schemas.ts';
import { asPerson } from './service.ts';

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
  const { column, dir } = orderOf(query);
  const sqlColumn = column === 'messages.sentAt' ? 'messages.sent_at' : 'messages.created_at';
  async function* rows(): AsyncGenerator<XlsxCell[]> {
    let after: { at: string; id: string } | undefined;
    for (;;) {
      const batch = (await asPerson(deps, firm, person, (trx) => {
        // The cursor as PostgreSQL's text: a JavaScript Date would drop the microseconds.
        const q = withListColumns(trx, filteredMessages(trx, firm.id, person, query))
          .select(trx.raw(`${sqlColumn}::text AS cursor_at`))
          .orderBy([{ column, order: dir }, { column: 'messages.id', order: dir }])
          .limit(BATCH);
        if (after) q.whereRaw(`(${sqlColumn}, messages.id) ${dir === 'desc' ? '<' : '>'} (?, ?)`, [after.at, after.id]);
        return q;
      })) as (MessageListRow & { cursorAt: string })[];
      for (const m of batch) {
        const at = query.box === 'sent' ? m.createdAt : m.sentAt;
        yield [at, m.senderName, m.recipientName, m.subject, m.clientNumber, m.clientName, Number(m.fileCount), t(`messages:states.${stateOf(m)}`), m.readAt];
      }
      if (batch.length < BATCH) return;
      const last = batch.at(-1)!;
      after = { at: last.cursorAt, id: last.id };
    }
  }
  return { sheet, rows: rows() };
}
