// Reading and arranging firm-owned rows as the schema owner. Row-level security is forced for the
// owner, so every transaction first names its firm, as the app does; and every query still says
// which firm it means, because a superuser owner (the embedded cluster's) bypasses row-level security.
import type { Knex } from 'knex';
import { setFirm } from '../../src/db/withFirm.ts';

export async function firmId(owner: Knex, slug: string): Promise<string> {
  const firm = await owner('firms').where({ slug }).first('id');
  if (!firm) throw new Error(`no firm ${slug}`);
  return firm.id;
}

export async function inFirm<T>(owner: Knex, slug: string, work: (trx: Knex.Transaction, firmId: string) => Promise<T>): Promise<T> {
  const id = await firmId(owner, slug);
  return owner.transaction(async (trx) => {
    await setFirm(trx, id);
    return work(trx, id);
  });
}

/** A user row by identifier. */
export function userOf(owner: Knex, slug: string, identifier: string) {
  return inFirm(owner, slug, async (trx, firmId) => {
    const user = await trx('users').where({ firmId, identifier }).first();
    if (!user) throw new Error(`no user ${identifier} in ${slug}`);
    return user;
  });
}
