import { z } from 'zod';
import { email, line } from '../../lib/validation.ts';
import { isValidSiret } from '../../lib/siret.ts';
import { MODULE_KEYS } from '../registry.ts';

const checkbox = z.union([z.literal('on'), z.literal('')]).optional().transform((v) => v === 'on');
const manyOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .union([z.enum(values), z.array(z.enum(values))])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
const color = z.string().trim().toLowerCase().regex(/^#[0-9a-f]{6}$/, 'validation.color');

export const settingsSchema = z.strictObject({
  name: line(200).min(1),
  siteName: line(100),
  legalName: line(200),
  siret: z
    .string()
    .trim()
    .transform((s) => s.replace(/\s/g, ''))
    .refine((s) => s === '' || isValidSiret(s), { message: 'validation.siret' }),
  address: line(200),
  postcode: z.string().trim().regex(/^(\d{5})?$/, 'validation.postcode'),
  city: line(100),
  phone: line(30).regex(/^[0-9+ ().-]*$/, 'validation.phone'),
  email: z.union([z.literal(''), email()]),
  primaryColor: color,
  accentColor: color,
  rowsPerPage: z.coerce.number({ error: 'validation.number' }).int('validation.integer').min(10).max(350),
  defaultLocale: z.enum(['fr', 'en']),
  modules: manyOf(MODULE_KEYS),
  showForgotPassword: checkbox,
});
export type SettingsForm = z.infer<typeof settingsSchema>;
