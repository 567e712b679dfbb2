// B7, "Liste des clients": the firm tells its management centre which clients arrived and which
// left. New clients and departures wait until "Envoyer les mises à jour" emails them to the
// centre's addresses; what was sent, when and to whom, is kept.
import { z } from 'zod';
import type { ClientListDispatchRow, ClientRow, FirmRow } from '../../db/tables.ts';
import { inTurn, withFirm, type FirmTrx } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import type { SessionUser } from '../../http/context.ts';
import { email } from '../../lib/validation.ts';
import { formatDate } from '../../lib/format.ts';
import { composeMail, enqueueMail } from '../../lib/mail/outbox.ts';
import { recordActivity } from '../activity/service.ts';
import { findVisibleClient } from './repo.ts';
import { day } from './schemas.ts';
import { label } from './service.ts';

type Line = Pick<ClientRow, 'id' | 'number' | 'name' | 'profession' | 'departedOn'>;

export interface ListUpdates {
  active: Line[];
  added: Line[];
  departed: Line[];
  dispatches: ClientListDispatchRow[];
}

const LINE = ['id', 'number', 'name', 'profession', 'departedOn'] as const;

export async function loadListUpdates(trx: FirmTrx, firmId: string): Promise<ListUpdates> {
  const live = () => trx('clients').where({ firmId, inTrash: false });
  const [active, added, departed, dispatches] = await inTurn(
    () => live().whereNull('departedOn').orderBy('nameKey').select(...LINE),
    () => live().whereNull('departedOn').whereNull('reportedAddedAt').orderBy('nameKey').select(...LINE),
    () => live().whereNotNull('departedOn').whereNull('reportedDepartureAt').orderBy('nameKey').select(...LINE),
    () => trx('clientListDispatches').where({ firmId }).orderBy('id', 'desc').limit(20),
  );
  return { active, added, departed, dispatches };
}

export const departureSchema = z.strictObject({
  clientId: z.string().regex(/^\d{1,18}$/, 'validation.choice'),
  departedOn: day().refine((d) => d !== null, { message: 'validation.required' }),
});

/** "Enlever un client": the client leaves on that date, and the departure waits to be sent. */
export async function recordDeparture(deps: AppDeps, firm: FirmRow, actor: SessionUser, clientId: string, departedOn: string): Promise<Pick<ClientRow, 'number' | 'name'>> {
  return withFirm(deps.db, firm.id, async (trx) => {
    const client = await findVisibleClient(trx, firm.id, actor, clientId);
    await trx('clients').where({ firmId: firm.id, id: client.id }).update({ departedOn, reportedDepartureAt: null, version: client.version + 1, updatedAt: new Date() });
    await recordActivity(trx, firm.id, { action: 'clients.departed', actor, clientId: client.id, objectType: 'client', objectId: client.id, objectLabel: label(client), details: { departedOn } });
    return client;
  });
}

export const centreSchema = z.strictObject({
  centreEmails: z
    .string()
    .max(2000)
    .transform((s) => [...new Set(s.split(/[\s,;]+/).map((e) => e.trim().toLowerCase()).filter(Boolean))])
    .pipe(z.array(email()).max(10)),
});

export async function saveCentreEmails(deps: AppDeps, firm: FirmRow, actor: SessionUser, centreEmails: string[]): Promise<void> {
  await withFirm(deps.db, firm.id, async (trx) => {
    await trx('firms').where({ id: firm.id }).update({ centreEmails, updatedAt: new Date() });
    await recordActivity(trx, firm.id, { action: 'clients.centreEmailsSaved', actor, details: { centreEmails } });
  });
  await deps.firms.refresh();
}

export type SendResult = { sent: number; recipients: string[] } | { nothing: true } | { noRecipient: true };

/** "Envoyer les mises à jour": one email per centre address, the dispatch kept, the lines marked sent — all or nothing. */
export async function sendListUpdates(deps: AppDeps, firm: FirmRow, actor: SessionUser): Promise<SendResult> {
  if (!firm.centreEmails.length) return { noRecipient: true };
  return withFirm(deps.db, firm.id, async (trx) => {
    // Locked, so that two people sending at once do not send the same lines twice.
    const pending: Line[] = await trx('clients')
      .where({ firmId: firm.id, inTrash: false })
      .where((w) => w.where((a) => a.whereNull('departedOn').whereNull('reportedAddedAt')).orWhere((d) => d.whereNotNull('departedOn').whereNull('reportedDepartureAt')))
      .orderBy('nameKey')
      .forUpdate()
      .select(...LINE);
    const added = pending.filter((c) => !c.departedOn);
    const departed = pending.filter((c) => c.departedOn);
    if (!pending.length) return { nothing: true as const };
    const now = new Date();
    if (added.length) await trx('clients').where({ firmId: firm.id }).whereIn('id', added.map((c) => c.id)).update({ reportedAddedAt: now });
    if (departed.length) await trx('clients').where({ firmId: firm.id }).whereIn('id', departed.map((c) => c.id)).update({ reportedDepartureAt: now });
    await trx('clientListDispatches').insert({
      firmId: firm.id,
      sentBy: actor.id,
      recipients: firm.centreEmails,
      // node-postgres sends a JS array as a PostgreSQL array: jsonb arrays travel as JSON text.
      added: JSON.stringify(added.map((c) => ({ number: c.number, name: c.name }))) as never,
      departed: JSON.stringify(departed.map((c) => ({ number: c.number, name: c.name, departedOn: c.departedOn! }))) as never,
    });
    const t = deps.i18n.getFixedT(firm.defaultLocale);
    const lines = (list: Line[], withDate: boolean) =>
      list.length ? list.map((c) => `- ${c.name} (n° ${c.number})${c.profession ? `, ${c.profession}` : ''}${withDate ? ` — ${formatDate(c.departedOn, firm.defaultLocale)}` : ''}`).join('\n') : t('clients:updates.none');
    const tags = { cabinet: firm.siteName || firm.name, ajouts: lines(added, false), departs: lines(departed, true) };
    for (const to of firm.centreEmails) await enqueueMail(trx, firm.id, composeMail(t, to, 'clients:mail.listUpdates', tags));
    await recordActivity(trx, firm.id, { action: 'clients.listUpdatesSent', actor, details: { added: added.length, departed: departed.length, recipients: firm.centreEmails } });
    return { sent: pending.length, recipients: firm.centreEmails };
  });
}
