// The dossier forms (seed 001 §II.3–II.4) and the list's query.
import { z } from 'zod';
import { line } from '../../lib/validation.ts';

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), { message: 'validation.controlChars' });

/** "1 234,56" or "1234.56" euros; empty: no amount yet. */
export const amount = z
  .string()
  .trim()
  .max(20)
  .transform((s, ctx) => {
    if (!s) return null;
    const n = Number(s.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.'));
    if (!Number.isFinite(n) || n < 0 || n >= 1e10 || Math.round(n * 100) !== Math.round(n * 100 * 1000) / 1000) {
      ctx.addIssue({ code: 'custom', message: 'dossiers:errors.amount' });
      return z.NEVER;
    }
    return n.toFixed(2);
  });

export const newDossierSchema = z.strictObject({
  clientNumber: z.string().trim().regex(/^\d{1,9}$/, 'dossiers:errors.clientNumber'),
  title: line(200).min(1),
  comments: text(5000),
  amount,
  // The attached files' name (one file), title and comment ("Donner un nom / un titre au fichier joint").
  name: line(255).optional(),
  fileTitle: line(255).optional(),
  fileComment: text(2000).optional(),
});
export type NewDossierForm = z.infer<typeof newDossierSchema>;

/** Summary and conclusions (one per line). */
export const detailsSchema = z.strictObject({
  summary: text(5000),
  conclusions: text(10_000).transform((s) => s.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 50)),
});
export const amountSchema = z.strictObject({ amount });
export const stepSchema = z.strictObject({
  label: line(200).min(1),
  dueOn: z.union([z.literal(''), z.iso.date({ message: 'validation.date' })]).transform((d) => d || null),
});

export const dossierListQuery = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  paid: z.enum(['paid', 'unpaid']).optional().catch(undefined),
  downloaded: z.enum(['none', 'some', 'all']).optional().catch(undefined),
  client: z.string().regex(/^\d{1,18}$/).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1_000_000).optional().catch(undefined),
});
export type DossierListQuery = z.infer<typeof dossierListQuery>;

/** "Envoyer un message concernant ce dossier": a subject and a message, both required. */
export const messageSchema = z.strictObject({ subject: line(200).min(1), message: text(10_000).pipe(z.string().min(1)) });
