import { z } from 'zod';
import { email, line } from '../../lib/validation.ts';

export const profileSchema = z.strictObject({
  firstName: line(100),
  lastName: line(100).min(1),
  email: z.union([z.literal(''), email()]),
  phone: line(30).regex(/^[0-9+ ().-]*$/, 'validation.phone'),
  jobTitle: line(100),
  locale: z.enum(['fr', 'en']),
});
export type ProfileForm = z.infer<typeof profileSchema>;

export const passwordChangeSchema = z
  .strictObject({ current: z.string().min(1).max(1024), password: z.string().min(1).max(1024), confirmation: z.string().max(1024) })
  .refine((f) => f.password === f.confirmation, { path: ['confirmation'], message: 'validation.passwordMismatch' });
export type PasswordChangeForm = z.infer<typeof passwordChangeSchema>;
