// The contact form (seed 001 §IV.1), the "Envoyer un mail" form (§IV.4) and the list's query.
import { z } from 'zod';
import { email, line } from '../../lib/validation.ts';

const checkbox = z.union([z.literal('on'), z.literal('')]).optional().transform((v) => v === 'on');
const phone = line(30).regex(/^[0-9+ ().-]*$/, 'validation.phone');

/** "Email(s) collaborateurs": addresses separated by commas, semicolons or line breaks; at most 10. */
const emailList = z
  .string()
  .max(3000)
  .transform((s, ctx) => {
    const list = [...new Set(s.split(/[\s,;]+/).filter(Boolean).map((e) => e.toLowerCase()))];
    const bad = list.find((e) => !email().safeParse(e).success);
    if (bad) ctx.addIssue({ code: 'custom', message: 'contacts:errors.copyEmail', params: { email: bad } });
    if (list.length > 10) ctx.addIssue({ code: 'custom', message: 'contacts:errors.copyEmailsTooMany' });
    return list;
  });

/** The clients of the contact, by client number: "3310, 4". */
const clientNumbers = z
  .string()
  .max(2000)
  .transform((s, ctx) => {
    const parts = s.split(/[\s,;]+/).filter(Boolean);
    const bad = parts.find((p) => !/^\d{1,9}$/.test(p));
    if (bad) ctx.addIssue({ code: 'custom', message: 'contacts:errors.clientNumber', params: { number: bad.slice(0, 20) } });
    if (parts.length > 100) ctx.addIssue({ code: 'custom', message: 'contacts:errors.tooManyClients' });
    return [...new Set(parts.map(Number))];
  });

export const contactSchema = z.strictObject({
  firstName: line(100),
  lastName: line(100).min(1),
  email: email(),
  copyEmails: emailList,
  // Empty: the email is the identifier, as most contacts expect.
  identifier: line(100).regex(/^[A-Za-z0-9._@+-]*$/, 'contacts:errors.identifier'),
  phone,
  jobTitle: line(100),
  locale: z.enum(['fr', 'en'], { message: 'validation.choice' }),
  clientNumbers,
  // At creation only: "Compte hérité", and whether the access codes leave at once.
  inheritFrom: line(254).optional(),
  sendCodes: checkbox,
});
export type ContactForm = z.infer<typeof contactSchema>;

/** "Envoyer un mail": a subject on one line, a message of up to 10,000 characters. */
export const contactMailSchema = z.strictObject({
  subject: line(200).min(1),
  message: z
    .string()
    .trim()
    .min(1)
    .max(10_000)
    .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), { message: 'validation.controlChars' }),
  copies: checkbox,
});
export type ContactMailForm = z.infer<typeof contactMailSchema>;

export const contactListQuery = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  access: z.enum(['activated', 'pending']).optional().catch(undefined),
  sort: z.enum(['name', 'email', 'lastLogin']).optional().catch(undefined),
  dir: z.enum(['asc', 'desc']).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1_000_000).optional().catch(undefined),
});
export type ContactListQuery = z.infer<typeof contactListQuery>;
