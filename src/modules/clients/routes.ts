// "Dossiers clients": the list (B1), the sheet (B2), the creation wizard (B3), edit, trash and delete (B4).
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import type { ClientAttributeRow, ClientRow } from '../../db/tables.ts';
import { withFirm } from '../../db/withFirm.ts';
import { requireRole } from '../../http/middleware/auth.ts';
import { flash } from '../../http/middleware/locals.ts';
import { renderPage } from '../../http/render.ts';
import { Forbidden } from '../../lib/errors.ts';
import { parseForm, type FieldErrors } from '../../lib/validation.ts';
import { displayName } from '../users/repo.ts';
import { accessOf, attributesOf, findVisibleClient, groupsOf, likelyDuplicates, listClients, staffOptions } from './repo.ts';
import { attributeKey, clientSchema, listQuery, type ListQuery } from './schemas.ts';
import { createClient, label, moveClient, updateClient, type Duplicate } from './service.ts';
import { accessSchema, emptyWizard, existingContactSchema, newContactSchema, type WizardState } from './wizard.ts';

const TABS = ['info', 'contacts', 'files', 'mail', 'history', 'deals', 'actions'] as const;

export function clientRoutes(deps: AppDeps): Router {
  const r = Router();
  r.use('/clients', requireRole('supervisor', 'collaborator'));
  const db = (req: Request) => ({ firmId: req.firm.id, user: req.user! });

  r.get('/clients', async (req, res) => {
    const query = listQuery.parse(req.query);
    const { firmId, user } = db(req);
    const [list, groups, staff] = await withFirm(deps.db, firmId, (trx) =>
      Promise.all([listClients(trx, firmId, user, query, req.firm.rowsPerPage), groupsOf(trx, firmId), user.role === 'supervisor' ? staffOptions(trx, firmId) : []]),
    );
    renderPage(res, 'clients/index', { title: res.locals.t('clients:title'), list, query, groups, staff, linkTo: listLink(query) });
  });

  // ---- the wizard ----
  const wizard = (req: Request): WizardState => (req.session.clientWizard ??= emptyWizard());

  r.get('/clients/new', (req, res) => {
    req.session.clientWizard = emptyWizard();
    res.redirect(303, '/clients/new/info');
  });

  const showInfo = async (req: Request, res: Response, values: Record<string, unknown>, errors: FieldErrors = {}, duplicates: Duplicate[] = [], status = 200) => {
    const { firmId } = db(req);
    const [attributes, groups, staff] = await withFirm(deps.db, firmId, (trx) => Promise.all([attributesOf(trx, firmId), groupsOf(trx, firmId), staffOptions(trx, firmId)]));
    renderPage(res, 'clients/wizard', { title: res.locals.t('clients:wizard.title'), step: 'info', values, errors, duplicates, attributes, groups, staff, canAssign: req.user!.role === 'supervisor' }, status);
  };

  r.get('/clients/new/info', (req, res) => showInfo(req, res, wizard(req).info ?? {}));

  r.post('/clients/new/info', async (req, res) => {
    const { firmId, user } = db(req);
    const attributes = await withFirm(deps.db, firmId, (trx) => attributesOf(trx, firmId));
    const form = parseForm(clientSchema(attributes, { assign: user.role === 'supervisor', edit: false }), req.body);
    if (!form.ok) return showInfo(req, res, req.body, form.errors, [], 400);
    if (!form.data.confirmDuplicate) {
      const duplicates = await withFirm(deps.db, firmId, (trx) => likelyDuplicates(trx, firmId, form.data.fields));
      if (duplicates.length) return showInfo(req, res, req.body, {}, duplicates, 409);
    }
    wizard(req).info = req.body as Record<string, string>;
    res.redirect(303, '/clients/new/contacts');
  });

  const showContacts = async (req: Request, res: Response, errors: FieldErrors = {}, values: Record<string, unknown> = {}, status = 200) => {
    if (!wizard(req).info) return res.redirect(303, '/clients/new/info');
    const { firmId } = db(req);
    const existing = await withFirm(deps.db, firmId, (trx) => trx('users').where({ firmId, role: 'contact', active: true }).orderBy(['lastName', 'firstName']).select('id', 'firstName', 'lastName', 'identifier', 'email'));
    renderPage(res, 'clients/wizard', { title: res.locals.t('clients:wizard.title'), step: 'contacts', state: wizard(req), existing, errors, values: { locale: req.firm.defaultLocale, sendActivation: 'on', ...values } }, status);
  };

  r.get('/clients/new/contacts', (req, res) => showContacts(req, res));

  r.post('/clients/new/contacts/new', async (req, res) => {
    const form = parseForm(newContactSchema, req.body);
    if (!form.ok) return showContacts(req, res, form.errors, req.body, 400);
    const state = wizard(req);
    const { firmId } = db(req);
    const email = form.data.email.toLowerCase();
    const taken = await withFirm(deps.db, firmId, (trx) => trx('users').where({ firmId }).where((w) => w.whereRaw('lower(email) = ?', [email]).orWhereRaw('lower(identifier) = ?', [email])).first('id'));
    if (taken || state.contacts.some((c) => c.kind === 'new' && c.email.toLowerCase() === email)) {
      return showContacts(req, res, { email: { key: 'clients:errors.contactExists' } }, req.body, 400);
    }
    state.contacts.push({ kind: 'new', ...form.data, label: `${form.data.firstName} ${form.data.lastName} <${form.data.email}>`.trim() });
    res.redirect(303, '/clients/new/contacts');
  });

  r.post('/clients/new/contacts/existing', async (req, res) => {
    const form = parseForm(existingContactSchema, req.body);
    const { firmId } = db(req);
    const user = form.ok ? await withFirm(deps.db, firmId, (trx) => trx('users').where({ firmId, id: form.data.userId, role: 'contact' }).first()) : undefined;
    if (!form.ok || !user) return showContacts(req, res, form.ok ? { userId: { key: 'validation.choice' } } : form.errors, req.body, 400);
    const state = wizard(req);
    if (!state.contacts.some((c) => c.kind === 'existing' && c.userId === user.id)) {
      state.contacts.push({ kind: 'existing', userId: user.id, sendActivation: form.data.sendActivation, label: `${displayName(user)}${user.email ? ` <${user.email}>` : ''}` });
    }
    res.redirect(303, '/clients/new/contacts');
  });

  r.post('/clients/new/contacts/remove', (req, res) => {
    const index = Number((req.body as { index?: string }).index);
    const state = wizard(req);
    if (Number.isInteger(index) && index >= 0 && index < state.contacts.length) state.contacts.splice(index, 1);
    res.redirect(303, '/clients/new/contacts');
  });

  const collaboratorsOf = (firmId: string) => withFirm(deps.db, firmId, (trx) => staffOptions(trx, firmId)).then((s) => s.filter((u) => u.role === 'collaborator'));

  const showAccess = async (req: Request, res: Response, errors: FieldErrors = {}, status = 200) => {
    if (!wizard(req).info) return res.redirect(303, '/clients/new/info');
    const collaborators = await collaboratorsOf(req.firm.id);
    renderPage(res, 'clients/wizard', { title: res.locals.t('clients:wizard.title'), step: 'access', state: wizard(req), collaborators, errors }, status);
  };

  r.get('/clients/new/access', (req, res) => showAccess(req, res));

  r.post('/clients/new/access', async (req, res) => {
    const state = wizard(req);
    if (!state.info) return res.redirect(303, '/clients/new/info');
    const { go, ...body } = req.body as Record<string, string>;
    const collaborators = await collaboratorsOf(req.firm.id);
    const form = parseForm(accessSchema(collaborators.map((c) => c.id)), body);
    if (!form.ok) return showAccess(req, res, form.errors, 400);
    state.access = form.data;
    if (go === 'back') return res.redirect(303, '/clients/new/contacts');

    // The end: step 1 is checked again (the firm may have changed since), then all is saved at once.
    const { firmId, user } = db(req);
    const attributes = await withFirm(deps.db, firmId, (trx) => attributesOf(trx, firmId));
    const info = parseForm(clientSchema(attributes, { assign: user.role === 'supervisor', edit: false }), state.info);
    if (!info.ok) return showInfo(req, res, state.info, info.errors, [], 400);
    const result = await createClient(deps, req.firm, user, {
      fields: info.data.fields,
      collaboratorId: info.data.collaboratorId ?? null,
      contacts: state.contacts,
      access: state.access,
      confirmDuplicate: true, // warned at step 1
    });
    if (!result.ok) return showInfo(req, res, state.info, result.errors, result.duplicates ?? [], 400);
    delete req.session.clientWizard;
    flash(req, 'success', 'clients:created');
    res.redirect(303, `/clients/${result.id}`);
  });

  // ---- one client ----
  r.get('/clients/:id', async (req, res) => {
    const { firmId, user } = db(req);
    const tab = (TABS as readonly string[]).includes(String(req.query.tab)) ? String(req.query.tab) : 'info';
    const sheet = await withFirm(deps.db, firmId, async (trx) => {
      const client = await findVisibleClient(trx, firmId, user, req.params.id);
      const [access, attributes, collaborator, group, contacts, history, shared] = await Promise.all([
        accessOf(trx, firmId, user, client),
        attributesOf(trx, firmId),
        client.collaboratorId ? trx('users').where({ firmId, id: client.collaboratorId }).first('firstName', 'lastName', 'identifier', 'email', 'phone') : undefined,
        client.groupId ? trx('clientGroups').where({ firmId, id: client.groupId }).first('name') : undefined,
        trx('clientContacts')
          .join('users', (j) => j.on('users.firmId', 'clientContacts.firmId').andOn('users.id', 'clientContacts.userId'))
          .where('clientContacts.firmId', firmId)
          .where('clientContacts.clientId', client.id)
          .orderBy(['users.lastName', 'users.firstName'])
          .select('users.id', 'users.firstName', 'users.lastName', 'users.identifier', 'users.email', 'users.phone', 'users.passwordHash', 'users.lastLoginAt'),
        tab === 'history' ? trx('activityLog').where({ firmId, clientId: client.id }).orderBy('id', 'desc').limit(200) : [],
        trx('clientAccess')
          .join('users', (j) => j.on('users.firmId', 'clientAccess.firmId').andOn('users.id', 'clientAccess.userId'))
          .where('clientAccess.firmId', firmId)
          .where('clientAccess.clientId', client.id)
          .select('users.firstName', 'users.lastName', 'users.identifier', 'clientAccess.level'),
      ]);
      return { client, access, attributes, collaborator, group, contacts, history, shared };
    });
    renderPage(res, 'clients/show', { title: sheet.client.name, tab, tabs: TABS, ...sheet, canEdit: sheet.access !== 'read', isSupervisor: user.role === 'supervisor' });
  });

  const showEdit = async (req: Request, res: Response, client: ClientRow, values: Record<string, unknown>, errors: FieldErrors = {}, extra: Record<string, unknown> = {}, status = 200) => {
    const { firmId } = db(req);
    const [attributes, groups, staff] = await withFirm(deps.db, firmId, (trx) => Promise.all([attributesOf(trx, firmId), groupsOf(trx, firmId), staffOptions(trx, firmId)]));
    renderPage(res, 'clients/edit', { title: res.locals.t('clients:edit.title', { name: client.name }), client, values, errors, attributes, groups, staff, canAssign: req.user!.role === 'supervisor', duplicates: [], ...extra }, status);
  };

  r.get('/clients/:id/edit', async (req, res) => {
    const { firmId, user } = db(req);
    const [client, attributes, access] = await withFirm(deps.db, firmId, async (trx) => {
      const c = await findVisibleClient(trx, firmId, user, req.params.id);
      return [c, await attributesOf(trx, firmId), await accessOf(trx, firmId, user, c)] as const;
    });
    if (access === 'read') return res.redirect(303, `/clients/${client.id}`);
    await showEdit(req, res, client, formValues(client, attributes));
  });

  r.post('/clients/:id/edit', async (req, res) => {
    const { firmId, user } = db(req);
    const [client, attributes, access] = await withFirm(deps.db, firmId, async (trx) => {
      const c = await findVisibleClient(trx, firmId, user, req.params.id);
      return [c, await attributesOf(trx, firmId), await accessOf(trx, firmId, user, c)] as const;
    });
    if (access === 'read') throw new Forbidden('clients:errors.readOnly');
    const form = parseForm(clientSchema(attributes, { assign: user.role === 'supervisor', edit: true }), req.body);
    if (!form.ok) return showEdit(req, res, client, req.body, form.errors, {}, 400);
    const result = await updateClient(deps, req.firm, user, client.id, form.data);
    if (result.ok) {
      flash(req, 'success', 'clients:saved');
      return res.redirect(303, `/clients/${client.id}`);
    }
    if ('conflict' in result) return showEdit(req, res, client, req.body, {}, { conflict: result.conflict }, 409);
    return showEdit(req, res, client, req.body, result.errors, { duplicates: result.duplicates ?? [] }, result.duplicates ? 409 : 400);
  });

  for (const action of ['trash', 'restore', 'delete'] as const) {
    r.post(`/clients/:id/${action}`, requireRole('supervisor'), async (req, res) => {
      const client = await moveClient(deps, req.firm, req.user!, req.params.id as string, action);
      flash(req, 'success', `clients:moved.${action}`, { name: label(client) });
      res.redirect(303, action === 'restore' ? `/clients/${req.params.id}` : action === 'trash' ? '/clients?view=trash' : '/clients');
    });
  }

  return r;
}

/** The form's values from a stored client, custom attributes included. */
function formValues(c: ClientRow, attributes: ClientAttributeRow[]): Record<string, unknown> {
  const values: Record<string, unknown> = { ...c, siret: c.siret ?? '', blocked: c.blocked ? 'on' : '' };
  for (const a of attributes) {
    const v = c.customValues[a.id];
    values[attributeKey(a)] = a.type === 'boolean' ? (v ? 'on' : '') : (v ?? '');
  }
  return values;
}

/** Links of the list that keep its search and filters and change one thing (sort, page, view). */
function listLink(query: ListQuery) {
  return (change: Partial<ListQuery>) => {
    const merged: Record<string, unknown> = { ...query, ...change };
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(merged)) if (v !== undefined && v !== '' && !(k === 'page' && v === 1)) params.set(k, String(v));
    const s = params.toString();
    return s ? `/clients?${s}` : '/clients';
  };
}
