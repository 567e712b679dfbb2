// The contacts' Excel exports: the list (C1, "Exportation Excel") and what one contact consulted
// (C3, "Exporter un listing des consultations des dossiers"), both in keyset batches, each batch its
// own short firm transaction: memory stays flat and no connection waits on a slow download.
import type { AppDeps } from '../../deps.ts';
import type { ActivityRow, FirmRow } from '../../db/tables.ts';
import { withFirm } from '../../db/withFirm.ts';
import type { TFunction } from '../../lib/i18n/index.ts';
import type { XlsxCell, XlsxColumnType, XlsxSheet } from '../../lib/xlsx/stream.ts';
import { visibleTo, type StaffUser } from '../clients/repo.ts';
import { searchContacts, withDetails, type ContactListRow } from './repo.ts';
import type { ContactListQuery } from './schemas.ts';

const BATCH = 2000;

/** Reads `fetch(after)` batch by batch until one comes back short; `key` gives the next cursor. */
async function* batches<T>(fetch: (after: T | undefined) => Promise<T[]>): AsyncGenerator<T> {
  let after: T | undefined;
  for (;;) {
    const batch = await fetch(after);
    yield* batch;
    if (batch.length < BATCH) return;
    after = batch.at(-1);
  }
}

const LIST_COLUMNS: readonly { key: string; type: XlsxColumnType; width?: number }[] = [
  { key: 'lastName', type: 'text', width: 20 },
  { key: 'firstName', type: 'text', width: 16 },
  { key: 'identifier', type: 'text', width: 28 },
  { key: 'email', type: 'text', width: 32 },
  { key: 'copyEmails', type: 'text', width: 32 },
  { key: 'phone', type: 'text', width: 16 },
  { key: 'jobTitle', type: 'text', width: 24 },
  { key: 'clientNumbers', type: 'text', width: 14 },
  { key: 'clients', type: 'text', width: 40 },
  { key: 'activated', type: 'boolean', width: 12 },
  { key: 'lastLoginAt', type: 'datetime' },
  { key: 'createdAt', type: 'date' },
];

/** The contact list as the user sees it, with the search in force, sorted by name. */
export function contactListExport(deps: AppDeps, firm: FirmRow, user: StaffUser, query: ContactListQuery, t: TFunction): { sheet: XlsxSheet; rows: AsyncIterable<XlsxCell[]> } {
  const sheet: XlsxSheet = { name: t('contacts:export.sheet'), columns: LIST_COLUMNS.map((c) => ({ header: t(`contacts:export.columns.${c.key}`), type: c.type, width: c.width })) };
  const rows = batches<ContactListRow & { nameKey: string }>((after) =>
    withFirm(deps.db, firm.id, (trx) => {
      const q = withDetails(trx, firm.id, user, searchContacts(trx, firm.id, user, query)).select('users.nameKey').orderBy([{ column: 'users.nameKey' }, { column: 'users.id' }]).limit(BATCH);
      if (after) q.whereRaw('(users.name_key, users.id) > (?, ?)', [after.nameKey, after.id]);
      return q as unknown as Promise<(ContactListRow & { nameKey: string })[]>;
    }),
  );
  return {
    sheet,
    rows: (async function* () {
      for await (const c of rows) {
        yield [c.lastName, c.firstName, c.identifier, c.email, c.copyEmails.join(', '), c.phone, c.jobTitle, c.clients.map((x) => x.number).join(', '), c.clients.map((x) => x.name).join(', '), c.activated, c.lastLoginAt, c.createdAt];
      }
    })(),
  };
}

type Consultation = Pick<ActivityRow, 'id' | 'at' | 'action' | 'objectType' | 'objectLabel' | 'ip'> & { clientNumber: number | null; clientName: string | null };

/**
 * What a contact did in the product, newest first: each file and dossier consulted, each login, from
 * the activity log. A collaborator gets only what concerns the clients open to them.
 */
export function consultationsExport(deps: AppDeps, firm: FirmRow, user: StaffUser, contactId: string, t: TFunction, actionLabel: (a: string) => string): { sheet: XlsxSheet; rows: AsyncIterable<XlsxCell[]> } {
  const sheet: XlsxSheet = {
    name: t('contacts:consultations.sheet'),
    columns: [
      { header: t('contacts:consultations.columns.at'), type: 'datetime' },
      { header: t('contacts:consultations.columns.action'), type: 'text', width: 36 },
      { header: t('contacts:consultations.columns.clientNumber'), type: 'number', width: 10 },
      { header: t('contacts:consultations.columns.client'), type: 'text', width: 32 },
      { header: t('contacts:consultations.columns.object'), type: 'text', width: 40 },
      { header: t('contacts:consultations.columns.ip'), type: 'text', width: 16 },
    ],
  };
  const rows = batches<Consultation>((after) =>
    withFirm(deps.db, firm.id, (trx) => {
      const q = trx('activityLog')
        .leftJoin('clients', (j) => j.on('clients.firmId', 'activityLog.firmId').andOn('clients.id', 'activityLog.clientId'))
        .where('activityLog.firmId', firm.id)
        .where('activityLog.actorId', contactId)
        .select('activityLog.id', 'activityLog.at', 'activityLog.action', 'activityLog.objectType', 'activityLog.objectLabel', 'activityLog.ip', 'clients.number as clientNumber', 'clients.name as clientName')
        .orderBy('activityLog.id', 'desc')
        .limit(BATCH);
      if (user.role !== 'supervisor') q.where((w) => w.whereNull('activityLog.clientId').orWhere((v) => void visibleTo(v, firm.id, user)));
      if (after) q.where('activityLog.id', '<', after.id);
      return q as unknown as Promise<Consultation[]>;
    }),
  );
  return {
    sheet,
    rows: (async function* () {
      for await (const r of rows) yield [r.at, actionLabel(r.action), r.clientNumber, r.clientName, r.objectLabel, r.ip];
    })(),
  };
}
