// Password hashing (argon2id) and the password policy: 12 characters at least, not a common or
// easily guessed password (zxcvbn with French and common dictionaries).
import { hash, verify } from '@node-rs/argon2';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import type { FieldError } from '../../lib/validation.ts';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128; // argon2 is slow on purpose: cap what a request may ask it to hash
const ARGON2 = { algorithm: 2 /* argon2id */, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

// The dictionaries weigh about 20 MB: loaded when a password is first checked, not by every process.
let zxcvbn: Promise<ZxcvbnFactory> | undefined;
function strengthMeter(): Promise<ZxcvbnFactory> {
  zxcvbn ??= (async () => {
    const [{ ZxcvbnFactory }, common, fr] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-fr')]);
    return new ZxcvbnFactory({ dictionary: { ...common.dictionary, ...fr.dictionary }, graphs: common.adjacencyGraphs });
  })();
  return zxcvbn;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

// Verifying against this when the account does not exist takes as long as a real check.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  dummyHash ??= hashPassword('not-a-real-password-' + Math.random());
  const target = passwordHash ?? (await dummyHash);
  const ok = await verify(target, password).catch(() => false);
  return ok && passwordHash != null;
}

/** What is wrong with a new password, as a message key; undefined when it is acceptable. */
export async function passwordProblem(password: string, personalWords: string[] = []): Promise<FieldError | undefined> {
  if (password.length < PASSWORD_MIN) return { key: 'validation.passwordTooShort', params: { min: PASSWORD_MIN } };
  if (password.length > PASSWORD_MAX) return { key: 'validation.tooLong', params: { max: PASSWORD_MAX } };
  const result = (await strengthMeter()).check(password, personalWords.filter(Boolean));
  if (result.score < 3) return { key: 'validation.passwordTooCommon' };
  return undefined;
}
