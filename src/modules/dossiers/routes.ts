// "Dossiers" (seed 001 §II): the list, "Nouveau dossier", a dossier's page and its actions, its
// files' downloads (with the unpaid rules) and the Excel export.
import { reachableContactsOf } from '../clients/repo.ts';
import { asPerson } from '../../db/withFirm.ts';
import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { sendFileStream } from '../../http/attachment.ts';
import { requireFirmPeople } from '../../http/middleware/auth.ts';
import { flash } from '../../http/middleware/locals.ts';
import { listLink } from '../../http/listLink.ts';
import { renderPage } from '../../http/render.ts';
import { Forbidden } from '../../lib/errors.ts';
import { parseForm, type FieldErrors } from '../../lib/validation.ts';
import { sendXlsx } from '../../lib/xlsx/http.ts';
import { sendZip } from '../../lib/zip/stream.ts';
import { downloadDossierFile, UnpaidBlocked } from './download.ts';
import { createLink, downloadViaLink, LinkGone, linkSchema, linksOf, openLink, revokeLink } from './links.ts';
import { dossierExport } from './export.ts';
import { dossierZip } from './zip.ts';
import { downloadState, filesOf, findDossier, listDossiers, stepsOf } from './repo.ts';
import { amountSchema, detailsSchema, dossierListQuery, messageSchema, stepSchema } from './schemas.ts';
import { addFiles, addStep, changeDossier, createDossier, mayManage, messageAboutDossier, notifyClient, setUnpaidExempt, toggleStep } from './service.ts';

const today = () => new Date().toISOString().slice(0, 10);

export function dossierRoutes(deps: AppDeps): Router {
  const r = Router();
  r.use(['/dossiers', '/clients'], requireFirmPeople);
  const staffOnly = (req: Request) => {
    if (req.user!.role === 'contact') throw new Forbidden();
  };

  r.get('/dossiers', async (req, res) => {
    const query = dossierListQuery.parse(req.query);
    const list = await asPerson(deps, req.firm, req.user!, (trx) => listDossiers(trx, req.firm.id, req.user!, query, req.firm.rowsPerPage));
    renderPage(res, 'dossiers/index', { title: res.locals.t('dossiers:title'), list, query, linkTo: listLink('/dossiers', query), downloadState });
  });

  r.get('/dossiers/export.xlsx', async (req, res) => {
    const query = dossierListQuery.parse(req.query);
    const { sheet, rows } = dossierExport(deps, req.firm, req.user!, query, res.locals.t);
    await sendXlsx(res, `${res.locals.t('dossiers:export.filename')} ${today()}.xlsx`, sheet, rows);
  });

  const showNew = (res: Response, values: Record<string, unknown>, errors: FieldErrors = {}, status = 200) =>
    renderPage(res, 'dossiers/new', { title: res.locals.t('dossiers:new.title'), values, errors }, status);

  r.get('/dossiers/new', async (req, res) => {
    staffOnly(req);
    const clientId = typeof req.query.client === 'string' && /^\d{1,18}$/.test(req.query.client) ? req.query.client : undefined;
    const client = clientId ? await asPerson(deps, req.firm, req.user!, (trx) => trx('clients').where({ firmId: req.firm.id, id: clientId }).first('number')) : undefined;
    showNew(res, { clientNumber: client ? String(client.number) : '' });
  });

  r.post('/dossiers', async (req, res) => {
    staffOnly(req);
    const outcome = await createDossier(deps, req.firm, req.user!, req, res);
    if (!outcome.ok) return showNew(res, (req.body ?? {}) as Record<string, unknown>, outcome.errors, outcome.status);
    flash(req, 'success', 'dossiers:created');
    res.redirect(303, `/dossiers/${outcome.id}`);
  });

  async function show(req: Request, res: Response, errors: FieldErrors = {}, values: Record<string, unknown> = {}, status = 200) {
    const user = req.user!;
    const data = await asPerson(deps, req.firm, user, async (trx) => {
      const { dossier, client } = await findDossier(trx, req.firm.id, user, String(req.params.id));
      const steps = await stepsOf(trx, req.firm.id, dossier.id);
      const files = await filesOf(trx, req.firm.id, dossier.id);
      const canManage = await mayManage(trx, req.firm.id, user, client);
      const links = canManage ? await linksOf(trx, req.firm.id, dossier.id) : [];
      const contacts = canManage ? (await reachableContactsOf(trx, req.firm.id, client.id)).map((c) => ({ email: c.email, name: `${c.firstName} ${c.lastName}`.trim() })) : [];
      return { dossier, client, steps, files, canManage, links, contacts };
    });
    const unpaidRule = !data.dossier.paid && !data.client.unpaidExempt ? req.firm.unpaidMode : 'off';
    renderPage(res, 'dossiers/show', { title: data.dossier.title, ...data, unpaidRule, errors, values, state: downloadState({ fileCount: data.files.length, downloadedCount: data.files.filter((f) => f.clientDownloadedAt).length }) }, status);
  }

  r.get('/dossiers/:id', (req, res) => show(req, res));

  const id = (req: Request) => String(req.params.id);
  const back = (req: Request, res: Response, key: string, params?: Record<string, string | number>) => {
    flash(req, 'success', key, params);
    res.redirect(303, `/dossiers/${id(req)}`);
  };

  /** A form of the dossier page: parsed, run, then back to the dossier; refused, the page again with that form open. */
  function dossierForm<S extends z.ZodType>(path: string, schema: S, form: string, run: (req: Request, data: z.infer<S>) => Promise<unknown>, done: (req: Request, result: unknown) => [string, Record<string, string | number>?]) {
    r.post(path, async (req, res) => {
      const parsed = parseForm(schema, req.body);
      if (!parsed.ok) return show(req, res, parsed.errors, { [form]: req.body }, 400);
      const result = await run(req, parsed.data);
      back(req, res, ...done(req, result));
    });
  }
  dossierForm('/dossiers/:id/details', detailsSchema, 'details', (req, data) => changeDossier(deps, req.firm, req.user!, id(req), data), () => ['dossiers:saved']);
  dossierForm('/dossiers/:id/amount', amountSchema, 'amount', (req, data) => changeDossier(deps, req.firm, req.user!, id(req), data), () => ['dossiers:amountSaved']);
  dossierForm('/dossiers/:id/steps', stepSchema, 'step', (req, data) => addStep(deps, req.firm, req.user!, id(req), data), () => ['dossiers:steps.added']);
  dossierForm('/dossiers/:id/links', linkSchema, 'link', (req, data) => createLink(deps, req.firm, req.user!, id(req), data), (_req, r) => ['dossiers:links.sent', { email: (r as { email: string }).email }]);

  r.post('/dossiers/:id/paid', async (req, res) => {
    await changeDossier(deps, req.firm, req.user!, id(req), { paid: true });
    back(req, res, 'dossiers:markedPaid');
  });

  r.post('/dossiers/:id/unpaid', async (req, res) => {
    await changeDossier(deps, req.firm, req.user!, id(req), { paid: false });
    back(req, res, 'dossiers:markedUnpaid');
  });

  r.post('/dossiers/:id/steps/:stepId/toggle', async (req, res) => {
    await toggleStep(deps, req.firm, req.user!, id(req), String(req.params.stepId));
    back(req, res, 'dossiers:steps.changed');
  });

  r.post('/dossiers/:id/notify', async (req, res) => {
    const { sentTo } = await notifyClient(deps, req.firm, req.user!, id(req));
    if (!sentTo.length) {
      flash(req, 'danger', 'dossiers:notify.nobody');
      return res.redirect(303, `/dossiers/${id(req)}`);
    }
    back(req, res, 'dossiers:notify.sent', { count: sentTo.length, emails: sentTo.join(', ') });
  });

  r.post('/dossiers/:id/message', async (req, res) => {
    const form = parseForm(messageSchema, req.body);
    if (!form.ok) return show(req, res, form.errors, { message: req.body }, 400);
    const sentTo = await messageAboutDossier(deps, req.firm, req.user!, id(req), form.data);
    if (!sentTo.length) {
      flash(req, 'danger', 'dossiers:notify.nobody');
      return res.redirect(303, `/dossiers/${id(req)}`);
    }
    back(req, res, 'dossiers:message.sent', { count: sentTo.length, emails: sentTo.join(', ') });
  });

  r.post('/dossiers/:id/files', async (req, res) => {
    const outcome = await addFiles(deps, req.firm, req.user!, id(req), req, res);
    if (!outcome.ok) return show(req, res, outcome.errors, {}, outcome.status);
    back(req, res, 'documents:upload.done', { count: outcome.count });
  });

  r.get('/dossiers/:id/files/:fileId/download', async (req, res) => {
    try {
      await sendFileStream(res, await downloadDossierFile(deps, req.firm, req.user!, id(req), String(req.params.fileId), req.ip ?? null));
    } catch (err) {
      if (!(err instanceof UnpaidBlocked)) throw err;
      renderPage(res, 'dossiers/unpaid', { title: res.locals.t('dossiers:unpaid.title'), paymentInfo: err.paymentInfo, amount: err.amount, dossierId: id(req) }, err.status);
    }
  });

  r.get('/dossiers/:id/zip', async (req, res) => {
    try {
      const zip = await dossierZip(deps, req.firm, req.user!, id(req), req.ip ?? null);
      await sendZip(res, zip.filename, zip.entries);
    } catch (err) {
      if (!(err instanceof UnpaidBlocked)) throw err;
      renderPage(res, 'dossiers/unpaid', { title: res.locals.t('dossiers:unpaid.title'), paymentInfo: err.paymentInfo, amount: err.amount, dossierId: id(req) }, err.status);
    }
  });

  r.post('/dossiers/:id/links/:linkId/revoke', async (req, res) => {
    await revokeLink(deps, req.firm, req.user!, id(req), String(req.params.linkId));
    back(req, res, 'dossiers:links.revoked');
  });

  // The guest's side of an emailed link: no account, the link is the key.
  const guestFailure = (res: Response, err: unknown) => {
    if (err instanceof LinkGone) return renderPage(res, 'dossiers/link-gone', { title: res.locals.t('dossiers:links.goneTitle') }, err.status);
    if (err instanceof UnpaidBlocked) return renderPage(res, 'dossiers/unpaid', { title: res.locals.t('dossiers:unpaid.title'), paymentInfo: err.paymentInfo, amount: err.amount, dossierId: undefined }, err.status);
    throw err;
  };

  r.get('/l/:token', async (req, res) => {
    res.setHeader('Referrer-Policy', 'no-referrer');
    try {
      const opened = await openLink(deps, req.firm, String(req.params.token), req.ip ?? null);
      renderPage(res, 'dossiers/link', { title: opened.dossier.title, ...opened, token: String(req.params.token), unpaidRule: opened.dossier.paid ? 'off' : req.firm.unpaidMode });
    } catch (err) {
      guestFailure(res, err);
    }
  });

  r.post('/l/:token/files/:fileId', async (req, res) => {
    try {
      await sendFileStream(res, await downloadViaLink(deps, req.firm, String(req.params.token), String(req.params.fileId), req.ip ?? null));
    } catch (err) {
      guestFailure(res, err);
    }
  });

  r.post('/clients/:id/unpaid-exempt', async (req, res) => {
    await setUnpaidExempt(deps, req.firm, req.user!, id(req), (req.body as { exempt?: string }).exempt === 'yes');
    flash(req, 'success', 'dossiers:client.exemptSaved');
    res.redirect(303, `/clients/${id(req)}`);
  });

  return r;
}
