// D1: the firm's tree templates ("modèles d'arborescence"): named trees of folders, each with the
// default permission of contacts and of collaborators, applied to a client at creation or later.
import type { FolderTemplateNodeRow, FolderTemplateRow } from '../../db/documentTables.ts';
import type { FirmRow } from '../../db/tables.ts';
import { asPerson, withFirm, type FirmTrx } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import type { SessionUser } from '../../http/context.ts';
import { Forbidden, NotFound } from '../../lib/errors.ts';
import type { FieldErrors } from '../../lib/validation.ts';
import { recordActivity } from '../activity/service.ts';
import { mayShape, openClient } from './folders.ts';
import type { TemplateNodeForm } from './schemas.ts';
import type { Person } from './standing.ts';

type Result = { ok: true; id: string } | { ok: false; errors: FieldErrors };
const taken = (err: unknown, constraint: string) => (err as { constraint?: string }).constraint === constraint;

export interface TemplateNode extends FolderTemplateNodeRow {
  depth: number;
}

export function listTemplates(trx: FirmTrx, firmId: string): Promise<(FolderTemplateRow & { folders: string })[]> {
  return trx('folderTemplates')
    .where('folderTemplates.firmId', firmId)
    .orderByRaw('lower(name)')
    .select('folderTemplates.*')
    .select(trx.raw('(SELECT count(*) FROM folder_template_nodes n WHERE n.firm_id = folder_templates.firm_id AND n.template_id = folder_templates.id) AS folders')) as never;
}

export async function getTemplate(trx: FirmTrx, firmId: string, id: string): Promise<{ template: FolderTemplateRow; nodes: TemplateNode[] }> {
  if (!/^\d{1,18}$/.test(id)) throw new NotFound();
  const template = await trx('folderTemplates').where({ firmId, id }).first();
  if (!template) throw new NotFound();
  const rows = await trx('folderTemplateNodes').where({ firmId, templateId: id });
  return { template, nodes: inTreeOrder(rows) };
}

/** Parents before children, siblings by name, each with its depth. */
export function inTreeOrder(rows: FolderTemplateNodeRow[]): TemplateNode[] {
  const out: TemplateNode[] = [];
  const walk = (parentId: string | null, depth: number) => {
    const kids = rows.filter((r) => r.parentId === parentId).sort((a, b) => a.name.localeCompare(b.name, 'fr', { sensitivity: 'base', numeric: true }));
    for (const k of kids) {
      out.push({ ...k, depth });
      walk(k.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

export async function createTemplate(deps: AppDeps, firm: FirmRow, actor: SessionUser, name: string): Promise<Result> {
  try {
    return await withFirm(deps.db, firm.id, async (trx) => {
      const [row] = await trx('folderTemplates').insert({ firmId: firm.id, name }).returning('id');
      await recordActivity(trx, firm.id, { action: 'documents.templateCreated', actor, objectType: 'folderTemplate', objectId: String(row!.id), objectLabel: name });
      return { ok: true as const, id: String(row!.id) };
    });
  } catch (err) {
    if (taken(err, 'folder_templates_name_key')) return { ok: false, errors: { name: { key: 'documents:errors.templateExists' } } };
    throw err;
  }
}

export async function deleteTemplate(deps: AppDeps, firm: FirmRow, actor: SessionUser, id: string): Promise<void> {
  await withFirm(deps.db, firm.id, async (trx) => {
    const { template } = await getTemplate(trx, firm.id, id);
    await trx('folderTemplates').where({ firmId: firm.id, id: template.id }).delete();
    await recordActivity(trx, firm.id, { action: 'documents.templateDeleted', actor, objectType: 'folderTemplate', objectId: template.id, objectLabel: template.name });
  });
}

export async function addTemplateNode(deps: AppDeps, firm: FirmRow, actor: SessionUser, templateId: string, form: TemplateNodeForm): Promise<Result> {
  try {
    return await withFirm(deps.db, firm.id, async (trx) => {
      const { template, nodes } = await getTemplate(trx, firm.id, templateId);
      if (form.parent && !nodes.some((n) => n.id === form.parent)) return { ok: false as const, errors: { parent: { key: 'validation.choice' } } };
      const [row] = await trx('folderTemplateNodes')
        .insert({ firmId: firm.id, templateId: template.id, parentId: form.parent, name: form.name, contactLevel: form.contactLevel, staffLevel: form.staffLevel })
        .returning('id');
      await recordActivity(trx, firm.id, { action: 'documents.templateChanged', actor, objectType: 'folderTemplate', objectId: template.id, objectLabel: template.name, details: { added: form.name } });
      return { ok: true as const, id: String(row!.id) };
    });
  } catch (err) {
    if (taken(err, 'folder_template_nodes_name_key')) return { ok: false, errors: { name: { key: 'documents:errors.folderExists' } } };
    throw err;
  }
}

export async function removeTemplateNode(deps: AppDeps, firm: FirmRow, actor: SessionUser, templateId: string, nodeId: string): Promise<void> {
  await withFirm(deps.db, firm.id, async (trx) => {
    const { template, nodes } = await getTemplate(trx, firm.id, templateId);
    const node = nodes.find((n) => n.id === nodeId);
    if (!node) throw new NotFound();
    await trx('folderTemplateNodes').where({ firmId: firm.id, id: node.id }).delete();
    await recordActivity(trx, firm.id, { action: 'documents.templateChanged', actor, objectType: 'folderTemplate', objectId: template.id, objectLabel: template.name, details: { removed: node.name } });
  });
}

/**
 * Builds a template's folders in a client's tree, under `parentId` (the top when null). A folder
 * whose name is already there is merged with it, so applying a template twice adds nothing.
 */
export async function applyTemplateTo(trx: FirmTrx, firmId: string, clientId: string, templateId: string): Promise<number> {
  const { nodes } = await getTemplate(trx, firmId, templateId);
  const created = new Map<string, string>(); // template node id -> folder id
  let added = 0;
  for (const n of nodes) {
    const parentId = n.parentId ? created.get(n.parentId)! : null;
    const existing = await trx('folders')
      .where({ firmId, clientId })
      .where((w) => (parentId ? w.where('parentId', parentId) : w.whereNull('parentId')))
      .whereRaw('lower(name) = lower(?)', [n.name])
      .first('id');
    if (existing) {
      created.set(n.id, existing.id);
      continue;
    }
    const [row] = await trx('folders').insert({ firmId, clientId, parentId, name: n.name, contactLevel: n.contactLevel, staffLevel: n.staffLevel }).returning('id');
    created.set(n.id, String(row!.id));
    added++;
  }
  return added;
}

/** Applies a template to a client's tree, for whoever may shape it. */
export async function applyTemplate(deps: AppDeps, firm: FirmRow, person: Person, clientId: string, templateId: string): Promise<number> {
  return asPerson(deps, firm, person, async (trx) => {
    const o = await openClient(trx, firm.id, person, clientId);
    if (!mayShape(o.standing)) throw new Forbidden('documents:errors.readOnlyFolder');
    const { template } = await getTemplate(trx, firm.id, templateId);
    const added = await applyTemplateTo(trx, firm.id, o.client.id, template.id);
    await recordActivity(trx, firm.id, { action: 'documents.templateApplied', actor: person, clientId: o.client.id, objectType: 'folderTemplate', objectId: template.id, objectLabel: template.name, details: { folders: added } });
    return added;
  });
}
