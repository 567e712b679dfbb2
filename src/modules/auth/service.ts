// Signing in, and setting a password through an emailed link.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FirmRow, UserRow } from '../../db/tables.ts';
import { withFirm, type FirmTrx } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import type { SessionUser } from '../../http/context.ts';
import type { TFunction } from '../../lib/i18n/index.ts';
import { composeMail, enqueueMail } from '../../lib/mail/outbox.ts';
import type { FieldError } from '../../lib/validation.ts';
import { recordActivity } from '../activity/service.ts';
import { findUserByLogin, getUser, recordLogin, setPassword, toSessionUser } from '../users/repo.ts';
import { hashPassword, passwordProblem, verifyPassword } from './password.ts';
import { endSessionsOf } from './sessions.ts';
import { consumePasswordToken, createPasswordToken, findTokenUser, type TokenPurpose } from './tokens.ts';

export type SignInResult = { ok: true; user: SessionUser } | { ok: false; error: FieldError };

/** Checks a login. The answer is the same whether or not the account exists; failures slow down, then block. */
export async function signIn(deps: AppDeps, firm: FirmRow, login: string, password: string, ip: string): Promise<SignInResult> {
  const verdict = await deps.throttle.beforeLogin(firm.id, login, ip);
  if (verdict.blocked) return { ok: false, error: { key: 'auth:login.blocked', params: { minutes: verdict.retryAfterMinutes } } };
  if (verdict.delayMs) await sleep(verdict.delayMs);

  const user = await withFirm(deps.db, firm.id, (trx) => findUserByLogin(trx, firm.id, login));
  const valid = await verifyPassword(user?.passwordHash, password);
  if (!user || !valid) {
    await deps.throttle.failed(firm.id, login, ip);
    return { ok: false, error: { key: 'auth:login.invalid' } };
  }
  await deps.throttle.succeeded(firm.id, login);
  const sessionUser = toSessionUser(user);
  await withFirm(deps.db, firm.id, async (trx) => {
    await recordLogin(trx, firm.id, user.id);
    await recordActivity(trx, firm.id, { action: 'auth.login', actor: sessionUser, objectType: 'user', objectId: user.id, objectLabel: sessionUser.name, ip });
  });
  return { ok: true, user: sessionUser };
}

/** "Mot de passe oublié ?": emails a link when the account exists; says nothing either way. */
export async function requestPasswordReset(deps: AppDeps, firm: FirmRow, login: string, ip: string): Promise<'done' | 'refused'> {
  const decision = await deps.throttle.resetRequest(firm.id, login, ip);
  if (decision === 'refuse') return 'refused';
  if (decision === 'skip') return 'done';
  await withFirm(deps.db, firm.id, async (trx) => {
    const user = await findUserByLogin(trx, firm.id, login);
    if (!user?.email) return;
    const token = await createPasswordToken(trx, firm.id, user.id, 'reset');
    await enqueueMail(trx, firm.id, passwordLinkMail(deps, firm, user.email, user.locale, 'reset', token));
    await recordActivity(trx, firm.id, { action: 'auth.resetRequested', objectType: 'user', objectId: user.id, objectLabel: user.identifier, ip });
  });
  return 'done';
}

/** A supervisor sends a user a link to set a new password. */
export async function sendPasswordLink(deps: AppDeps, firm: FirmRow, actor: SessionUser, userId: string): Promise<{ sentTo: string } | { noEmail: true }> {
  return withFirm(deps.db, firm.id, async (trx) => queuePasswordLink(deps, trx, firm, actor, await getUser(trx, firm.id, userId)));
}

/**
 * In the caller's transaction: a link to set a password (an invitation when the account has none yet),
 * emailed in the user's language ("Envoyer les codes d'accès"), and logged.
 */
export async function queuePasswordLink(
  deps: AppDeps,
  trx: FirmTrx,
  firm: FirmRow,
  actor: SessionUser,
  user: Pick<UserRow, 'id' | 'email' | 'passwordHash' | 'locale' | 'identifier'>,
): Promise<{ sentTo: string } | { noEmail: true }> {
  if (!user.email) return { noEmail: true as const };
  const purpose: TokenPurpose = user.passwordHash ? 'reset' : 'invite';
  const token = await createPasswordToken(trx, firm.id, user.id, purpose, actor.id);
  await enqueueMail(trx, firm.id, passwordLinkMail(deps, firm, user.email, user.locale, purpose, token));
  await recordActivity(trx, firm.id, { action: 'auth.linkSent', actor, objectType: 'user', objectId: user.id, objectLabel: user.identifier });
  return { sentTo: user.email };
}

export function passwordLinkUrl(deps: AppDeps, firm: FirmRow, token: string): string {
  return new URL(`/password/reset/${token}`, deps.firms.urlFor(firm, deps.config.publicUrl)).toString();
}

function passwordLinkMail(deps: AppDeps, firm: FirmRow, to: string, locale: string | null, purpose: TokenPurpose, token: string) {
  const t: TFunction = deps.i18n.getFixedT(locale ?? firm.defaultLocale);
  const kind = purpose === 'reset' ? 'passwordReset' : 'passwordInvite';
  return composeMail(t, to, kind, { lien: passwordLinkUrl(deps, firm, token), cabinet: firm.siteName || firm.name });
}

/** Whether a link is still good, without using it up. */
export async function passwordLinkIsValid(deps: AppDeps, firm: FirmRow, token: string): Promise<boolean> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return false;
  return Boolean(await withFirm(deps.db, firm.id, (trx) => findTokenUser(trx, firm.id, token)));
}

export type SetPasswordResult = { ok: true } | { ok: false; errors: Record<string, FieldError> } | { ok: false; expired: true };

/** Uses the link once: sets the password and ends every session of the user, all in one transaction. */
export async function setPasswordWithLink(deps: AppDeps, firm: FirmRow, token: string, password: string, ip: string): Promise<SetPasswordResult> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { ok: false, expired: true };
  return withFirm(deps.db, firm.id, async (trx) => {
    const pendingUser = await findTokenUser(trx, firm.id, token);
    if (!pendingUser) return { ok: false as const, expired: true as const };
    const user = await getUser(trx, firm.id, pendingUser);
    const problem = await passwordProblem(password, [user.identifier, user.firstName, user.lastName, user.email ?? '', firm.name]);
    if (problem) return { ok: false as const, errors: { password: problem } };
    const userId = await consumePasswordToken(trx, firm.id, token);
    if (!userId) return { ok: false as const, expired: true as const };
    await setPassword(trx, firm.id, userId, await hashPassword(password));
    await endSessionsOf(trx, firm.id, userId);
    await recordActivity(trx, firm.id, { action: 'auth.passwordSet', actor: toSessionUser(user), objectType: 'user', objectId: userId, objectLabel: user.identifier, ip });
    return { ok: true as const };
  });
}
