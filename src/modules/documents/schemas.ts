// Forms of the documents module: folders, permissions, tree templates, file details.
import { z } from 'zod';
import { line } from '../../lib/validation.ts';
import { FILE_KINDS } from '../../lib/files/type.ts';
import { LEVELS } from './levels.ts';

const id = z.string().regex(/^\d{1,18}$/, 'validation.choice');
const optionalId = z.union([id, z.literal('')]).optional().transform((v) => v || null);
const level = z.enum(LEVELS as [string, ...string[]], { message: 'validation.choice' }).transform((v) => v as (typeof LEVELS)[number]);

/** A folder's name: one line, no slash (it would read as a path), not "." or "..". */
export const folderName = line(255)
  .min(1)
  .refine((n) => !/[\\/]/.test(n) && n !== '.' && n !== '..', { message: 'documents:errors.folderName' });

export const newFolderSchema = z.strictObject({ name: folderName, parent: optionalId });
export const renameFolderSchema = z.strictObject({ name: folderName });
export const moveFolderSchema = z.strictObject({ parent: optionalId });
export const deleteFolderSchema = z.strictObject({ confirm: z.literal('yes').optional() });
export const applyTemplateSchema = z.strictObject({ template: id });

/** The permissions of one folder: its two defaults and one level per person (`user_<id>`). */
export const permissionsSchema = z
  .object({ contactLevel: level, staffLevel: level })
  .catchall(z.string())
  .transform((form, ctx) => {
    const people = new Map<string, (typeof LEVELS)[number]>();
    for (const [key, value] of Object.entries(form)) {
      const m = /^user_(\d{1,18})$/.exec(key);
      if (!m) continue;
      // "" keeps the folder's default for that person.
      if (value === '') continue;
      if (!(LEVELS as readonly string[]).includes(value)) ctx.addIssue({ code: 'custom', message: 'validation.choice', path: [key] });
      else people.set(m[1]!, value as (typeof LEVELS)[number]);
    }
    return { contactLevel: form.contactLevel, staffLevel: form.staffLevel, people };
  });
export type PermissionsForm = z.infer<typeof permissionsSchema>;

export const templateSchema = z.strictObject({ name: line(100).min(1) });
export const templateNodeSchema = z.strictObject({ name: folderName, parent: optionalId, contactLevel: level, staffLevel: level });
export type TemplateNodeForm = z.infer<typeof templateNodeSchema>;

export const fileDetailsSchema = z.strictObject({ title: line(255), comment: z.string().trim().max(2000) });
export const browseQuery = z.object({ folder: id.optional().catch(undefined), as: id.optional().catch(undefined) });

/** "Paramètres › Documents": the largest upload and the kinds of file the firm accepts (at least one). */
export const uploadSettingsSchema = z.strictObject({
  uploadMaxMb: z.coerce.number({ message: 'validation.type' }).int({ message: 'validation.type' }).min(1).max(2048),
  uploadKinds: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => [...new Set([v ?? []].flat())])
    .pipe(z.array(z.enum(FILE_KINDS, { message: 'validation.choice' })).refine((kinds) => kinds.length > 0, { message: 'documents:errors.noKind' })),
});

/** "Gestion des impayés" (seed 001 §VII.3): stamp the PDFs of unpaid dossiers, block them, or neither. */
export const unpaidSettingsSchema = z.strictObject({
  unpaidMode: z.enum(['off', 'stamp', 'block'], { message: 'validation.choice' }),
  // D6: how long an emailed link lasts unless its sender says otherwise.
  linkDays: z.coerce.number({ message: 'validation.type' }).int({ message: 'validation.type' }).min(1).max(365),
  paymentInfo: z
    .string()
    .trim()
    .max(1000)
    .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), { message: 'validation.controlChars' }),
});
