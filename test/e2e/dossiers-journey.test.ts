// A collaborator creates a dossier with two PDFs in Chromium and tells the client by email (the real
// SMTP server); the client's contact follows the emailed link, signs in, lands on the dossier and
// downloads a PDF stamped "POUR CONSULTATION UNIQUEMENT" (read back with pdftotext, page 1 rendered
// with pdftoppm for a human to look at); once the supervisor marks the dossier paid, the same
// download gives the original bytes. Every page is checked with axe-core and photographed
// (test-results/screenshots/dossiers-*.png).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { Page } from 'playwright-core';
import { axeViolations, chromiumMissing, describeViolation, screenshot, SCREENSHOT_DIR, suiteAppWithSmtpAndBrowser, watchedContext } from '../support/browser.ts';
import { DEMO_PASSWORD, SOPHIE } from '../support/demo.ts';

const locale = (ns: string) => JSON.parse(fs.readFileSync(path.join(import.meta.dirname, `../../locales/fr/${ns}.json`), 'utf8'));
const FR = { auth: locale('auth'), common: locale('common'), documents: locale('documents'), dossiers: locale('dossiers') };

/** A PDF of `pages` A4 pages, each saying "<label> page <n>". */
async function pdf(pages: number, label: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) doc.addPage([595, 842]).drawText(`${label} page ${i}`, { x: 60, y: 760, size: 18, font });
  return Buffer.from(await doc.save());
}

/** The text of each page of a PDF file, as poppler reads it. */
const pagesText = (file: string) =>
  execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' })
    .split('\f')
    .filter((p) => p.trim());
const squeeze = (s: string) => s.replace(/\s+/g, '');
const today = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeZone: 'Europe/Paris' }).format(new Date());

const missing = chromiumMissing();

describe('dossiers in a browser', { skip: missing ? `${missing}; browser tests skipped` : false }, () => {
  // The app with its mail going to a real SMTP server, and Chromium, for the whole suite.
  const suite = suiteAppWithSmtpAndBrowser();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dossiers-journey-'));
  after(() => fs.rmSync(work, { recursive: true, force: true }));
  const baseURL = () => `http://compta.localhost:${suite.app.port}`;

  async function signIn(page: Page, identifier: string) {
    await page.getByLabel(FR.auth.login.identifier).fill(identifier);
    await page.getByLabel(FR.auth.login.password).fill(DEMO_PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), page.getByRole('button', { name: FR.auth.login.submit }).click()]);
  }

  /** axe-core's serious and critical findings on the page, then a screenshot. */
  async function look(page: Page, name: string, problems: string[]) {
    for (const v of await axeViolations(page)) if (v.impact === 'serious' || v.impact === 'critical') problems.push(`${name}: ${describeViolation(v)}`);
    await screenshot(page, `dossiers-${name}`);
  }

  /** Clicks the file's title on a dossier page and saves what the browser downloads. */
  async function download(page: Page, fileName: string, saveAs: string): Promise<{ file: string; suggested: string }> {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: fileName, exact: true }).click()]);
    assert.equal(await dl.failure(), null);
    const file = path.join(work, saveAs);
    await dl.saveAs(file);
    return { file, suggested: dl.suggestedFilename() };
  }

  test('a collaborator creates a dossier with two PDFs and tells the client; the contact downloads them stamped while unpaid, then as they are once the supervisor marks it paid', async () => {
    const { smtp } = suite;
    const bilan = await pdf(3, 'Bilan 2025');
    const annexes = await pdf(2, 'Annexes 2025');
    const bilanFile = path.join(work, 'bilan-2025.pdf');
    const annexesFile = path.join(work, 'annexes-2025.pdf');
    fs.writeFileSync(bilanFile, bilan);
    fs.writeFileSync(annexesFile, annexes);

    // 1–2. The collaborator creates the dossier with its two files, then tells the client.
    let dossierUrl = '';
    const julien = await watchedContext(suite.browser, baseURL());
    try {
      const page = await julien.context.newPage();
      await page.goto('/login');
      await signIn(page, 'collaborateur');
      assert.equal(new URL(page.url()).pathname, '/');
      await page.getByRole('navigation', { name: FR.common.layout.mainMenu }).getByRole('link', { name: FR.common.modules.dossiers, exact: true }).click();
      await page.waitForURL('**/dossiers');
      await look(page, 'list', julien.watch.problems);

      await page.getByRole('link', { name: `+ ${FR.dossiers.new.title}` }).click();
      await page.waitForURL('**/dossiers/new');
      await page.getByLabel(FR.dossiers.new.clientNumber).fill('3310');
      // By its accessible name: the label's text also holds the required field's "*" (aria-hidden).
      await page.getByRole('textbox', { name: FR.dossiers.new.dossierTitle, exact: true }).fill('Bilan 2025');
      await page.getByLabel(FR.dossiers.new.amount).fill('1 480,50');
      await page.locator('#f-files').setInputFiles([bilanFile, annexesFile]);
      await look(page, 'new', julien.watch.problems);
      await Promise.all([page.waitForURL(/\/dossiers\/\d+$/), page.getByRole('button', { name: FR.dossiers.new.submit }).click()]);
      dossierUrl = page.url();

      assert.equal(await page.getByRole('status').textContent(), FR.dossiers.created);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Bilan 2025');
      const files = page.getByRole('region', { name: new RegExp(`^${FR.dossiers.files.title}`) });
      assert.deepEqual(await files.locator('a.file-link').allTextContents(), ['bilan-2025.pdf', 'annexes-2025.pdf']);
      await page.getByText(FR.dossiers.paid.dossierUnpaid, { exact: true }).waitFor();
      await page.locator('.page-head').getByText(FR.dossiers.states.none, { exact: true }).waitFor();
      const payment = page.getByRole('region', { name: FR.dossiers.payment.title });
      assert.match(squeeze((await payment.textContent()) ?? ''), /1480,50€/);
      assert.ok(((await payment.textContent()) ?? '').includes(FR.dossiers.payment.rules.stamp), 'the staff see that the client gets stamped PDFs');

      // The form posts back to the same address: wait for the new page's message, not the URL.
      const notified = FR.dossiers.notify.sent_one.replace('{{emails}}', SOPHIE);
      await page.getByRole('button', { name: FR.dossiers.notify.button }).click();
      await page.getByRole('status').filter({ hasText: notified }).waitFor();
      assert.equal(page.url(), dossierUrl);
      assert.equal(await page.getByRole('status').textContent(), notified);
      await look(page, 'staff', julien.watch.problems);
      assert.deepEqual(julien.watch.problems, []);
    } finally {
      await julien.context.close();
    }

    // The email reaches Sophie with a link to the dossier. compta is the default firm (DEFAULT_FIRM),
    // whose address is the bare base domain: the link is on http://localhost:<port>, which serves
    // compta as compta.localhost does (FirmDirectory.urlFor / resolve).
    const mail = await smtp.waitFor(SOPHIE, (m) => /Bilan 2025/.test(m.subject ?? ''));
    assert.equal(mail.subject, 'Votre dossier « Bilan 2025 » est disponible');
    assert.match(mail.text ?? '', /Bonjour Sophie Despéries/);
    const link = /https?:\/\/\S+\/dossiers\/\d+/.exec(mail.text ?? '')?.[0];
    assert.ok(link, `a link to the dossier in: ${mail.text}`);
    assert.equal(link, `http://localhost:${suite.app.port}${new URL(dossierUrl).pathname}`, 'the emailed link is this dossier on the firm address');

    // 3. Sophie follows the link, signs in, and is brought back to the dossier; her PDFs are stamped.
    const sophie = await watchedContext(suite.browser, new URL(link).origin);
    try {
      const page = await sophie.context.newPage();
      await page.goto(link);
      assert.equal(new URL(page.url()).pathname, '/login');
      assert.equal(new URL(page.url()).searchParams.get('next'), new URL(link).pathname);
      await signIn(page, 'client');
      assert.equal(page.url(), link, 'signing in brings the contact back to the emailed dossier');
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Bilan 2025');
      assert.equal(await page.getByRole('note').textContent(), FR.dossiers.unpaid.stampNotice);
      assert.match(await page.getByRole('note').textContent() ?? '', /POUR CONSULTATION UNIQUEMENT/);
      // A contact sees neither the staff's columns nor their forms.
      assert.equal(await page.getByRole('button', { name: FR.dossiers.payment.markPaid }).count(), 0);
      assert.equal(await page.getByRole('columnheader', { name: FR.documents.files.downloads }).count(), 0);
      await look(page, 'contact', sophie.watch.problems);

      const stamped = await download(page, 'bilan-2025.pdf', 'stamped.pdf');
      assert.equal(stamped.suggested, 'bilan-2025.pdf');
      const bytes = fs.readFileSync(stamped.file);
      assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
      assert.notDeepEqual(bytes, bilan, 'the unpaid copy is not the original');
      const pages = pagesText(stamped.file);
      assert.equal(pages.length, 3, 'every page is kept');
      pages.forEach((text, i) => {
        const letters = squeeze(text);
        assert.ok(letters.includes(`Bilan2025page${i + 1}`), `page ${i + 1} keeps its text: ${text}`);
        assert.ok(letters.includes(squeeze(FR.dossiers.stamp.headline)), `page ${i + 1} carries the headline: ${text}`);
        assert.ok(letters.includes(squeeze(`Téléchargé par Sophie Despéries le ${today}`)), `page ${i + 1} says who downloaded it and when: ${text}`);
      });
      // Page 1 as a picture, for a human to look at.
      execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', stamped.file, path.join(SCREENSHOT_DIR, 'dossier-stamped-page1')]);
      const png = path.join(SCREENSHOT_DIR, 'dossier-stamped-page1.png');
      assert.ok(fs.existsSync(png), 'pdftoppm rendered page 1');
      assert.ok(fs.statSync(png).size > 5_000, `the render of page 1 is a real picture (${fs.statSync(png).size} bytes)`);
      assert.deepEqual(fs.readFileSync(png).subarray(0, 8), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      assert.deepEqual(sophie.watch.problems, []);

      // 4. The supervisor sees the download, then marks the dossier paid.
      const helene = await watchedContext(suite.browser, baseURL());
      try {
        const staff = await helene.context.newPage();
        await staff.goto(dossierUrl);
        await signIn(staff, 'superviseur');
        assert.equal(staff.url(), dossierUrl);
        await staff.locator('.page-head').getByText(FR.dossiers.states.some, { exact: true }).waitFor();
        const bilanRow = staff.getByRole('row').filter({ has: staff.getByRole('link', { name: 'bilan-2025.pdf', exact: true }) });
        assert.match((await bilanRow.textContent()) ?? '', new RegExp(FR.documents.files.downloaded));
        await staff.getByRole('button', { name: FR.dossiers.payment.markPaid }).click();
        await staff.getByRole('status').filter({ hasText: FR.dossiers.markedPaid }).waitFor();
        assert.equal(staff.url(), dossierUrl);
        assert.equal(await staff.getByRole('status').textContent(), FR.dossiers.markedPaid);
        await staff.getByText(FR.dossiers.paid.dossierPaid, { exact: true }).waitFor();
        assert.equal(await staff.getByRole('button', { name: FR.dossiers.payment.markUnpaid }).count(), 1);
        await look(staff, 'staff-paid', helene.watch.problems);
        assert.deepEqual(helene.watch.problems, []);
      } finally {
        await helene.context.close();
      }

      // Sophie downloads the same file again: the original, byte for byte, and no more notice.
      await page.reload();
      assert.equal(await page.getByRole('note').count(), 0, 'no stamp notice once paid');
      await page.getByText(FR.dossiers.paid.dossierPaid, { exact: true }).waitFor();
      const clean = await download(page, 'bilan-2025.pdf', 'clean.pdf');
      assert.equal(clean.suggested, 'bilan-2025.pdf');
      assert.ok(fs.readFileSync(clean.file).equals(bilan), 'once paid, the download is the original PDF exactly');
      await look(page, 'contact-paid', sophie.watch.problems);
      assert.deepEqual(sophie.watch.problems, []);
    } finally {
      await sophie.context.close();
    }
  });
});
