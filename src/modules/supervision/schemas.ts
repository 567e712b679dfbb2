import { z } from 'zod';
import { email, line } from '../../lib/validation.ts';
import { day } from '../clients/schemas.ts';

/** A collaborator's sheet (seed 000, Supervision › Gestion collaborateur). */
export const collaboratorSchema = z.strictObject({
  code: line(20),
  firstName: line(100),
  lastName: line(100).min(1),
  identifier: line(100).min(1).regex(/^[A-Za-z0-9._@-]+$/, 'supervision:errors.identifier'),
  email: z.union([z.literal(''), email()]).transform((e) => e || null),
  phone: line(30).regex(/^[0-9+ ().-]*$/, 'validation.phone'),
  jobTitle: line(100),
  departedOn: day(),
});
export type CollaboratorForm = z.infer<typeof collaboratorSchema>;

const id = z.string().regex(/^\d{1,18}$/, 'validation.choice');
export const reassignSchema = z.strictObject({ to: id });
