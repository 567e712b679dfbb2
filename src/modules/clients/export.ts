// B8: the client list as an .xlsx, with the search, sort and filters in force, every column of the
// sheet and every custom attribute, typed cells. Rows come in keyset batches, each in its own short
// firm transaction: memory stays flat and no connection waits on a slow download.
import type { Knex } from 'knex';
import type { AppDeps } from '../../deps.ts';
import type { ClientAttributeRow, ClientRow, FirmRow } from '../../db/tables.ts';
import { withFirm } from '../../db/withFirm.ts';
import type { TFunction } from '../../lib/i18n/index.ts';
import type { XlsxCell, XlsxColumn, XlsxSheet } from '../../lib/xlsx/stream.ts';
import { attributesOf, filtered, type StaffUser } from './repo.ts';
import type { ListQuery } from './schemas.ts';

const BATCH = 2000;

type ExportRow = ClientRow & { collaboratorName: string | null; groupName: string | null };

/** The sort of the list, as keyset columns (the last one unique); number is unique per firm. */
const KEYS: Record<NonNullable<ListQuery['sort']>, string[]> = {
  number: ['number'],
  name: ['name_key', 'id'],
  city: ['city_key', 'id'],
  profession: ['profession_key', 'id'],
};

const day = (d: string | null): Date | null => (d ? new Date(`${d}T00:00:00Z`) : null);

const FIELDS: { key: string; type: XlsxColumn['type']; width?: number; value: (c: ExportRow) => XlsxCell }[] = [
  { key: 'number', type: 'number', width: 10, value: (c) => c.number },
  { key: 'name', type: 'text', width: 32, value: (c) => c.name },
  { key: 'siret', type: 'text', width: 16, value: (c) => c.siret },
  { key: 'siren', type: 'text', width: 12, value: (c) => c.siret?.slice(0, 9) },
  { key: 'legalStatus', type: 'text', value: (c) => c.legalStatus },
  { key: 'profession', type: 'text', width: 24, value: (c) => c.profession },
  { key: 'activityStartedOn', type: 'date', value: (c) => day(c.activityStartedOn) },
  { key: 'clientSince', type: 'date', value: (c) => day(c.clientSince) },
  { key: 'address', type: 'text', width: 28, value: (c) => c.address },
  { key: 'postcode', type: 'text', width: 8, value: (c) => c.postcode },
  { key: 'city', type: 'text', width: 20, value: (c) => c.city },
  { key: 'homeAddress', type: 'text', width: 28, value: (c) => c.homeAddress },
  { key: 'homePostcode', type: 'text', width: 8, value: (c) => c.homePostcode },
  { key: 'homeCity', type: 'text', width: 20, value: (c) => c.homeCity },
  { key: 'phone', type: 'text', value: (c) => c.phone },
  { key: 'fax', type: 'text', value: (c) => c.fax },
  { key: 'email', type: 'text', width: 28, value: (c) => c.email },
  { key: 'dossierNumber', type: 'text', value: (c) => c.dossierNumber },
  { key: 'collaboratorId', type: 'text', width: 20, value: (c) => c.collaboratorName },
  { key: 'groupId', type: 'text', value: (c) => c.groupName },
  { key: 'blocked', type: 'boolean', value: (c) => c.blocked },
  { key: 'blockReason', type: 'text', width: 28, value: (c) => c.blockReason },
  { key: 'departedOn', type: 'date', value: (c) => day(c.departedOn) },
  { key: 'inTrash', type: 'boolean', value: (c) => c.inTrash },
];

const ATTRIBUTE_TYPES: Record<ClientAttributeRow['type'], XlsxColumn['type']> = { text: 'text', list: 'text', number: 'number', date: 'date', boolean: 'boolean' };

function attributeCell(a: ClientAttributeRow, v: string | number | boolean | undefined): XlsxCell {
  if (v === undefined) return null;
  return a.type === 'date' ? day(String(v)) : v;
}

export async function clientExport(deps: AppDeps, firm: FirmRow, user: StaffUser, query: ListQuery, t: TFunction): Promise<{ sheet: XlsxSheet; rows: AsyncIterable<XlsxCell[]> }> {
  const attributes = await withFirm(deps.db, firm.id, (trx) => attributesOf(trx, firm.id));
  const sheet: XlsxSheet = {
    name: t('clients:export.sheet'),
    columns: [
      ...FIELDS.map((f) => ({ header: t(`clients:export.columns.${f.key}`), type: f.type, width: f.width })),
      ...attributes.map((a) => ({ header: a.label, type: ATTRIBUTE_TYPES[a.type] })),
    ],
  };
  return { sheet, rows: exportRows(deps, firm, user, query, attributes) };
}

async function* exportRows(deps: AppDeps, firm: FirmRow, user: StaffUser, query: ListQuery, attributes: ClientAttributeRow[]): AsyncGenerator<XlsxCell[]> {
  const keys = KEYS[query.sort ?? 'name'];
  const desc = query.dir === 'desc';
  let after: unknown[] | undefined;
  for (;;) {
    const batch: ExportRow[] = await withFirm(deps.db, firm.id, (trx) => {
      const q = filtered(trx, firm.id, user, query)
        .leftJoin('users as collaborator', (j) => j.on('collaborator.firmId', 'clients.firmId').andOn('collaborator.id', 'clients.collaboratorId'))
        .leftJoin('clientGroups as grp', (j) => j.on('grp.firmId', 'clients.firmId').andOn('grp.id', 'clients.groupId'))
        .select('clients.*', 'grp.name as groupName')
        .select(trx.raw(`nullif(trim(collaborator.first_name || ' ' || collaborator.last_name), '') AS collaborator_name`))
        .limit(BATCH);
      if (after) q.whereRaw(`(${keys.map((k) => `clients.${k}`).join(', ')}) ${desc ? '<' : '>'} (${keys.map(() => '?').join(', ')})`, after as Knex.Value[]);
      for (const k of keys) q.orderByRaw(`clients.${k} ${desc ? 'DESC' : 'ASC'}`);
      return q as unknown as Promise<ExportRow[]>;
    });
    for (const c of batch) yield [...FIELDS.map((f) => f.value(c)), ...attributes.map((a) => attributeCell(a, c.customValues[a.id]))];
    if (batch.length < BATCH) return;
    const last = batch.at(-1)! as unknown as Record<string, unknown>;
    after = keys.map((k) => last[k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase())]);
  }
}
