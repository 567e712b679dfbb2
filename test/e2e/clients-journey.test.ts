// A supervisor creates a client through the whole wizard in Chromium, finds it by searching without
// accents, assigns it to a collaborator, who then sees it. Every page is checked with axe-core and
// photographed (test-results/screenshots/clients-*.png).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { axeViolations, chromiumMissing, describeViolation, screenshot, suiteAppWithBrowser, watchedContext } from '../support/browser.ts';
import { DEMO_PASSWORD } from '../support/demo.ts';

const FR = {
  auth: JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../locales/fr/auth.json'), 'utf8')),
  clients: JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../locales/fr/clients.json'), 'utf8')),
};

const missing = chromiumMissing();

describe('clients in a browser', { skip: missing ? `${missing}; browser tests skipped` : false }, () => {
  const suite = suiteAppWithBrowser();

  async function signIn(page: Page, identifier: string) {
    await page.goto('/login');
    await page.locator('input[name="identifier"]').fill(identifier);
    await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.getByRole('button', { name: FR.auth.login.submit }).click()]);
  }

  /** axe-core's serious and critical findings on the page, then a screenshot. */
  async function look(page: Page, name: string, problems: string[]) {
    for (const v of await axeViolations(page)) if (v.impact === 'serious' || v.impact === 'critical') problems.push(`${name}: ${describeViolation(v)}`);
    await screenshot(page, `clients-${name}`);
  }

  test('a supervisor creates a client with the wizard, finds it without accents, assigns it; the collaborator then sees it', async () => {
    const { context, watch } = await watchedContext(suite.browser, `http://compta.localhost:${suite.app.port}`);
    try {
      const page = await context.newPage();
      await signIn(page, 'superviseur');
      await page.getByRole('link', { name: 'Dossiers clients' }).click();
      await page.waitForURL('**/clients');
      await look(page, 'list', watch.problems);

      await page.getByRole('link', { name: `+ ${FR.clients.new}` }).click();
      await page.waitForURL('**/clients/new/info');
      await page.locator('#f-name').fill('Pâtisserie Émeraude');
      await page.getByLabel(FR.clients.fields.siret).fill('580 630 580 00018');
      await page.getByLabel(FR.clients.fields.profession).fill('Pâtisserie');
      await page.getByLabel(FR.clients.fields.clientSince).fill('2024-01-15');
      await page.locator('#f-city').fill('Montauban');
      await page.locator('#f-postcode').fill('82000');
      await page.getByLabel(FR.clients.wizard.template).selectOption({ label: 'Société' });
      await Promise.all([page.waitForURL('**/clients/new/info'), page.getByRole('button', { name: FR.clients.wizard.loadTemplate }).click()]);
      await page.waitForSelector('text=Régime fiscal');
      assert.equal(await page.locator('#f-name').inputValue(), 'Pâtisserie Émeraude', 'loading a template keeps what was typed');
      await page.getByLabel('Régime fiscal').selectOption('BIC réel simplifié');
      await look(page, 'wizard-info', watch.problems);
      await Promise.all([page.waitForURL('**/clients/new/contacts'), page.getByRole('button', { name: `${FR.clients.wizard.next} →` }).click()]);

      await page.getByLabel(FR.clients.wizard.firstName, { exact: true }).fill('Inès');
      await page.locator('#f-lastName').fill('Carrère');
      await page.locator('#f-email').fill('ines.carrere@patisserie-emeraude.example');
      await Promise.all([page.waitForURL('**/clients/new/contacts'), page.getByRole('button', { name: FR.clients.wizard.add }).first().click()]);
      assert.match((await page.locator('.list-group').textContent()) ?? '', /Inès Carrère/);
      await look(page, 'wizard-contacts', watch.problems);
      await Promise.all([page.waitForURL('**/clients/new/access'), page.getByRole('link', { name: `${FR.clients.wizard.next} →` }).click()]);

      await page.getByRole('radio', { name: `Julien Marty — ${FR.clients.wizard.levels.read}` }).check();
      await look(page, 'wizard-access', watch.problems);
      await Promise.all([page.waitForURL('**/clients/new/tree'), page.getByRole('button', { name: `${FR.clients.wizard.next} →` }).click()]);
      await page.getByRole('radio', { name: /Dossier comptable annuel/ }).check();
      await look(page, 'wizard-tree', watch.problems);
      await Promise.all([page.waitForURL(/\/clients\/\d+$/), page.getByRole('button', { name: FR.clients.wizard.finish }).click()]);
      assert.equal(await page.getByRole('status').textContent(), FR.clients.created);
      await look(page, 'sheet', watch.problems);

      // Found without its accents.
      await page.goto('/clients');
      await page.getByLabel(FR.clients.search.label, { exact: true }).fill('patisserie emeraude');
      await Promise.all([page.waitForURL(/q=patisserie/), page.getByRole('button', { name: FR.clients.search.submit }).click()]);
      const found = page.getByRole('link', { name: 'Pâtisserie Émeraude' });
      await look(page, 'search', watch.problems);
      await Promise.all([page.waitForURL(/\/clients\/\d+$/), found.click()]);

      // Assigned to Julien Marty.
      await Promise.all([page.waitForURL(/\/edit$/), page.getByRole('link', { name: FR.clients.sheet.edit }).click()]);
      await page.getByLabel(FR.clients.fields.collaboratorId).selectOption({ label: 'Julien Marty' });
      await look(page, 'edit', watch.problems);
      await Promise.all([page.waitForURL(/\/clients\/\d+$/), page.getByRole('button', { name: FR.clients.edit.save }).click()]);
      assert.equal(await page.getByRole('status').textContent(), FR.clients.saved);
      await page.getByRole('link', { name: FR.clients.tabs.history }).click();
      await page.waitForURL(/tab=history/);
      assert.match((await page.locator('.history').textContent()) ?? '', /Changement de collaborateur/);
      await look(page, 'history', watch.problems);
      assert.deepEqual(watch.problems, []);
    } finally {
      await context.close();
    }

    const collaborator = await watchedContext(suite.browser, `http://compta.localhost:${suite.app.port}`);
    try {
      const page = await collaborator.context.newPage();
      await signIn(page, 'collaborateur');
      await page.goto('/clients?q=emeraude');
      await Promise.all([page.waitForURL(/\/clients\/\d+$/), page.getByRole('link', { name: 'Pâtisserie Émeraude' }).click()]);
      assert.match((await page.locator('dl.sheet').first().textContent()) ?? '', /Julien Marty/);
      await look(page, 'collaborator-sheet', collaborator.watch.problems);
      assert.deepEqual(collaborator.watch.problems, []);
    } finally {
      await collaborator.context.close();
    }
  });
});
