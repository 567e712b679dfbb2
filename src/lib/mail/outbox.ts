// Emails leave through the database: a row written in the transaction of the change that causes
// it, sent later by the worker. A rolled-back change sends nothing; an SMTP outage loses nothing.
import type { FirmTrx } from '../../db/withFirm.ts';
import type { TFunction } from '../i18n/index.ts';

export interface Mail {
  to: string;
  kind: string; // a key of the mail catalogue: mail:<kind>.subject / mail:<kind>.body
  subject: string;
  text: string;
  html: string;
  replyTo?: string;
}

/**
 * Builds an email from the catalogue, filling its {{tags}}: `kind` 'passwordReset' is mail:passwordReset
 * (locales/<lang>/mail.json); a module's own, 'clients:mail.listUpdates', lives in its catalogue.
 */
export function composeMail(t: TFunction, to: string, kind: string, tags: Record<string, string>): Mail {
  const key = kind.includes(':') ? kind : `mail:${kind}`;
  const subject = t(`${key}.subject`, tags);
  const text = t(`${key}.body`, tags) + '\n\n-- \n' + t('mail:footer', tags);
  return writtenMail(to, kind, subject, text);
}

/** An email whose subject and text are already written (a collaborator's own message): the HTML follows the text. */
export function writtenMail(to: string, kind: string, subject: string, text: string, replyTo?: string): Mail {
  return { to, kind, subject, text, html: textToHtml(text), ...(replyTo ? { replyTo } : {}) };
}

export async function enqueueMail(trx: FirmTrx, firmId: string, mail: Mail): Promise<void> {
  await trx('mailOutbox').insert({ firmId, recipient: mail.to, kind: mail.kind, subject: mail.subject, textBody: mail.text, htmlBody: mail.html, replyTo: mail.replyTo ?? null });
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function textToHtml(text: string): string {
  const escaped = text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
  const linked = escaped.replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`);
  const paragraphs = linked.split(/\n{2,}/).map((p) => `<p>${p.replace(/\n/g, '<br>')}</p>`);
  return `<!doctype html><html><body style="font-family:Arial,sans-serif;font-size:15px;color:#1d2733">${paragraphs.join('')}</body></html>`;
}
