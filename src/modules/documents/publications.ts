// D4, the documentation space ("Documentation", seed 000's "Espace documents"): documents the firm
// publishes to its clients, its staff or both, with a title, a summary and a category; searchable,
// accents ignored; shown on the home page while new. A contact sees what is published to clients.
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Audience, PublicationRow } from '../../db/documentTables.ts';
import type { FirmRow, Role } from '../../db/tables.ts';
import { asPerson, type FirmTrx } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import type { SentFile } from '../../http/attachment.ts';
import { Forbidden, NotFound } from '../../lib/errors.ts';
import { checkDisplayName } from '../../lib/files/name.ts';
import type { FileKind } from '../../lib/files/type.ts';
import { UploadEngine } from '../../lib/storage/uploadEngine.ts';
import { line, parseForm, type FieldErrors } from '../../lib/validation.ts';
import type { HomeSource } from '../registry.ts';
import { recordActivity } from '../activity/service.ts';
import type { Person } from './standing.ts';
import { firmStorage, removeStored } from './store.ts';

export const AUDIENCES: readonly Audience[] = ['all', 'clients', 'staff'];
/** How long a publication counts as new on the home page. */
const NEW_FOR_DAYS = 30;

const audiencesFor = (role: Role): Audience[] => (role === 'supervisor' ? ['all', 'clients', 'staff'] : role === 'contact' ? ['all', 'clients'] : ['all', 'staff']);

export const publicationQuery = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  category: z.string().trim().max(100).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});
export type PublicationQuery = z.infer<typeof publicationQuery>;

export const publicationSchema = z.strictObject({
  title: line(255).min(1),
  summary: z.string().trim().max(2000),
  category: line(100),
  audience: z.enum(AUDIENCES as [Audience, ...Audience[]], { message: 'validation.choice' }),
});

function visible(trx: FirmTrx, firmId: string, role: Role) {
  return trx('publications').where('publications.firmId', firmId).whereIn('publications.audience', audiencesFor(role));
}

export async function listPublications(deps: AppDeps, firm: FirmRow, person: Person, f: PublicationQuery) {
  return asPerson(deps, firm, person, async (trx) => {
    const q = () => {
      const b = visible(trx, firm.id, person.role);
      if (f.category) b.where('category', f.category);
      for (const word of (f.q ?? '').split(/\s+/).filter(Boolean).slice(0, 8)) b.whereRaw(`search_text LIKE '%' || app_fold(?) || '%'`, [word.replace(/[\\%_]/g, (c) => `\\${c}`)]);
      return b;
    };
    const [{ n }] = (await q().count({ n: '*' })) as [{ n: string }];
    const total = Number(n);
    const pages = Math.max(1, Math.ceil(total / firm.rowsPerPage));
    const page = Math.min(f.page ?? 1, pages);
    const rows: PublicationRow[] = await q().orderBy([{ column: 'publishedAt', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(firm.rowsPerPage).offset((page - 1) * firm.rowsPerPage);
    const categories: string[] = (await visible(trx, firm.id, person.role).whereNot('category', '').distinct('category').orderBy('category')).map((r: { category: string }) => r.category);
    return { rows, total, page, pages, categories };
  });
}

export type PublishOutcome = { ok: true } | { ok: false; errors: FieldErrors; status: number };

export async function publish(deps: AppDeps, firm: FirmRow, person: Person, req: Request, res: Response): Promise<PublishOutcome> {
  if (person.role !== 'supervisor') throw new Forbidden();
  const policy = { maxBytes: firm.uploadMaxMb * 1024 * 1024, kinds: firm.uploadKinds as FileKind[] };
  const received = await new UploadEngine(await firmStorage(deps, firm.id), policy).receive(req, res, { field: 'file', maxFiles: 1, policy });
  if (!received.ok) return { ok: false, errors: { file: received.error }, status: received.status };
  const file = received.files[0]!;
  const discard = () => removeStored(deps, firm.id, [file.key]);
  const form = parseForm(publicationSchema, req.body);
  const name = checkDisplayName(file.originalName);
  if (!form.ok || !name.ok) {
    await discard();
    const errors: FieldErrors = form.ok ? {} : form.errors;
    if (!name.ok) errors.file = { key: `documents:errors.name.${name.reason}`, params: { name: file.originalName.slice(0, 80) } };
    return { ok: false, errors, status: 400 };
  }
  try {
    await asPerson(deps, firm, person, async (trx) => {
      const [row] = await trx('publications')
        .insert({ firmId: firm.id, ...form.data, name: name.name, kind: file.kind, mime: file.mime, size: String(file.size), sha256: file.sha256, storageKey: file.key, publishedBy: person.id })
        .returning('id');
      await recordActivity(trx, firm.id, { action: 'documents.published', actor: person, objectType: 'publication', objectId: String(row!.id), objectLabel: form.data.title, details: { audience: form.data.audience } });
    });
    return { ok: true };
  } catch (err) {
    await discard();
    throw err;
  }
}

export async function downloadPublication(deps: AppDeps, firm: FirmRow, person: Person, id: string, ip: string | null): Promise<SentFile> {
  if (!/^\d{1,18}$/.test(id)) throw new NotFound();
  const doc = await asPerson(deps, firm, person, async (trx) => {
    const row = await visible(trx, firm.id, person.role).where('id', id).first('id', 'title', 'name', 'mime', 'size', 'storageKey');
    if (!row) throw new NotFound();
    await recordActivity(trx, firm.id, { action: 'documents.publicationDownloaded', actor: person, objectType: 'publication', objectId: row.id, objectLabel: row.title, ip });
    return row;
  });
  const storage = await firmStorage(deps, firm.id);
  return { name: doc.name, size: Number(doc.size), mime: doc.mime, open: async () => (await storage.open(doc.storageKey)).stream };
}

export async function unpublish(deps: AppDeps, firm: FirmRow, person: Person, id: string): Promise<void> {
  if (person.role !== 'supervisor') throw new Forbidden();
  if (!/^\d{1,18}$/.test(id)) throw new NotFound();
  const key = await asPerson(deps, firm, person, async (trx) => {
    const [row] = await trx('publications').where({ firmId: firm.id, id }).delete().returning(['storageKey', 'title']);
    if (!row) throw new NotFound();
    await recordActivity(trx, firm.id, { action: 'documents.unpublished', actor: person, objectType: 'publication', objectId: id, objectLabel: row.title });
    return row.storageKey;
  });
  await removeStored(deps, firm.id, [key]);
}

/** Home page: the publications of the last 30 days the user may read. */
export const publicationsHome: HomeSource = {
  figures: (trx, firm, user) => visible(trx, firm.id, user.role).where('publishedAt', '>', trx.raw(`now() - make_interval(days => ${NEW_FOR_DAYS})`)).count({ fresh: '*' }),
  widgets: ({ fresh = 0 }) => ({ counts: [], waiting: fresh ? [{ key: 'documents:home.newPublications', count: fresh, href: '/documentation' }] : [] }),
};
