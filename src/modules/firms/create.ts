// Creating a firm and its first supervisor (the `firm:create` command). Runs as the schema owner:
// the app role may not create firms.
import type { Knex } from 'knex';
import { setFirm } from '../../db/withFirm.ts';
import type { Role } from '../../db/tables.ts';
import { recordActivity } from '../activity/service.ts';
import { createPasswordToken } from '../auth/tokens.ts';
import { hashPassword } from '../auth/password.ts';
import type { ModuleKey } from '../registry.ts';

export interface NewFirm {
  slug: string;
  name: string;
  modules?: ModuleKey[];
  customDomains?: string[];
  details?: Partial<{ siteName: string; legalName: string; siret: string; address: string; postcode: string; city: string; phone: string; email: string; primaryColor: string; accentColor: string }>;
}

export interface NewUser {
  role: Role;
  identifier: string;
  email: string | null;
  firstName: string;
  lastName: string;
  jobTitle?: string;
  phone?: string;
  password?: string; // demo data only; real accounts get a link instead
}

export async function firmExists(owner: Knex, slug: string): Promise<boolean> {
  return Boolean(await owner('firms').where({ slug }).first('id'));
}

/** Creates the firm and its users in one transaction; returns the firm id and a first-access token per user without a password. */
export async function createFirmWithUsers(owner: Knex, firm: NewFirm, users: NewUser[]): Promise<{ firmId: string; tokens: Map<string, string> }> {
  const hashes = await Promise.all(users.map((u) => (u.password ? hashPassword(u.password) : Promise.resolve(null))));
  return owner.transaction(async (trx) => {
    const [row] = await trx('firms')
      .insert({ slug: firm.slug, name: firm.name, modules: firm.modules ?? [], customDomains: firm.customDomains ?? [], ...firm.details })
      .returning('id');
    const firmId = row!.id;
    const tokens = new Map<string, string>();
    await setFirm(trx, firmId); // row-level security is forced, for the owner too
    for (const [i, u] of users.entries()) {
      const { password: _password, ...fields } = u;
      const [created] = await trx('users')
        .insert({ firmId, ...fields, jobTitle: u.jobTitle ?? '', phone: u.phone ?? '', passwordHash: hashes[i] ?? null, passwordChangedAt: hashes[i] ? new Date() : null })
        .returning('id');
      if (!hashes[i]) tokens.set(u.identifier, await createPasswordToken(trx, firmId, created!.id, 'invite'));
    }
    await recordActivity(trx, firmId, { action: 'firm.created', objectType: 'firm', objectId: firmId, objectLabel: firm.name });
    return { firmId, tokens };
  });
}
