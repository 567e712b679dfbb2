// D2 pages: a client's folder permissions ("Choisir" a folder, then the rights of each person)
// and "Faire cascader". Staff who may shape the client's tree only (permissions.ts checks).
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { flash } from '../../http/middleware/locals.ts';
import { renderPage } from '../../http/render.ts';
import { NotFound } from '../../lib/errors.ts';
import { parseForm, type FieldErrors } from '../../lib/validation.ts';
import { CLIENT_TABS } from '../clients/routes.ts';
import { LEVELS } from './levels.ts';
import { cascadePermissions, permissionsPage, savePermissions } from './permissions.ts';
import { permissionsSchema } from './schemas.ts';

export function permissionRoutes(deps: AppDeps): Router {
  const r = Router();
  const staffOnly = (req: Request) => {
    if (req.user!.role === 'contact') throw new NotFound();
  };

  async function show(req: Request, res: Response, folderId: string | undefined, errors: FieldErrors = {}, values: Record<string, unknown> = {}, status = 200) {
    const page = await permissionsPage(deps, req.firm, req.user!, String(req.params.clientId), folderId);
    renderPage(res, 'documents/permissions', { title: `${res.locals.t('documents:permissions.title')} — ${page.client.name}`, ...page, levels: LEVELS, tabs: CLIENT_TABS, tab: 'files', errors, values }, status);
  }

  r.get('/documents/:clientId/permissions', (req, res) => {
    staffOnly(req);
    const folder = typeof req.query.folder === 'string' && /^\d{1,18}$/.test(req.query.folder) ? req.query.folder : undefined;
    return show(req, res, folder);
  });

  r.post('/documents/:clientId/permissions/:folderId', async (req, res) => {
    staffOnly(req);
    const folderId = String(req.params.folderId);
    const form = parseForm(permissionsSchema, req.body);
    const result = form.ok ? await savePermissions(deps, req.firm, req.user!, String(req.params.clientId), folderId, form.data) : form;
    if (!result.ok) return show(req, res, folderId, result.errors, req.body, 400);
    const page = await permissionsPage(deps, req.firm, req.user!, String(req.params.clientId), folderId);
    flash(req, 'success', 'documents:permissions.saved', { folder: page.folder?.name ?? '' });
    res.redirect(303, `/documents/${req.params.clientId}/permissions?folder=${folderId}`);
  });

  r.post('/documents/:clientId/permissions/:folderId/cascade', async (req, res) => {
    staffOnly(req);
    const count = await cascadePermissions(deps, req.firm, req.user!, String(req.params.clientId), String(req.params.folderId));
    flash(req, 'success', 'documents:permissions.cascaded', { count });
    res.redirect(303, `/documents/${req.params.clientId}/permissions?folder=${req.params.folderId}`);
  });

  return r;
}
