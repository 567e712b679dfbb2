// The outbox at volume (issue 5): 10,000 emails queued by the app's own enqueueMail, sent by the
// real MailWorker to a local SMTP server (bench/smtp-sink.ts, in its own process), timed from the
// worker's start to the last row marked sent. Then checked: every row 'sent', and the server got
// each row's Message-ID exactly once (none lost, none sent twice).
//
// Three passes. The worker's transport, from SMTP_URL as given, opens one SMTP connection per
// email, and the server (smtp-server, as in the tests; Postfix's postscreen does the same) waits
// 100 ms before its greeting to catch clients that talk too soon: that pass sends 1,000 emails,
// enough for its rate. Then SMTP_URL with `?pool=true` (nodemailer keeps its connections open),
// 10,000 emails with one worker, as one app process runs it, and 10,000 with two at once on the
// same outbox, as two app processes would (claims by FOR UPDATE SKIP LOCKED).
//
// Its own database (the worker sends every firm's pending mail: the app's demo mail stays out of
// the count), ten firms of a thousand emails each, all through the platform's server.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { APP_ROLE, WORKER_ROLE, createKnex } from '../src/db/knex.ts';
import { migrateLatest } from '../src/db/migrate.ts';
import { withFirm } from '../src/db/withFirm.ts';
import { createI18n } from '../src/lib/i18n/index.ts';
import { createLogger } from '../src/lib/logger.ts';
import { composeMail, enqueueMail } from '../src/lib/mail/outbox.ts';
import { MailWorker } from '../src/lib/mail/worker.ts';

export const EMAILS = 10_000;
const FIRMS = 10;
const PASS_TIMEOUT_MS = 15 * 60_000;

export interface OutboxResult {
  workers: number;
  /** SMTP_URL as given (a connection per email) or with ?pool=true. */
  pooled: boolean;
  emails: number;
  seconds: number;
  perSecond: number;
  sent: number;
  /** Rows not 'sent' at the end (pending, sending or failed). */
  unsent: number;
  /** Rows whose Message-ID the server never got. */
  lost: number;
  /** Messages the server got more than once, and messages that match no row. */
  duplicated: number;
  unexpected: number;
  /** Rows that needed more than one attempt. */
  retried: number;
  ok: boolean;
}

export async function benchOutbox(adminUrl: string, opts: { emails?: number; log?: (msg: string) => void } = {}): Promise<OutboxResult[]> {
  const emails = opts.emails ?? EMAILS;
  const log = opts.log ?? (() => {});
  const dbName = `passerelle_bench_outbox_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
  const sink = fork(path.join(path.dirname(new URL(import.meta.url).pathname), 'smtp-sink.ts'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const owner = createKnex({ url, poolMax: 2 });
  const app = createKnex({ url, role: APP_ROLE, poolMax: 4 });
  // Superuser (or owner) connection: sees every firm's rows, to watch and check the outbox.
  const watch = new pg.Client({ connectionString: url });
  try {
    const smtpUrl = await new Promise<string>((resolve, reject) => {
      sink.once('message', (m: { url: string }) => resolve(m.url));
      sink.once('exit', (code) => reject(new Error(`smtp-sink exited (${code})`)));
    });
    await migrateLatest(owner);
    await watch.connect();
    const slugs = Array.from({ length: FIRMS }, (_, i) => `outbox-${String(i + 1).padStart(2, '0')}`);
    const { rows: firms } = await watch.query<{ id: string; slug: string }>(
      `INSERT INTO firms (slug, name, site_name, legal_name, address, postcode, city, phone, email, modules)
       SELECT slug, 'Cabinet ' || slug, 'Cabinet ' || slug, 'Société d''expertise comptable', '1 place de la République', '31000', 'Toulouse', '05 00 00 00 00',
              'contact@' || slug || '.example', ARRAY['clients', 'mail']
       FROM unnest($1::text[]) AS slug RETURNING id, slug`,
      [slugs],
    );
    const i18n = await createI18n();
    const t = i18n.getFixedT('fr');
    const results: OutboxResult[] = [];
    const passes = [
      { workers: 1, pooled: false, emails: Math.min(emails, Number(process.env.OUTBOX_UNPOOLED_EMAILS ?? 1000)) },
      { workers: 1, pooled: true, emails },
      { workers: 2, pooled: true, emails },
    ];
    for (const { workers, pooled, emails } of passes) {
      // Queued as the app queues them: composeMail from the catalogue, enqueueMail in a firm transaction.
      const queued = performance.now();
      for (const [f, firm] of firms.entries()) {
        const perFirm = Math.floor(emails / FIRMS) + (f < emails % FIRMS ? 1 : 0);
        for (let from = 0; from < perFirm; from += 250) {
          await withFirm(app, firm.id, async (trx) => {
            for (let i = from; i < Math.min(perFirm, from + 250); i++) {
              const n = `${results.length + 1}-${f + 1}-${i + 1}`;
              await enqueueMail(trx, firm.id, composeMail(t, `collaborateur.${n}@${firm.slug}.example`, 'courriers:mail.arrived', {
                client: `SARL Boulangerie n° ${n}`, type: 'Question', objet: `Examen de cohérence 2025 : marge brute (${n})`,
                cabinet: `Cabinet ${firm.slug}`, lien: `https://${firm.slug}.passerelle.example/mail`,
              }));
            }
          });
        }
      }
      log(`outbox: ${emails.toLocaleString('en')} emails queued in ${((performance.now() - queued) / 1000).toFixed(1)} s; sending with ${workers} worker${workers > 1 ? 's' : ''}${pooled ? ', pooled' : ''}`);
      sink.send('reset');
      results.push(await sendAll(url, pooled ? `${smtpUrl}?pool=true` : smtpUrl, watch, sink, workers, emails, log));
      // The next pass counts only its own rows.
      await watch.query(`DELETE FROM mail_outbox`);
    }
    return results;
  } finally {
    await watch.end().catch(() => {});
    await app.destroy();
    await owner.destroy();
    sink.kill('SIGTERM');
    await new Promise((r) => (sink.exitCode !== null ? r(null) : sink.once('exit', r)));
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

async function sendAll(url: string, smtpUrl: string, watch: pg.Client, sink: ReturnType<typeof fork>, workers: number, emails: number, log: (msg: string) => void): Promise<OutboxResult> {
  const silent = createLogger('silent');
  // As boot.ts builds it: its own pool of two connections as the worker role.
  const pools = Array.from({ length: workers }, () => createKnex({ url, role: WORKER_ROLE, poolMax: 2 }));
  const running = pools.map((db) => new MailWorker(db, { smtpUrl, from: 'Passerelle <ne-pas-repondre@passerelle.localhost>', secret: randomBytes(32).toString('hex'), log: silent, pollMs: 1000, allowPrivateHosts: true }));
  const started = performance.now();
  for (const w of running) w.start();
  let seconds = NaN;
  let lastLog = started;
  try {
    for (;;) {
      const { rows } = await watch.query<{ n: number }>(`SELECT count(*)::int AS n FROM mail_outbox WHERE status IN ('pending', 'sending')`);
      const now = performance.now();
      if (rows[0]!.n === 0) {
        seconds = (now - started) / 1000;
        break;
      }
      if (now - started > PASS_TIMEOUT_MS) break;
      if (now - lastLog > 10_000) {
        log(`outbox: ${(emails - rows[0]!.n).toLocaleString('en')} sent after ${Math.round((now - started) / 1000)} s`);
        lastLog = now;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await Promise.all(running.map((w) => w.stop()));
    await Promise.all(pools.map((db) => db.destroy()));
  }
  const { rows } = await watch.query<{ id: string; firm_id: string; status: string; attempts: number }>('SELECT id, firm_id, status, attempts FROM mail_outbox');
  const received = await new Promise<string[]>((resolve) => {
    sink.once('message', (m: { messageIds: string[] }) => resolve(m.messageIds));
    sink.send('report');
  });
  const times = new Map<string, number>();
  for (const id of received) times.set(id, (times.get(id) ?? 0) + 1);
  const expected = new Set(rows.map((r) => `<outbox-${r.id}.${r.firm_id}@passerelle>`));
  const sent = rows.filter((r) => r.status === 'sent').length;
  const result: OutboxResult = {
    workers,
    pooled: smtpUrl.includes('pool=true'),
    emails: rows.length,
    seconds,
    perSecond: rows.length / seconds,
    sent,
    unsent: rows.length - sent,
    lost: [...expected].filter((id) => !times.has(id)).length,
    duplicated: [...times.values()].reduce((n, k) => n + (k > 1 ? k - 1 : 0), 0),
    unexpected: [...times.keys()].filter((id) => !expected.has(id)).length,
    retried: rows.filter((r) => r.attempts > 1).length,
    ok: false,
  };
  result.ok = result.emails === emails && result.unsent === 0 && result.lost === 0 && result.duplicated === 0 && result.unexpected === 0 && Number.isFinite(seconds);
  return result;
}

export function printOutbox(results: OutboxResult[]): string[] {
  return [
    'outbox — emails to a local SMTP server through MailWorker',
    ['workers', 'SMTP_URL', 'emails', 'seconds', 'emails/s', 'sent', 'unsent', 'lost', 'duplicated', 'unexpected', 'retried', 'verdict'].map((c) => c.padEnd(11)).join(''),
    ...results.map((r) =>
      [r.workers, r.pooled ? '?pool=true' : 'as given', r.emails, r.seconds.toFixed(1), r.perSecond.toFixed(0), r.sent, r.unsent, r.lost, r.duplicated, r.unexpected, r.retried, r.ok ? 'PASS' : 'FAIL'].map((c) => String(c).padEnd(11)).join(''),
    ),
  ];
}
