// Reading dossiers: who may see which (staff: the dossiers of the clients open to them; a contact:
// those of their clients), the list with its search, states and paging, one dossier.
import type { Knex } from 'knex';
import type { DossierRow, DossierStepRow, FileRow } from '../../db/documentTables.ts';
import type { ClientRow } from '../../db/tables.ts';
import type { FirmTrx } from '../../db/withFirm.ts';
import type { SessionUser } from '../../http/context.ts';
import { NotFound } from '../../lib/errors.ts';
import { visibleTo } from '../clients/repo.ts';
import type { DossierListQuery } from './schemas.ts';

export type Person = Pick<SessionUser, 'id' | 'role' | 'name'>;
export type DownloadState = 'none' | 'some' | 'all' | 'empty';

const FILE_COUNTS = `
  (SELECT count(*) FROM files f WHERE f.firm_id = dossiers.firm_id AND f.dossier_id = dossiers.id AND f.deleted_at IS NULL) AS file_count,
  (SELECT count(*) FROM files f WHERE f.firm_id = dossiers.firm_id AND f.dossier_id = dossiers.id AND f.deleted_at IS NULL AND f.client_downloaded_at IS NOT NULL) AS downloaded_count`;

/** The dossiers a person may see, joined to their client. */
export function visibleDossiers(trx: FirmTrx, firmId: string, person: Person): Knex.QueryBuilder {
  const q = trx('dossiers')
    .join('clients', (j) => j.on('clients.firmId', 'dossiers.firmId').andOn('clients.id', 'dossiers.clientId'))
    .where('dossiers.firmId', firmId)
    .where('clients.inTrash', false);
  if (person.role === 'contact') {
    return q.whereExists((s) => s.select(trx.raw('1')).from('clientContacts as cc').where('cc.firmId', firmId).where('cc.userId', person.id).whereRaw('cc.client_id = dossiers.client_id'));
  }
  return visibleTo(q, firmId, person);
}

export interface DossierListRow extends Pick<DossierRow, 'id' | 'clientId' | 'title' | 'amount' | 'paid' | 'notifiedAt' | 'createdAt'> {
  clientName: string;
  clientNumber: number;
  fileCount: string;
  downloadedCount: string;
}

export const downloadState = (d: { fileCount: string | number; downloadedCount: string | number }): DownloadState =>
  Number(d.fileCount) === 0 ? 'empty' : Number(d.downloadedCount) === 0 ? 'none' : Number(d.downloadedCount) >= Number(d.fileCount) ? 'all' : 'some';

/** The list's filters, shared by the page, its count and the export. */
export function filteredDossiers(trx: FirmTrx, firmId: string, person: Person, f: DossierListQuery): Knex.QueryBuilder {
  const q = visibleDossiers(trx, firmId, person);
  if (f.paid) q.where('dossiers.paid', f.paid === 'paid');
  if (f.client) q.where('dossiers.clientId', f.client);
  for (const word of (f.q ?? '').split(/\s+/).filter(Boolean).slice(0, 8)) {
    const pattern = word.replace(/[\\%_]/g, (c) => `\\${c}`);
    q.where((w) => w.whereRaw(`dossiers.search_text LIKE '%' || app_fold(?) || '%'`, [pattern]).orWhereRaw(`clients.search_text LIKE '%' || app_fold(?) || '%'`, [pattern]));
  }
  const files = (extra: string) => `(SELECT count(*) FROM files f WHERE f.firm_id = dossiers.firm_id AND f.dossier_id = dossiers.id AND f.deleted_at IS NULL${extra})`;
  if (f.downloaded === 'none') q.whereRaw(`${files(' AND f.client_downloaded_at IS NOT NULL')} = 0`);
  if (f.downloaded === 'all') q.whereRaw(`${files(' AND f.client_downloaded_at IS NULL')} = 0 AND ${files('')} > 0`);
  if (f.downloaded === 'some') q.whereRaw(`${files(' AND f.client_downloaded_at IS NOT NULL')} > 0 AND ${files(' AND f.client_downloaded_at IS NULL')} > 0`);
  return q;
}

export function withListColumns(trx: FirmTrx, q: Knex.QueryBuilder): Knex.QueryBuilder {
  return q
    .select('dossiers.id', 'dossiers.clientId', 'dossiers.title', 'dossiers.amount', 'dossiers.paid', 'dossiers.notifiedAt', 'dossiers.createdAt', 'clients.name as clientName', 'clients.number as clientNumber')
    .select(trx.raw(FILE_COUNTS))
    .orderBy([{ column: 'dossiers.createdAt', order: 'desc' }, { column: 'dossiers.id', order: 'desc' }]);
}

export async function listDossiers(trx: FirmTrx, firmId: string, person: Person, f: DossierListQuery, perPage: number) {
  const [{ n }] = (await filteredDossiers(trx, firmId, person, f).count({ n: '*' })) as [{ n: string }];
  const total = Number(n);
  const pages = Math.max(1, Math.ceil(total / perPage));
  const page = Math.min(f.page ?? 1, pages);
  const rows = (await withListColumns(trx, filteredDossiers(trx, firmId, person, f)).limit(perPage).offset((page - 1) * perPage)) as DossierListRow[];
  return { rows, total, page, pages };
}

export type DossierClient = Pick<ClientRow, 'id' | 'number' | 'name' | 'collaboratorId' | 'unpaidExempt'>;

/** One dossier the person may see, with its client; another firm's, or one closed to them, is absent (404). */
export async function findDossier(trx: FirmTrx, firmId: string, person: Person, id: string): Promise<{ dossier: DossierRow; client: DossierClient }> {
  if (!/^\d{1,18}$/.test(id)) throw new NotFound();
  const row = (await visibleDossiers(trx, firmId, person)
    .where('dossiers.id', id)
    .first('dossiers.*', 'clients.number as clientNumber', 'clients.name as clientName', 'clients.collaboratorId as clientCollaboratorId', 'clients.unpaidExempt as clientUnpaidExempt')) as
    | (DossierRow & { clientNumber: number; clientName: string; clientCollaboratorId: string | null; clientUnpaidExempt: boolean })
    | undefined;
  if (!row) throw new NotFound();
  const { clientNumber, clientName, clientCollaboratorId, clientUnpaidExempt, ...dossier } = row;
  return { dossier, client: { id: dossier.clientId, number: clientNumber, name: clientName, collaboratorId: clientCollaboratorId, unpaidExempt: clientUnpaidExempt } };
}

export function stepsOf(trx: FirmTrx, firmId: string, dossierId: string): Promise<DossierStepRow[]> {
  return trx('dossierSteps').where({ firmId, dossierId }).orderBy(['position', 'id']);
}

export type DossierFileRow = Pick<FileRow, 'id' | 'name' | 'title' | 'comment' | 'kind' | 'size' | 'downloadCount' | 'clientDownloadedAt' | 'uploadedAt'>;

export function filesOf(trx: FirmTrx, firmId: string, dossierId: string): Promise<DossierFileRow[]> {
  return trx('files')
    .where({ firmId, dossierId })
    .whereNull('deletedAt')
    .orderBy('id')
    .select('id', 'name', 'title', 'comment', 'kind', 'size', 'downloadCount', 'clientDownloadedAt', 'uploadedAt');
}
