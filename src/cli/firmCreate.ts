// `npm run firm:create -- --slug acme --name "Cabinet Acme" --email boss@acme.example`: creates a firm
// and its first supervisor, and prints a one-time link for the supervisor to set a password.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { createKnex } from '../db/knex.ts';
import { migrateLatest } from '../db/migrate.ts';
import { openDatabaseServer } from '../db/open.ts';
import { email, line } from '../lib/validation.ts';
import { createFirmWithUsers, firmExists } from '../modules/firms/create.ts';
import { FirmDirectory } from '../modules/firms/directory.ts';
import { MODULE_KEYS, type ModuleKey } from '../modules/registry.ts';

const USAGE = `Usage: npm run firm:create -- --slug <slug> --name <name> --email <supervisor email>
       [--first-name <first name>] [--last-name <last name>] [--domain <custom domain>] [--modules clients,documents,…]
Modules: ${MODULE_KEYS.join(', ')}`;

const argsSchema = z.strictObject({
  slug: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/, 'the slug takes 1 to 40 lower-case letters, digits or dashes (not at either end)'),
  name: line(200).min(1, 'the name is required'),
  email: email(),
  'first-name': line(100).default(''),
  'last-name': line(100).default(''),
  domain: z
    .string()
    .toLowerCase()
    .regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'the domain must be a host name such as extranet.example.fr')
    .optional(),
  modules: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((m) => m.trim()).filter(Boolean))
    .pipe(z.array(z.enum(MODULE_KEYS, { error: `modules are among: ${MODULE_KEYS.join(', ')}` }))),
});

class UsageError extends Error {}

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

let values: Record<string, string | undefined>;
try {
  values = parseArgs({
    options: { slug: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' }, 'first-name': { type: 'string' }, 'last-name': { type: 'string' }, domain: { type: 'string' }, modules: { type: 'string' } },
  }).values;
} catch (err) {
  fail(`${(err as Error).message}\n${USAGE}`, 2);
}
const parsed = argsSchema.safeParse(values);
if (!parsed.success) {
  fail(`${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n')}\n${USAGE}`, 2);
}
const args = parsed.data;

const config = loadConfig();
const server = await openDatabaseServer(config, (msg) => process.stderr.write(msg + '\n')).catch((err: Error) => fail(err.message, 1));
const owner = createKnex({ url: server.url, poolMax: 2 });
let exitCode = 0;
try {
  await migrateLatest(owner);
  if (await firmExists(owner, args.slug)) throw new UsageError(`A firm with the slug "${args.slug}" exists already.`);
  if (args.domain && (await owner('firms').whereRaw('? = ANY (custom_domains)', [args.domain]).first('id'))) {
    throw new UsageError(`The domain ${args.domain} is used by another firm already.`);
  }
  const { firmId, tokens } = await createFirmWithUsers(
    owner,
    { slug: args.slug, name: args.name, modules: args.modules as ModuleKey[], customDomains: args.domain ? [args.domain] : [] },
    [{ role: 'supervisor', identifier: args.email.toLowerCase(), email: args.email, firstName: args['first-name'], lastName: args['last-name'] || args.name }],
  );
  const firm = await owner('firms').where({ id: firmId }).first();
  const base = new FirmDirectory(owner, config.baseDomain, config.defaultFirm).urlFor(firm!, config.publicUrl);
  const link = new URL(`/password/reset/${tokens.get(args.email.toLowerCase())}`, base);
  process.stdout.write(
    `Firm "${args.name}" created: ${base.origin}\n` +
      `Its supervisor signs in as ${args.email.toLowerCase()}. Link to set the password (works once, valid 7 days):\n${link}\n`,
  );
} catch (err) {
  exitCode = err instanceof UsageError ? 2 : 1;
  process.stderr.write(`${(err as Error).message}\n`);
} finally {
  await owner.destroy();
  await server.stop();
}
process.exit(exitCode);
