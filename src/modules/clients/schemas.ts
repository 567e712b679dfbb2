// The client form (B2), with the firm's custom attributes (B5) validated by their type.
import { z } from 'zod';
import type { ClientAttributeRow, ClientRow } from '../../db/tables.ts';
import { email, line } from '../../lib/validation.ts';
import { isValidSiret } from '../../lib/siret.ts';

const checkbox = z.union([z.literal('on'), z.literal('')]).optional().transform((v) => v === 'on');
const id = z.string().trim().regex(/^(\d{1,18})?$/, 'validation.choice').transform((s) => s || null);
const postcode = z.string().trim().regex(/^(\d{5})?$/, 'validation.postcode');
const phone = line(30).regex(/^[0-9+ ().-]*$/, 'validation.phone');

/** A calendar day from a date input (2026-11-22) or typed the French way (22/11/2026); '' is none. */
export const day = () =>
  z
    .string()
    .trim()
    .transform((s, ctx) => {
      if (s === '') return null;
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s) ?? /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(s);
      const [y, mo, d] = m ? (m[1]!.length === 4 ? [m[1], m[2], m[3]] : [m[3], m[2], m[1]]).map(Number) : [];
      const date = y ? new Date(Date.UTC(y, mo! - 1, d)) : undefined;
      if (!date || date.getUTCMonth() !== mo! - 1 || y! < 1900 || y! > 2100) {
        ctx.addIssue({ code: 'custom', message: 'validation.date' });
        return z.NEVER;
      }
      return date.toISOString().slice(0, 10);
    });

const FORM_FIELDS = ['number', 'name', 'siret', 'legalStatus', 'profession', 'activityStartedOn', 'clientSince', 'address', 'postcode', 'city', 'homeAddress', 'homePostcode', 'homeCity', 'phone', 'fax', 'email', 'dossierNumber', 'groupId', 'blocked', 'blockReason', 'customValues'] as const;

const today = () => new Date().toISOString().slice(0, 10);

const base = {
  name: line(200).min(1),
  siret: z
    .string()
    .trim()
    .transform((s) => s.replace(/\s/g, ''))
    .refine((s) => s === '' || isValidSiret(s), { message: 'validation.siret' })
    .transform((s) => s || null),
  legalStatus: line(100),
  profession: line(100),
  activityStartedOn: day(),
  clientSince: day().refine((d) => d === null || d <= today(), { message: 'clients:errors.sinceFuture' }),
  address: line(200),
  postcode,
  city: line(100),
  homeAddress: line(200),
  homePostcode: postcode,
  homeCity: line(100),
  phone,
  fax: phone,
  email: z.union([z.literal(''), email()]),
  dossierNumber: line(30),
  groupId: id,
  blocked: checkbox,
  blockReason: line(500),
};

/** A custom attribute's field: `attr_<id>`, its value converted to its type ('' or absent is none). */
function attributeField(a: ClientAttributeRow) {
  return a.type === 'boolean' ? checkbox : z.preprocess((v) => v ?? '', typedField(a));
}

function typedField(a: ClientAttributeRow) {
  switch (a.type) {
    case 'number':
      return z
        .string()
        .trim()
        .transform((s) => s.replace(/\s/g, '').replace(',', '.'))
        .refine((s) => s === '' || /^-?\d{1,12}(\.\d{1,4})?$/.test(s), { message: 'validation.number' })
        .transform((s) => (s === '' ? null : Number(s)));
    case 'date':
      return day();
    case 'list':
      return z
        .string()
        .trim()
        .refine((s) => s === '' || a.options.includes(s), { message: 'validation.choice' })
        .transform((s) => s || null);
    default:
      return line(500).transform((s) => s || null);
  }
}

export const attributeKey = (a: Pick<ClientAttributeRow, 'id'>) => `attr_${a.id}`;

/**
 * The client form for this firm's attributes. The client number is optional at creation (the next
 * one is given); only a supervisor assigns the collaborator; an edit carries the version it read.
 */
export function clientSchema(attributes: ClientAttributeRow[], opts: { assign: boolean; edit: boolean }) {
  const attrs = Object.fromEntries(attributes.map((a) => [attributeKey(a), attributeField(a)]));
  return z
    .strictObject({
      ...base,
      number: z
        .string()
        .trim()
        .regex(/^(\d{1,9})?$/, 'validation.integer')
        .transform((s) => (s === '' ? null : Number(s)))
        .refine((n) => n === null || n > 0, { message: 'validation.integer' }),
      ...(opts.assign ? { collaboratorId: id } : {}),
      ...(opts.edit ? { version: z.coerce.number().int().min(1) } : {}),
      confirmDuplicate: checkbox,
      ...attrs,
    })
    .transform((form) => {
      const customValues: Record<string, string | number | boolean> = {};
      for (const a of attributes) {
        const v = (form as Record<string, unknown>)[attributeKey(a)] as string | number | boolean | null | undefined;
        if (v !== null && v !== undefined && v !== false) customValues[a.id] = v;
      }
      const { confirmDuplicate, version, collaboratorId, ...rest } = form as typeof form & { version?: number; collaboratorId?: string | null };
      const fields = Object.fromEntries(Object.entries(rest).filter(([k]) => !k.startsWith('attr_'))) as unknown as ClientFields;
      return { fields: { ...fields, blockReason: fields.blocked ? fields.blockReason : '', customValues }, collaboratorId, version, confirmDuplicate };
    });
}

/** What the form sets on a client; the number may be left for the next one to be given. */
export type ClientFields = Omit<Pick<ClientRow, (typeof FORM_FIELDS)[number]>, 'number'> & { number: number | null };

export type ClientForm = z.infer<ReturnType<typeof clientSchema>>;

/** The list's query string; anything odd falls back to the default rather than failing. */
export const listQuery = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  sort: z.enum(['number', 'name', 'city', 'profession']).optional().catch(undefined),
  dir: z.enum(['asc', 'desc']).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1_000_000).optional().catch(undefined),
  view: z.enum(['active', 'departed', 'trash', 'unassigned', 'blocked']).optional().catch(undefined),
  group: z.string().regex(/^\d{1,18}$/).optional().catch(undefined),
  collaborator: z.string().regex(/^\d{1,18}$/).optional().catch(undefined),
});
export type ListQuery = z.infer<typeof listQuery>;
