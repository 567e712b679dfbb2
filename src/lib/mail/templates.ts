// The emails a firm may rewrite (K1): every kind the product sends with composeMail, the {{tags}}
// each one fills, and how a firm's own subject and body are checked and filled. A module that adds
// an email adds one line to MAIL_KINDS (and its description in locales/<lang>/emails.json).

export interface MailKindSpec {
  /** In addresses and the catalogue: /settings/emails/courrier-arrived, emails:kinds.courrier-arrived. */
  id: string;
  /** composeMail's kind: 'passwordReset' (mail:passwordReset) or '<namespace>:mail.<name>'. */
  kind: string;
  /** The module the firm must have enabled for this email to exist; none for accounts' emails. */
  module?: string;
  /** The tags its call site fills, in the order the page lists them. */
  tags: readonly string[];
  /** Tags a firm's text must keep: without them the email is useless (a password email's link). */
  required?: readonly string[];
}

export const MAIL_KINDS: readonly MailKindSpec[] = [
  { id: 'password-invite', kind: 'passwordInvite', tags: ['lien', 'cabinet'], required: ['lien'] },
  { id: 'password-reset', kind: 'passwordReset', tags: ['lien', 'cabinet'], required: ['lien'] },
  { id: 'dossier-available', kind: 'dossiers:mail.available', module: 'dossiers', tags: ['nom', 'dossier', 'client', 'lien', 'cabinet'] },
  { id: 'dossier-link', kind: 'dossiers:mail.link', module: 'dossiers', tags: ['nom', 'dossier', 'client', 'lien', 'expire', 'limite', 'cabinet'], required: ['lien'] },
  { id: 'courrier-arrived', kind: 'courriers:mail.arrived', module: 'mail', tags: ['client', 'objet', 'type', 'lien', 'cabinet'] },
  { id: 'courrier-answered', kind: 'courriers:mail.answered', module: 'mail', tags: ['objet', 'reponse', 'lien', 'cabinet'], required: ['reponse'] },
  { id: 'courrier-to-approve', kind: 'courriers:mail.toApprove', module: 'mail', tags: ['objet', 'lien', 'cabinet'] },
  { id: 'courrier-approved', kind: 'courriers:mail.approved', module: 'mail', tags: ['objet', 'lien', 'cabinet'] },
  { id: 'courrier-rejected', kind: 'courriers:mail.rejected', module: 'mail', tags: ['objet', 'commentaire', 'lien', 'cabinet'] },
  { id: 'courrier-copy', kind: 'courriers:mail.copy', module: 'mail', tags: ['objet', 'client', 'lien', 'cabinet'] },
  { id: 'client-list-updates', kind: 'clients:mail.listUpdates', module: 'clients', tags: ['ajouts', 'departs', 'cabinet'], required: ['ajouts', 'departs'] },
  { id: 'message-new', kind: 'messages:mail.new', module: 'messages', tags: ['expediteur', 'objet', 'lien', 'cabinet'] },
  { id: 'message-to-address', kind: 'messages:mail.toAddress', module: 'messages', tags: ['expediteur', 'destinataire', 'objet', 'message', 'pieces', 'lien', 'cabinet'], required: ['message'] },
  { id: 'message-cancelled', kind: 'messages:mail.cancelled', module: 'messages', tags: ['expediteur', 'objet', 'cabinet'] },
  { id: 'message-to-approve', kind: 'messages:mail.toApprove', module: 'messages', tags: ['auteur', 'destinataire', 'objet', 'lien', 'cabinet'] },
  { id: 'message-approved', kind: 'messages:mail.approved', module: 'messages', tags: ['destinataire', 'objet', 'lien', 'cabinet'] },
  { id: 'message-rejected', kind: 'messages:mail.rejected', module: 'messages', tags: ['destinataire', 'objet', 'commentaire', 'lien', 'cabinet'] },
];

const BY_KIND = new Map(MAIL_KINDS.map((k) => [k.kind, k]));
const BY_ID = new Map(MAIL_KINDS.map((k) => [k.id, k]));

export const kindSpec = (kind: string): MailKindSpec | undefined => BY_KIND.get(kind);
export const kindById = (id: string): MailKindSpec | undefined => BY_ID.get(id);

/** The kinds a firm sends: those of the modules it enabled, and the accounts' ones. */
export function kindsOfFirm(modules: readonly string[]): MailKindSpec[] {
  return MAIL_KINDS.filter((k) => !k.module || modules.includes(k.module));
}

/** The catalogue key of a kind's subject and body: `${key}.subject`, `${key}.body`. */
export function catalogueKey(kind: string): { ns: string; key: string } {
  const colon = kind.indexOf(':');
  return colon < 0 ? { ns: 'mail', key: kind } : { ns: kind.slice(0, colon), key: kind.slice(colon + 1) };
}

export const SUBJECT_MAX = 200;
export const BODY_MAX = 10_000;

// {{ lien }} as i18next reads it: spaces inside the braces are allowed. Dotted names ({{client.nom}})
// are read as tags too, so that the message names them as unknown rather than badly written.
const TAG = /\{\{\s*([A-Za-z][A-Za-z0-9_.]*)\s*\}\}/g;

/** Fills the {{tags}} of a firm's text; a tag without a value becomes empty. Values are plain text. */
export function fillTags(text: string, tags: Readonly<Record<string, string>>): string {
  return text.replace(TAG, (_, name: string) => (Object.hasOwn(tags, name) ? (tags[name] ?? '') : ''));
}

/** A problem with a firm's text: a message key of the emails catalogue and its values. */
export interface TemplateProblem {
  key: string;
  params: Record<string, string>;
}

/**
 * Why this text cannot be a template of `spec`, or undefined: a tag the email does not fill, a
 * brace left open, or (for the body) a required tag missing.
 */
export function templateProblem(spec: MailKindSpec, text: string, part: 'subject' | 'body'): TemplateProblem | undefined {
  for (const m of text.matchAll(TAG)) {
    if (!spec.tags.includes(m[1]!)) return { key: 'emails:errors.unknownTag', params: { tag: `{{${m[1]}}}`, tags: spec.tags.map((t) => `{{${t}}}`).join(', ') } };
  }
  const rest = text.replace(TAG, '');
  const open = rest.match(/\{\{[^}\n]{0,30}|[^{\n]{0,30}\}\}/);
  if (open) return { key: 'emails:errors.malformedTag', params: { near: open[0].trim() } };
  if (part === 'body') {
    const used = new Set([...text.matchAll(TAG)].map((m) => m[1]));
    const missing = (spec.required ?? []).find((t) => !used.has(t));
    if (missing) return { key: 'emails:errors.requiredTag', params: { tag: `{{${missing}}}` } };
  }
  return undefined;
}
