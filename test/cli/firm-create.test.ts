import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { Client } from '../support/http.ts';
import { inFirm } from '../support/firmdb.ts';
import { ROOT, cleanEnv, run } from '../support/process.ts';

const node = path.join(ROOT, 'node_modules/.bin/node');

describe('npm run firm:create', () => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    db = await createTestDatabase();
    env = cleanEnv({ DATABASE_URL: db.url, NODE_ENV: 'test', PUBLIC_URL: 'http://localhost:3000', LOG_LEVEL: 'silent' });
  });
  after(() => db.drop());

  const create = (...args: string[]) => run(node, ['src/cli/firmCreate.ts', ...args], env);

  it('creates the firm and its supervisor and prints a link that sets the password once', async () => {
    const out = await create('--slug', 'acme', '--name', 'Cabinet Acme', '--email', 'Patron@Acme.example', '--first-name', 'Paul', '--last-name', 'Acme', '--modules', 'clients,documents');
    assert.equal(out.code, 0, out.stderr);
    const link = /http:\/\/acme\.localhost:3000(\/password\/reset\/[A-Za-z0-9_-]+)/.exec(out.stdout);
    assert.ok(link, out.stdout);
    const firm = await db.owner('firms').where({ slug: 'acme' }).first();
    assert.deepEqual(firm?.modules, ['clients', 'documents']);
    const users = await inFirm(db.owner, 'acme', (trx, firmId) => trx('users').where({ firmId }));
    assert.deepEqual(users.map((u) => [u.role, u.identifier, u.email, u.passwordHash]), [['supervisor', 'patron@acme.example', 'Patron@Acme.example', null]]);

    const app = await startTestApp({ database: db });
    try {
      const c = new Client(app.port, 'acme.localhost');
      assert.equal((await c.get(link[1]!)).status, 200);
      const set = await c.post(link[1]!, { password: 'Une phrase de passe solide 2026', confirmation: 'Une phrase de passe solide 2026' });
      assert.equal(set.status, 303);
      assert.equal(set.location, '/login');
      assert.equal((await c.login('patron@acme.example', 'Une phrase de passe solide 2026')).status, 303);
      const again = new Client(app.port, 'acme.localhost');
      await again.get('/login');
      assert.equal((await again.post(link[1]!, { password: 'Une autre phrase solide 2026', confirmation: 'Une autre phrase solide 2026' })).status, 410);
    } finally {
      await app.close();
    }
  });

  it("serves a firm on its own domain, and refuses a domain another firm uses", async () => {
    const out = await create('--slug', 'delta', '--name', 'Cabinet Delta', '--email', 'chef@delta.example', '--domain', 'Extranet.Delta.example');
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /http:\/\/extranet\.delta\.example:3000\/password\/reset\//, 'the link uses the custom domain');
    const taken = await create('--slug', 'epsilon', '--name', 'Epsilon', '--email', 'e@e.example', '--domain', 'extranet.delta.example');
    assert.equal(taken.code, 2);
    assert.match(taken.stderr, /used by another firm/);
    const app = await startTestApp({ database: db });
    try {
      const page = await new Client(app.port, 'extranet.delta.example').get('/login');
      assert.equal(page.status, 200);
      assert.match(page.text, /Cabinet Delta/);
    } finally {
      await app.close();
    }
  });

  it('refuses bad input with a message, an exit code, and writes nothing', async () => {
    const before = await db.owner('firms').count('* as n');
    const cases: [string[], RegExp][] = [
      [['--slug', 'Bad_Slug', '--name', 'X', '--email', 'a@b.example'], /--slug/],
      [['--slug', 'acme', '--name', 'Again', '--email', 'a@b.example'], /exists already/],
      [['--slug', 'neuf', '--name', 'Neuf', '--email', 'pas-un-email'], /--email/],
      [['--slug', 'neuf', '--name', 'Neuf', '--email', 'a@b.example', '--modules', 'clients,teleportation'], /modules are among/],
      [['--slug', 'neuf', '--name', 'Neuf', '--email', 'a@b.example', '--colour', 'red'], /Unknown option/],
    ];
    for (const [args, message] of cases) {
      const out = await create(...args);
      assert.equal(out.code, 2, args.join(' '));
      assert.match(out.stderr, message);
    }
    assert.deepEqual(await db.owner('firms').count('* as n'), before);
  });
});
