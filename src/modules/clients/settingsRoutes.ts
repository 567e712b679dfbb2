// "Paramètres › Fiches clients" (B5): groups, custom attributes and record templates, for the supervisor.
import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { withFirm } from '../../db/withFirm.ts';
import { requireRole } from '../../http/middleware/auth.ts';
import { flash } from '../../http/middleware/locals.ts';
import { renderPage } from '../../http/render.ts';
import { NotFound } from '../../lib/errors.ts';
import { parseForm, type FieldErrors } from '../../lib/validation.ts';
import { attributeSchema, groupSchema, loadCatalog, removeCatalogItem, saveAttribute, saveGroup, saveTemplate, templateSchema } from './catalog.ts';

const KINDS = ['group', 'attribute', 'template'] as const;
type Kind = (typeof KINDS)[number];
const isKind = (k: unknown): k is Kind => (KINDS as readonly unknown[]).includes(k);

export function clientSettingsRoutes(deps: AppDeps): Router {
  const r = Router();
  r.use('/settings/clients', requireRole('supervisor'));

  /** The page, with the form of `kind` filled back and its errors when a save was refused. */
  const show = async (req: Request, res: Response, failed?: { kind: Kind; id?: string; values: Record<string, unknown>; errors: FieldErrors }) => {
    const catalog = await withFirm(deps.db, req.firm.id, (trx) => loadCatalog(trx, req.firm.id));
    const editing = failed?.id ? failed : typeof req.query.edit === 'string' && isKind(req.query.kind) ? { kind: req.query.kind, id: req.query.edit, values: undefined, errors: {} } : undefined;
    if (editing && !itemOf(catalog, editing.kind, editing.id!)) throw new NotFound();
    const values = editing?.values ?? (editing ? valuesOf(itemOf(catalog, editing.kind, editing.id!)!) : {});
    renderPage(res, 'clients/settings', { title: res.locals.t('clients:settings.title'), catalog, editing, failed, values: failed?.values ?? values, errors: failed?.errors ?? {} }, failed ? 400 : 200);
  };

  r.get('/settings/clients', (req, res) => show(req, res));

  const SCHEMAS = { group: groupSchema, attribute: attributeSchema, template: templateSchema };

  for (const path of ['/settings/clients/:kind', '/settings/clients/:kind/:id']) {
    r.post(path, async (req, res) => {
      const kind = req.params.kind;
      const id = (req.params as { id?: string }).id;
      if (!isKind(kind) || (id !== undefined && !/^\d{1,18}$/.test(id))) throw new NotFound();
      const form = parseForm(SCHEMAS[kind] as z.ZodType, req.body);
      if (!form.ok) return show(req, res, { kind, id, values: req.body, errors: form.errors });
      const data = form.data as never;
      const result = kind === 'group' ? await saveGroup(deps, req.firm, req.user!, id, (data as { name: string }).name) : kind === 'attribute' ? await saveAttribute(deps, req.firm, req.user!, id, data) : await saveTemplate(deps, req.firm, req.user!, id, data);
      if (!result.ok) return show(req, res, { kind, id, values: req.body, errors: result.errors });
      flash(req, 'success', `clients:settings.saved.${kind}`);
      res.redirect(303, '/settings/clients');
    });
  }

  r.post('/settings/clients/:kind/:id/delete', async (req, res) => {
    if (!isKind(req.params.kind)) throw new NotFound();
    await removeCatalogItem(deps, req.firm, req.user!, req.params.kind, req.params.id);
    flash(req, 'success', `clients:settings.deleted.${req.params.kind}`);
    res.redirect(303, '/settings/clients');
  });

  return r;
}

type Catalog = Awaited<ReturnType<typeof loadCatalog>>;

function itemOf(c: Catalog, kind: Kind, id: string) {
  return kind === 'group' ? c.groups.find((g) => g.id === id) : kind === 'attribute' ? c.attributes.find((a) => a.id === id) : c.templates.find((t) => t.id === id);
}

/** A stored item as its form's values. */
function valuesOf(item: NonNullable<ReturnType<typeof itemOf>>): Record<string, unknown> {
  if ('options' in item) return { label: item.label, type: item.type, options: item.options.join('\n') };
  return { ...item };
}
