// "Liste des clients" (B7): the supervisor's page for the client-list updates sent to the management centre.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { withFirm } from '../../db/withFirm.ts';
import { requireRole } from '../../http/middleware/auth.ts';
import { flash } from '../../http/middleware/locals.ts';
import { renderPage } from '../../http/render.ts';
import { parseForm, type FieldErrors } from '../../lib/validation.ts';
import { label } from './service.ts';
import { centreSchema, departureSchema, loadListUpdates, recordDeparture, saveCentreEmails, sendListUpdates } from './listUpdates.ts';

export function updatesRoutes(deps: AppDeps): Router {
  const r = Router();
  r.use('/clients/updates', requireRole('supervisor'));

  const show = async (req: Request, res: Response, values: Record<string, unknown> = {}, errors: FieldErrors = {}, status = 200) => {
    const updates = await withFirm(deps.db, req.firm.id, (trx) => loadListUpdates(trx, req.firm.id));
    const today = new Date().toISOString().slice(0, 10);
    renderPage(res, 'clients/updates', { title: res.locals.t('clients:updates.title'), updates, values: { departedOn: today, centreEmails: req.firm.centreEmails.join('\n'), ...values }, errors }, status);
  };

  r.get('/clients/updates', (req, res) => show(req, res));

  r.get('/clients/updates/print', async (req, res) => {
    const updates = await withFirm(deps.db, req.firm.id, (trx) => loadListUpdates(trx, req.firm.id));
    res.render('clients/print', { updates, printedAt: new Date() });
  });

  r.post('/clients/updates/departure', async (req, res) => {
    const form = parseForm(departureSchema, req.body);
    if (!form.ok) return show(req, res, req.body, form.errors, 400);
    const client = await recordDeparture(deps, req.firm, req.user!, form.data.clientId, form.data.departedOn!);
    flash(req, 'success', 'clients:updates.departureSaved', { name: label(client) });
    res.redirect(303, '/clients/updates');
  });

  r.post('/clients/updates/centre', async (req, res) => {
    const form = parseForm(centreSchema, req.body);
    if (!form.ok) return show(req, res, req.body, form.errors, 400);
    await saveCentreEmails(deps, req.firm, req.user!, form.data.centreEmails);
    flash(req, 'success', 'clients:updates.centreSaved');
    res.redirect(303, '/clients/updates');
  });

  r.post('/clients/updates/send', async (req, res) => {
    const result = await sendListUpdates(deps, req.firm, req.user!);
    if ('noRecipient' in result) flash(req, 'danger', 'clients:updates.noRecipient');
    else if ('nothing' in result) flash(req, 'info', 'clients:updates.nothing');
    else flash(req, 'success', 'clients:updates.sent', { count: result.sent, recipients: result.recipients.join(', ') });
    res.redirect(303, '/clients/updates');
  });

  return r;
}
