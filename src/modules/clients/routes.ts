// "Dossiers clients": the list (B1), the sheet (B2), edit, trash and delete (B4). The wizard: wizardRoutes.ts.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import type { ClientAttributeRow, ClientRow } from '../../db/tables.ts';
import { inTurn, withFirm } from '../../db/withFirm.ts';
import { requireRole } from '../../http/middleware/auth.ts';
import { flash } from '../../http/middleware/locals.ts';
import { listLink } from '../../http/listLink.ts';
import { renderPage } from '../../http/render.ts';
import { Forbidden } from '../../lib/errors.ts';
import { parseForm, type FieldErrors } from '../../lib/validation.ts';
import { accessOf, attributesOf, findVisibleClient, groupsOf, listClients, staffOptions } from './repo.ts';
import { attributeKey, clientSchema, listQuery } from './schemas.ts';
import { label, moveClient, updateClient } from './service.ts';
import { clientExport } from './export.ts';
import { sendXlsx } from '../../lib/xlsx/http.ts';
import { recordActivity } from '../activity/service.ts';

/** The client sheet's tabs; Fichiers and Activités are the documents module's pages. */
export const CLIENT_TABS = ['info', 'contacts', 'files', 'activities', 'mail', 'history', 'deals', 'actions'] as const;
const TABS = CLIENT_TABS.filter((k) => k !== 'files' && k !== 'activities');

export function clientRoutes(deps: AppDeps): Router {
  const r = Router();
  // Staff only: the module's router lets supervisors and collaborators reach /clients (index.ts).
  const db = (req: Request) => ({ firmId: req.firm.id, user: req.user! });

  r.get('/clients', async (req, res) => {
    const query = listQuery.parse(req.query);
    const { firmId, user } = db(req);
    const [list, groups, staff] = await withFirm(deps.db, firmId, (trx) =>
      inTurn(() => listClients(trx, firmId, user, query, req.firm.rowsPerPage), () => groupsOf(trx, firmId), () => (user.role === 'supervisor' ? staffOptions(trx, firmId) : [])),
    );
    renderPage(res, 'clients/index', { title: res.locals.t('clients:title'), list, query, groups, staff, linkTo: listLink('/clients', query) });
  });

  // B8: what the list shows, every row and column, as an .xlsx download.
  r.get('/clients/export.xlsx', async (req, res) => {
    const query = listQuery.parse(req.query);
    const { sheet, rows } = await clientExport(deps, req.firm, req.user!, query, res.locals.t);
    await withFirm(deps.db, req.firm.id, (trx) => recordActivity(trx, req.firm.id, { action: 'clients.exported', actor: req.user!, details: { ...query }, ip: req.ip ?? null }));
    await sendXlsx(res, `${res.locals.t('clients:export.filename')} ${new Date().toISOString().slice(0, 10)}.xlsx`, sheet, rows);
  });

  r.get('/clients/:id', async (req, res) => {
    const { firmId, user } = db(req);
    const tab = (TABS as readonly string[]).includes(String(req.query.tab)) ? String(req.query.tab) : 'info';
    const sheet = await withFirm(deps.db, firmId, async (trx) => {
      const client = await findVisibleClient(trx, firmId, user, req.params.id);
      const [access, attributes, collaborator, group, contacts, history, shared] = await inTurn(
        () => accessOf(trx, firmId, user, client),
        () => attributesOf(trx, firmId),
        () => client.collaboratorId ? trx('users').where({ firmId, id: client.collaboratorId }).first('firstName', 'lastName', 'identifier', 'email', 'phone') : undefined,
        () => client.groupId ? trx('clientGroups').where({ firmId, id: client.groupId }).first('name') : undefined,
        () => trx('clientContacts')
          .join('users', (j) => j.on('users.firmId', 'clientContacts.firmId').andOn('users.id', 'clientContacts.userId'))
          .where('clientContacts.firmId', firmId)
          .where('clientContacts.clientId', client.id)
          .orderBy(['users.lastName', 'users.firstName'])
          .select('users.id', 'users.firstName', 'users.lastName', 'users.identifier', 'users.email', 'users.phone', 'users.passwordHash', 'users.lastLoginAt'),
        () => tab === 'history' ? trx('activityLog').where({ firmId, clientId: client.id }).orderBy('id', 'desc').limit(200) : [],
        () => trx('clientAccess')
          .join('users', (j) => j.on('users.firmId', 'clientAccess.firmId').andOn('users.id', 'clientAccess.userId'))
          .where('clientAccess.firmId', firmId)
          .where('clientAccess.clientId', client.id)
          .select('users.firstName', 'users.lastName', 'users.identifier', 'clientAccess.level'),
      );
      return { client, access, attributes, collaborator, group, contacts, history, shared };
    });
    renderPage(res, 'clients/show', { title: sheet.client.name, tab, tabs: CLIENT_TABS, ...sheet, canEdit: sheet.access !== 'read', isSupervisor: user.role === 'supervisor' });
  });

  const showEdit = async (req: Request, res: Response, client: ClientRow, values: Record<string, unknown>, errors: FieldErrors = {}, extra: Record<string, unknown> = {}, status = 200) => {
    const { firmId } = db(req);
    const [attributes, groups, staff] = await withFirm(deps.db, firmId, (trx) => inTurn(() => attributesOf(trx, firmId), () => groupsOf(trx, firmId), () => staffOptions(trx, firmId)));
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
