// Downloads: a ZIP streamed over real HTTP and read back with yauzl (names, duplicates, content,
// compression, failures), and a stored file sent as an attachment.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import express from 'express';
import yauzl from 'yauzl';
import { contentDisposition, sendFileStream } from '../../src/http/attachment.ts';
import { errorHandler } from '../../src/http/middleware/errors.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { DiskStorage } from '../../src/lib/storage/disk.ts';
import { sendZip, ZipNames, type ZipSourceEntry } from '../../src/lib/zip/stream.ts';
import { serveDuringSuite } from '../support/listen.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-zip-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface ReadEntry {
  name: string;
  method: number;
  utf8: boolean;
  content: Buffer;
  mtime: Date;
}

/** Every entry of a ZIP, as an unzip program would see it (yauzl checks sizes and CRCs). */
async function readZip(bytes: Buffer): Promise<ReadEntry[]> {
  const zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true });
  const entries: ReadEntry[] = [];
  for await (const entry of zip.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    entries.push({ name: entry.fileName, method: entry.compressionMethod, utf8: (entry.generalPurposeBitFlag & 0x800) !== 0, content: Buffer.concat(chunks), mtime: entry.getLastModDate() });
  }
  return entries;
}

/** GET with node:http, keeping what arrived and how the response ended. */
function download(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer; complete: boolean }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        const done = () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), complete: res.complete });
        res.on('end', done);
        res.on('error', done);
        res.on('aborted', done);
      })
      .on('error', reject);
  });
}

const MTIME = new Date('2026-03-14T09:26:52Z');

/** The route's error, once its handler has caught it (the client may see the break a moment before). */
async function nextError(errors: unknown[], countBefore: number): Promise<string> {
  for (let i = 0; i < 200 && errors.length <= countBefore; i++) await new Promise((r) => setTimeout(r, 10));
  return String(errors.at(-1));
}
const pdfLike = (n: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(n)]);

describe('ZipNames', () => {
  it('numbers duplicates before the extension, whatever their case', () => {
    const names = new ZipNames();
    assert.deepEqual(
      ['facture.pdf', 'facture.pdf', 'Facture.PDF', 'facture (2).pdf', 'notes', 'notes', '.env', '.env'].map((n) => names.unique(n)),
      ['facture.pdf', 'facture (2).pdf', 'Facture (3).PDF', 'facture (2) (2).pdf', 'notes', 'notes (2)', '.env', '.env (2)'],
    );
  });

  it('keeps folders and accents, and never lets a path climb out or start at the root', () => {
    const names = new ZipNames();
    assert.equal(names.unique('2026/Relevés/janvier.pdf'), '2026/Relevés/janvier.pdf');
    assert.equal(names.unique('../../etc/passwd'), 'etc/passwd');
    assert.equal(names.unique('/absolu/x.txt'), 'absolu/x.txt');
    assert.equal(names.unique('dossier\\sous-dossier\\y.txt'), 'dossier/sous-dossier/y.txt');
    assert.equal(names.unique('C:\\Windows\\z.txt'), 'C_/Windows/z.txt');
    assert.equal(names.unique('a/./b/../c.txt'), 'a/b/c.txt');
    assert.equal(names.unique('Devis "final"?.pdf'), "Devis 'final'_.pdf");
    assert.equal(names.unique('fin.\u202Etxt.exe'), 'fin.txt.exe');
    assert.equal(names.unique('..'), 'file');
    // A file cannot take the name of a folder already in the archive.
    assert.equal(names.unique('2026'), '2026 (2)');
  });
});

describe('sendZip', () => {
  let storage: DiskStorage;
  const stored: { name: string; key: string; content: Buffer }[] = [];
  const routeErrors: unknown[] = [];
  let pulled = 0;
  let maxAhead = 0;
  let opened = 0;
  let closedSource: (() => void) | undefined;

  /** Entries from the storage; `fail` makes entry i fail to open (rejecting or throwing), or fail after 64 KB of reading. */
  async function* fromStorage(count = stored.length, fail?: { at: number; how: 'open' | 'read' | 'throw' }): AsyncGenerator<ZipSourceEntry> {
    try {
      for (let i = 0; i < count; i++) {
        const file = stored[i % stored.length]!;
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - opened);
        const throwing = () => {
          opened++;
          throw new Error(`entry ${i} threw`);
        };
        yield {
          name: file.name,
          mtime: MTIME,
          open: fail?.at === i && fail.how === 'throw' ? throwing : async () => {
            opened++;
            if (fail?.at === i && fail.how === 'open') throw new Error(`cannot open entry ${i}`);
            const { stream } = await storage.open(file.key);
            if (fail?.at !== i) return stream;
            return Readable.from(
              (async function* () {
                let sent = 0;
                for await (const chunk of stream) {
                  yield chunk as Buffer;
                  if ((sent += (chunk as Buffer).length) >= 64 * 1024) throw new Error(`disk error in entry ${i}`);
                }
              })(),
            );
          },
        };
      }
    } finally {
      closedSource?.();
    }
  }

  const server = serveDuringSuite(async () => {
    storage = await DiskStorage.create(path.join(tmp, 'store'));
    const files: [string, Buffer][] = [
      ['Relevé de compte.pdf', pdfLike(300_000)],
      ['2026/Déclarations/TVA « mars ».txt', Buffer.from('Montant dû : 1 234,56 €\n'.repeat(5000))],
      ['facture.pdf', pdfLike(1000)],
      ['facture.pdf', pdfLike(2000)],
      ['Facture.pdf', pdfLike(3000)],
      ['photos/reçu.jpg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), randomBytes(150_000)])],
      ['archive.zip', randomBytes(100_000)],
    ];
    for (const [name, content] of files) stored.push({ name, content, key: (await storage.put(Readable.from([content]), { maxBytes: 10_000_000 })).key });

    const app = express();
    const route = (make: (req: express.Request) => AsyncIterable<ZipSourceEntry>) => async (req: express.Request, res: express.Response) => {
      try {
        await sendZip(res, 'Dossier Émile "2026"', make(req));
      } catch (err) {
        routeErrors.push(err);
        throw err;
      }
    };
    app.get('/zip', route(() => fromStorage()));
    app.get('/many', route((req) => fromStorage(Number(req.query.count))));
    app.get('/fail', route((req) => fromStorage(stored.length, { at: Number(req.query.at), how: req.query.how as 'open' | 'read' | 'throw' })));
    app.use(errorHandler(createLogger('silent')));
    return app;
  });

  it('streams every file as an attachment that reads back identical, with unique UTF-8 names', async () => {
    const res = await download(`${server.base}/zip`);
    assert.equal(res.status, 200);
    assert.equal(res.complete, true);
    assert.equal(res.headers['content-type'], 'application/zip');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['content-disposition'], `attachment; filename="Dossier Emile '2026'.zip"; filename*=UTF-8''Dossier%20%C3%89mile%20%272026%27.zip`);
    const entries = await readZip(res.body);
    assert.deepEqual(
      entries.map((e) => e.name),
      ['Relevé de compte.pdf', '2026/Déclarations/TVA « mars ».txt', 'facture.pdf', 'facture (2).pdf', 'Facture (3).pdf', 'photos/reçu.jpg', 'archive.zip'],
    );
    entries.forEach((e, i) => assert.ok(e.content.equals(stored[i]!.content), e.name));
    assert.ok(entries.every((e) => e.utf8));
    assert.ok(entries.every((e) => e.mtime.getTime() === MTIME.getTime()));
  });

  it('stores PDFs, images and ZIPs as they are and deflates the rest', async () => {
    const entries = await readZip((await download(`${server.base}/zip`)).body);
    assert.deepEqual(
      entries.map((e) => e.method),
      [0, 8, 0, 0, 0, 0, 0],
    );
    const text = (await download(`${server.base}/zip`)).body.length;
    assert.ok(text < stored.reduce((n, f) => n + f.content.length, 0), 'the text entry was compressed');
  });

  it('asks the source for one entry at a time (1,000 files)', async () => {
    pulled = opened = maxAhead = 0;
    const entries = await readZip((await download(`${server.base}/many?count=1000`)).body);
    assert.equal(entries.length, 1000);
    assert.equal(entries[999]!.name, 'photos/reçu (143).jpg');
    assert.ok(maxAhead <= 2, `the source ran ${maxAhead} entries ahead`);
  });

  it('leaves a failure on the first entry to the error handler, before anything is sent', async () => {
    const errorsBefore = routeErrors.length;
    const res = await download(`${server.base}/fail?at=0&how=open`);
    assert.equal(res.status, 500);
    assert.equal(res.headers['content-disposition'], undefined);
    assert.match(res.body.toString(), /Erreur 500/);
    assert.match(await nextError(routeErrors, errorsBefore), /cannot open entry 0/);
  });

  for (const how of ['open', 'read', 'throw'] as const) {
    it(`breaks the download when an entry fails (${how}) once bytes are out`, async () => {
      const closed = new Promise<void>((resolve) => (closedSource = resolve));
      const errorsBefore = routeErrors.length;
      const res = await download(`${server.base}/fail?at=5&how=${how}`);
      assert.equal(res.status, 200);
      assert.equal(res.complete, false, 'the response did not end normally');
      assert.ok(res.body.length > 300_000, `${res.body.length} bytes arrived first`);
      await assert.rejects(readZip(res.body), /end of central directory/i);
      await closed;
      assert.match(await nextError(routeErrors, errorsBefore), { open: /cannot open entry 5/, read: /disk error in entry 5/, throw: /entry 5 threw/ }[how]);
    });
  }

  it('closes the source and the open file when the client leaves, without an error', async () => {
    const errorsBefore = routeErrors.length;
    const closed = new Promise<void>((resolve) => (closedSource = resolve));
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`${server.base}/many?count=1000`, (res) => {
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > 1_000_000) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
    });
    await closed;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(routeErrors.length, errorsBefore);
  });
});

describe('contentDisposition', () => {
  it('keeps the exact name in filename* and an ASCII fallback in filename', () => {
    assert.equal(contentDisposition('Relevé d’honoraires "n°3" (copie).pdf'), `attachment; filename="Releve d'honoraires 'n_3' (copie).pdf"; filename*=UTF-8''Relev%C3%A9%20d%E2%80%99honoraires%20%27n%C2%B03%27%20%28copie%29.pdf`);
  });

  it('drops control and direction characters, replaces path separators, keeps the extension of a long name', () => {
    assert.match(contentDisposition('a\r\nb\u202Efdp.exe'), /^attachment; filename="abfdp.exe";/);
    assert.match(contentDisposition('../../x/y.pdf'), /filename="\.\._\.\._x_y\.pdf"/);
    const long = contentDisposition(`${'é'.repeat(300)}.docx`);
    const exact = decodeURIComponent(/filename\*=UTF-8''(\S+)$/.exec(long)![1]!);
    assert.equal([...exact].length, 150);
    assert.ok(exact.endsWith('.docx'));
    assert.match(contentDisposition('   '), /filename="download"/);
  });
});

describe('sendFileStream', () => {
  let storage: DiskStorage;
  let key: string;
  const content = randomBytes(700_000);
  const routeErrors: unknown[] = [];

  const server = serveDuringSuite(async () => {
    storage = await DiskStorage.create(path.join(tmp, 'downloads'));
    key = (await storage.put(Readable.from([content]), { maxBytes: 1_000_000 })).key;
    const app = express();
    app.all('/file/:key', async (req, res) => {
      const key = String(req.params.key);
      try {
        const size = req.query.size ? Number(req.query.size) : content.length;
        await sendFileStream(res, {
          name: 'Bilan « 2026 ».pdf',
          size,
          mime: 'application/pdf',
          open: async () => {
            const { stream } = await storage.open(key);
            if (!req.query.breakAfter) return stream;
            const limit = Number(req.query.breakAfter);
            return Readable.from(
              (async function* () {
                let sent = 0;
                for await (const chunk of stream) {
                  yield chunk as Buffer;
                  if ((sent += (chunk as Buffer).length) >= limit) throw new Error('read error');
                }
              })(),
            );
          },
        });
      } catch (err) {
        routeErrors.push(err);
        throw err;
      }
    });
    app.use(errorHandler(createLogger('silent')));
    return app;
  });

  it('sends the stored file with its length, type and name, not cached, not sniffed', async () => {
    const res = await download(`${server.base}/file/${key}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], String(content.length));
    assert.equal(res.headers['content-type'], 'application/pdf');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['content-disposition'], `attachment; filename="Bilan _ 2026 _.pdf"; filename*=UTF-8''Bilan%20%C2%AB%202026%20%C2%BB.pdf`);
    assert.ok(res.body.equals(content));
  });

  it('answers HEAD with the headers alone', async () => {
    const res = await fetch(`${server.base}/file/${key}`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(content.length));
  });

  it('leaves a missing file to the error handler (404), and a crafted key too (400)', async () => {
    assert.equal((await download(`${server.base}/file/${'0'.repeat(32)}`)).status, 404);
    assert.equal((await download(`${server.base}/file/..%2F..%2Fetc%2Fpasswd`)).status, 400);
  });

  it('breaks the download on a read error once headers are out', async () => {
    const errorsBefore = routeErrors.length;
    const res = await download(`${server.base}/file/${key}?breakAfter=200000`);
    assert.equal(res.status, 200);
    assert.equal(res.complete, false);
    assert.ok(res.body.length < content.length);
    assert.match(await nextError(routeErrors, errorsBefore), /read error/);
  });

  it('breaks the download when the file is not the size it was said to be', async () => {
    const errorsBefore = routeErrors.length;
    const res = await download(`${server.base}/file/${key}?size=${content.length + 10}`);
    assert.equal(res.complete, false);
    assert.match(await nextError(routeErrors, errorsBefore), /not 700010/);
  });

  it('resolves without an error when the client leaves mid-download', async () => {
    const errorsBefore = routeErrors.length;
    const big = (await storage.put(Readable.from(Array.from({ length: 200 }, () => randomBytes(256 * 1024))), { maxBytes: 100_000_000 })).key;
    await new Promise<void>((resolve) => {
      const req = http.get(`${server.base}/file/${big}?size=${200 * 256 * 1024}`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(routeErrors.length, errorsBefore);
  });
});
