// The mail forms (seed 000, "Nouveaux courriers") and the list's query.
import { z } from 'zod';
import { line } from '../../lib/validation.ts';

export const MAIL_TYPES = ['question', 'information', 'reminder', 'certificate', 'other'] as const;
export const MAIL_SORTS = ['number', 'name', 'newest', 'oldest'] as const;
export const MAIL_FILTERS = ['all', 'noReply', 'toAnswer'] as const;

export const newMailSchema = z
  .strictObject({
    clientNumber: z.string().trim().regex(/^\d{1,9}$/, 'courriers:errors.clientNumber'),
    type: z.enum(MAIL_TYPES, { message: 'validation.choice' }),
    subject: line(200).min(1),
    needsReply: z.union([z.literal('on'), z.literal('')]).optional().transform((v) => v === 'on'),
    replyBy: z.union([z.literal(''), z.iso.date({ message: 'validation.date' })]).optional().transform((d) => d || null),
  })
  .refine((f) => !f.replyBy || f.needsReply, { message: 'courriers:errors.replyByWithoutReply', path: ['replyBy'] });
export type NewMailForm = z.infer<typeof newMailSchema>;

export const mailListQuery = z.object({
  sort: z.enum(MAIL_SORTS).optional().catch(undefined),
  filter: z.enum(MAIL_FILTERS).optional().catch(undefined),
  type: z.enum(MAIL_TYPES).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1_000_000).optional().catch(undefined),
});
export type MailListQuery = z.infer<typeof mailListQuery>;

/** The centre's list of the firm's members: a number or words of the name, and the page. */
export const membersQuery = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1_000_000).optional().catch(undefined),
});
