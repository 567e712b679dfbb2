// The creation wizard (B3): each step is a page with Back / Next; what was typed is kept in the
// session, and nothing reaches the client tables before the last step saves it all at once.
import { z } from 'zod';
import type { AccessLevel, Locale } from '../../db/tables.ts';
import { email, line } from '../../lib/validation.ts';
import type { WizardContact } from './service.ts';

export const STEPS = ['info', 'contacts', 'access', 'tree'] as const;
export type Step = (typeof STEPS)[number];

/** An attribute typed in the wizard ("Ajouter un attribut"): created with the client, at the end. */
export interface NewAttribute {
  key: string; // new1, new2…: its form field is attr_new1
  label: string;
  type: 'text' | 'number' | 'date' | 'boolean';
}

export interface WizardState {
  info?: Record<string, string | string[]>; // step 1 as typed, checked again at the end
  attributeIds: string[]; // the firm's attributes shown at step 1 (loaded from a template or added by name)
  newAttributes: NewAttribute[];
  contacts: (WizardContact & { label: string })[];
  access: Record<string, AccessLevel>;
  /** Step 4 (firms with documents): the tree template to apply, or none. */
  folderTemplateId?: string | null;
}

declare module 'express-session' {
  interface SessionData {
    clientWizard?: WizardState;
  }
}

export const emptyWizard = (): WizardState => ({ attributeIds: [], newAttributes: [], contacts: [], access: {} });

/** Step 1, "Ajouter ce champ": a label and, for a new attribute, its type. */
export const adHocAttributeSchema = z.strictObject({
  newLabel: line(100).min(1),
  newType: z.enum(['text', 'number', 'date', 'boolean']),
});

const checkbox = z.union([z.literal('on'), z.literal('')]).optional().transform((v) => v === 'on');
const locale = z.enum(['fr', 'en']);

/** Step 2: a new contact, typed in the wizard. */
export const newContactSchema = z.strictObject({
  firstName: line(100),
  lastName: line(100).min(1),
  email: email(),
  locale,
  sendActivation: checkbox,
});

/** Step 2: a contact the firm already has. */
export const existingContactSchema = z.strictObject({
  userId: z.string().regex(/^\d{1,18}$/, 'validation.choice'),
  sendActivation: checkbox,
});

/** Step 3: `access_<collaborator id>` = none | read | write for each collaborator listed. */
export function accessSchema(collaboratorIds: string[]) {
  return z
    .strictObject(Object.fromEntries(collaboratorIds.map((id) => [`access_${id}`, z.enum(['none', 'read', 'write']).optional()])))
    .transform((form) => {
      const access: Record<string, AccessLevel> = {};
      for (const [key, level] of Object.entries(form)) if (level && level !== 'none') access[key.slice('access_'.length)] = level as AccessLevel;
      return access;
    });
}

export type NewContactForm = z.infer<typeof newContactSchema>;
export const contactLocale = (l: string): Locale => (l === 'en' ? 'en' : 'fr');
