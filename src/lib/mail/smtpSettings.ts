// A firm's own SMTP server ("Serveur d'envoi"): its password sealed with a key derived from the
// app's secret (a database dump or backup does not give it away), and the nodemailer options the
// worker builds its transport from.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { FirmSmtpSettingsRow } from '../../db/emailTables.ts';

const VERSION = 'v1';

function keyOf(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'passerelle', 'firm smtp password', 32));
}

/** AES-256-GCM, bound to the firm: a sealed password copied to another firm's row does not open. */
export function sealPassword(password: string, firmId: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret), iv);
  cipher.setAAD(Buffer.from(firmId));
  const data = Buffer.concat([cipher.update(password, 'utf8'), cipher.final()]);
  return `${VERSION}.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${data.toString('base64url')}`;
}

/** The password, or undefined when it cannot be opened (the app's secret changed since it was saved). */
export function openPassword(sealed: string, firmId: string, secret: string): string | undefined {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || data === undefined) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(firmId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

export class UnreadablePassword extends Error {
  constructor() {
    super("the firm's SMTP password cannot be read (the app's secret changed): enter it again in Paramètres › Serveur d'envoi");
  }
}

/** nodemailer's options for the firm's server; throws UnreadablePassword when the password will not open. */
export function transportOptions(s: FirmSmtpSettingsRow, secret: string): SMTPTransport.Options {
  const password = s.passwordSecret ? openPassword(s.passwordSecret, s.firmId, secret) : undefined;
  if (s.passwordSecret && password === undefined) throw new UnreadablePassword();
  return {
    host: s.host,
    port: s.port,
    secure: s.security === 'tls',
    requireTLS: s.security === 'starttls',
    ignoreTLS: s.security === 'none',
    ...(s.username ? { auth: { user: s.username, pass: password ?? '' } } : {}),
    // A server that does not answer delays that firm's mail, not the whole batch for long.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  };
}

/** The From of the firm's emails: its sender name and address. */
export function senderOf(s: Pick<FirmSmtpSettingsRow, 'fromName' | 'fromAddress'>): { name: string; address: string } {
  return { name: s.fromName, address: s.fromAddress };
}
