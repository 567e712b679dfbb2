// Single-use links to set a password. The link carries a random token; only its SHA-256 is stored.
import { createHash, randomBytes } from 'node:crypto';
import type { FirmTrx } from '../../db/withFirm.ts';

export type TokenPurpose = 'reset' | 'invite';
const LIFETIME_MS: Record<TokenPurpose, number> = { reset: 3600_000, invite: 7 * 24 * 3600_000 };

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export async function createPasswordToken(
  trx: FirmTrx,
  firmId: string,
  userId: string,
  purpose: TokenPurpose,
  createdBy?: string,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await trx('passwordTokens').insert({
    firmId,
    userId,
    purpose,
    tokenHash: digest(token),
    expiresAt: new Date(Date.now() + LIFETIME_MS[purpose]),
    createdBy: createdBy ?? null,
  });
  return token;
}

/** The user a still-valid token is for, without using it up (opening the link must not spend it). */
export async function findTokenUser(trx: FirmTrx, firmId: string, token: string): Promise<string | undefined> {
  const row = await trx('passwordTokens')
    .where({ firmId, tokenHash: digest(token) })
    .whereNull('usedAt')
    .where('expiresAt', '>', trx.fn.now())
    .first('userId');
  return row?.userId;
}

/** Spends a token, once: two concurrent uses cannot both succeed. Returns the user it was for. */
export async function consumePasswordToken(trx: FirmTrx, firmId: string, token: string): Promise<string | undefined> {
  const [row] = await trx('passwordTokens')
    .where({ firmId, tokenHash: digest(token) })
    .whereNull('usedAt')
    .where('expiresAt', '>', trx.fn.now())
    .update({ usedAt: new Date() })
    .returning('userId');
  if (!row) return undefined;
  // Any other link still open for this user is now worthless.
  await trx('passwordTokens').where({ firmId, userId: row.userId }).whereNull('usedAt').update({ usedAt: new Date() });
  return row.userId;
}
