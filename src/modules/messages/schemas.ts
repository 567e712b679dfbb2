// The message forms (seed 000 "Rédaction d'un message", seed 001 §V.3) and the list's query.
import { z } from 'zod';
import type { MessageState } from '../../db/messageTables.ts';
import { email, line } from '../../lib/validation.ts';

export const MAX_SUBJECT = 200;
export const MAX_BODY = 10_000;
export const MAX_COMMENT = 2000;

/** A message's text: line breaks and tabs allowed, no other control character. */
const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), { message: 'validation.controlChars' });

/**
 * A recipient as the form's list names it: `address:<id>` (a centre address), `contact:<user>:<client>`
 * (a contact about one of their clients), `firm:<client>` (a contact writing to the firm about one
 * of their clients), `user:<id>` (the centre writing to a person of the firm).
 */
export const RECIPIENT = /^(address|contact|firm|user):(\d{1,18})(?::(\d{1,18}))?$/;

export const messageSchema = z.strictObject({
  to: z
    .string({ message: 'messages:errors.recipientRequired' })
    .trim()
    .refine((v) => v !== '', { message: 'messages:errors.recipientRequired' })
    .refine((v) => v === '' || RECIPIENT.test(v), { message: 'messages:errors.recipientUnknown' }),
  subject: line(MAX_SUBJECT).min(1),
  body: text(MAX_BODY).min(1),
});
export type MessageForm = z.infer<typeof messageSchema>;

/** A reply goes back to the message's sender: only its subject and text are asked for. */
export const replySchema = messageSchema.omit({ to: true });

/** The supervisor's approval (the text as they leave it) and the author's rework of a refused message. */
export const approveSchema = replySchema;
export const rejectSchema = z.strictObject({ comment: text(MAX_COMMENT).min(1) });

export const BOXES = ['received', 'sent'] as const;
/** A row of a box: its date in UTC to the microsecond, and its id. */
export const CURSOR = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)_(\d{1,18})$/;
export const STATES = ['toRead', 'read', 'cancelled', 'pending', 'rejected'] as const satisfies readonly MessageState[];
export const SORTS = ['newest', 'oldest'] as const;

export const listQuery = z.object({
  box: z.enum(BOXES).optional().catch(undefined),
  state: z.enum(STATES).optional().catch(undefined),
  sort: z.enum(SORTS).optional().catch(undefined),
  q: z.string().trim().max(100).optional().catch(undefined),
  /** Keyset paging: the page after, or before, this row (see repo.ts). */
  next: z.string().regex(CURSOR).optional().catch(undefined),
  prev: z.string().regex(CURSOR).optional().catch(undefined),
});
export type ListQuery = z.infer<typeof listQuery>;

/** The new-message page: a recipient chosen beforehand, and a search among contacts. */
export const composeQuery = z.object({
  to: z.string().regex(RECIPIENT).optional().catch(undefined),
  q: z.string().trim().max(100).optional().catch(undefined),
});

/** "Paramètres › Messages": one of the centre's predefined addresses. */
export const addressSchema = z.strictObject({
  label: line(100).min(1),
  email: email(),
  position: z.union([z.literal(''), z.coerce.number().int().min(0).max(999)]).optional().transform((p) => (p === '' || p === undefined ? 0 : p)),
});
export type AddressForm = z.infer<typeof addressSchema>;

export const supervisionSchema = z.strictObject({
  supervise: z.enum(['yes', 'no'], { message: 'validation.choice' }),
});
