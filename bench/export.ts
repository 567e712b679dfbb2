// `node bench/export.ts [rows] [--slow] [--baseline]`: the streamed Excel export (src/lib/xlsx/stream.ts)
// on synthetic client rows (13 columns) from an async generator, written to a file in the temp
// folder; RSS sampled every 50 ms. Each case runs in a fresh process, so that its peak is its own.
//   --slow      also writes to a slow consumer (a Writable that takes 8 ms per 16 KiB: 2 MB/s),
//               to show that backpressure keeps memory flat when the client is slower than we are.
//   --baseline  also runs exceljs's streaming writer as its documentation shows it (addRow().commit(),
//               no backpressure), in the same run, for comparison.
// Targets: 100,000 rows in ≤ 3 s at ≤ 200 MB peak RSS; 1,000,000 rows at ≤ 300 MB peak RSS.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { writeXlsx, type XlsxCell, type XlsxSheet } from '../src/lib/xlsx/stream.ts';

type Case = 'file' | 'slow' | 'baseline';
interface Result {
  case: Case;
  rows: number;
  seconds: number;
  peakMb: number;
  bytes: number;
}

const SHEET: XlsxSheet = {
  name: 'Clients',
  columns: [
    { header: 'N° client', type: 'number', width: 10 },
    { header: 'Raison sociale', type: 'text', width: 32 },
    { header: 'Ville', type: 'text', width: 18 },
    { header: 'SIRET', type: 'text', width: 16 },
    { header: 'Forme juridique', type: 'text', width: 10 },
    { header: 'Code NAF', type: 'text', width: 8 },
    { header: 'Créé le', type: 'date' },
    { header: 'Clôture', type: 'date' },
    { header: 'Actif', type: 'boolean' },
    { header: 'Honoraires', type: 'amount' },
    { header: 'Collaborateur', type: 'text', width: 20 },
    { header: 'E-mail', type: 'text', width: 28 },
    { header: 'Téléphone', type: 'text', width: 14 },
  ],
};

const NAMES = ['Boulangerie', 'Garage', 'Cabinet', 'Pharmacie', 'Menuiserie', 'Librairie', 'Société', 'Atelier'];
const OWNERS = ['Dupont', 'Lefèvre', 'Müller', 'Garçon', 'N’Diaye', 'Éluard', 'Martin', 'Rousseau', 'Bézier'];
const CITIES = ['Paris', 'Lyon', 'Saint-Étienne', 'Aix-en-Provence', 'Besançon', 'Orléans', 'Nîmes', 'Clermont-Ferrand'];
const FORMS = ['SARL', 'SAS', 'SASU', 'EURL', 'EI', 'SCI'];
const STAFF = ['Chloé Bernard', 'Hélène Robert', 'François Petit', 'Zoé Durand'];

/** Client-like rows as a Knex stream would give them (dates as Date, days as 'YYYY-MM-DD', numeric as text). */
async function* clients(count: number): AsyncGenerator<readonly XlsxCell[]> {
  const start = Date.UTC(2015, 0, 1);
  for (let i = 1; i <= count; i++) {
    const name = `${NAMES[i % NAMES.length]} ${OWNERS[(i * 7) % OWNERS.length]} & fils ${i}`;
    yield [
      i,
      name,
      CITIES[(i * 3) % CITIES.length],
      String(10_000_000_000_000 + i * 37).slice(0, 14),
      FORMS[i % FORMS.length],
      `${String(1000 + (i % 9000)).slice(0, 2)}.${String(i % 100).padStart(2, '0')}Z`,
      new Date(start + ((i * 7919) % 3650) * 86_400_000 + (i % 86_400) * 1000),
      `202${i % 7}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
      i % 5 !== 0,
      i % 3 === 0 ? String((i % 100_000) / 10) : (i % 77_777) * 1.25,
      STAFF[i % STAFF.length],
      `contact${i}@exemple.fr`,
      `01 ${String(i % 100).padStart(2, '0')} ${String((i * 13) % 100).padStart(2, '0')} 00 00`,
    ];
  }
}

/** A client on a 2 MB/s line: each chunk is acknowledged 8 ms per 16 KiB later. */
function slowConsumer(): Writable & { bytes: number } {
  const w = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, cb) {
      w.bytes += chunk.length;
      setTimeout(cb, 8 * Math.ceil(chunk.length / 16_384));
    },
  }) as Writable & { bytes: number };
  w.bytes = 0;
  return w;
}

/** exceljs's streaming writer used as its README shows, without backpressure. */
async function baseline(out: Writable, rows: AsyncIterable<readonly XlsxCell[]>) {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
  const sheet = workbook.addWorksheet('Clients');
  sheet.addRow(SHEET.columns.map((c) => c.header)).commit();
  for await (const r of rows) sheet.addRow([...r]).commit();
  sheet.commit();
  await workbook.commit();
}

async function runCase(kind: Case, rows: number): Promise<Result> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const file = path.join(os.tmpdir(), `passerelle-bench-export-${process.pid}.xlsx`);
  const started = performance.now();
  let bytes = 0;
  try {
    if (kind === 'slow') {
      const out = slowConsumer();
      await writeXlsx(out, SHEET, clients(rows));
      bytes = out.bytes;
    } else {
      const out = fs.createWriteStream(file);
      if (kind === 'baseline') await baseline(out, clients(rows));
      else await writeXlsx(out, SHEET, clients(rows));
      bytes = fs.statSync(file).size;
    }
  } finally {
    clearInterval(timer);
    fs.rmSync(file, { force: true });
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  return { case: kind, rows, seconds: (performance.now() - started) / 1000, peakMb: peak / 2 ** 20, bytes };
}

function targets(r: Result): { label: string; ok: boolean }[] {
  const t: { label: string; ok: boolean }[] = [];
  if (r.case === 'baseline') return t;
  if (r.rows <= 100_000 && r.case === 'file') t.push({ label: '≤ 3 s', ok: r.seconds <= 3 });
  const maxMb = r.rows <= 100_000 ? 200 : 300;
  t.push({ label: `≤ ${maxMb} MB`, ok: r.peakMb <= maxMb });
  return t;
}

const child = process.env.BENCH_EXPORT_CASE as Case | undefined;
const rowCount = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100_000);
if (child) {
  const result = await runCase(child, rowCount);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const cases: Case[] = ['file'];
  if (process.argv.includes('--slow')) cases.push('slow');
  if (process.argv.includes('--baseline')) cases.push('baseline');
  console.log(`export: ${rowCount.toLocaleString('en')} rows × ${SHEET.columns.length} columns (Node ${process.version}, ${os.cpus().length} CPUs)`);
  let failed = false;
  for (const kind of cases) {
    const run = spawnSync(process.execPath, [import.meta.filename, String(rowCount)], {
      env: { ...process.env, BENCH_EXPORT_CASE: kind },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    });
    if (run.status !== 0) {
      console.log(`${kind.padEnd(9)} crashed (exit ${run.status})`);
      failed = true;
      continue;
    }
    const r = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Result;
    const verdicts = targets(r);
    if (verdicts.some((v) => !v.ok)) failed = true;
    const name = { file: 'writeXlsx → file', slow: 'writeXlsx → slow client', baseline: 'exceljs as documented (baseline) → file' }[kind];
    console.log(
      `${name.padEnd(40)} rows ${r.rows.toLocaleString('en').padStart(9)}  ${r.seconds.toFixed(2).padStart(6)} s  peak RSS ${r.peakMb.toFixed(0).padStart(4)} MB  ` +
        `${(r.bytes / 2 ** 20).toFixed(1).padStart(5)} MiB  ${verdicts.map((v) => `${v.ok ? 'PASS' : 'FAIL'} ${v.label}`).join('  ')}`,
    );
  }
  process.exitCode = failed ? 1 : 0;
}
