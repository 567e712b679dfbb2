// Sends the outbox: claims due rows with FOR UPDATE SKIP LOCKED (several processes may run it),
// retries failures with exponential backoff, and reclaims rows left "sending" by a crashed process.
// Each firm's mail goes through the firm's own SMTP server when it set one ("Serveur d'envoi"),
// else through the platform's (SMTP_URL); with neither, it waits in the outbox.
import type { Knex } from 'knex';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from '../logger.ts';
import type { MailOutboxRow } from '../../db/tables.ts';
import type { FirmSmtpSettingsRow } from '../../db/emailTables.ts';
import { senderOf, transportOptions } from './smtpSettings.ts';
import net from 'node:net';
import { smtpAddressOf } from './smtpHost.ts';

const BATCH = 20;
const MAX_ATTEMPTS = 10;
const LEASE = '2 minutes';

export function backoffMs(attempts: number): number {
  return Math.min(2 ** attempts * 5000, 3600_000);
}

export interface MailWorkerOptions {
  /** The platform's server, for firms without their own; none: only those firms' mail goes. */
  smtpUrl?: string;
  from: string;
  /** Opens the firms' SMTP passwords (see smtpSettings.ts). */
  secret: string;
  log: Logger;
  pollMs: number;
  /** Whether a firm's server may be on a private or local address (development and tests only). */
  allowPrivateHosts: boolean;
}

type Route = { transport: Transporter; from: string | { name: string; address: string } };

export class MailWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly platform: Transporter | undefined;
  /** One transport per firm server, rebuilt when the firm saves its settings again. */
  private readonly firmTransports = new Map<string, { updatedAt: number; transport: Transporter }>();
  private readonly db: Knex;
  private readonly opts: MailWorkerOptions;
  private readonly log: Logger;

  constructor(db: Knex, opts: MailWorkerOptions) {
    this.db = db;
    this.opts = opts;
    this.log = opts.log;
    this.platform = opts.smtpUrl ? nodemailer.createTransport(opts.smtpUrl) : undefined;
  }

  start(): void {
    this.schedule(0);
  }

  /** Finishes the batch in hand, then stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    this.platform?.close();
    for (const { transport } of this.firmTransports.values()) transport.close();
    this.firmTransports.clear();
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => (this.running = undefined));
    }, ms);
  }

  private async tick() {
    let sent = 0;
    try {
      sent = await this.sendBatch();
    } catch (err) {
      this.log.error({ err }, 'mail worker: batch failed');
    }
    this.schedule(sent === BATCH ? 0 : this.opts.pollMs);
  }

  /** Sends one batch; returns how many rows it claimed. */
  async sendBatch(): Promise<number> {
    // Without a platform server, only the mail of firms with their own server can leave.
    const sendable = this.platform ? '' : 'AND firm_id IN (SELECT firm_id FROM firm_smtp_settings)';
    const { rows } = await this.db.raw<{ rows: MailOutboxRow[] }>(
      `UPDATE mail_outbox SET status = 'sending', attempts = attempts + 1, locked_until = now() + interval '${LEASE}'
        WHERE (firm_id, id) IN (
          SELECT firm_id, id FROM mail_outbox
           WHERE ((status = 'pending' AND next_attempt_at <= now()) OR (status = 'sending' AND locked_until < now())) ${sendable}
           ORDER BY next_attempt_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
        RETURNING *`,
    );
    if (!rows.length) return 0;
    const firmIds = [...new Set(rows.map((r) => r.firmId))];
    const settings = new Map((await this.db('firmSmtpSettings').whereIn('firmId', firmIds)).map((s) => [s.firmId, s]));
    for (const firmId of firmIds) if (!settings.has(firmId)) this.dropFirmTransport(firmId);
    for (const mail of rows) await this.deliver(mail, settings.get(mail.firmId));
    return rows.length;
  }

  /** The firm's server and sender, or the platform's. Throws when neither can send. */
  private async routeFor(firmId: string, s: FirmSmtpSettingsRow | undefined): Promise<Route> {
    if (!s) {
      if (!this.platform) throw new Error('no SMTP server: neither the firm nor the platform has one');
      return { transport: this.platform, from: this.opts.from };
    }
    const cached = this.firmTransports.get(firmId);
    if (cached && cached.updatedAt === s.updatedAt.getTime()) return { transport: cached.transport, from: senderOf(s) };
    const options = transportOptions(s, this.opts.secret);
    const address = await smtpAddressOf(s.host, this.opts.allowPrivateHosts);
    // The address checked, with the host's name for its TLS certificate.
    const transport = nodemailer.createTransport({ ...options, host: address, ...(net.isIP(s.host) ? {} : { tls: { servername: s.host } }) });
    cached?.transport.close();
    this.firmTransports.set(firmId, { updatedAt: s.updatedAt.getTime(), transport });
    return { transport, from: senderOf(s) };
  }

  private dropFirmTransport(firmId: string) {
    this.firmTransports.get(firmId)?.transport.close();
    this.firmTransports.delete(firmId);
  }

  private async deliver(mail: MailOutboxRow, settings: FirmSmtpSettingsRow | undefined) {
    const where = { firmId: mail.firmId, id: mail.id };
    try {
      const { transport, from } = await this.routeFor(mail.firmId, settings);
      await transport.sendMail({
        from,
        to: mail.recipient,
        subject: mail.subject,
        text: mail.textBody,
        ...(mail.htmlBody ? { html: mail.htmlBody } : {}),
        ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
        // Stable across retries: a receiver that saw it already can drop a duplicate.
        messageId: `<outbox-${mail.id}.${mail.firmId}@passerelle>`,
      });
      await this.db('mailOutbox').where(where).update({ status: 'sent', sentAt: new Date(), lockedUntil: null, lastError: null });
      this.log.info({ mailId: mail.id, firmId: mail.firmId, kind: mail.kind, firmServer: Boolean(settings) }, 'mail sent');
    } catch (err) {
      const failed = mail.attempts >= MAX_ATTEMPTS;
      await this.db('mailOutbox')
        .where(where)
        .update({
          status: failed ? 'failed' : 'pending',
          lockedUntil: null,
          lastError: String((err as Error).message ?? err).slice(0, 500),
          nextAttemptAt: new Date(Date.now() + backoffMs(mail.attempts)),
        });
      this.log.warn({ mailId: mail.id, firmId: mail.firmId, attempts: mail.attempts, firmServer: Boolean(settings), err: (err as Error).message }, failed ? 'mail failed for good' : 'mail will be retried');
    }
  }
}
