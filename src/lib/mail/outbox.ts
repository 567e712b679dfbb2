// Emails leave through the database: a row written in the transaction of the change that causes
// it, sent later by the worker. A rolled-back change sends nothing; an SMTP outage loses nothing.
import type { FirmTrx } from '../../db/withFirm.ts';
import { isLocale, type Locale, type TFunction } from '../i18n/index.ts';
import { fillTags, kindSpec } from './templates.ts';

export interface Mail {
  to: string;
  kind: string; // a key of the mail catalogue: mail:<kind>.subject / mail:<kind>.body
  subject: string;
  text: string;
  html: string;
  replyTo?: string;
  /**
   * How composeMail wrote it: the language, the tags and the footer, so that enqueueMail can write
   * it again from the firm's own template (K1) with the same values. Absent for written mail.
   */
  composed?: { lang: Locale; tags: Readonly<Record<string, string>>; footer: string };
}

/**
 * Builds an email from the catalogue, filling its {{tags}}: `kind` 'passwordReset' is mail:passwordReset
 * (locales/<lang>/mail.json); a module's own, 'clients:mail.listUpdates', lives in its catalogue.
 * A firm that rewrote this kind of email gets its own text instead, when the mail is queued.
 */
export function composeMail(t: TFunction, to: string, kind: string, tags: Record<string, string>): Mail {
  const key = kind.includes(':') ? kind : `mail:${kind}`;
  const subject = t(`${key}.subject`, tags);
  const footer = t('mail:footer', tags);
  const lng = (t as { lng?: unknown }).lng;
  return { ...writtenMail(to, kind, subject, withFooter(t(`${key}.body`, tags), footer)), composed: { lang: isLocale(lng) ? lng : 'fr', tags, footer } };
}

/** An email whose subject and text are already written (a collaborator's own message): the HTML follows the text. */
export function writtenMail(to: string, kind: string, subject: string, text: string, replyTo?: string): Mail {
  return { to, kind, subject, text, html: textToHtml(text), ...(replyTo ? { replyTo } : {}) };
}

/**
 * Queues the mail in the caller's transaction. Without RETURNING: the centre and contacts may write
 * to the outbox but not read it (row-level security checks RETURNING rows as reads).
 */
export async function enqueueMail(trx: FirmTrx, firmId: string, mail: Mail): Promise<void> {
  await trx('mailOutbox').insert(await outboxRow(trx, firmId, mail));
}

/** The same, for the firm's staff, who may read the outbox: returns the mail's outbox id. */
export async function enqueueMailReturningId(trx: FirmTrx, firmId: string, mail: Mail): Promise<string> {
  const [row] = await trx('mailOutbox').insert(await outboxRow(trx, firmId, mail)).returning('id');
  return String(row!.id);
}

async function outboxRow(trx: FirmTrx, firmId: string, mail: Mail) {
  const m = await withFirmTemplate(trx, mail);
  // The subject column holds 300 characters: tag values could push a firm's subject past them.
  return { firmId, recipient: m.to, kind: m.kind, subject: m.subject.slice(0, 300), textBody: m.text, htmlBody: m.html, replyTo: m.replyTo ?? null };
}

/**
 * The mail written again from the firm's template of its kind and language, when there is one:
 * one indexed read, through app_email_template() because whoever causes the email (a contact, the
 * centre, a visitor asking for a password) may not read the templates themselves.
 */
async function withFirmTemplate(trx: FirmTrx, mail: Mail): Promise<Mail> {
  if (!mail.composed || !kindSpec(mail.kind)) return mail;
  const { rows } = (await trx.raw('SELECT subject, body FROM app_email_template(?, ?)', [mail.kind, mail.composed.lang])) as { rows: { subject: string; body: string }[] };
  const own = rows[0];
  if (!own) return mail;
  const { tags, footer } = mail.composed;
  return { ...mail, ...writtenMail(mail.to, mail.kind, fillTags(own.subject, tags), withFooter(fillTags(own.body, tags), footer), mail.replyTo) };
}

/** The text the recipient reads: the body, then the signature line and the footer (the preview shows it too). */
export function withFooter(body: string, footer: string): string {
  return body + '\n\n-- \n' + footer;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

// Every value is escaped before anything is marked up: a tag value or a firm's text is text, never HTML.
function textToHtml(text: string): string {
  const escaped = text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
  const linked = escaped.replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`);
  const paragraphs = linked.split(/\n{2,}/).map((p) => `<p>${p.replace(/\n/g, '<br>')}</p>`);
  return `<!doctype html><html><body style="font-family:Arial,sans-serif;font-size:15px;color:#1d2733">${paragraphs.join('')}</body></html>`;
}
