// `npm run migrate`: brings the schema up to date, then stops.
import { loadConfig } from '../config.ts';
import { createKnex } from '../db/knex.ts';
import { migrateLatest } from '../db/migrate.ts';
import { openDatabaseServer } from '../db/open.ts';

const config = loadConfig();
try {
  const server = await openDatabaseServer(config, (msg) => process.stderr.write(msg + '\n'));
  const owner = createKnex({ url: server.url, poolMax: 1 });
  try {
    const applied = await migrateLatest(owner);
    process.stdout.write(applied.length ? `Migrations applied:\n${applied.map((m) => `  ${m}\n`).join('')}` : 'The schema is up to date.\n');
  } finally {
    await owner.destroy();
    await server.stop();
  }
} catch (err) {
  process.stderr.write(`Migration failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
