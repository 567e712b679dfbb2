// B5: what the supervisor sets up for the client sheets: client groups, custom attributes and
// record templates (named lists of attributes loaded in the creation wizard).
import { z } from 'zod';
import type { ClientAttributeRow, FirmRow, RecordTemplateRow } from '../../db/tables.ts';
import { inTurn, withFirm, type FirmTrx } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import type { SessionUser } from '../../http/context.ts';
import { NotFound } from '../../lib/errors.ts';
import { line, type FieldErrors } from '../../lib/validation.ts';
import { recordActivity } from '../activity/service.ts';
import { attributesOf, groupsOf } from './repo.ts';

const ATTRIBUTE_TYPES = ['text', 'number', 'date', 'boolean', 'list'] as const;

export const groupSchema = z.strictObject({ name: line(100).min(1) });

/** A list's options, one per line or separated by semicolons; at least one for a list. */
const options = z
  .string()
  .max(5000)
  .optional()
  .transform((s) => [...new Set((s ?? '').split(/[\n;]/).map((o) => o.trim()).filter(Boolean))])
  .refine((o) => o.every((x) => x.length <= 100 && !/[\u0000-\u001f\u007f]/.test(x)), { message: 'clients:errors.option' });

export const attributeSchema = z
  .strictObject({ label: line(100).min(1), type: z.enum(ATTRIBUTE_TYPES), options })
  .refine((a) => a.type !== 'list' || a.options.length > 0, { message: 'clients:errors.listOptions', path: ['options'] });
export type AttributeForm = z.infer<typeof attributeSchema>;

const ids = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : [v].flat()))
  .refine((v) => v.every((id) => /^\d{1,18}$/.test(id)), { message: 'validation.choice' });

export const templateSchema = z.strictObject({ name: line(100).min(1), attributeIds: ids });

export interface Catalog {
  groups: { id: string; name: string; clients: number }[];
  attributes: (ClientAttributeRow & { clients: number })[];
  templates: (RecordTemplateRow & { attributeIds: string[] })[];
}

type Link = { templateId: string; attributeId: string };

export async function loadCatalog(trx: FirmTrx, firmId: string): Promise<Catalog> {
  const [groups, attributes, templates, links, groupCounts, attributeCounts] = await inTurn(
    () => groupsOf(trx, firmId),
    () => attributesOf(trx, firmId),
    () => templatesOf(trx, firmId),
    () => trx('recordTemplateAttributes').where({ firmId }).orderBy('position').select('templateId', 'attributeId'),
    () => trx('clients').where({ firmId }).whereNotNull('groupId').groupBy('groupId').select('groupId').count({ n: '*' }),
    () => trx.raw(`SELECT k AS id, count(*) AS n FROM clients, jsonb_object_keys(custom_values) k WHERE firm_id = ? GROUP BY k`, [firmId]),
  );
  const byGroup = new Map((groupCounts as { groupId: string; n: string }[]).map((g) => [g.groupId, Number(g.n)]));
  const byAttribute = new Map(((attributeCounts as { rows: { id: string; n: string }[] }).rows).map((a) => [a.id, Number(a.n)]));
  return {
    groups: groups.map((g) => ({ id: g.id, name: g.name, clients: byGroup.get(g.id) ?? 0 })),
    attributes: attributes.map((a) => ({ ...a, clients: byAttribute.get(a.id) ?? 0 })),
    templates: templates.map((t) => ({ ...t, attributeIds: (links as Link[]).filter((l) => l.templateId === t.id).map((l) => l.attributeId) })),
  };
}

export function templatesOf(trx: FirmTrx, firmId: string): Promise<RecordTemplateRow[]> {
  return trx('recordTemplates').where({ firmId }).orderBy('name');
}

/** The attributes of a template, in its order. */
export async function templateAttributeIds(trx: FirmTrx, firmId: string, templateId: string): Promise<string[]> {
  // Not pluck(): it reads the column by the name given (attributeId), before knex camelizes attribute_id.
  const rows = await trx('recordTemplateAttributes').where({ firmId, templateId }).orderBy('position').select('attributeId');
  return rows.map((r: { attributeId: string }) => r.attributeId);
}

type Result = { ok: true } | { ok: false; errors: FieldErrors };

const taken = (field: string): Result => ({ ok: false, errors: { [field]: { key: 'clients:errors.nameTaken' } } });

/** Unique names are checked by the database (lower(name) per firm); a clash is a message, not a 500. */
function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === '23505';
}

async function guarded(field: string, work: () => Promise<void>): Promise<Result> {
  try {
    await work();
    return { ok: true };
  } catch (err) {
    if (isUniqueViolation(err)) return taken(field);
    throw err;
  }
}

export function saveGroup(deps: AppDeps, firm: FirmRow, actor: SessionUser, id: string | undefined, name: string): Promise<Result> {
  return guarded('name', () =>
    withFirm(deps.db, firm.id, async (trx) => {
      if (id) {
        if (!(await trx('clientGroups').where({ firmId: firm.id, id }).update({ name }))) throw new NotFound();
      } else await trx('clientGroups').insert({ firmId: firm.id, name });
      await recordActivity(trx, firm.id, { action: 'clients.groupSaved', actor, objectType: 'clientGroup', objectLabel: name });
    }),
  );
}

export function saveAttribute(deps: AppDeps, firm: FirmRow, actor: SessionUser, id: string | undefined, a: AttributeForm): Promise<Result> {
  return guarded('label', () =>
    withFirm(deps.db, firm.id, async (trx) => {
      if (id) {
        // The type of an attribute in use stays: the values stored were checked against it.
        const current = await trx('clientAttributes').where({ firmId: firm.id, id }).first();
        if (!current) throw new NotFound();
        await trx('clientAttributes').where({ firmId: firm.id, id }).update({ label: a.label, options: current.type === 'list' ? a.options : [] });
      } else await trx('clientAttributes').insert({ firmId: firm.id, label: a.label, type: a.type, options: a.type === 'list' ? a.options : [] });
      await recordActivity(trx, firm.id, { action: 'clients.attributeSaved', actor, objectType: 'clientAttribute', objectLabel: a.label });
    }),
  );
}

export function saveTemplate(deps: AppDeps, firm: FirmRow, actor: SessionUser, id: string | undefined, t: z.infer<typeof templateSchema>): Promise<Result> {
  return guarded('name', () =>
    withFirm(deps.db, firm.id, async (trx) => {
      const known = new Set((await attributesOf(trx, firm.id)).map((a) => a.id));
      if (t.attributeIds.some((a) => !known.has(a))) throw new NotFound();
      let templateId = id;
      if (id) {
        if (!(await trx('recordTemplates').where({ firmId: firm.id, id }).update({ name: t.name }))) throw new NotFound();
        await trx('recordTemplateAttributes').where({ firmId: firm.id, templateId: id }).delete();
      } else {
        const [row] = await trx('recordTemplates').insert({ firmId: firm.id, name: t.name }).returning('id');
        templateId = (row as { id: string }).id;
      }
      if (t.attributeIds.length) {
        await trx('recordTemplateAttributes').insert(t.attributeIds.map((attributeId, position) => ({ firmId: firm.id, templateId: templateId!, attributeId, position })));
      }
      await recordActivity(trx, firm.id, { action: 'clients.templateSaved', actor, objectType: 'recordTemplate', objectLabel: t.name });
    }),
  );
}

const TABLES = { group: 'clientGroups', attribute: 'clientAttributes', template: 'recordTemplates' } as const;

/** Deleting a group leaves its clients without group; an attribute, its values; a template, nothing else. */
export async function removeCatalogItem(deps: AppDeps, firm: FirmRow, actor: SessionUser, kind: keyof typeof TABLES, id: string): Promise<void> {
  if (!/^\d{1,18}$/.test(id)) throw new NotFound();
  await withFirm(deps.db, firm.id, async (trx) => {
    const row = (await trx(TABLES[kind]).where({ firmId: firm.id, id }).first()) as { name?: string; label?: string } | undefined;
    if (!row) throw new NotFound();
    if (kind === 'attribute') await trx.raw('UPDATE clients SET custom_values = custom_values - ? WHERE firm_id = ? AND custom_values -> ? IS NOT NULL', [id, firm.id, id]);
    await trx(TABLES[kind]).where({ firmId: firm.id, id }).delete();
    await recordActivity(trx, firm.id, { action: `clients.${kind}Deleted`, actor, objectType: kind, objectLabel: row.name ?? row.label ?? '' });
  });
}
