// Typed tables of the firm's emails (K1): its templates and its own SMTP server. See tables.ts.
import type { Knex } from 'knex';
import type { Locale } from './tables.ts';

/** A firm's own subject and body for one kind of email in one language. */
export interface EmailTemplateRow {
  firmId: string;
  kind: string;
  lang: Locale;
  subject: string;
  body: string;
  updatedAt: Date;
}

export type SmtpSecurity = 'none' | 'starttls' | 'tls';

/** "Serveur d'envoi": the firm's SMTP server and sender; the password encrypted (lib/mail/smtpSettings.ts). */
export interface FirmSmtpSettingsRow {
  firmId: string;
  host: string;
  port: number;
  security: SmtpSecurity;
  username: string;
  passwordSecret: string | null;
  fromName: string;
  fromAddress: string;
  updatedAt: Date;
}

declare module 'knex/types/tables.js' {
  interface Tables {
    emailTemplates: Knex.CompositeTableType<EmailTemplateRow, Omit<EmailTemplateRow, 'updatedAt'>, Pick<EmailTemplateRow, 'subject' | 'body' | 'updatedAt'>>;
    firmSmtpSettings: Knex.CompositeTableType<FirmSmtpSettingsRow, Omit<FirmSmtpSettingsRow, 'updatedAt'>, Partial<Omit<FirmSmtpSettingsRow, 'firmId'>>>;
  }
}
