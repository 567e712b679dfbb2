// `node bench/files-app.ts [--gib=1] [--default-gc]`: a 1 GiB file uploaded into a client's folder
// and downloaded back through the whole app (sign-in, session, CSRF, the documents routes, the
// database), in its own process run as `npm start` runs it (npm start's Node flags from package.json, unless
// --default-gc; its MALLOC_ARENA_MAX unless set). The app's RSS is read from /proc every 50 ms: idle before, peak during each.
// Target (issue 4): the app's peak ≤ 150 MB. DATABASE_URL: that server; unset: an embedded one.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../test/support/ports.ts';
import { forkReady, stopAll } from './child.ts';
import { NPM_START } from './npm-start.ts';
import { benchServer } from './server.ts';

const MiB = 2 ** 20;
const TARGET = 150 * MiB;
const gib = Number(process.argv.find((a) => a.startsWith('--gib='))?.split('=')[1] ?? 1);
const size = gib * 1024 * MiB;
const flags = process.argv.includes('--default-gc') ? [] : NPM_START.flags;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-files-app-'));
const server = await benchServer();
const dbName = `passerelle_files_${randomBytes(4).toString('hex')}`;
await server.admin(`CREATE DATABASE ${dbName}`);
const port = await freePort();
const appEnv = { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? NPM_START.arenas, DATABASE_URL: server.urlOf(dbName), PORT: String(port), FILES_DIR: path.join(work, 'files') };
const startApp = () => forkReady(path.join(import.meta.dirname, 'serve-app.ts'), { env: appEnv, flags });
// A first start loads the demo data (with PDFs made by pdf-lib); the app measured is a restart,
// as in production, where no demo is loaded.
await stopAll([await startApp()]);
let app: ChildProcess | undefined;
try {
  app = await startApp();
  const rssOf = () => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${app!.pid}/status`, 'utf8'))![1]) * 1024;
  const cookies = new Map<string, string>();
  const call = (method: string, url: string, body?: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; text: string; location?: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path: url, headers: { host: `compta.localhost:${port}`, cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...headers } }, async (res) => {
        for (const c of res.headers['set-cookie'] ?? []) cookies.set(c.split('=')[0]!, c.split(';')[0]!.split('=').slice(1).join('='));
        let text = '';
        for await (const chunk of res) text += chunk;
        resolve({ status: res.statusCode!, text, location: res.headers.location });
      });
      req.on('error', reject);
      req.end(body);
    });
  const form = (fields: Record<string, string | string[]>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) p.append(k, x);
    return p.toString();
  };
  const csrfOf = (html: string) => decodeURIComponent((/name="_csrf" value="([^"]+)"/.exec(html) ?? /_csrf=([^"&]+)/.exec(html))![1]!);
  // The supervisor allows files of this size; the demo client's first folder receives it.
  let page = await call('GET', '/login');
  await call('POST', '/login', form({ _csrf: csrfOf(page.text), identifier: 'superviseur', password: 'Demo-Passerelle-2026', next: '' }), { 'content-type': 'application/x-www-form-urlencoded' });
  page = await call('GET', '/settings/folders');
  await call('POST', '/settings/folders/uploads', form({ _csrf: csrfOf(page.text), uploadMaxMb: '2048', uploadKinds: ['pdf', 'image', 'office', 'text', 'zip'] }), { 'content-type': 'application/x-www-form-urlencoded' });
  const client = /href="\/clients\/(\d+)"/.exec((await call('GET', '/clients?q=3310')).text)![1]!;
  page = await call('GET', `/clients/${client}/files`);
  const folder = /\?folder=(\d+)/.exec(page.text)![1]!;
  page = await call('GET', `/clients/${client}/files?folder=${folder}`);
  const action = /action="([^"]*\/upload\?_csrf=[^"]+)"/.exec(page.text)![1]!.replace(/&amp;/g, '&');

  const measure = async <T>(name: string, run: () => Promise<T>) => {
    await new Promise((r) => setTimeout(r, 500));
    const idle = rssOf();
    let peak = idle;
    const timer = setInterval(() => (peak = Math.max(peak, rssOf())), 50);
    const started = performance.now();
    const result = await run();
    const seconds = (performance.now() - started) / 1000;
    clearInterval(timer);
    peak = Math.max(peak, rssOf());
    console.log(`${name.padEnd(26)} ${(size / MiB).toFixed(0)} MiB in ${seconds.toFixed(1)} s = ${(size / MiB / seconds).toFixed(0)} MiB/s  app RSS idle ${(idle / MiB).toFixed(0)} MB → peak ${(peak / MiB).toFixed(0)} MB  ${peak <= TARGET ? 'PASS' : 'FAIL'} ≤ 150 MB`);
    if (peak > TARGET) process.exitCode = 1;
    return result;
  };

  console.log(`files through the app: ${gib} GiB up and down (Node ${process.version}, ${os.cpus().length} CPUs, app flags: ${flags.join(' ') || 'none'})`);
  const uploaded = await measure('upload', () => upload(action, cookies, port));
  if (uploaded.status !== 303) throw new Error(`upload: ${uploaded.status}`);
  const file = /\/files\/(\d+)\/download/.exec((await call('GET', `/clients/${client}/files?folder=${folder}`)).text)![1]!;
  // The download twice: in the process the upload ran in (what the allocator kept is counted), then
  // in a fresh one (what a download alone costs).
  const down = async (name: string) => {
    const bytes = await measure(name, () => download(`/files/${file}/download`, cookies, port));
    if (bytes !== size) throw new Error(`downloaded ${bytes} of ${size} bytes`);
  };
  await down('download');
  await stopAll([app]);
  app = await startApp();
  await down('download (fresh process)');
} finally {
  if (app) await stopAll([app]);
  await server.admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
  await server.stop();
  fs.rmSync(work, { recursive: true, force: true });
}

/** A multipart POST of `size` bytes made on the fly (a PDF header, then 1 MiB of random bytes over and over). */
function upload(action: string, cookies: Map<string, string>, port: number): Promise<{ status: number }> {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="Grand fichier.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const block = randomBytes(MiB);
  Buffer.from('%PDF-1.7\n').copy(block);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: action,
      headers: { host: `compta.localhost:${port}`, cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + size + tail.length) },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode! }));
    });
    void (async () => {
      req.write(head);
      for (let sent = 0; sent < size; sent += MiB) if (!req.write(block)) await new Promise((r) => req.once('drain', r));
      req.end(tail);
    })().catch(reject);
  });
}

function download(url: string, cookies: Map<string, string>, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: url, headers: { host: `compta.localhost:${port}`, cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`${url}: ${res.statusCode}`));
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve(bytes));
      })
      .on('error', reject);
  });
}
