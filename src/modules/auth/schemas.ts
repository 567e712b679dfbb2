import { z } from 'zod';
import { line } from '../../lib/validation.ts';

export const loginSchema = z.strictObject({
  identifier: line(254).min(1),
  password: z.string().min(1).max(1024),
  next: z.string().max(2000).optional(),
});
export type LoginForm = z.infer<typeof loginSchema>;

export const forgotSchema = z.strictObject({ identifier: line(254).min(1) });
export type ForgotForm = z.infer<typeof forgotSchema>;

export const newPasswordSchema = z
  .strictObject({ password: z.string().min(1).max(1024), confirmation: z.string().max(1024) })
  .refine((f) => f.password === f.confirmation, { path: ['confirmation'], message: 'validation.passwordMismatch' });
export type NewPasswordForm = z.infer<typeof newPasswordSchema>;
