// `node bench/stamp.ts [--baseline]`: the PDF stamp (src/lib/pdf/stamp.ts) on generated 100-page
// and 1,000-page PDFs (A4, ~30 lines of text and a distinct 240×180 PNG image per page, one page
// in 10 rotated, saved by pdf-lib with object streams). Each size runs in a fresh process, so that
// its peak memory is its own: warm-up runs, then timed runs of the whole stampPdf (load, stamp,
// save). Target: ≤ 1 ms per page once warm.
//   --baseline  also runs the obvious pdf-lib way (embedFont + page.drawText on every page, save
//               with its defaults), for comparison.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { PDFDocument, StandardFonts, degrees, rgb } from 'pdf-lib';
import { stampPdf, type StampText } from '../src/lib/pdf/stamp.ts';

type Mode = 'stamp' | 'baseline';
interface Result {
  mode: Mode;
  pages: number;
  inputBytes: number;
  outputBytes: number;
  runs: number;
  msPerPage: { median: number; p95: number; min: number };
  /** The first call of the process, cold (JIT not warmed up). */
  firstCallMsPerPage: number;
  rssBeforeMb: number;
  /** After the first (cold) call alone: what one stamping costs a fresh process. */
  peakRssFirstMb: number;
  peakRssMb: number;
  peakHeapMb: number;
  peakArrayBuffersMb: number;
}

const SIZES = [100, 1000];
const TARGET_MS_PER_PAGE = 1;
const TEXT: StampText = { headline: 'POUR CONSULTATION UNIQUEMENT', detail: 'Téléchargé par Jérôme Puech le 23/11/2026' };
const MB = 2 ** 20;

/** An RGB PNG: gradients and a seeded noise band, so that it compresses like a photo or a scan. */
function png(width: number, height: number, seed: number): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  let state = seed * 2654435761 + 1;
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      state = (state * 1103515245 + 12345) >>> 0;
      const noise = y > height / 2 && y < (height * 3) / 4 ? state >>> 26 : 0;
      raw[row + 1 + x * 3] = (x + seed * 7) & 255;
      raw[row + 2 + x * 3] = (y * 2 + noise) & 255;
      raw[row + 3 + x * 3] = ((x ^ y) + seed) & 255;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const LINE = 'Le présent document récapitule les écritures de l’exercice clos, les comptes de tiers et les déclarations.';

async function generate(pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([595.28, 841.89]);
    if (i % 10 === 9) page.setRotation(degrees(90));
    page.drawText(`Dossier annuel — page ${i + 1}`, { x: 50, y: 790, size: 16, font });
    for (let line = 0; line < 30; line++) page.drawText(`${line + 1}. ${LINE}`, { x: 50, y: 560 - line * 16, size: 9, font, color: rgb(0.1, 0.1, 0.1) });
    page.drawImage(await doc.embedPng(png(240, 180, i)), { x: 50, y: 590, width: 240, height: 180 });
  }
  return doc.save();
}

/** The obvious pdf-lib way, for comparison: drawText per page, default save (object streams). */
async function baselineStamp(input: Uint8Array, text: StampText): Promise<Uint8Array> {
  const doc = await PDFDocument.load(input);
  const font = await doc.embedFont(StandardFonts.HelveticaBold);
  for (const page of doc.getPages()) {
    const { width, height } = page.getSize();
    page.drawText(text.headline, { x: 60, y: 120, size: 40, font, rotate: degrees(54), color: rgb(0.78, 0.08, 0.08), opacity: 0.28 });
    page.drawText(text.detail, { x: (width - font.widthOfTextAtSize(text.detail, 9)) / 2, y: Math.min(24, height / 10), size: 9, font });
  }
  return doc.save();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function runCase(mode: Mode, file: string, pages: number): Promise<Result> {
  const input = fs.readFileSync(file);
  const stamp = mode === 'stamp' ? stampPdf : baselineStamp;
  const rssBefore = process.memoryUsage().rss;
  let peakHeap = 0;
  let peakArrayBuffers = 0;
  // Sampled when pdf-lib yields to the event loop (while parsing and writing) and after each run:
  // a lower bound of the true peaks. RSS is the kernel's own maximum.
  const sample = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakArrayBuffers = Math.max(peakArrayBuffers, m.arrayBuffers);
  };
  const timer = setInterval(sample, 2);
  let peakRssFirst = 0;
  let firstCall = 0;
  const warmups = 3;
  const runs = pages >= 1000 ? 10 : 40;
  const perPage: number[] = [];
  let outputBytes = 0;
  for (let i = 0; i < warmups + runs; i++) {
    const started = performance.now();
    const output = await stamp(input, TEXT);
    const ms = performance.now() - started;
    sample();
    if (i === 0) (peakRssFirst = process.resourceUsage().maxRSS * 1024), (firstCall = ms / pages);
    outputBytes = output.length;
    if (i >= warmups) perPage.push(ms / pages);
  }
  clearInterval(timer);
  const sorted = perPage.sort((a, b) => a - b);
  return {
    mode,
    pages,
    inputBytes: input.length,
    outputBytes,
    runs,
    msPerPage: { median: percentile(sorted, 50), p95: percentile(sorted, 95), min: sorted[0]! },
    firstCallMsPerPage: firstCall,
    rssBeforeMb: rssBefore / MB,
    peakRssFirstMb: peakRssFirst / MB,
    peakRssMb: (process.resourceUsage().maxRSS * 1024) / MB,
    peakHeapMb: peakHeap / MB,
    peakArrayBuffersMb: peakArrayBuffers / MB,
  };
}

const childFile = process.env.BENCH_STAMP_FILE;
if (childFile) {
  const result = await runCase(process.env.BENCH_STAMP_MODE as Mode, childFile, Number(process.env.BENCH_STAMP_PAGES));
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const modes: Mode[] = process.argv.includes('--baseline') ? ['stamp', 'baseline'] : ['stamp'];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-bench-stamp-'));
  console.log(`stamp: ${SIZES.join(' and ')} pages (Node ${process.version}, ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? '?'})`);
  let failed = false;
  try {
    for (const pages of SIZES) {
      const file = path.join(dir, `pages-${pages}.pdf`);
      fs.writeFileSync(file, await generate(pages));
      for (const mode of modes) {
        const run = spawnSync(process.execPath, [import.meta.filename], {
          env: { ...process.env, BENCH_STAMP_FILE: file, BENCH_STAMP_PAGES: String(pages), BENCH_STAMP_MODE: mode },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        if (run.status !== 0) {
          console.log(`${mode} ${pages} pages crashed (exit ${run.status})`);
          failed = true;
          continue;
        }
        const r = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Result;
        const ok = r.msPerPage.median <= TARGET_MS_PER_PAGE;
        if (mode === 'stamp' && !ok) failed = true;
        console.log(
          `${(mode === 'stamp' ? 'stampPdf' : 'pdf-lib drawText (baseline)').padEnd(28)} ${String(pages).padStart(5)} pages ` +
            `${(r.inputBytes / MB).toFixed(1).padStart(5)} → ${(r.outputBytes / MB).toFixed(1).padStart(5)} MiB  ` +
            `ms/page median ${r.msPerPage.median.toFixed(3)}  p95 ${r.msPerPage.p95.toFixed(3)}  min ${r.msPerPage.min.toFixed(3)} (${r.runs} runs; cold 1st ${r.firstCallMsPerPage.toFixed(3)})  ` +
            `RSS ${r.rssBeforeMb.toFixed(0)} → peak ${r.peakRssFirstMb.toFixed(0)} (1st call) / ${r.peakRssMb.toFixed(0)} MiB  ` +
            `heap ≥ ${r.peakHeapMb.toFixed(0)} MiB  buffers ≥ ${r.peakArrayBuffersMb.toFixed(0)} MiB` +
            (mode === 'stamp' ? `  ${ok ? 'PASS' : 'FAIL'} ≤ ${TARGET_MS_PER_PAGE} ms/page` : ''),
        );
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.exitCode = failed ? 1 : 0;
}
