// The pages of the creation wizard (B3): /clients/new/info, /contacts, /access, /tree. See wizard.ts.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import type { ClientAttributeRow } from '../../db/tables.ts';
import { inTurn, withFirm } from '../../db/withFirm.ts';
import { flash } from '../../http/middleware/locals.ts';
import { renderPage } from '../../http/render.ts';
import { parseForm, type FieldErrors } from '../../lib/validation.ts';
import { displayName } from '../users/repo.ts';
import { templateAttributeIds, templatesOf } from './catalog.ts';
import { attributesOf, contactsOpenTo, groupsOf, likelyDuplicates, staffOptions } from './repo.ts';
import { clientSchema } from './schemas.ts';
import { createClient, type Duplicate } from './service.ts';
import { getTemplate, listTemplates } from '../documents/templates.ts';
import { accessSchema, adHocAttributeSchema, emptyWizard, existingContactSchema, newContactSchema, type WizardState } from './wizard.ts';

/** Fields of step 1 that drive the page (load a template, add an attribute) rather than describe the client. */
const CONTROLS = ['go', 'template', 'newLabel', 'newType'] as const;

export function wizardRoutes(deps: AppDeps): Router {
  const r = Router();
  const wizard = (req: Request): WizardState => (req.session.clientWizard ??= emptyWizard());
  const canAssign = (req: Request) => req.user!.role === 'supervisor';

  r.get('/clients/new', (req, res) => {
    req.session.clientWizard = emptyWizard();
    res.redirect(303, '/clients/new/info');
  });

  /** Step 1's custom attributes: those of the loaded templates or added by label, and the new ones. */
  const shownAttributes = async (req: Request): Promise<ClientAttributeRow[]> => {
    const state = wizard(req);
    const all = await withFirm(deps.db, req.firm.id, (trx) => attributesOf(trx, req.firm.id));
    const shown = state.attributeIds.map((id) => all.find((a) => a.id === id)).filter((a): a is ClientAttributeRow => Boolean(a));
    return [...shown, ...state.newAttributes.map((n) => ({ firmId: req.firm.id, id: n.key, label: n.label, type: n.type, options: [] }))];
  };

  const showInfo = async (req: Request, res: Response, values: Record<string, unknown>, errors: FieldErrors = {}, duplicates: Duplicate[] = [], status = 200) => {
    const firmId = req.firm.id;
    const [all, groups, staff, templates] = await withFirm(deps.db, firmId, (trx) => inTurn(() => attributesOf(trx, firmId), () => groupsOf(trx, firmId), () => staffOptions(trx, firmId), () => templatesOf(trx, firmId)));
    const attributes = await shownAttributes(req);
    renderPage(res, 'clients/wizard', { title: res.locals.t('clients:wizard.title'), step: 'info', values, errors, duplicates, attributes, known: all, templates, groups, staff, canAssign: canAssign(req) }, status);
  };

  r.get('/clients/new/info', (req, res) => showInfo(req, res, wizard(req).info ?? {}));

  r.post('/clients/new/info', async (req, res) => {
    const body = { ...(req.body as Record<string, string>) };
    const control = Object.fromEntries(CONTROLS.map((k) => [k, body[k]]));
    for (const k of CONTROLS) delete body[k];
    const state = wizard(req);
    state.info = body; // what was typed is kept whatever the button

    if (control.go === 'loadTemplate') {
      const ids = /^\d{1,18}$/.test(control.template ?? '') ? await withFirm(deps.db, req.firm.id, (trx) => templateAttributeIds(trx, req.firm.id, control.template!)) : [];
      if (!ids.length) return showInfo(req, res, body, { template: { key: 'validation.choice' } }, [], 400);
      state.attributeIds = [...new Set([...state.attributeIds, ...ids])];
      return res.redirect(303, '/clients/new/info');
    }
    if (control.go === 'addAttribute') {
      const form = parseForm(adHocAttributeSchema, { newLabel: control.newLabel ?? '', newType: control.newType ?? '' });
      if (!form.ok) return showInfo(req, res, { ...body, newLabel: control.newLabel, newType: control.newType }, form.errors, [], 400);
      const label = form.data.newLabel;
      const existing = (await withFirm(deps.db, req.firm.id, (trx) => attributesOf(trx, req.firm.id))).find((a) => a.label.toLowerCase() === label.toLowerCase());
      if (existing) state.attributeIds = [...new Set([...state.attributeIds, existing.id])];
      else if (!state.newAttributes.some((n) => n.label.toLowerCase() === label.toLowerCase())) {
        state.newAttributes.push({ key: `new${state.newAttributes.length + 1}`, label, type: form.data.newType });
      }
      return res.redirect(303, '/clients/new/info');
    }

    const form = parseForm(clientSchema(await shownAttributes(req), { assign: canAssign(req), edit: false }), body);
    if (!form.ok) return showInfo(req, res, body, form.errors, [], 400);
    if (!form.data.confirmDuplicate) {
      const duplicates = await withFirm(deps.db, req.firm.id, (trx) => likelyDuplicates(trx, req.firm.id, form.data.fields));
      if (duplicates.length) return showInfo(req, res, body, {}, duplicates, 409);
    }
    res.redirect(303, '/clients/new/contacts');
  });

  const showContacts = async (req: Request, res: Response, errors: FieldErrors = {}, values: Record<string, unknown> = {}, status = 200) => {
    if (!wizard(req).info) return res.redirect(303, '/clients/new/info');
    const firmId = req.firm.id;
    const existing = await withFirm(deps.db, firmId, (trx) => contactsOpenTo(trx, firmId, req.user!));
    renderPage(res, 'clients/wizard', { title: res.locals.t('clients:wizard.title'), step: 'contacts', state: wizard(req), existing, errors, values: { locale: req.firm.defaultLocale, sendActivation: 'on', ...values } }, status);
  };

  r.get('/clients/new/contacts', (req, res) => showContacts(req, res));

  r.post('/clients/new/contacts/new', async (req, res) => {
    const form = parseForm(newContactSchema, req.body);
    if (!form.ok) return showContacts(req, res, form.errors, req.body, 400);
    const state = wizard(req);
    const firmId = req.firm.id;
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
    const firmId = req.firm.id;
    const user = form.ok ? await withFirm(deps.db, firmId, (trx) => contactsOpenTo(trx, firmId, req.user!).where('users.id', form.data.userId).first()) : undefined;
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
    if (req.firm.modules.includes('documents')) return res.redirect(303, '/clients/new/tree');
    return finish(req, res);
  });

  // Step 4, "Arborescence" (firms with documents): a tree template, previewed with "Voir".
  const showTree = async (req: Request, res: Response, errors: FieldErrors = {}, status = 200) => {
    if (!wizard(req).info) return res.redirect(303, '/clients/new/info');
    if (!req.firm.modules.includes('documents')) return res.redirect(303, '/clients/new/access');
    const templates = await withFirm(deps.db, req.firm.id, async (trx) => {
      const list = await listTemplates(trx, req.firm.id);
      const withNodes = [];
      for (const tpl of list) withNodes.push({ ...tpl, nodes: (await getTemplate(trx, req.firm.id, tpl.id)).nodes });
      return withNodes;
    });
    renderPage(res, 'clients/wizard', { title: res.locals.t('clients:wizard.title'), step: 'tree', state: wizard(req), templates, errors }, status);
  };

  r.get('/clients/new/tree', (req, res) => showTree(req, res));

  r.post('/clients/new/tree', async (req, res) => {
    const state = wizard(req);
    if (!state.info) return res.redirect(303, '/clients/new/info');
    const { go, template } = req.body as Record<string, string | undefined>;
    const ids = await withFirm(deps.db, req.firm.id, async (trx) => (await listTemplates(trx, req.firm.id)).map((t) => t.id));
    if (template && !ids.includes(template)) return showTree(req, res, { template: { key: 'validation.choice' } }, 400);
    state.folderTemplateId = template || null;
    if (go === 'back') return res.redirect(303, '/clients/new/access');
    return finish(req, res);
  });

  /** The end: step 1 is checked again (the firm may have changed since), then all is saved at once. */
  async function finish(req: Request, res: Response) {
    const state = wizard(req);
    if (!state.info) return res.redirect(303, '/clients/new/info');
    const info = parseForm(clientSchema(await shownAttributes(req), { assign: canAssign(req), edit: false }), state.info);
    if (!info.ok) return showInfo(req, res, state.info, info.errors, [], 400);
    const result = await createClient(deps, req.firm, req.user!, {
      fields: info.data.fields,
      collaboratorId: info.data.collaboratorId ?? null,
      contacts: state.contacts,
      access: state.access,
      newAttributes: state.newAttributes,
      confirmDuplicate: true, // warned at step 1
      folderTemplateId: req.firm.modules.includes('documents') ? (state.folderTemplateId ?? null) : null,
    });
    if (!result.ok) return showInfo(req, res, state.info, result.errors, result.duplicates ?? [], 400);
    delete req.session.clientWizard;
    flash(req, 'success', 'clients:created');
    res.redirect(303, `/clients/${result.id}`);
  }

  return r;
}
