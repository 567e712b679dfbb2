// Sends the outbox: claims due rows with FOR UPDATE SKIP LOCKED (several processes may run it),
// retries failures with exponential backoff, and reclaims rows left "sending" by a crashed process.
import type { Knex } from 'knex';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from '../logger.ts';
import type { MailOutboxRow } from '../../db/tables.ts';

const BATCH = 20;
const MAX_ATTEMPTS = 10;
const LEASE = '2 minutes';

export function backoffMs(attempts: number): number {
  return Math.min(2 ** attempts * 5000, 3600_000);
}

export class MailWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly transport: Transporter;
  private readonly db: Knex;
  private readonly from: string;
  private readonly log: Logger;
  private readonly pollMs: number;

  constructor(db: Knex, smtpUrl: string, from: string, log: Logger, pollMs: number) {
    this.db = db;
    this.from = from;
    this.log = log;
    this.pollMs = pollMs;
    this.transport = nodemailer.createTransport(smtpUrl);
  }

  start(): void {
    this.schedule(0);
  }

  /** Finishes the batch in hand, then stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    this.transport.close();
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
    this.schedule(sent === BATCH ? 0 : this.pollMs);
  }

  /** Sends one batch; returns how many rows it claimed. */
  async sendBatch(): Promise<number> {
    const { rows } = await this.db.raw<{ rows: MailOutboxRow[] }>(
      `UPDATE mail_outbox SET status = 'sending', attempts = attempts + 1, locked_until = now() + interval '${LEASE}'
        WHERE (firm_id, id) IN (
          SELECT firm_id, id FROM mail_outbox
           WHERE (status = 'pending' AND next_attempt_at <= now()) OR (status = 'sending' AND locked_until < now())
           ORDER BY next_attempt_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
        RETURNING *`,
    );
    for (const mail of rows) await this.deliver(mail);
    return rows.length;
  }

  private async deliver(mail: MailOutboxRow) {
    const where = { firmId: mail.firmId, id: mail.id };
    try {
      await this.transport.sendMail({
        from: this.from,
        to: mail.recipient,
        subject: mail.subject,
        text: mail.textBody,
        ...(mail.htmlBody ? { html: mail.htmlBody } : {}),
        ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
        // Stable across retries: a receiver that saw it already can drop a duplicate.
        messageId: `<outbox-${mail.id}.${mail.firmId}@passerelle>`,
      });
      await this.db('mailOutbox').where(where).update({ status: 'sent', sentAt: new Date(), lockedUntil: null, lastError: null });
      this.log.info({ mailId: mail.id, firmId: mail.firmId, kind: mail.kind }, 'mail sent');
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
      this.log.warn({ mailId: mail.id, firmId: mail.firmId, attempts: mail.attempts, err: (err as Error).message }, failed ? 'mail failed for good' : 'mail will be retried');
    }
  }
}
