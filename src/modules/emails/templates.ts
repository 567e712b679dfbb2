// "Modèles d'emails" (K1): the firm's own subject and body per kind of email and language, checked
// against the kind's tags, and the catalogue's text shown and sent while there is none.
import type { EmailTemplateRow } from '../../db/emailTables.ts';
import type { FirmRow } from '../../db/tables.ts';
import { withFirm, type Person } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import type { Locale } from '../../lib/i18n/index.ts';
import { withFooter } from '../../lib/mail/outbox.ts';
import { catalogueKey, fillTags, templateProblem, type MailKindSpec } from '../../lib/mail/templates.ts';
import type { FieldErrors } from '../../lib/validation.ts';
import { recordActivity } from '../activity/service.ts';
import type { TemplateForm } from './schemas.ts';

type Actor = Person & { name: string };

/** The firm's templates, without their text: which kinds and languages it rewrote, and when. */
export function listTemplates(deps: AppDeps, firm: FirmRow, actor: Person): Promise<Pick<EmailTemplateRow, 'kind' | 'lang' | 'updatedAt'>[]> {
  return withFirm(deps.db, firm.id, (trx) => trx('emailTemplates').where({ firmId: firm.id }).select('kind', 'lang', 'updatedAt'), actor);
}

export function findTemplate(deps: AppDeps, firm: FirmRow, actor: Person, spec: MailKindSpec, lang: Locale): Promise<EmailTemplateRow | undefined> {
  return withFirm(deps.db, firm.id, (trx) => trx('emailTemplates').where({ firmId: firm.id, kind: spec.kind, lang }).first(), actor);
}

/** Passerelle's own subject and body of a kind, tags unfilled, as the catalogue holds them. */
export function defaultText(deps: AppDeps, spec: MailKindSpec, lang: Locale): { subject: string; body: string } {
  const { ns, key } = catalogueKey(spec.kind);
  const read = (part: string) => String(deps.i18n.getResource(lang, ns, `${key}.${part}`) ?? '');
  return { subject: read('subject'), body: read('body') };
}

/** What keeps a subject and body from being this kind's template: the field and its message. */
export function templateErrors(spec: MailKindSpec, subject: string, body: string): FieldErrors {
  const errors: FieldErrors = {};
  const s = templateProblem(spec, subject, 'subject');
  const b = templateProblem(spec, body, 'body');
  if (s) errors.subject = s;
  if (b) errors.body = b;
  return errors;
}

export type SaveResult = { ok: true } | { ok: false; errors: FieldErrors };

export async function saveTemplate(deps: AppDeps, firm: FirmRow, actor: Actor, spec: MailKindSpec, form: TemplateForm): Promise<SaveResult> {
  const errors = templateErrors(spec, form.subject, form.body);
  if (Object.keys(errors).length) return { ok: false, errors };
  await withFirm(
    deps.db,
    firm.id,
    async (trx) => {
      const now = new Date();
      await trx('emailTemplates')
        .insert({ firmId: firm.id, kind: spec.kind, lang: form.lang, subject: form.subject, body: form.body })
        .onConflict(['firmId', 'kind', 'lang'])
        .merge({ subject: form.subject, body: form.body, updatedAt: now });
      await recordActivity(trx, firm.id, { action: 'emails.templateSaved', actor, objectType: 'emailTemplate', objectId: spec.id, objectLabel: `${spec.id} (${form.lang})` });
    },
    actor,
  );
  return { ok: true };
}

/** "Rétablir le modèle par défaut": the catalogue's text is sent again. */
export async function resetTemplate(deps: AppDeps, firm: FirmRow, actor: Actor, spec: MailKindSpec, lang: Locale): Promise<void> {
  await withFirm(
    deps.db,
    firm.id,
    async (trx) => {
      const removed = await trx('emailTemplates').where({ firmId: firm.id, kind: spec.kind, lang }).delete();
      if (removed) await recordActivity(trx, firm.id, { action: 'emails.templateReset', actor, objectType: 'emailTemplate', objectId: spec.id, objectLabel: `${spec.id} (${lang})` });
    },
    actor,
  );
}

/** The email as a recipient would read it, with sample values (the firm's real name and address). */
export function preview(deps: AppDeps, firm: FirmRow, spec: MailKindSpec, lang: Locale, subject: string, body: string): { subject: string; text: string } {
  const t = deps.i18n.getFixedT(lang);
  const tags: Record<string, string> = {
    cabinet: firm.siteName || firm.name,
    lien: new URL('/exemple', deps.firms.urlFor(firm, deps.config.publicUrl)).toString(),
  };
  for (const tag of spec.tags) tags[tag] ??= t(`emails:samples.${tag}`);
  return { subject: fillTags(subject, tags), text: withFooter(fillTags(body, tags), t('mail:footer', tags)) };
}
