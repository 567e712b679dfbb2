import type { FirmTrx } from '../../db/withFirm.ts';

/**
 * Ends a user's sessions (all, or all but the one in use): after a password change, or when an
 * account changes in a way the session's copy of it must not outlive.
 */
export async function endSessionsOf(db: FirmTrx, firmId: string, userId: string, keepSid?: string): Promise<number> {
  const q = db('session')
    .whereRaw(`(sess -> 'passport' -> 'user' ->> 'id') = ?`, [userId])
    .whereRaw(`(sess -> 'passport' -> 'user' ->> 'firmId') = ?`, [firmId]);
  if (keepSid) q.whereNot('sid', keepSid);
  return q.delete();
}
