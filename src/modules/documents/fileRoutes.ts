// D3, D7 routes: upload into a folder, download, a file's details and history, trash, ZIP.
import { Router, type Request } from 'express';
import type { AppDeps } from '../../deps.ts';
import { sendFileStream } from '../../http/attachment.ts';
import { flash } from '../../http/middleware/locals.ts';
import { renderPage } from '../../http/render.ts';
import { parseForm } from '../../lib/validation.ts';
import { sendZip } from '../../lib/zip/stream.ts';
import { CLIENT_TABS } from '../clients/routes.ts';
import { downloadFile } from './download.ts';
import { describeFile, emptyTrash, fileDetails, restoreFile, trashFile, trashOf } from './fileActions.ts';
import { browseUrl } from './routes.ts';
import { fileDetailsSchema } from './schemas.ts';
import { uploadFiles } from './upload.ts';
import { folderZip } from './zip.ts';

export function fileRoutes(deps: AppDeps): Router {
  const r = Router();
  const ip = (req: Request) => req.ip ?? null;

  r.post('/documents/:clientId/folders/:folderId/upload', async (req, res) => {
    const clientId = String(req.params.clientId);
    const folderId = String(req.params.folderId);
    const outcome = await uploadFiles(deps, req.firm, req.user!, clientId, folderId, req, res);
    if (outcome.ok) flash(req, 'success', 'documents:upload.done', { count: outcome.count });
    else flash(req, 'danger', outcome.error.key, outcome.error.params);
    // A script (drag and drop with progress) reads the status; a plain form follows the redirect.
    if (req.get('accept')?.includes('application/json')) return res.status(outcome.ok ? 200 : outcome.status).json({ ok: outcome.ok, redirect: browseUrl(req.user!.role, clientId, folderId) });
    res.redirect(303, browseUrl(req.user!.role, clientId, folderId));
  });

  r.get('/files/:id/download', async (req, res) => {
    const file = await downloadFile(deps, req.firm, req.user!, String(req.params.id), ip(req));
    await sendFileStream(res, file);
  });

  r.get('/files/:id', async (req, res) => {
    const details = await fileDetails(deps, req.firm, req.user!, String(req.params.id));
    renderPage(res, 'documents/file', { title: details.file.title || details.file.name, ...details, tabs: CLIENT_TABS, tab: 'files', values: details.file });
  });

  r.post('/files/:id', async (req, res) => {
    const form = parseForm(fileDetailsSchema, req.body);
    if (!form.ok) {
      const details = await fileDetails(deps, req.firm, req.user!, String(req.params.id));
      return renderPage(res, 'documents/file', { title: details.file.title || details.file.name, ...details, tabs: CLIENT_TABS, tab: 'files', values: req.body, errors: form.errors }, 400);
    }
    await describeFile(deps, req.firm, req.user!, String(req.params.id), form.data);
    flash(req, 'success', 'documents:file.saved');
    res.redirect(303, `/files/${req.params.id}`);
  });

  r.post('/files/:id/delete', async (req, res) => {
    const { clientId, folderId } = await trashFile(deps, req.firm, req.user!, String(req.params.id));
    flash(req, 'success', 'documents:file.trashed');
    res.redirect(303, browseUrl(req.user!.role, clientId, folderId));
  });

  r.post('/files/:id/restore', async (req, res) => {
    const { clientId, folderId } = await restoreFile(deps, req.firm, req.user!, String(req.params.id));
    flash(req, 'success', 'documents:file.restored');
    res.redirect(303, browseUrl(req.user!.role, clientId, folderId));
  });

  r.get('/clients/:id/files/trash', async (req, res) => {
    const trash = await trashOf(deps, req.firm, req.user!, String(req.params.id));
    renderPage(res, 'documents/trash', { title: `${res.locals.t('documents:trash.title')} — ${trash.client.name}`, ...trash, tabs: CLIENT_TABS, tab: 'files' });
  });

  r.post('/clients/:id/files/trash/empty', async (req, res) => {
    const count = await emptyTrash(deps, req.firm, req.user!, String(req.params.id));
    flash(req, 'success', 'documents:trash.emptied', { count });
    res.redirect(303, `/clients/${req.params.id}/files/trash`);
  });

  r.get('/documents/:clientId/folders/:folderId/zip', async (req, res) => {
    const zip = await folderZip(deps, req.firm, req.user!, String(req.params.clientId), String(req.params.folderId), ip(req));
    await sendZip(res, zip.filename, zip.entries);
  });

  return r;
}
