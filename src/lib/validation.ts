// Forms are parsed with zod. Each problem becomes a message key from the catalogue, attached to its field,
// so the form can be shown again with what was typed and a message next to each wrong field.
import { z } from 'zod';

export interface FieldError {
  key: string;
  params?: Record<string, string | number>;
}
export type FieldErrors = Record<string, FieldError>;

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

export const FORM_ERROR = '_form';

export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.infer<S>> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.code === 'unrecognized_keys' ? FORM_ERROR : String(issue.path[0] ?? FORM_ERROR);
    errors[field] ??= toFieldError(issue);
  }
  return { ok: false, errors };
}

function toFieldError(issue: z.core.$ZodIssue): FieldError {
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return { key: 'validation.required' };
      return { key: issue.origin === 'string' ? 'validation.tooShort' : 'validation.tooSmall', params: { min: Number(issue.minimum) } };
    case 'too_big':
      return { key: issue.origin === 'string' ? 'validation.tooLong' : 'validation.tooBig', params: { max: Number(issue.maximum) } };
    case 'invalid_format':
      return { key: messageKey(issue.message) ?? (issue.format === 'email' ? 'validation.email' : 'validation.format') };
    case 'invalid_type':
      return { key: messageKey(issue.message) ?? (issue.input === undefined ? 'validation.required' : 'validation.type') };
    case 'invalid_value':
      return { key: 'validation.choice' };
    case 'unrecognized_keys':
      return { key: 'validation.unknownField', params: { fields: issue.keys.join(', ') } };
    case 'invalid_union': {
      // z.union([z.literal(''), email()]): say why the real option failed, not that '' was expected.
      const branch = issue.errors.find((e) => e[0] && e[0].code !== 'invalid_value') ?? issue.errors[0];
      return branch?.[0] ? toFieldError(branch[0]) : { key: 'validation.invalid' };
    }
    default: {
      // Custom refinements carry their message key as their message, and its values as params.
      const key = issue.message.startsWith('validation.') || issue.message.includes(':') ? issue.message : 'validation.invalid';
      const params = issue.code === 'custom' ? (issue.params as FieldError['params']) : undefined;
      return params ? { key, params } : { key };
    }
  }
}

/** The message key a schema gave (`.regex(re, 'validation.phone')`), as opposed to zod's own English text. */
function messageKey(message: string): string | undefined {
  return /^[a-z]+([.:][A-Za-z0-9_]+)+$/.test(message) ? message : undefined;
}

/** A single-line text field: trimmed, no control characters (a line break in an email address is an attack). */
export function line(max: number) {
  return z
    .string()
    .trim()
    .max(max)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { message: 'validation.controlChars' });
}

export const email = () =>
  z
    .string()
    .trim()
    .max(254)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { message: 'validation.controlChars' })
    .pipe(z.email());
