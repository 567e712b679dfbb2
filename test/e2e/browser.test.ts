// Every page, as each demo user of each firm sees it in headless Chromium: signed in through the real
// form, checked for console errors, page errors, CSP violations and serious axe-core violations, with
// a full-page screenshot of each in test-results/screenshots/<firm>-<user>-<page>.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../support/demo.ts';
import { axeViolations, chromiumMissing, describeViolation, screenshot, suiteAppWithBrowser, watchedContext, type Watch } from '../support/browser.ts';

const PASSWORD = DEMO_PASSWORD;
const FIRMS = ['compta', 'diag'] as const;
const USERS: { identifier: string; role: string; only?: (typeof FIRMS)[number] }[] = [
  { identifier: 'superviseur', role: 'supervisor' },
  { identifier: 'collaborateur', role: 'collaborator' },
  { identifier: 'client', role: 'contact' },
  { identifier: 'centre', role: 'centre', only: 'compta' }, // the management centre compta works with
];
/** Pages every supervisor opens besides the menu. */
const SUPERVISOR_PAGES = ['/settings', '/settings/users', '/settings/clients', '/settings/folders', '/activity', '/dev/mail', '/clients/updates', '/clients/new/info', '/supervision/assignments', '/supervision/collaborators/new', '/contacts/new', '/settings/emails', '/settings/emails/password-reset', '/settings/smtp', '/settings/messages', '/supervision/messages', '/messages/new'];

const fr = (ns: string): Record<string, any> => JSON.parse(fs.readFileSync(path.join(import.meta.dirname, `../../locales/fr/${ns}.json`), 'utf8'));
const FR = { common: fr('common'), auth: fr('auth'), settings: fr('settings'), users: fr('users') };

// A developer without Chromium gets a skip that says why; CI (the CI variable set) must have it.
const missing = chromiumMissing();
if (missing && process.env.CI) test('has Chromium, which the browser tests need under CI', () => assert.fail(missing));

describe('Passerelle in a browser', { skip: missing ? `${missing}; browser tests skipped` : false }, () => {
  const suite = suiteAppWithBrowser();

  /** A page of `firm` as `user` sees it: the status it answers, axe's verdict, and a screenshot. */
  function visitor(t: TestContext, page: Page, watch: Watch, prefix: string) {
    const visited: string[] = [];
    return {
      visited,
      /** Checks and photographs the page the browser is on. */
      async check(name: string) {
        assert.equal(await page.locator('html').getAttribute('lang'), 'fr', `${page.url()} is in French`);
        const violations = await axeViolations(page);
        for (const v of violations) {
          const line = `axe on ${new URL(page.url()).pathname}: ${describeViolation(v)}`;
          if (v.impact === 'serious' || v.impact === 'critical') watch.problems.push(line);
          else t.diagnostic(line);
        }
        await screenshot(page, `${prefix}-${name}`);
        visited.push(name);
      },
      async open(name: string, url: string, status = 200) {
        if (status !== 200) watch.expectStatus(url, status);
        const response = await page.goto(url);
        assert.equal(response?.status(), status, `GET ${url}`);
        await this.check(name);
      },
    };
  }

  async function signIn(page: Page, identifier: string) {
    await page.locator('input[name="identifier"]').fill(identifier);
    await page.locator('input[name="password"]').fill(PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.getByRole('button', { name: FR.auth.login.submit }).click()]);
  }

  for (const firm of FIRMS) {
    for (const user of USERS.filter((u) => !u.only || u.only === firm)) {
      test(`${firm}: ${user.identifier} opens every page their profile allows, with no console error, CSP violation or serious axe violation`, async (t) => {
        const { context, watch } = await watchedContext(suite.browser, `http://${firm}.localhost:${suite.app.port}`);
        try {
          const page = await context.newPage();
          const pages = visitor(t, page, watch, `${firm}-${user.identifier}`);

          // Signed out: the login page, the forgotten-password page, and back by its link.
          await pages.open('login', '/login');
          await page.getByRole('link', { name: FR.auth.login.forgot }).click();
          await page.waitForURL('**/password/forgot');
          await pages.check('password-forgot');
          await page.getByRole('link', { name: FR.auth.backToLogin }).click();
          await page.waitForURL('**/login');
          await signIn(page, user.identifier);
          await pages.check('home');

          const menu = await Promise.all((await page.locator('nav.sidebar a').all()).map((a) => a.getAttribute('href')));
          assert.ok(menu.includes('/'), 'the menu leads home');
          assert.equal(menu.includes('/settings'), user.role === 'supervisor', 'only a supervisor has the settings in the menu');
          // A module's pages exist only where the firm enabled it (its menu entry shows it).
          const enabled = (url: string) => !/^\/(clients|contacts|supervision)\//.test(url) || menu.includes(`/${url.split('/')[1]}`);
          const extra = user.role === 'supervisor' ? SUPERVISOR_PAGES.filter(enabled) : user.role === 'centre' ? ['/mail/new'] : [];
          const urls = [...new Set([...menu.filter((h): h is string => Boolean(h)), '/account', '/notifications', ...extra])].filter((u) => u !== '/');
          for (const url of urls) await pages.open(url.slice(1).replaceAll('/', '-'), url);

          // Staff: a client's documents (Fichiers, Permissions, Activités, Corbeille), from its sheet.
          if ((user.role === 'supervisor' || user.role === 'collaborator') && menu.includes('/clients')) {
            await page.goto('/clients');
            await Promise.all([page.waitForURL(/\/clients\/\d+$/), page.locator('table.data-table tbody a').first().click()]);
            const sheet = new URL(page.url()).pathname;
            await pages.open('client-files', `${sheet}/files`);
            await pages.open('client-activities', `${sheet}/activities`);
            await pages.open('client-trash', `${sheet}/files/trash`);
            if (user.role === 'supervisor') await pages.open('client-permissions', `${sheet.replace('/clients/', '/documents/')}/permissions`);
          }

          if (user.role === 'supervisor') {
            // A password link from the users page puts a message in the outbox, which /dev/mail shows.
            await page.goto('/settings/users');
            const row = page.getByRole('row').filter({ hasText: 'collaborateur' });
            await Promise.all([page.waitForURL('**/settings/users'), row.getByRole('button', { name: FR.users.sendLink }).click()]);
            await page.locator('.alert-success').waitFor();
            await pages.check('settings-users-link-sent');
            await page.goto('/dev/mail');
            const first = page.locator('main table a').first();
            assert.equal(await first.count(), 1, 'the dev mailbox lists the message just sent');
            await Promise.all([page.waitForURL(/\/dev\/mail\/\d+$/), first.click()]);
            await pages.check('dev-mail-message');
          } else {
            await pages.open('forbidden', '/settings', 403);
          }
          await pages.open('not-found', '/cette-page-n-existe-pas', 404);

          t.diagnostic(`${pages.visited.length} pages: ${pages.visited.join(', ')}`);
          assert.deepEqual(watch.problems, []);
        } finally {
          await context.close();
        }
      });
    }
  }

  test('compta: the supervisor changes the rows per page, sees it saved, and signs out with the button', async () => {
    const { context, watch } = await watchedContext(suite.browser, `http://compta.localhost:${suite.app.port}`);
    try {
      const page = await context.newPage();
      await page.goto('/login');
      await signIn(page, 'superviseur');
      await page.getByRole('navigation', { name: FR.common.layout.mainMenu }).getByRole('link', { name: FR.common.menu.settings }).click();
      await page.waitForURL('**/settings');

      const rows = page.getByLabel(FR.settings.rowsPerPage);
      const next = (await rows.inputValue()) === '40' ? '30' : '40';
      await rows.fill(next);
      await Promise.all([page.waitForURL('**/settings'), page.getByRole('button', { name: FR.common.common.save }).click()]);
      assert.equal(await page.getByRole('status').textContent(), FR.settings.saved);
      assert.equal(await page.getByLabel(FR.settings.rowsPerPage).inputValue(), next, 'the new value is shown after saving');
      await screenshot(page, 'compta-superviseur-settings-saved');
      const stored = await suite.app.db.owner('firms').where({ slug: 'compta' }).first('rowsPerPage');
      assert.equal(stored?.rowsPerPage, Number(next), 'the new value is stored');

      await Promise.all([page.waitForURL('**/login'), page.getByRole('button', { name: FR.common.layout.logout }).click()]);
      assert.equal((await page.getByRole('status').textContent())?.trim(), FR.auth.logout.done);
      await screenshot(page, 'compta-superviseur-logged-out');
      await page.goto('/settings');
      assert.equal(new URL(page.url()).pathname, '/login', 'signed out, the settings send back to the login page');
      assert.deepEqual(watch.problems, []);
    } finally {
      await context.close();
    }
  });
});
