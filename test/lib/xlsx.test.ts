// The streamed Excel export: a real file read back with exceljs, failures, backpressure, and the
// download through a real HTTP server.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import express from 'express';
import { errorHandler } from '../../src/http/middleware/errors.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { sendXlsx, XLSX_CONTENT_TYPE } from '../../src/lib/xlsx/http.ts';
import { writeXlsx, type XlsxCell, type XlsxSheet } from '../../src/lib/xlsx/stream.ts';
import { serveDuringSuite } from '../support/listen.ts';

const SHEET: XlsxSheet = {
  name: 'Clients [2026]',
  columns: [
    { header: 'N°', type: 'number', width: 8 },
    { header: 'Raison sociale', type: 'text', width: 30 },
    { header: 'Créé le', type: 'date' },
    { header: 'Actif', type: 'boolean' },
    { header: 'Honoraires', type: 'amount' },
  ],
};

/** Row i (1-based) of the mixed data set. */
function row(i: number): XlsxCell[] {
  return [
    i,
    i === 2 ? '  <b>Tom & Jerry</b>\u0007 _x0041_ 😀' : `Égalité «» ${i}`,
    // 23:30 in Paris on 14 July is already the 14th there, still the 14th in UTC (21:30); 00:30 on
    // 15 July in Paris is 22:30 UTC on the 14th: the sheet must say 15/07.
    i % 3 === 0 ? '2026-11-22' : i % 3 === 1 ? new Date('2026-07-14T21:30:00Z') : new Date('2026-07-14T22:30:00Z'),
    i % 2 === 0,
    i % 4 === 0 ? null : i % 4 === 1 ? i * 1.25 : String(i * 100 + 0.5), // numeric arrives as text
  ];
}

async function* rowsOf(count: number, failAt?: number): AsyncGenerator<readonly XlsxCell[]> {
  for (let i = 1; i <= count; i++) {
    if (i === failAt) throw new Error(`source failed at row ${i}`);
    yield row(i);
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-xlsx-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The uncompressed entries of a zip (central directory; enough for what archiver writes). */
function unzip(buf: Buffer): Map<string, string> {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const entries = new Map<string, string>();
  let p = buf.readUInt32LE(eocd + 16);
  for (let n = buf.readUInt16LE(eocd + 10); n > 0; n--) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLength = buf.readUInt16LE(p + 28);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLength);
    const local = buf.readUInt32LE(p + 42);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    entries.set(name, (method === 8 ? inflateRawSync(data) : data).toString('utf8'));
    p += 46 + nameLength + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  return entries;
}

describe('writeXlsx', () => {
  const file = path.join(tmp, 'clients.xlsx');
  let sheet: ExcelJS.Worksheet;

  before(async () => {
    await writeXlsx(fs.createWriteStream(file), SHEET, rowsOf(5000));
    const workbook = await new ExcelJS.Workbook().xlsx.readFile(file);
    sheet = workbook.worksheets[0]!;
  });

  it('writes a bold header and every row', () => {
    assert.equal(sheet.name, 'Clients 2026'); // Excel refuses [ ] in a sheet name
    assert.deepEqual((sheet.getRow(1).values as unknown[]).slice(1), ['N°', 'Raison sociale', 'Créé le', 'Actif', 'Honoraires']);
    assert.equal(sheet.getCell('B1').font?.bold, true);
    assert.equal(sheet.rowCount, 5001);
    assert.equal(sheet.getCell('A5001').value, 5000);
  });

  it('types the cells: numbers, text with accents, dates, booleans, amounts', () => {
    assert.equal(sheet.getCell('A2').value, 1);
    assert.equal(sheet.getCell('B2').value, 'Égalité «» 1');
    assert.equal(sheet.getCell('B5001').value, 'Égalité «» 5000');
    // Instants become the day they are in Paris; 'YYYY-MM-DD' is that day.
    const c2 = sheet.getCell('C2').value;
    assert.ok(c2 instanceof Date);
    assert.equal(c2.toISOString(), '2026-07-14T00:00:00.000Z');
    assert.equal((sheet.getCell('C3').value as Date).toISOString(), '2026-07-15T00:00:00.000Z');
    assert.equal((sheet.getCell('C4').value as Date).toISOString(), '2026-11-22T00:00:00.000Z');
    assert.equal(sheet.getCell('C2').numFmt, 'dd/mm/yyyy');
    assert.equal(sheet.getCell('D2').value, false);
    assert.equal(sheet.getCell('D3').value, true);
    assert.equal(sheet.getCell('E2').value, 1.25);
    assert.equal(sheet.getCell('E3').value, 200.5);
    assert.equal(sheet.getCell('E5').value, null);
    assert.ok(sheet.getCell('E2').numFmt?.startsWith('#,##0.00'));
    assert.ok(sheet.getCell('E2').numFmt?.includes('€'));
  });

  it('keeps markup, spaces and emoji as text, dropping what XML cannot hold', () => {
    // exceljs reads "_x005F_" back as is; Excel reads it as "_", so the cell shows "_x0041_".
    assert.equal(sheet.getCell('B3').value, '  <b>Tom & Jerry</b> _x005F_x0041_ 😀');
  });

  it('freezes the header, filters every row and sets the column widths', () => {
    assert.equal(sheet.views[0]?.state, 'frozen');
    assert.equal((sheet.views[0] as ExcelJS.WorksheetViewFrozen).ySplit, 1);
    assert.equal(sheet.autoFilter, 'A1:E5001');
    assert.equal(sheet.getColumn(2).width, 30);
    assert.equal(sheet.getColumn(3).width, 12);
  });

  it('writes inline strings (no shared-strings table), real booleans and the euro format', () => {
    const entries = unzip(fs.readFileSync(file));
    assert.ok(!entries.has('xl/sharedStrings.xml'));
    const xml = entries.get('xl/worksheets/sheet1.xml')!;
    assert.match(xml, /<c r="A1" s="\d+" t="inlineStr"><is><t>N°<\/t><\/is><\/c>/);
    assert.match(xml, /<c r="B2" t="inlineStr"><is><t>Égalité «» 1<\/t><\/is><\/c>/);
    assert.match(xml, /<c r="B3" t="inlineStr"><is><t xml:space="preserve">  &lt;b&gt;Tom &amp; Jerry&lt;\/b&gt; _x005F_x0041_ 😀<\/t><\/is><\/c>/);
    assert.doesNotMatch(xml, /t="s"|t="str"/);
    assert.match(xml, /<c r="D2" t="b"><v>0<\/v><\/c>/);
    assert.match(entries.get('xl/styles.xml')!, /formatCode="#,##0.00\\ &quot;€&quot;"/);
  });

  it('writes an instant as the day it is in Paris, on both sides of a change of time', async () => {
    const paris = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });
    const instants = ['2026-03-28T22:59:59Z', '2026-03-28T23:00:00Z', '2026-03-29T00:59:59Z', '2026-03-29T01:00:00Z', '2026-03-29T21:59:59Z', '2026-03-29T22:00:00Z']
      .concat(['2026-10-24T21:59:59Z', '2026-10-24T22:00:00Z', '2026-10-25T00:59:59Z', '2026-10-25T01:00:00Z', '2026-10-25T22:59:59Z', '2026-10-25T23:00:00Z'])
      .concat(['1905-06-01T23:50:00Z', '1970-01-01T00:00:00Z', '2099-12-31T23:30:00Z'])
      .map((iso) => new Date(iso));
    const small = path.join(tmp, 'days.xlsx');
    async function* days() {
      for (const d of instants) yield [d];
      yield ['pas une date'];
      yield ['2026-02-30'];
    }
    await writeXlsx(fs.createWriteStream(small), { name: 'Jours', columns: [{ header: 'Jour', type: 'date' }] }, days());
    const read = (await new ExcelJS.Workbook().xlsx.readFile(small)).worksheets[0]!;
    instants.forEach((d, i) => assert.equal((read.getCell(i + 2, 1).value as Date).toISOString().slice(0, 10), paris.format(d), d.toISOString()));
    // What does not fit its column is shown as text rather than lost.
    assert.equal(read.getCell(instants.length + 2, 1).value, 'pas une date');
    assert.equal(read.getCell(instants.length + 3, 1).value, '2026-02-30');
  });

  it('writes a date and time as Paris wall-clock time, summer and winter', async () => {
    const instants = [new Date('2026-07-14T21:30:00Z'), new Date('2026-01-05T08:05:00Z'), new Date('2026-10-25T00:30:00Z')];
    const file = path.join(tmp, 'times.xlsx');
    async function* times() {
      for (const d of instants) yield [d];
    }
    await writeXlsx(fs.createWriteStream(file), { name: 'Heures', columns: [{ header: 'Le', type: 'datetime' }] }, times());
    const read = (await new ExcelJS.Workbook().xlsx.readFile(file)).worksheets[0]!;
    // exceljs reads a serial back as if it were UTC: what it shows is the wall-clock time written.
    const wall = instants.map((_, i) => (read.getCell(i + 2, 1).value as Date).toISOString().slice(0, 16));
    assert.deepEqual(wall, ['2026-07-14T23:30', '2026-01-05T09:05', '2026-10-25T02:30']);
    assert.equal(read.getCell(2, 1).numFmt, 'dd/mm/yyyy hh:mm');
  });

  it('rejects, closes the source and destroys the output when the source fails at row 100', async () => {
    const out = fs.createWriteStream(path.join(tmp, 'broken.xlsx'));
    await assert.rejects(writeXlsx(out, SHEET, rowsOf(1000, 100)), /source failed at row 100/);
    assert.equal(out.destroyed, true);
  });

  it('stops reading rows when the output is closed mid-way (the client left)', async () => {
    let read = 0;
    let closed = false;
    async function* endless(): AsyncGenerator<readonly XlsxCell[]> {
      try {
        for (let i = 1; i <= 1_000_000; i++, read++) yield row(i);
      } finally {
        closed = true;
      }
    }
    let received = 0;
    const out = new Writable({
      write(chunk: Buffer, _enc, cb) {
        received += chunk.length;
        cb();
        if (received > 200_000) out.destroy();
      },
    });
    await assert.rejects(writeXlsx(out, SHEET, endless()), /output was closed/);
    assert.equal(closed, true);
    assert.ok(read < 100_000, `read ${read} rows`);
  });

  it('waits for a slow output instead of buffering rows', async () => {
    let read = 0;
    async function* endless(): AsyncGenerator<readonly XlsxCell[]> {
      for (let i = 1; i <= 1_000_000; i++, read++) yield row(i);
    }
    // An output that takes its first chunks and then never acknowledges another.
    let accepted = 0;
    const stuck = new Writable({
      highWaterMark: 16 * 1024,
      write(_chunk, _enc, cb) {
        if (++accepted < 4) cb();
      },
    });
    const done = writeXlsx(stuck, SHEET, endless()).catch((err: Error) => err);
    // Wait until the source stops being read (buffers along the way fill up first).
    let last = -1;
    for (let i = 0; i < 40 && read !== last; i++) {
      last = read;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(read, last, 'the source is paused');
    // A row is ~120 bytes of XML: what is held back is a few hundred kilobytes, not the sheet.
    assert.ok(read < 20_000, `read ${read} rows`);
    stuck.destroy();
    assert.match(String(await done), /output was closed/);
  });
});

describe('sendXlsx', () => {
  const FILENAME = 'Clients « Égalité » "VIP"\r\n.xlsx';
  let endlessClosed: (() => void) | undefined;

  const server = serveDuringSuite(async () => {
    const app = express();
    app.get('/export', async (req, res) => {
      const failAt = req.query.failAt ? Number(req.query.failAt) : undefined;
      await sendXlsx(res, FILENAME, SHEET, rowsOf(Number(req.query.rows ?? 300), failAt));
    });
    app.get('/endless', async (_req, res) => {
      async function* endless(): AsyncGenerator<readonly XlsxCell[]> {
        try {
          for (let i = 1; ; i++) yield row(i);
        } finally {
          endlessClosed?.();
        }
      }
      await sendXlsx(res, 'endless.xlsx', SHEET, endless());
    });
    app.use(errorHandler(createLogger('silent')));
    return app;
  });

  it('sends an attachment with a safe name, not cached, that reads back', async () => {
    const res = await fetch(`${server.base}/export`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), XLSX_CONTENT_TYPE);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const disposition = res.headers.get('content-disposition')!;
    const ascii = /^attachment; filename="([^"]*)"; filename\*=UTF-8''(\S+)$/.exec(disposition);
    assert.ok(ascii, disposition);
    assert.equal(ascii[1], "Clients _ Egalite _ 'VIP'.xlsx");
    assert.equal(decodeURIComponent(ascii[2]!), "Clients « Égalité » 'VIP'.xlsx");
    assert.match(ascii[2]!, /^[A-Za-z0-9!#$&+\-.^_`|~%]+$/);

    const workbook = await new ExcelJS.Workbook().xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ExcelJS.Buffer);
    const sheet = workbook.worksheets[0]!;
    assert.equal(sheet.rowCount, 301);
    assert.equal(sheet.getCell('B301').value, 'Égalité «» 300');
    assert.equal(sheet.autoFilter, 'A1:E301');
  });

  it('leaves a source that fails before its first row to the error page', async () => {
    const res = await fetch(`${server.base}/export?failAt=1`);
    assert.equal(res.status, 500);
    assert.equal(res.headers.get('content-disposition'), null);
    assert.match(await res.text(), /Erreur 500/);
  });

  it('closes the source when the client leaves mid-download', async () => {
    const closed = new Promise<void>((resolve) => (endlessClosed = resolve));
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`${server.base}/endless`, (res) => {
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > 100_000) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
    });
    await closed;
  });

  it('breaks the download when the source fails once it has begun', async () => {
    const res = await fetch(`${server.base}/export?rows=20000&failAt=10000`);
    assert.equal(res.status, 200);
    await assert.rejects(res.arrayBuffer());
    // The server carries on.
    const next = await fetch(`${server.base}/export?rows=10`);
    assert.equal(next.status, 200);
    assert.ok((await next.arrayBuffer()).byteLength > 0);
  });
});
