// "Paramètres › Arborescences" (D1): the firm's tree templates, for the supervisor.
import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { withFirm } from '../../db/withFirm.ts';
import { requireRole } from '../../http/middleware/auth.ts';
import { flash } from '../../http/middleware/locals.ts';
import { renderPage } from '../../http/render.ts';
import { parseForm, type FieldErrors } from '../../lib/validation.ts';
import { FILE_KINDS } from '../../lib/files/type.ts';
import { recordActivity } from '../activity/service.ts';
import { LEVELS } from './levels.ts';
import { templateNodeSchema, templateSchema, unpaidSettingsSchema, uploadSettingsSchema } from './schemas.ts';
import { addTemplateNode, createTemplate, deleteTemplate, getTemplate, listTemplates, removeTemplateNode } from './templates.ts';

export function templateRoutes(deps: AppDeps): Router {
  const r = Router();
  r.use('/settings/folders', requireRole('supervisor'));

  const showList = async (req: Request, res: Response, errors: FieldErrors = {}, values: Record<string, unknown> = {}, status = 200) => {
    const templates = await withFirm(deps.db, req.firm.id, (trx) => listTemplates(trx, req.firm.id));
    const uploads = { uploadMaxMb: req.firm.uploadMaxMb, uploadKinds: req.firm.uploadKinds, ...(values.uploads as object | undefined) };
    const unpaid = { unpaidMode: req.firm.unpaidMode, paymentInfo: req.firm.paymentInfo, linkDays: req.firm.linkDays, ...(values.unpaid as object | undefined) };
    renderPage(res, 'documents/templates', { title: res.locals.t('documents:templates.title'), templates, errors, values, uploads, unpaid, kinds: FILE_KINDS }, status);
  };

  /** A settings form of this page: saved on the firm, logged, then the page again. */
  function firmSettings<S extends z.ZodType>(path: string, schema: S, form: string, action: string, done: string) {
    r.post(path, async (req, res) => {
      const parsed = parseForm(schema, req.body);
      if (!parsed.ok) return showList(req, res, parsed.errors, { [form]: req.body }, 400);
      const data = parsed.data as Record<string, unknown>;
      await withFirm(deps.db, req.firm.id, async (trx) => {
        await trx('firms').where({ id: req.firm.id }).update({ ...data, updatedAt: new Date() });
        await recordActivity(trx, req.firm.id, { action, actor: req.user!, details: data });
      });
      await deps.firms.refresh();
      flash(req, 'success', done);
      res.redirect(303, '/settings/folders');
    });
  }
  firmSettings('/settings/folders/uploads', uploadSettingsSchema, 'uploads', 'documents.uploadSettingsSaved', 'documents:uploadSettings.saved');
  firmSettings('/settings/folders/unpaid', unpaidSettingsSchema, 'unpaid', 'documents.unpaidSettingsSaved', 'documents:unpaidSettings.saved');

  const showOne = async (req: Request, res: Response, errors: FieldErrors = {}, values: Record<string, unknown> = {}, status = 200) => {
    const { template, nodes } = await withFirm(deps.db, req.firm.id, (trx) => getTemplate(trx, req.firm.id, String(req.params.id)));
    renderPage(res, 'documents/template', { title: `${res.locals.t('documents:templates.title')} — ${template.name}`, template, nodes, levels: LEVELS, errors, values: { contactLevel: 'read', staffLevel: 'full', ...values } }, status);
  };

  r.get('/settings/folders', (req, res) => showList(req, res));

  r.post('/settings/folders', async (req, res) => {
    const form = parseForm(templateSchema, req.body);
    const result = form.ok ? await createTemplate(deps, req.firm, req.user!, form.data.name) : form;
    if (!result.ok) return showList(req, res, result.errors, req.body, 400);
    flash(req, 'success', 'documents:templates.created');
    res.redirect(303, `/settings/folders/${result.id}`);
  });

  r.get('/settings/folders/:id', (req, res) => showOne(req, res));

  r.post('/settings/folders/:id/delete', async (req, res) => {
    await deleteTemplate(deps, req.firm, req.user!, String(req.params.id));
    flash(req, 'success', 'documents:templates.deleted');
    res.redirect(303, '/settings/folders');
  });

  r.post('/settings/folders/:id/nodes', async (req, res) => {
    const form = parseForm(templateNodeSchema, req.body);
    const result = form.ok ? await addTemplateNode(deps, req.firm, req.user!, String(req.params.id), form.data) : form;
    if (!result.ok) return showOne(req, res, result.errors, req.body, 400);
    flash(req, 'success', 'documents:templates.added');
    res.redirect(303, `/settings/folders/${req.params.id}`);
  });

  r.post('/settings/folders/:id/nodes/:nodeId/delete', async (req, res) => {
    await removeTemplateNode(deps, req.firm, req.user!, String(req.params.id), String(req.params.nodeId));
    flash(req, 'success', 'documents:templates.removed');
    res.redirect(303, `/settings/folders/${req.params.id}`);
  });

  return r;
}
