// Disk storage in real directories, and the upload engine behind a real Express server fed real
// multipart requests: what is stored, what is refused, and that a failure leaves nothing on disk.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import express from 'express';
import { PDFDocument } from 'pdf-lib';
import yazl from 'yazl';
import { DiskStorage, FileTooLarge, InvalidStorageKey, StoredFileMissing, UploadInterrupted } from '../../src/lib/storage/disk.ts';
import { UploadEngine, type ReceiveResult, type UploadPolicy } from '../../src/lib/storage/uploadEngine.ts';
import { serveDuringSuite } from '../support/listen.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-storage-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let dirs = 0;
const freshStorage = () => DiskStorage.create(path.join(tmp, `store-${++dirs}`));

/** Every file under the storage root, temporaries included (relative paths). */
function filesIn(storage: DiskStorage): string[] {
  return (fs.readdirSync(storage.root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.relative(storage.root, path.join(d.parentPath, d.name)))
    .sort();
}

async function* chunks(total: number, size = 64 * 1024, failAfter?: number): AsyncGenerator<Buffer> {
  for (let sent = 0; sent < total; sent += size) {
    if (failAfter !== undefined && sent >= failAfter) throw new Error('source broke off');
    yield Buffer.alloc(Math.min(size, total - sent), sent % 251);
  }
}

async function pdfBytes(pages = 1): Promise<Buffer> {
  const doc = await PDFDocument.create();
  for (let i = 0; i < pages; i++) doc.addPage().drawText(`Page ${i + 1} — relevé`);
  return Buffer.from(await doc.save());
}

/** A PDF padded to `size` bytes (comments after %%EOF are harmless): still a PDF by its first bytes. */
async function pdfOfSize(size: number): Promise<Buffer> {
  const pdf = await pdfBytes();
  return Buffer.concat([pdf, Buffer.alloc(size - pdf.length, 0x25)]);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('DiskStorage', () => {
  it('stores a stream under a random sharded key, with its size and SHA-256, and reads it back', async () => {
    const storage = await freshStorage();
    const content = Buffer.concat(await collect(chunks(300_000)));
    const stored = await storage.put(chunks(300_000), { maxBytes: 1_000_000 });
    assert.match(stored.key, /^[0-9a-f]{32}$/);
    assert.equal(stored.size, 300_000);
    assert.equal(stored.sha256, sha256(content));
    assert.deepEqual(filesIn(storage), [path.join(stored.key.slice(0, 2), stored.key.slice(2, 4), stored.key)]);
    assert.equal((fs.statSync(storage.pathOf(stored.key)).mode & 0o777).toString(8), '600');

    const { stream, size } = await storage.open(stored.key);
    assert.equal(size, 300_000);
    assert.ok(Buffer.concat(await collect(stream)).equals(content));
    assert.equal(await storage.has(stored.key), true);
    assert.deepEqual(await collect(storage.listKeys()), [stored.key]);

    assert.equal(await storage.remove(stored.key), true);
    assert.equal(await storage.remove(stored.key), false);
    assert.equal(await storage.has(stored.key), false);
    await assert.rejects(storage.open(stored.key), StoredFileMissing);
  });

  it('lists every key across shards and nothing else', async () => {
    const storage = await freshStorage();
    const keys = [];
    for (let i = 0; i < 20; i++) keys.push((await storage.put(Readable.from([Buffer.from(`file ${i}`)]), { maxBytes: 100 })).key);
    fs.writeFileSync(path.join(storage.root, 'README'), 'not a key');
    fs.writeFileSync(path.join(storage.root, '.tmp', 'abc.part'), 'a temporary');
    assert.deepEqual((await collect(storage.listKeys())).sort(), keys.sort());
  });

  it('refuses crafted keys before touching the disk', async () => {
    const storage = await freshStorage();
    for (const key of ['../../../etc/passwd', 'ab/cd/ef', '', '0'.repeat(31), 'A'.repeat(32), `${'0'.repeat(30)}..`, `${'0'.repeat(32)}/`, '.tmp']) {
      assert.throws(() => storage.pathOf(key), InvalidStorageKey, key);
      await assert.rejects(storage.open(key), InvalidStorageKey);
      await assert.rejects(storage.remove(key), InvalidStorageKey);
      await assert.rejects(storage.has(key), InvalidStorageKey);
    }
  });

  it('refuses a file over maxBytes with its own error and leaves nothing behind', async () => {
    const storage = await freshStorage();
    const err = await storage.put(chunks(200_000), { maxBytes: 100_000 }).catch((e: unknown) => e);
    assert.ok(err instanceof FileTooLarge);
    assert.equal(err.maxBytes, 100_000);
    assert.equal(err.status, 413);
    assert.deepEqual(filesIn(storage), []);
    // Exactly the limit is fine.
    assert.equal((await storage.put(chunks(100_000), { maxBytes: 100_000 })).size, 100_000);
  });

  it('removes the temporary file when the source breaks off halfway', async () => {
    const storage = await freshStorage();
    const err = await storage.put(chunks(500_000, 64 * 1024, 200_000), { maxBytes: 1_000_000 }).catch((e: unknown) => e);
    assert.ok(err instanceof UploadInterrupted, String(err));
    assert.match(String((err.cause as Error).message), /source broke off/);
    assert.deepEqual(filesIn(storage), []);
  });

  it('lets the head be inspected before anything is written, and a verify step refuse the whole file', async () => {
    const storage = await freshStorage();
    const seen: [number, boolean][] = [];
    const refused = storage.put(chunks(300_000, 10_000), {
      maxBytes: 1_000_000,
      inspectHead: {
        bytes: 64 * 1024,
        check: (head, complete) => {
          seen.push([head.length, complete]);
          assert.deepEqual(filesIn(storage).filter((f) => fs.statSync(path.join(storage.root, f)).size > 0), []);
          throw new Error('not this type');
        },
      },
    });
    await assert.rejects(refused, /not this type/);
    assert.deepEqual(seen, [[64 * 1024, false]]);
    assert.deepEqual(filesIn(storage), []);

    const short: [number, boolean][] = [];
    await storage.put(Readable.from([Buffer.from('short')]), { maxBytes: 100, inspectHead: { bytes: 1024, check: (h, c) => void short.push([h.length, c]) } });
    assert.deepEqual(short, [[5, true]]);

    const verified = storage.put(chunks(1000), {
      maxBytes: 10_000,
      verify: (tempPath, file) => {
        assert.equal(fs.statSync(tempPath).size, 1000);
        assert.equal(file.size, 1000);
        throw new Error('bomb');
      },
    });
    await assert.rejects(verified, /bomb/);
    assert.equal(filesIn(storage).length, 1); // only the short file
  });

  it('removes temporaries older than the given age, and only those', async () => {
    const storage = await freshStorage();
    const old = path.join(storage.root, '.tmp', 'crashed.part');
    const recent = path.join(storage.root, '.tmp', 'uploading.part');
    fs.writeFileSync(old, 'left by a crash');
    fs.writeFileSync(recent, 'being written');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(old, twoHoursAgo, twoHoursAgo);
    assert.equal(await storage.removeTemporaries(3600_000), 1);
    assert.deepEqual(filesIn(storage), [path.join('.tmp', 'uploading.part')]);
  });

  it('refuses a root inside public/', async () => {
    const publicDir = path.resolve(import.meta.dirname, '../../public');
    await assert.rejects(DiskStorage.create(path.join(publicDir, 'uploads-test-never-created')), /must not be under public/);
    fs.rmSync(path.join(publicDir, 'uploads-test-never-created'), { recursive: true, force: true });
  });

  it('reports a full disk as StorageFull and frees what it wrote (a 1 MB tmpfs in a private mount namespace)', async (t) => {
    const root = path.join(tmp, 'tiny');
    fs.mkdirSync(root);
    const disk = pathToFileURL(path.resolve(import.meta.dirname, '../../src/lib/storage/disk.ts')).href;
    const child = `
      import { Readable } from 'node:stream';
      import fs from 'node:fs';
      const { DiskStorage, StorageFull } = await import(${JSON.stringify(disk)});
      const storage = await DiskStorage.create(process.env.ROOT);
      async function* bytes(n) { for (let i = 0; i < n; i += 65536) yield Buffer.alloc(65536, 1); }
      const err = await storage.put(bytes(3 * 1024 * 1024), { maxBytes: 10 * 1024 * 1024 }).catch((e) => e);
      const left = fs.readdirSync(process.env.ROOT, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).length;
      const after = await storage.put(bytes(512 * 1024), { maxBytes: 10 * 1024 * 1024 });
      console.log(JSON.stringify({ full: err instanceof StorageFull, status: err.status, cause: err.cause?.code, left, after: after.size }));
    `;
    const run = spawnSync('unshare', ['-Urm', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs "$ROOT" && exec "$NODE" --input-type=module -e "$CODE"'], {
      env: { ...process.env, ROOT: root, NODE: process.execPath, CODE: child },
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (run.error || /unshare|mount/.test(run.stderr ?? '')) return t.skip(`no private tmpfs here: ${run.error?.message ?? run.stderr.trim()}`);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { full: true, status: 507, cause: 'ENOSPC', left: 0, after: 512 * 1024 });
  });
});

// --- the upload engine through HTTP ---------------------------------------------------------------

const POLICY: UploadPolicy = { maxBytes: 1024 * 1024, kinds: ['pdf', 'image', 'office', 'text', 'zip'] };

describe('UploadEngine', () => {
  let storage: DiskStorage;
  let engine: UploadEngine;
  /** Results of receive(), in order, and a way to wait for the next one. */
  const outcomes: ReceiveResult[] = [];
  let onOutcome: (() => void) | undefined;
  let policy: UploadPolicy | undefined;

  const server = serveDuringSuite(() => {
    const app = express();
    app.post('/upload', async (req, res) => {
      const result = await engine.receive(req, res, { field: 'files', maxFiles: 5, ...(policy ? { policy } : {}) });
      outcomes.push(result);
      onOutcome?.();
      if (result.ok) res.json({ files: result.files, body: req.body });
      else res.status(result.status).json({ error: result.error });
    });
    return app;
  });

  async function fresh(p?: UploadPolicy) {
    storage = await freshStorage();
    engine = new UploadEngine(storage, POLICY);
    policy = p;
  }

  async function upload(files: [Buffer, string][], fields: Record<string, string> = {}) {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    for (const [bytes, name] of files) form.append('files', new Blob([new Uint8Array(bytes)]), name);
    const res = await fetch(`${server.base}/upload`, { method: 'POST', body: form });
    return { status: res.status, body: (await res.json()) as { files?: Record<string, unknown>[]; error?: { key: string; params?: object }; body?: object } };
  }

  it('stores a PDF with its key, size, hash, detected type and original name', async () => {
    await fresh();
    const pdf = await pdfBytes(3);
    const { status, body } = await upload([[pdf, 'Relevé d’honoraires "2026".pdf']], { folder: 'Factures' });
    assert.equal(status, 200);
    const [file] = body.files!;
    assert.equal(file!.originalName, 'Relevé d’honoraires "2026".pdf');
    assert.equal(file!.size, pdf.length);
    assert.equal(file!.sha256, sha256(pdf));
    assert.equal(file!.mime, 'application/pdf');
    assert.equal(file!.ext, 'pdf');
    assert.equal(file!.kind, 'pdf');
    assert.equal(file!.field, 'files');
    assert.deepEqual(body.body, { folder: 'Factures' });
    assert.ok(fs.readFileSync(storage.pathOf(file!.key as string)).equals(pdf));
    assert.deepEqual(filesIn(storage), [path.relative(storage.root, storage.pathOf(file!.key as string))]);
  });

  it('stores several files of different kinds, in the order sent', async () => {
    await fresh();
    const csv = Buffer.from('Client;Montant\nDupont;12,50 €\n');
    const docx = await zipBuffer([['[Content_Types].xml', '<Types><Override ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'], ['word/document.xml', '<w:document/>']]);
    const { status, body } = await upload([[await pdfBytes(), 'a.pdf'], [csv, 'b.csv'], [docx, 'c.docx']]);
    assert.equal(status, 200);
    assert.deepEqual(body.files!.map((f) => [f.originalName, f.kind, f.ext, f.charset]), [['a.pdf', 'pdf', 'pdf', undefined], ['b.csv', 'text', 'csv', 'utf-8'], ['c.docx', 'office', 'docx', undefined]]);
    assert.equal(filesIn(storage).length, 3);
  });

  it('takes a .docx whose [Content_Types].xml comes after the first 64 KB for Word, from its central directory', async () => {
    await fresh();
    const docx = await zipBuffer([['word/media/image1.png', randomBytes(100_000), false], ['word/document.xml', '<w:document/>'], ['[Content_Types].xml', '<Types/>']]);
    const { status, body } = await upload([[docx, 'rapport.docx']]);
    assert.equal(status, 200);
    assert.deepEqual([body.files![0]!.kind, body.files![0]!.ext], ['office', 'docx']);
  });

  it('refuses a file over the limit and removes the files of the request already stored', async () => {
    await fresh();
    const { status, body } = await upload([[await pdfBytes(), 'ok.pdf'], [await pdfOfSize(1024 * 1024 + 1), 'big.pdf']]);
    assert.equal(status, 413);
    assert.deepEqual(body.error, { key: 'validation.fileTooLarge', params: { max: 1024 } });
    assert.deepEqual(filesIn(storage), []);
  });

  it('refuses a program renamed .pdf, and removes the rest of the request', async () => {
    await fresh();
    const exe = Buffer.alloc(100_000);
    exe.write('MZ', 0, 'latin1');
    exe.writeUInt32LE(0x80, 0x3c);
    exe.write('PE\0\0', 0x80, 'latin1');
    const { status, body } = await upload([[await pdfBytes(), 'vraie.pdf'], [exe, 'facture.pdf']]);
    assert.equal(status, 415);
    assert.deepEqual(body.error, { key: 'validation.fileType' });
    assert.deepEqual(filesIn(storage), []);
  });

  it('refuses an empty file, and a request without a file', async () => {
    await fresh();
    const empty = await upload([[Buffer.alloc(0), 'vide.pdf']]);
    assert.deepEqual([empty.status, empty.body.error], [400, { key: 'validation.fileEmpty' }]);
    const none = await upload([], { folder: 'x' });
    assert.deepEqual([none.status, none.body.error], [400, { key: 'validation.fileMissing' }]);
    assert.deepEqual(filesIn(storage), []);
  });

  it('applies the firm’s narrower policy', async () => {
    await fresh({ maxBytes: 1024 * 1024, kinds: ['pdf'] });
    const { status } = await upload([[Buffer.from('texte simple\n'), 'notes.txt']]);
    assert.equal(status, 415);
    assert.deepEqual(filesIn(storage), []);
  });

  it('refuses a ZIP bomb (100:1) and stores an ordinary ZIP', async () => {
    await fresh({ ...POLICY, maxBytes: 5 * 1024 * 1024 });
    const bomb = await zipBuffer([['zeros.bin', Buffer.alloc(60 * 1024 * 1024)]]);
    const refused = await upload([[bomb, 'archive.zip']]);
    assert.deepEqual([refused.status, refused.body.error], [422, { key: 'validation.zipRefused', params: { reason: 'ratio' } }]);
    assert.deepEqual(filesIn(storage), []);
    const fine = await upload([[await zipBuffer([['a.pdf', await pdfBytes(), false]]), 'pièces.zip']]);
    assert.equal(fine.status, 200);
    assert.equal(fine.body.files![0]!.kind, 'zip');
  });

  it('leaves nothing on disk when the client goes away halfway through the second file', async () => {
    await fresh();
    const boundary = `----passerelle${randomBytes(8).toString('hex')}`;
    const part = (name: string) => `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\nContent-Type: application/pdf\r\n\r\n`;
    const first = await pdfBytes();
    const second = await pdfOfSize(900_000);
    const outcome = new Promise<void>((resolve) => (onOutcome = resolve));
    const req = http.request(`${server.base}/upload`, { method: 'POST', headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': 2_000_000 } });
    req.on('error', () => {});
    req.write(Buffer.concat([Buffer.from(part('un.pdf')), first, Buffer.from(`\r\n${part('deux.pdf')}`), second.subarray(0, 400_000)]));
    // Wait until the server holds the first file and is writing the second one.
    await until(() => filesIn(storage).some((f) => !f.startsWith('.tmp')) && filesIn(storage).some((f) => f.startsWith('.tmp')));
    req.destroy();
    await outcome;
    assert.equal(outcomes.at(-1)!.ok, false);
    assert.deepEqual(filesIn(storage), []);
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function zipBuffer(entries: [string, string | Buffer, boolean?][]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content, compress] of entries) zip.addBuffer(Buffer.from(content), name, { compress: compress ?? true });
  zip.end();
  return collect(zip.outputStream as AsyncIterable<Buffer>).then((parts) => Buffer.concat(parts));
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
