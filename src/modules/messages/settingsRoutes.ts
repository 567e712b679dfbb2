// The supervisor's pages of the messages module: "Paramètres › Messages" (the centre's predefined
// addresses, and the supervision of messages to clients) and "Messages à valider".
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { requireRole } from '../../http/middleware/auth.ts';
import { flash } from '../../http/middleware/locals.ts';
import { renderPage } from '../../http/render.ts';
import { Conflict, NotFound } from '../../lib/errors.ts';
import { parseForm, type FieldErrors } from '../../lib/validation.ts';
import { addressesOf, removeAddress, saveAddress } from './addresses.ts';
import { addressSchema, approveSchema, rejectSchema, supervisionSchema } from './schemas.ts';
import { asPerson } from '../../db/withFirm.ts';
import { decide, heldMessages, setSupervision } from './supervision.ts';

export function messageSettingsRoutes(deps: AppDeps): Router {
  const r = Router();
  r.use(['/settings/messages', '/supervision/messages'], requireRole('supervisor'));

  /** The page, with the address form filled back (and its errors) when a save was refused. */
  async function showSettings(req: Request, res: Response, failed?: { id?: string; values: Record<string, unknown>; errors: FieldErrors }) {
    const addresses = await asPerson(deps, req.firm, req.user!, (trx) => addressesOf(trx, req.firm.id));
    const editId = failed?.id ?? (typeof req.query.edit === 'string' ? req.query.edit : undefined);
    const editing = editId ? addresses.find((a) => a.id === editId) : undefined;
    if (editId && !editing) throw new NotFound();
    const values = failed?.values ?? (editing ? { label: editing.label, email: editing.email, position: String(editing.position) } : {});
    renderPage(res, 'messages/settings', { title: res.locals.t('messages:settings.title'), addresses, editing, values, errors: failed?.errors ?? {} }, failed ? 400 : 200);
  }

  r.get('/settings/messages', (req, res) => showSettings(req, res));

  r.post('/settings/messages/supervision', async (req, res) => {
    const form = parseForm(supervisionSchema, req.body);
    if (!form.ok) return showSettings(req, res, { values: {}, errors: form.errors });
    await setSupervision(deps, req.firm, req.user!, form.data.supervise === 'yes');
    flash(req, 'success', 'messages:settings.supervisionSaved');
    res.redirect(303, '/settings/messages');
  });

  for (const path of ['/settings/messages/addresses', '/settings/messages/addresses/:id']) {
    r.post(path, async (req, res) => {
      const addressId = (req.params as { id?: string }).id;
      const form = parseForm(addressSchema, req.body);
      const saved = form.ok ? await saveAddress(deps, req.firm, req.user!, addressId, form.data) : form;
      if (!saved.ok) return showSettings(req, res, { id: addressId, values: (req.body ?? {}) as Record<string, unknown>, errors: saved.errors });
      flash(req, 'success', addressId ? 'messages:settings.addressChanged' : 'messages:settings.addressAdded');
      res.redirect(303, '/settings/messages');
    });
  }

  r.post('/settings/messages/addresses/:id/delete', async (req, res) => {
    await removeAddress(deps, req.firm, req.user!, String(req.params.id));
    flash(req, 'success', 'messages:settings.addressRemoved');
    res.redirect(303, '/settings/messages');
  });

  async function showQueue(req: Request, res: Response, errors: FieldErrors = {}, values: Record<string, unknown> = {}, status = 200) {
    const held = await asPerson(deps, req.firm, req.user!, (trx) => heldMessages(trx, req.firm.id));
    renderPage(res, 'messages/queue', { title: res.locals.t('messages:queue.title'), held, errors, values, failedId: values.id }, status);
  }

  r.get('/supervision/messages', (req, res) => showQueue(req, res));

  /** A decision; a second one from another tab is told that the message was decided meanwhile (409). */
  const decided = async (req: Request, res: Response, work: () => Promise<void>, done: string) => {
    try {
      await work();
    } catch (err) {
      if (err instanceof Conflict) return showQueue(req, res, { _form: { key: err.messageKey } }, {}, err.status);
      throw err;
    }
    flash(req, 'success', done);
    res.redirect(303, '/supervision/messages');
  };

  r.post('/supervision/messages/:id/approve', async (req, res) => {
    const form = parseForm(approveSchema, req.body);
    if (!form.ok) return showQueue(req, res, form.errors, { ...(req.body as Record<string, unknown>), id: String(req.params.id) }, 400);
    await decided(req, res, () => decide(deps, req.firm, req.user!, String(req.params.id), { approve: true, ...form.data }), 'messages:queue.approved');
  });

  r.post('/supervision/messages/:id/reject', async (req, res) => {
    const form = parseForm(rejectSchema, req.body);
    if (!form.ok) return showQueue(req, res, form.errors, { ...(req.body as Record<string, unknown>), id: String(req.params.id) }, 400);
    await decided(req, res, () => decide(deps, req.firm, req.user!, String(req.params.id), { approve: false, comment: form.data.comment }), 'messages:queue.rejected');
  });

  return r;
}
