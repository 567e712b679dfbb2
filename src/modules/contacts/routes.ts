// "Contacts" (seed 001 §IV): the list, create, modify, delete, "Envoyer les codes d'accès",
// "Envoyer un mail", the Excel exports. Staff only (index.ts).
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { withFirm } from '../../db/withFirm.ts';
import { requireRole } from '../../http/middleware/auth.ts';
import { flash } from '../../http/middleware/locals.ts';
import { listLink } from '../../http/listLink.ts';
import { renderPage } from '../../http/render.ts';
import { Forbidden } from '../../lib/errors.ts';
import { parseForm, type FieldErrors } from '../../lib/validation.ts';
import { sendXlsx } from '../../lib/xlsx/http.ts';
import { recordActivity } from '../activity/service.ts';
import { displayName } from '../users/repo.ts';
import { consultationsExport, contactListExport } from './export.ts';
import { findVisibleContact, listContacts, manageableClients, type ContactListRow } from './repo.ts';
import { contactListQuery, contactMailSchema, contactSchema } from './schemas.ts';
import { deleteContact, mailContact, saveContact, sendAccessCodes } from './service.ts';

const today = () => new Date().toISOString().slice(0, 10);

export function contactRoutes(deps: AppDeps): Router {
  const r = Router();
  const inFirm = <T>(req: Request, work: Parameters<typeof withFirm<T>>[2]) => withFirm(deps.db, req.firm.id, work);

  r.get('/contacts', async (req, res) => {
    const query = contactListQuery.parse(req.query);
    const list = await inFirm(req, (trx) => listContacts(trx, req.firm.id, req.user!, query, req.firm.rowsPerPage));
    renderPage(res, 'contacts/index', { title: res.locals.t('contacts:title'), list, query, linkTo: listLink('/contacts', query) });
  });

  r.get('/contacts/export.xlsx', async (req, res) => {
    const query = contactListQuery.parse(req.query);
    const { sheet, rows } = contactListExport(deps, req.firm, req.user!, query, res.locals.t);
    await inFirm(req, (trx) => recordActivity(trx, req.firm.id, { action: 'contacts.exported', actor: req.user!, details: { ...query }, ip: req.ip ?? null }));
    await sendXlsx(res, `${res.locals.t('contacts:export.filename')} ${today()}.xlsx`, sheet, rows);
  });

  const showForm = (res: Response, contact: ContactListRow | undefined, values: Record<string, unknown>, errors: FieldErrors = {}, status = 200, canManage = true) =>
    renderPage(res, 'contacts/form', { title: contact ? displayName(contact) : res.locals.t('contacts:form.newTitle'), contact, values, errors, canManage }, status);

  r.get('/contacts/new', async (req, res) => {
    // From a client sheet ("Ajouter un contact"): that client is filled in.
    const clientId = typeof req.query.client === 'string' && /^\d{1,18}$/.test(req.query.client) ? req.query.client : undefined;
    const client = clientId ? await inFirm(req, (trx) => manageableClients(trx, req.firm.id, req.user!).where('clients.id', clientId).first('clients.number')) : undefined;
    showForm(res, undefined, { locale: req.firm.defaultLocale, sendCodes: 'on', clientNumbers: client ? String(client.number) : '' });
  });

  r.post('/contacts', async (req, res) => {
    const form = parseForm(contactSchema, req.body);
    if (!form.ok) return showForm(res, undefined, req.body, form.errors, 400);
    const result = await saveContact(deps, req.firm, req.user!, undefined, form.data);
    if (!result.ok) return showForm(res, undefined, req.body, result.errors, 400);
    flash(req, 'success', result.codesSentTo ? 'contacts:createdAndSent' : 'contacts:created', { email: result.codesSentTo ?? '' });
    res.redirect(303, `/contacts/${result.id}`);
  });

  const loadContact = (req: Request) => inFirm(req, (trx) => findVisibleContact(trx, req.firm.id, req.user!, String(req.params.id)));
  const storedValues = (c: ContactListRow) => ({ ...c, email: c.email ?? '', locale: c.locale ?? '', copyEmails: c.copyEmails.join(', '), clientNumbers: c.clients.map((x) => x.number).join(', ') });

  r.get('/contacts/:id', async (req, res) => {
    const contact = await loadContact(req);
    showForm(res, contact, storedValues(contact), {}, 200, contact.manageable);
  });

  r.post('/contacts/:id', async (req, res) => {
    const contact = await loadContact(req);
    if (!contact.manageable) throw new Forbidden('contacts:errors.readOnly');
    const form = parseForm(contactSchema.omit({ inheritFrom: true, sendCodes: true }), req.body);
    if (!form.ok) return showForm(res, contact, req.body, form.errors, 400);
    const result = await saveContact(deps, req.firm, req.user!, contact.id, { ...form.data, sendCodes: false });
    if (!result.ok) return showForm(res, contact, req.body, result.errors, 400);
    flash(req, 'success', 'contacts:saved');
    res.redirect(303, `/contacts/${contact.id}`);
  });

  r.post('/contacts/:id/codes', async (req, res) => {
    const outcome = await sendAccessCodes(deps, req.firm, req.user!, String(req.params.id));
    if ('sentTo' in outcome) flash(req, 'success', 'contacts:codes.sent', { email: outcome.sentTo });
    else flash(req, 'danger', 'contacts:codes.noEmail');
    res.redirect(303, backTo(req, `/contacts/${req.params.id}`));
  });

  const showMail = (res: Response, contact: ContactListRow, values: Record<string, unknown>, errors: FieldErrors = {}, status = 200) =>
    renderPage(res, 'contacts/mail', { title: res.locals.t('contacts:mail.title', { name: displayName(contact) }), contact, values, errors }, status);

  r.get('/contacts/:id/mail', async (req, res) => {
    const contact = await loadContact(req);
    showMail(res, contact, { copies: contact.copyEmails.length ? 'on' : '' });
  });

  r.post('/contacts/:id/mail', async (req, res) => {
    const contact = await loadContact(req);
    const form = parseForm(contactMailSchema, req.body);
    if (!form.ok) return showMail(res, contact, req.body, form.errors, 400);
    const recipients = await mailContact(deps, req.firm, req.user!, contact.id, form.data);
    flash(req, 'success', 'contacts:mail.sent', { recipients: recipients.join(', ') });
    res.redirect(303, `/contacts/${contact.id}`);
  });

  r.get('/contacts/:id/consultations.xlsx', async (req, res) => {
    const contact = await loadContact(req);
    const { sheet, rows } = consultationsExport(deps, req.firm, req.user!, contact.id, res.locals.t, res.locals.actionLabel);
    await inFirm(req, (trx) => recordActivity(trx, req.firm.id, { action: 'contacts.consultationsExported', actor: req.user!, objectType: 'user', objectId: contact.id, objectLabel: displayName(contact), ip: req.ip ?? null }));
    await sendXlsx(res, `${res.locals.t('contacts:consultations.filename', { name: displayName(contact) })} ${today()}.xlsx`, sheet, rows);
  });

  r.post('/contacts/:id/delete', requireRole('supervisor'), async (req, res) => {
    const contact = await deleteContact(deps, req.firm, req.user!, String(req.params.id));
    flash(req, 'success', 'contacts:deleted', { name: displayName(contact) });
    res.redirect(303, '/contacts');
  });

  return r;
}

/** Back to the list when the action came from it (same search and page), else to the contact. */
function backTo(req: Request, fallback: string): string {
  const back = typeof req.query.back === 'string' ? req.query.back : '';
  return /^\/contacts(\?[\w%=&.+-]*)?$/.test(back) ? back : fallback;
}
