// The management centre's accounts (role "centre"): the supervisor opens one for each person of the
// centre who works with the firm (an invitation link to choose a password goes out), and closes it.
import { z } from 'zod';
import type { FirmRow } from '../../db/tables.ts';
import { asPerson } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import type { SessionUser } from '../../http/context.ts';
import { NotFound } from '../../lib/errors.ts';
import { email, line, type FieldErrors } from '../../lib/validation.ts';
import { recordActivity } from '../activity/service.ts';
import { queuePasswordLink } from '../auth/service.ts';
import { endSessionsOf } from '../auth/sessions.ts';
import { displayName, emailTaken } from './repo.ts';

export const centreAccountSchema = z.strictObject({
  firstName: line(100),
  lastName: line(100).min(1),
  email: email(),
  identifier: line(100).min(1).regex(/^[A-Za-z0-9._@-]+$/, 'supervision:errors.identifier'),
  jobTitle: line(100),
});
export type CentreAccountForm = z.infer<typeof centreAccountSchema>;

/** Opens a centre account and sends its invitation, in one transaction. */
export async function createCentreAccount(deps: AppDeps, firm: FirmRow, actor: SessionUser, form: CentreAccountForm): Promise<{ ok: true } | { ok: false; errors: FieldErrors }> {
  try {
    return await asPerson(deps, firm, actor, async (trx) => {
      if (await emailTaken(trx, firm.id, form.email, '0')) return { ok: false as const, errors: { email: { key: 'supervision:errors.emailTaken' } } };
      const [row] = await trx('users').insert({ ...form, firmId: firm.id, role: 'centre' }).returning(['id', 'email', 'passwordHash', 'locale', 'identifier']);
      await recordActivity(trx, firm.id, { action: 'users.centreCreated', actor, objectType: 'user', objectId: row!.id, objectLabel: displayName(form) });
      await queuePasswordLink(deps, trx, firm, actor, row!);
      return { ok: true as const };
    });
  } catch (err) {
    if ((err as { constraint?: string }).constraint === 'users_identifier_key') return { ok: false, errors: { identifier: { key: 'supervision:errors.identifierTaken' } } };
    throw err;
  }
}

/** Closes (or reopens) a centre account; closing ends its sessions at once. */
export async function setCentreAccountActive(deps: AppDeps, firm: FirmRow, actor: SessionUser, id: string, active: boolean): Promise<void> {
  if (!/^\d{1,18}$/.test(id)) throw new NotFound();
  await asPerson(deps, firm, actor, async (trx) => {
    const user = await trx('users').where({ firmId: firm.id, id, role: 'centre' }).first('id', 'firstName', 'lastName', 'identifier');
    if (!user) throw new NotFound();
    await trx('users').where({ firmId: firm.id, id }).update({ active, updatedAt: new Date() });
    if (!active) await endSessionsOf(trx, firm.id, id);
    await recordActivity(trx, firm.id, { action: active ? 'users.centreReopened' : 'users.centreClosed', actor, objectType: 'user', objectId: id, objectLabel: displayName(user) });
  });
}
