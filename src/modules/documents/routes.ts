// Documents (D1–D3): a client's tree and files. Staff open them from the client sheet's
// "Fichiers" tab (/clients/:id/files); a contact from "Documents" (/documents/:clientId). The
// actions on folders are the same for both, under /documents/:clientId; each checks the person's
// level on the folder (levels.ts), and a contact's transactions also carry the database's limits.
import { asPerson } from '../../db/withFirm.ts';
import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { flash } from '../../http/middleware/locals.ts';
import { renderPage } from '../../http/render.ts';
import { NotFound } from '../../lib/errors.ts';
import { parseForm, type FieldErrors } from '../../lib/validation.ts';
import { CLIENT_TABS } from '../clients/routes.ts';
import { activityQuery, documentActivity, DOCUMENT_ACTIONS } from './activity.ts';
import { filesIn } from './files.ts';
import { createFolder, deleteFolder, mayShape, moveFolder, openClient, renameFolder, type FolderResult } from './folders.ts';
import { viewAs } from './permissions.ts';
import { applyTemplateSchema, browseQuery, deleteFolderSchema, moveFolderSchema, newFolderSchema, renameFolderSchema } from './schemas.ts';
import { clientsOfContact } from './standing.ts';
import { applyTemplate, listTemplates } from './templates.ts';

/** Where a person browses a client's documents. */
export const browseUrl = (role: string, clientId: string, folderId?: string | null) =>
  `${role === 'contact' ? `/documents/${clientId}` : `/clients/${clientId}/files`}${folderId ? `?folder=${folderId}` : ''}`;

export function documentRoutes(deps: AppDeps): Router {
  const r = Router();
  const pageOf = (req: Request) => Math.max(1, Number.parseInt(String(req.query.page ?? '1'), 10) || 1);

  async function browse(req: Request, res: Response, clientId: string, extra: { errors?: FieldErrors; values?: Record<string, unknown>; status?: number } = {}) {
    const q = browseQuery.parse(req.query);
    const user = req.user!;
    const data = await asPerson(deps, req.firm, user, async (trx) => {
      const o = await openClient(trx, req.firm.id, user, clientId);
      const seenAs = q.as ? await viewAs(trx, req.firm.id, o, q.as) : undefined;
      const tree = seenAs?.tree ?? o.tree;
      const folder = q.folder ? tree.find((f) => f.id === q.folder) : tree[0];
      if (q.folder && !folder) throw new NotFound();
      const files = folder ? await filesIn(trx, req.firm.id, folder.id, pageOf(req), req.firm.rowsPerPage) : undefined;
      const templates = mayShape(o.standing) && !seenAs ? await listTemplates(trx, req.firm.id) : [];
      return { ...o, tree, folder, files, seenAs: seenAs?.member, templates, shape: mayShape(o.standing) && !seenAs };
    });
    const staff = user.role !== 'contact';
    renderPage(
      res,
      'documents/browse',
      { title: `${res.locals.t('documents:title')} — ${data.client.name}`, ...data, staff, tabs: CLIENT_TABS, tab: 'files', base: browseUrl(user.role, data.client.id), errors: extra.errors ?? {}, values: extra.values ?? {} },
      extra.status,
    );
  }

  r.get('/clients/:id/files', (req, res) => {
    if (req.user!.role === 'contact') throw new NotFound();
    return browse(req, res, String(req.params.id));
  });

  r.get('/clients/:id/activities', async (req, res) => {
    const query = activityQuery.parse(req.query);
    const data = await documentActivity(deps, req.firm, req.user!, String(req.params.id), query);
    renderPage(res, 'documents/activity', { title: `${res.locals.t('clients:tabs.activities')} — ${data.client.name}`, ...data, query, actions: DOCUMENT_ACTIONS, tabs: CLIENT_TABS, tab: 'activities' });
  });

  // A contact's documents: straight to the client when they have one, else the list of their clients.
  r.get('/documents', async (req, res) => {
    const user = req.user!;
    if (user.role !== 'contact') return res.redirect(303, '/clients');
    const clients = await asPerson(deps, req.firm, user, (trx) => clientsOfContact(trx, req.firm.id, user.id));
    if (clients.length === 1) return res.redirect(303, `/documents/${clients[0]!.id}`);
    renderPage(res, 'documents/clients', { title: res.locals.t('documents:title'), clients });
  });

  r.get('/documents/:clientId', (req, res) => {
    if (req.user!.role !== 'contact') return res.redirect(303, browseUrl(req.user!.role, String(req.params.clientId)));
    return browse(req, res, String(req.params.clientId));
  });

  const back = (req: Request, folderId?: string | null) => browseUrl(req.user!.role, String(req.params.clientId), folderId);

  /** A folder form: parsed, run, then back to the folder; refused, the page again with the form open ("form"). */
  function folderAction<S extends z.ZodType>(path: string, schema: S, form: string, done: string, run: (req: Request, data: z.infer<S>) => Promise<FolderResult>) {
    r.post(path, async (req, res) => {
      const clientId = String(req.params.clientId);
      const parsed = parseForm(schema, req.body);
      const result = parsed.ok ? await run(req, parsed.data) : parsed;
      if (!result.ok) return browse(req, res, clientId, { errors: result.errors, values: { [form]: req.body }, status: 400 });
      flash(req, 'success', done);
      res.redirect(303, back(req, result.id));
    });
  }
  const ids = (req: Request) => [String(req.params.clientId), String(req.params.folderId)] as const;
  folderAction('/documents/:clientId/folders', newFolderSchema, 'newFolder', 'documents:folders.created', (req, data) => createFolder(deps, req.firm, req.user!, String(req.params.clientId), data));
  folderAction('/documents/:clientId/folders/:folderId/rename', renameFolderSchema, 'rename', 'documents:folders.renamed', (req, data) => renameFolder(deps, req.firm, req.user!, ...ids(req), data.name));
  folderAction('/documents/:clientId/folders/:folderId/move', moveFolderSchema, 'move', 'documents:folders.moved', (req, data) => moveFolder(deps, req.firm, req.user!, ...ids(req), data.parent));

  r.post('/documents/:clientId/folders/:folderId/delete', async (req, res) => {
    const clientId = String(req.params.clientId);
    const folderId = String(req.params.folderId);
    const form = parseForm(deleteFolderSchema, req.body);
    const outcome = await deleteFolder(deps, req.firm, req.user!, clientId, folderId, form.ok && form.data.confirm === 'yes');
    if (!outcome.deleted) {
      return renderPage(res, 'documents/confirm-delete', { title: res.locals.t('documents:folders.confirmTitle'), action: `/documents/${clientId}/folders/${folderId}/delete`, cancel: back(req, folderId), ...outcome });
    }
    flash(req, 'success', 'documents:folders.deleted');
    res.redirect(303, back(req, outcome.parentId));
  });

  r.post('/documents/:clientId/template', async (req, res) => {
    const clientId = String(req.params.clientId);
    const form = parseForm(applyTemplateSchema, req.body);
    if (!form.ok) return browse(req, res, clientId, { errors: form.errors, status: 400 });
    const added = await applyTemplate(deps, req.firm, req.user!, clientId, form.data.template);
    flash(req, 'success', 'documents:templates.applied', { count: added });
    res.redirect(303, back(req));
  });

  return r;
}
