// "Votre compte": one's own personal data and password.
import type { FirmRow, UserRow } from '../../db/tables.ts';
import { withFirm } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import type { SessionUser } from '../../http/context.ts';
import type { FieldErrors } from '../../lib/validation.ts';
import { recordActivity } from '../activity/service.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../auth/password.ts';
import { endSessionsOf } from '../auth/sessions.ts';
import { emailTaken, getUser, setPassword, toSessionUser, updateProfile } from '../users/repo.ts';
import type { PasswordChangeForm, ProfileForm } from './schemas.ts';

export function getOwnAccount(deps: AppDeps, firm: FirmRow, actor: SessionUser): Promise<UserRow> {
  return withFirm(deps.db, firm.id, (trx) => getUser(trx, firm.id, actor.id));
}

export type Outcome = { ok: true; user: SessionUser } | { ok: false; errors: FieldErrors };

export async function updateOwnProfile(deps: AppDeps, firm: FirmRow, actor: SessionUser, form: ProfileForm): Promise<Outcome> {
  return withFirm(deps.db, firm.id, async (trx) => {
    const email = form.email || null;
    if (email && (await emailTaken(trx, firm.id, email, actor.id))) return { ok: false as const, errors: { email: { key: 'account:profile.emailTaken' } } };
    await updateProfile(trx, firm.id, actor.id, { ...form, email });
    await recordActivity(trx, firm.id, { action: 'account.profileUpdated', actor, objectType: 'user', objectId: actor.id, objectLabel: actor.name });
    return { ok: true as const, user: toSessionUser(await getUser(trx, firm.id, actor.id)) };
  });
}

/** Changes one's password (the current one is required) and ends one's other sessions. */
export async function changeOwnPassword(deps: AppDeps, firm: FirmRow, actor: SessionUser, sid: string, form: PasswordChangeForm): Promise<Outcome> {
  const user = await getOwnAccount(deps, firm, actor);
  if (!(await verifyPassword(user.passwordHash, form.current))) return { ok: false, errors: { current: { key: 'account:password.currentWrong' } } };
  const problem = await passwordProblem(form.password, [user.identifier, user.firstName, user.lastName, user.email ?? '', firm.name]);
  if (problem) return { ok: false, errors: { password: problem } };
  const passwordHash = await hashPassword(form.password);
  await withFirm(deps.db, firm.id, async (trx) => {
    await setPassword(trx, firm.id, actor.id, passwordHash);
    await endSessionsOf(trx, firm.id, actor.id, sid);
    await recordActivity(trx, firm.id, { action: 'account.passwordChanged', actor, objectType: 'user', objectId: actor.id, objectLabel: actor.name });
  });
  return { ok: true, user: actor };
}
