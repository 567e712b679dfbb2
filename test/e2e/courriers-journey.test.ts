// The journey, in Chromium with the real SMTP server: the management centre puts a question
// in a member's mail; the collaborator in charge answers it while the firm supervises answers; the
// supervisor edits and approves it; the centre reads the answer (and gets it by email). Every page
// is checked with axe-core and photographed (test-results/screenshots/courriers-*.png).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { axeViolations, chromiumMissing, describeViolation, screenshot, suiteAppWithSmtpAndBrowser, watchedContext } from '../support/browser.ts';
import { DEMO_PASSWORD, JULIEN } from '../support/demo.ts';
import { TINY_PDF } from '../support/files.ts';

const locale = (ns: string) => JSON.parse(fs.readFileSync(path.join(import.meta.dirname, `../../locales/fr/${ns}.json`), 'utf8'));
const FR = { auth: locale('auth'), common: locale('common'), courriers: locale('courriers') };
const AGNES = 'agnes.roux@cga-occitanie.example';
const SUBJECT = 'Examen de cohérence : variation des stocks';

const missing = chromiumMissing();

describe('mail and supervised answers in a browser', { skip: missing ? `${missing}; browser tests skipped` : false }, () => {
  const suite = suiteAppWithSmtpAndBrowser();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'courriers-journey-'));
  after(() => fs.rmSync(work, { recursive: true, force: true }));
  const baseURL = () => `http://compta.localhost:${suite.app.port}`;

  /** Signs `identifier` in in a fresh context; `steps` run on its page; no console error, CSP violation or serious axe finding allowed. */
  async function as(identifier: string, steps: (page: Page, look: (name: string) => Promise<void>) => Promise<void>) {
    const { context, watch } = await watchedContext(suite.browser, baseURL());
    try {
      const page = await context.newPage();
      await page.goto('/login');
      await page.getByLabel(FR.auth.login.identifier).fill(identifier);
      await page.getByLabel(FR.auth.login.password).fill(DEMO_PASSWORD);
      await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), page.getByRole('button', { name: FR.auth.login.submit }).click()]);
      await steps(page, async (name) => {
        for (const v of await axeViolations(page)) if (v.impact === 'serious' || v.impact === 'critical') watch.problems.push(`${name}: ${describeViolation(v)}`);
        await screenshot(page, `courriers-${name}`);
      });
      assert.deepEqual(watch.problems, []);
    } finally {
      await context.close();
    }
  }
  const menu = (page: Page, name: string) => page.getByRole('navigation', { name: FR.common.layout.mainMenu }).getByRole('link', { name, exact: true }).click();

  test('the centre asks, the collaborator answers, the supervisor edits and approves, the centre reads the answer', async () => {
    const question = path.join(work, 'ECCV stocks.pdf');
    const justification = path.join(work, 'Inventaire 2025.pdf');
    fs.writeFileSync(question, TINY_PDF);
    fs.writeFileSync(justification, TINY_PDF);

    // The firm supervises its collaborators' answers.
    await as('superviseur', async (page) => {
      await menu(page, FR.courriers.queue.menu);
      await page.getByRole('button', { name: FR.courriers.queue.turnOn }).click();
      await page.getByRole('status').filter({ hasText: FR.courriers.queue.settingSaved }).waitFor();
    });

    // 1. The centre finds the member and puts the question in its mail.
    await as('centre', async (page, look) => {
      await look('centre-home');
      await menu(page, FR.courriers.members.menu);
      await page.getByLabel(FR.courriers.members.search).fill('3310');
      await page.getByRole('button', { name: FR.courriers.members.find }).click();
      await page.getByRole('cell', { name: 'Boulangerie Despéries', exact: true }).waitFor();
      await look('centre-members');
      await page.getByRole('link', { name: `${FR.courriers.new.title} — Boulangerie Despéries` }).click();
      await page.waitForURL('**/mail/new?client=*');
      assert.equal(await page.getByRole('textbox', { name: FR.courriers.new.clientNumber }).inputValue(), '3310');
      await page.getByLabel(FR.courriers.typeLabel).selectOption('question');
      await page.getByRole('textbox', { name: FR.courriers.new.subject }).fill(SUBJECT);
      await page.locator('#f-document').setInputFiles(question);
      await page.getByLabel(FR.courriers.new.needsReply).check();
      await page.getByLabel(FR.courriers.new.replyBy).fill('2026-12-18');
      await look('centre-new');
      await Promise.all([page.waitForURL((u) => u.pathname === '/mail'), page.getByRole('button', { name: FR.courriers.new.submit }).click()]);
      await page.getByRole('status').filter({ hasText: FR.courriers.new.done }).waitFor();
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), FR.courriers.sent.title);
      await page.getByRole('link', { name: SUBJECT }).waitFor();
      await look('centre-sent');
    });
    const arrived = await suite.smtp.waitFor(JULIEN, (m) => (m.text ?? '').includes(SUBJECT));
    assert.equal(arrived.attachments.length, 0, 'never the document');

    // 2. The collaborator in charge answers, with a file; the answer waits for the supervisor.
    await as('collaborateur', async (page, look) => {
      await menu(page, FR.courriers.menu);
      const row = page.getByRole('row').filter({ hasText: SUBJECT });
      assert.match((await row.getAttribute('class')) ?? '', /mail-unread/, 'unread: bold red');
      await look('collaborator-list');
      await row.getByRole('link', { name: FR.courriers.reply.answer }).click();
      await page.waitForURL(/\/mail\/\d+$/);
      await page.getByLabel(FR.courriers.reply.body).fill('Le stock a baissé de 12 000 € : fin de la gamme traiteur.');
      await page.getByLabel(FR.courriers.reply.files).setInputFiles(justification);
      await page.getByText(FR.courriers.reply.supervisedHelp).waitFor();
      await look('collaborator-answer');
      await page.getByRole('button', { name: FR.courriers.reply.submitForApproval }).click();
      await page.getByRole('status').filter({ hasText: FR.courriers.reply.queued }).waitFor();
      await page.getByText(FR.courriers.reply.states.pending).first().waitFor();
      await look('collaborator-queued');
    });

    // 3. The supervisor edits the answer and approves it.
    await as('superviseur', async (page, look) => {
      await menu(page, FR.courriers.queue.menu);
      const panel = page.getByRole('region', { name: new RegExp(SUBJECT) });
      await look('supervisor-queue');
      await panel.getByLabel(FR.courriers.queue.edit).fill('Le stock a baissé de 12 000 € : la gamme traiteur a été arrêtée en juin 2025.');
      await panel.getByRole('button', { name: FR.courriers.queue.approve }).click();
      await page.getByRole('status').filter({ hasText: FR.courriers.queue.approved }).waitFor();
      await page.getByText(FR.courriers.queue.none).waitFor();
      await look('supervisor-approved');
    });

    // 4. The centre reads the answer as approved, with its file.
    const answered = await suite.smtp.waitFor(AGNES, (m) => /Réponse à votre courrier/.test(m.subject ?? ''));
    assert.match(answered.text ?? '', /arrêtée en juin 2025/);
    await as('centre', async (page, look) => {
      await menu(page, FR.courriers.sent.menu);
      await page.getByRole('row').filter({ hasText: SUBJECT }).getByRole('link', { name: FR.courriers.details }).click();
      await page.waitForURL(/\/mail\/\d+$/);
      await page.getByText('la gamme traiteur a été arrêtée en juin 2025').waitFor();
      assert.equal(await page.getByText('fin de la gamme traiteur').count(), 0, 'only the approved text');
      await page.getByRole('link', { name: 'Inventaire 2025.pdf' }).waitFor();
      assert.equal(await page.getByLabel(FR.courriers.reply.body).count(), 0, 'the centre does not answer');
      await look('centre-answer');
    });
  });
});
