// `node bench/files.ts [--gib=1] [--zip-files=1000] [--zip-kib=100] [--zip-mbps=10]` (--gib=0: the ZIP alone): the file
// libraries on a real Express server, driven over loopback HTTP from this process. Each phase gets
// a fresh server process (its RSS, sampled every 50 ms, is the one reported), so that a phase's peak
// is its own and not what the previous one left in the allocator.
//   upload     a generated 1 GiB multipart upload (a PDF header, then 1 MiB of random bytes over
//              and over: never a 1 GiB buffer) through UploadEngine into DiskStorage;
//   download   that file back through sendFileStream;
//   zip        1,000 stored files of ~100 KiB (half PDFs, stored; half text, deflated) through
//              sendZip, to a client that reads ~10 MB/s;
// and two baselines with no library at all, for scale: the same request body piped to a file
// (`raw upload`), and the file piped to the response (`raw download`). Everything is written to a
// folder in the temp folder, removed at the end.
// Target: server peak RSS ≤ 150 MB for the upload and the download; flat during the ZIP.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express from 'express';
import { sendFileStream } from '../src/http/attachment.ts';
import { DiskStorage } from '../src/lib/storage/disk.ts';
import { UploadEngine } from '../src/lib/storage/uploadEngine.ts';
import { sendZip, type ZipSourceEntry } from '../src/lib/zip/stream.ts';

const MiB = 2 ** 20;
const TARGET = 150 * MiB;
const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);

interface Rss {
  idle: number;
  peak: number;
  samples: number[];
  /** process.memoryUsage() when the peak was sampled. */
  atPeak: NodeJS.MemoryUsage;
}

if (process.env.BENCH_FILES_DIR) await serve(process.env.BENCH_FILES_DIR);
else await drive();

// --- the server (child process) ------------------------------------------------------------------

async function serve(dir: string) {
  const storage = await DiskStorage.create(path.join(dir, 'store'));
  const engine = new UploadEngine(storage, { maxBytes: 4 * 1024 * MiB, kinds: ['pdf', 'image', 'office', 'text', 'zip'] });
  const raw = path.join(dir, 'raw.bin');
  let idle = 0;
  let peak = 0;
  let atPeak = process.memoryUsage();
  const samples: number[] = [];
  setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) [peak, atPeak] = [rss, process.memoryUsage()];
    samples.push(rss);
  }, 50).unref();

  const app = express();
  app.post('/upload', async (req, res) => {
    const result = await engine.receive(req, res, { field: 'file', maxFiles: 1 });
    res.status(result.ok ? 200 : result.status).json(result.ok ? result.files[0] : result.error);
  });
  app.post('/raw-upload', async (req, res) => {
    await pipeline(req, fs.createWriteStream(raw));
    res.json({ size: fs.statSync(raw).size });
  });
  app.get('/file/:key', async (req, res) => {
    const { size, stream } = await storage.open(String(req.params.key));
    await sendFileStream(res, { name: 'Grand fichier.pdf', size, mime: 'application/pdf', open: async () => stream });
  });
  app.get('/raw-download', async (_req, res) => {
    res.setHeader('Content-Length', fs.statSync(raw).size);
    await pipeline(fs.createReadStream(raw), res);
  });
  app.get('/zip', async (_req, res) => {
    const files = JSON.parse(fs.readFileSync(path.join(dir, 'zip-files.json'), 'utf8')) as { name: string; key: string }[];
    async function* entries(): AsyncGenerator<ZipSourceEntry> {
      for (const f of files) yield { name: f.name, mtime: new Date(), open: async () => (await storage.open(f.key)).stream };
    }
    await sendZip(res, 'Dossiers clients', entries());
  });
  app.post('/rss/reset', (_req, res) => {
    idle = peak = process.memoryUsage.rss();
    atPeak = process.memoryUsage();
    samples.length = 0;
    res.json({});
  });
  app.get('/rss', (_req, res) => {
    res.json({ idle, peak, samples, atPeak } satisfies Rss);
  });
  const server = app.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
}

// --- the driver ----------------------------------------------------------------------------------

async function drive() {
  const gib = arg('gib', 1);
  const size = Math.round(gib * 1024) * MiB;
  const zipCount = arg('zip-files', 1000);
  const zipKib = arg('zip-kib', 100);
  const zipMbps = arg('zip-mbps', 10);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-bench-files-'));
  console.log(`files: ${size / MiB} MiB upload and download, ZIP of ${zipCount} × ${zipKib} KiB read at ~${zipMbps} MB/s (Node ${process.version}, ${os.cpus().length} CPUs)`);
  try {
    if (size > 0) await uploadAndDownload(dir, size);
    const started = performance.now();
    await prepareZipFiles(dir, zipCount, zipKib);
    console.log(`(${zipCount} files stored for the ZIP in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    const zip = await phase(dir, 'zip', (base) => read(`${base}/zip`, zipMbps * 1e6));
    report('zip to a slow client', zip);
    const s = zip.rss.samples;
    const at = (f: number) => mb(s[Math.min(s.length - 1, Math.floor(s.length * f))]!);
    console.log(`  zip RSS at 10 / 25 / 50 / 75 / 90 % of the download: ${[0.1, 0.25, 0.5, 0.75, 0.9].map(at).join(' / ')}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function uploadAndDownload(dir: string, size: number) {
  const up = await phase(dir, 'upload', (base) => upload(`${base}/upload`, size));
  const stored = JSON.parse(up.body) as { key: string; size: number };
  report('upload', up, TARGET);
  report('raw upload (baseline)', await phase(dir, 'raw upload', (base) => upload(`${base}/raw-upload`, size)));
  const down = await phase(dir, 'download', (base) => read(`${base}/file/${stored.key}`));
  if (down.bytes !== stored.size) throw new Error(`downloaded ${down.bytes} of ${stored.size} bytes`);
  report('download', down, TARGET);
  report('raw download (baseline)', await phase(dir, 'raw download', (base) => read(`${base}/raw-download`)));
  fs.rmSync(path.join(dir, 'store'), { recursive: true, force: true });
  fs.rmSync(path.join(dir, 'raw.bin'), { force: true });
}

interface PhaseResult {
  bytes: number;
  seconds: number;
  body: string;
  rss: Rss;
}

/** Runs one request against a fresh server process, and returns its timing and the server's RSS. */
async function phase(dir: string, _name: string, run: (base: string) => Promise<{ bytes: number; body: string }>): Promise<PhaseResult> {
  const child = fork(import.meta.filename, [], { env: { ...process.env, BENCH_FILES_DIR: dir }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
    const base = `http://127.0.0.1:${port}`;
    await new Promise((r) => setTimeout(r, 500)); // let start-up settle before the idle figure
    await fetch(`${base}/rss/reset`, { method: 'POST' });
    const started = performance.now();
    const { bytes, body } = await run(base);
    const seconds = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 100)); // one more sample after the end
    const rss = (await (await fetch(`${base}/rss`)).json()) as Rss;
    return { bytes, seconds, body, rss };
  } finally {
    child.kill();
  }
}

/** The ZIP's files, written straight into the storage by this process (not the server measured). */
async function prepareZipFiles(dir: string, count: number, kib: number) {
  const storage = await DiskStorage.create(path.join(dir, 'store'));
  const text = Buffer.from('Écriture comptable ; 1 234,56 € ; client n° 42\n'.repeat(Math.ceil((kib * 1024) / 40))).subarray(0, kib * 1024);
  const files: { name: string; key: string }[] = [];
  for (let i = 0; i < count; i++) {
    const pdf = i % 2 === 0;
    const content = pdf ? Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(kib * 1024 - 9)]) : text;
    const { key } = await storage.put(Readable.from([content]), { maxBytes: 10 * MiB });
    files.push({ key, name: `Client ${Math.floor(i / 50)}/Pièce ${i}.${pdf ? 'pdf' : 'txt'}` });
  }
  fs.writeFileSync(path.join(dir, 'zip-files.json'), JSON.stringify(files));
}

/** POSTs a multipart body of `size` bytes generated on the fly (1 MiB of random bytes, repeated). */
function upload(url: string, size: number): Promise<{ bytes: number; body: string }> {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="Grand fichier.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const block = randomBytes(MiB);
  Buffer.from('%PDF-1.7\n').copy(block); // detected as a PDF from its first bytes
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': head.length + size + tail.length },
    });
    req.on('error', reject);
    req.on('response', async (res) => {
      let body = '';
      for await (const chunk of res) body += chunk;
      if (res.statusCode !== 200) return reject(new Error(`${url}: ${res.statusCode} ${body}`));
      resolve({ bytes: size, body });
    });
    (async () => {
      req.write(head);
      for (let sent = 0; sent < size; sent += MiB) {
        if (!req.write(block.subarray(0, Math.min(MiB, size - sent)))) await new Promise((r) => req.once('drain', r));
      }
      req.end(tail);
    })().catch(reject);
  });
}

/** GETs `url` and counts its bytes; with `bytesPerSecond`, reads no faster than that. */
function read(url: string, bytesPerSecond?: number): Promise<{ bytes: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`${url}: ${res.statusCode}`));
        let bytes = 0;
        const start = performance.now();
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (!bytesPerSecond) return;
          const ahead = (bytes / bytesPerSecond) * 1000 - (performance.now() - start);
          if (ahead > 5) {
            res.pause();
            setTimeout(() => res.resume(), ahead);
          }
        });
        res.on('end', () => (res.complete ? resolve({ bytes, body: '' }) : reject(new Error(`${url}: incomplete`))));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

function report(name: string, r: PhaseResult, target?: number) {
  const m = r.rss.atPeak;
  const verdict = target === undefined ? '' : r.rss.peak <= target ? `PASS ≤ ${mb(target)}` : `FAIL ≤ ${mb(target)}`;
  if (target !== undefined && r.rss.peak > target) process.exitCode = 1;
  console.log(
    `${name.padEnd(24)} ${(r.bytes / MiB).toFixed(0).padStart(5)} MiB in ${r.seconds.toFixed(1).padStart(5)} s = ${(r.bytes / MiB / r.seconds).toFixed(0).padStart(4)} MiB/s` +
      `  server RSS idle ${mb(r.rss.idle)} → peak ${mb(r.rss.peak)}  ${verdict}` +
      `  [at peak: heap ${mb(m.heapTotal)} (${mb(m.heapUsed)} used), external ${mb(m.external)} (array buffers ${mb(m.arrayBuffers)})]`,
  );
}

function mb(bytes: number): string {
  return `${(bytes / MiB).toFixed(0)} MB`;
}
