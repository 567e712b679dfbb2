// Headless Chromium (Debian's, driven by playwright-core) for browser tests: finds the binary, launches
// it with flags that keep it off the network, watches each page for console errors, page errors and
// Content-Security-Policy violations, checks it with axe-core, and saves full-page screenshots.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestApp, startTestAppWithSmtp, type TestApp } from './app.ts';
import type { TestSmtp } from './smtp.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results/screenshots');

/** Debian's Chromium: `command -v chromium`, else /usr/bin/chromium; undefined when neither exists. */
export function findChromium(): string | undefined {
  try {
    const found = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
    if (found) return found;
  } catch {
    // not on the PATH
  }
  return fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}

/** Why browser tests cannot run here (no Chromium), or undefined when they can. */
export function chromiumMissing(): string | undefined {
  if (findChromium()) return undefined;
  return 'Chromium is not installed: apt-get install -y --no-install-recommends chromium chromium-l10n fonts-dejavu-core (as .ci/run does)';
}

export function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('Chromium is not installed');
  return chromium.launch({
    executablePath,
    headless: true,
    env: { ...process.env, LANGUAGE: 'fr' },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      // The browser's own words (a file input's button) in French, as our users see them (chromium-l10n).
      '--lang=fr',
      // Belt and braces: no name but localhost and *.localhost resolves, so nothing leaves loopback.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE *.localhost',
    ],
  });
}

/** What went wrong on the pages a watched context opened, one line each. */
export interface Watch {
  problems: string[];
  /** A document URL expected to answer with this status (a 404 or 403 page we visit on purpose). */
  expectStatus(url: string, status: number): void;
}

// Runs before any script of every page: reports CSP violations to the test through a binding
// (bindings and init scripts are not subject to the page's CSP).
const CSP_LISTENER = `
document.addEventListener('securitypolicyviolation', (e) => {
  window.__passerelleCspViolation(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber);
});`;

/** A French desktop browser context whose every page is watched for errors and CSP violations. */
export async function watchedContext(browser: Browser, baseURL: string): Promise<{ context: BrowserContext; watch: Watch }> {
  const context = await browser.newContext({ baseURL, locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 1280, height: 800 } });
  const expected = new Map<string, number>();
  const watch: Watch = { problems: [], expectStatus: (url, status) => expected.set(new URL(url, baseURL).href, status) };
  await context.exposeBinding('__passerelleCspViolation', ({ page }, message: string) => {
    watch.problems.push(`CSP violation on ${page.url()}: ${message}`);
  });
  await context.addInitScript({ content: CSP_LISTENER });
  context.on('console', (msg) => {
    const text = msg.text();
    // Chromium logs a main document's error status as a console error; expected on our 404/403 visits.
    const at = msg.location().url;
    const status = /status of (\d{3})/.exec(text)?.[1];
    if (status && expected.get(at) === Number(status)) return;
    if (msg.type() === 'error' || /Content[- ]Security[- ]Policy/i.test(text)) watch.problems.push(`console ${msg.type()} on ${msg.page()?.url()}: ${text}`);
  });
  context.on('weberror', (err) => watch.problems.push(`page error on ${err.page()?.url()}: ${err.error().message}`));
  return { context, watch };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

const AXE_SOURCE = fs.readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core on the page as it is and returns its violations. The CSP (rightly) blocks the inline
 * <script> that page.addScriptTag({ content }) would add, so axe's source is evaluated through the
 * DevTools protocol (page.evaluate), which the page's CSP does not govern; the page keeps its CSP.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(`typeof window.axe === 'object'`);
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.map(String), failureSummary: n.failureSummary })),
  })))`) as Promise<AxeViolation[]>;
}

/** Saves a full-page screenshot as test-results/screenshots/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export function describeViolation(v: AxeViolation): string {
  const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ');
  return `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}× e.g. ${where})`;
}

/** Inside a describe: the app and a headless Chromium for the whole suite, closed after it. */
export function suiteAppWithBrowser(): { readonly app: TestApp; readonly browser: Browser } {
  return suiteWithBrowser(async () => {
    const app = await startTestApp();
    return { app, smtp: undefined, close: () => app.close() };
  });
}

/** The same with the app's mail going to a real SMTP server the suite starts (journeys that read emails). */
export function suiteAppWithSmtpAndBrowser(): { readonly app: TestApp; readonly browser: Browser; readonly smtp: TestSmtp } {
  return suiteWithBrowser(startTestAppWithSmtp) as { readonly app: TestApp; readonly browser: Browser; readonly smtp: TestSmtp };
}

function suiteWithBrowser(startApp: () => Promise<{ app: TestApp; smtp: TestSmtp | undefined; close(): Promise<void> }>) {
  let started: Awaited<ReturnType<typeof startApp>> | undefined;
  let browser: Browser | undefined;
  before(async () => {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    [started, browser] = await Promise.all([startApp(), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await started?.close();
  });
  return {
    get app() {
      return started!.app;
    },
    get browser() {
      return browser!;
    },
    get smtp() {
      return started!.smtp;
    },
  };
}
