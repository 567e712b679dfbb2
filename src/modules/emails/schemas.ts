// The forms of "Modèles d'emails" and "Serveur d'envoi" (K1).
import { z } from 'zod';
import { LOCALES } from '../../lib/i18n/index.ts';
import { BODY_MAX, SUBJECT_MAX } from '../../lib/mail/templates.ts';
import { email, line } from '../../lib/validation.ts';

const checkbox = z.union([z.literal('on'), z.literal('')]).optional().transform((v) => v === 'on');

/** A body as typed in a textarea: Windows line ends made plain, no control character but tabs and line breaks. */
const bodyText = z
  .string()
  .transform((s) => s.replace(/\r\n?/g, '\n').trim())
  .pipe(z.string().min(1).max(BODY_MAX).refine((s) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(s), { message: 'validation.controlChars' }));

export const templateSchema = z.strictObject({
  lang: z.enum(LOCALES),
  subject: line(SUBJECT_MAX).min(1),
  body: bodyText,
});
export type TemplateForm = z.infer<typeof templateSchema>;

export const langSchema = z.strictObject({ lang: z.enum(LOCALES) });

export const SECURITIES = ['starttls', 'tls', 'none'] as const;

export const smtpSchema = z.strictObject({
  host: z
    .string()
    .trim()
    .toLowerCase()
    .min(1)
    .regex(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$|^[0-9a-f:]{2,39}$/, 'emails:errors.host')
    .max(253),
  port: z.coerce.number({ error: 'validation.number' }).int('validation.integer').min(1).max(65535),
  security: z.enum(SECURITIES),
  username: line(254),
  // Not trimmed: a space may belong to a password.
  password: z.string().max(500).refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { message: 'validation.controlChars' }),
  clearPassword: checkbox,
  fromName: line(100),
  fromAddress: email(),
});
export type SmtpForm = z.infer<typeof smtpSchema>;
