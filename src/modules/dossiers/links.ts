// D6, emailed links ("accès occasionnel", seed 001 §II.3.4): staff send a contact or anyone a link
// to one dossier's files. It expires, can be revoked, can be limited to a number of downloads.
// Opening it uses nothing (mail scanners open links); each download, a form's POST, uses one, and
// the limit holds under any concurrency (one conditional UPDATE). Every use is logged on the dossier.
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { DossierLinkRow } from '../../db/documentTables.ts';
import type { FirmRow } from '../../db/tables.ts';
import { asPerson, withFirm, type FirmTrx } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import type { SentFile } from '../../http/attachment.ts';
import { AppError, NotFound } from '../../lib/errors.ts';
import { formatDate } from '../../lib/format.ts';
import { composeMail, enqueueMail } from '../../lib/mail/outbox.ts';
import { email, line } from '../../lib/validation.ts';
import { recordActivity } from '../activity/service.ts';
import { countDownload } from '../documents/download.ts';
import { firmStorage } from '../documents/store.ts';
import { stampedCopy, UnpaidBlocked, type DossierFile } from './download.ts';
import type { Person } from './repo.ts';
import { managed } from './service.ts';

export const linkSchema = z.strictObject({
  email: email(),
  name: line(200),
  days: z.coerce.number({ message: 'validation.type' }).int({ message: 'validation.type' }).min(1).max(365),
  maxDownloads: z.union([z.literal('').transform(() => null), z.coerce.number({ message: 'validation.type' }).int({ message: 'validation.type' }).min(1).max(1000)]),
});
export type LinkForm = z.infer<typeof linkSchema>;

const digest = (token: string) => createHash('sha256').update(token).digest();
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** A link that has run out: expired, revoked or used up. The page says so, without saying which. */
export class LinkGone extends AppError {
  constructor() {
    super(410, 'link_gone', 'dossiers:links.gone');
  }
}

export type LinkState = 'active' | 'expired' | 'revoked' | 'usedUp';
export const linkState = (l: Pick<DossierLinkRow, 'revokedAt' | 'expiresAt' | 'maxDownloads' | 'downloads'>, now = new Date()): LinkState =>
  l.revokedAt ? 'revoked' : l.expiresAt <= now ? 'expired' : l.maxDownloads !== null && l.downloads >= l.maxDownloads ? 'usedUp' : 'active';

export async function createLink(deps: AppDeps, firm: FirmRow, person: Person, dossierId: string, form: LinkForm): Promise<{ email: string }> {
  return asPerson(deps, firm, person, async (trx) => {
    const { dossier, client } = await managed(trx, firm.id, person, dossierId);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + form.days * 86_400_000);
    const [row] = await trx('dossierLinks')
      .insert({ firmId: firm.id, dossierId: dossier.id, tokenHash: digest(token), email: form.email.toLowerCase(), name: form.name, expiresAt, maxDownloads: form.maxDownloads, createdBy: person.id })
      .returning('id');
    const t = deps.i18n.getFixedT(firm.defaultLocale);
    const lien = new URL(`/l/${token}`, deps.firms.urlFor(firm, deps.config.publicUrl)).toString();
    await enqueueMail(trx, firm.id, composeMail(t, form.email, 'dossiers:mail.link', {
      dossier: dossier.title, client: client.name, lien, cabinet: firm.siteName || firm.name, nom: form.name, expire: formatDate(expiresAt, firm.defaultLocale),
      limite: form.maxDownloads ? t('dossiers:mail.linkLimit', { count: form.maxDownloads }) : '',
    }));
    await recordActivity(trx, firm.id, {
      action: 'dossiers.linkCreated', actor: person, clientId: client.id, objectType: 'dossierLink', objectId: String(row!.id), objectLabel: dossier.title,
      details: { email: form.email, expiresAt: expiresAt.toISOString(), maxDownloads: form.maxDownloads },
    });
    return { email: form.email };
  });
}

export async function revokeLink(deps: AppDeps, firm: FirmRow, person: Person, dossierId: string, linkId: string): Promise<void> {
  await asPerson(deps, firm, person, async (trx) => {
    const { dossier } = await managed(trx, firm.id, person, dossierId);
    if (!/^\d{1,18}$/.test(linkId)) throw new NotFound();
    const [row] = await trx('dossierLinks').where({ firmId: firm.id, dossierId: dossier.id, id: linkId }).whereNull('revokedAt').update({ revokedAt: new Date(), revokedBy: person.id }).returning(['id', 'email']);
    if (!row) throw new NotFound();
    await recordActivity(trx, firm.id, { action: 'dossiers.linkRevoked', actor: person, clientId: dossier.clientId, objectType: 'dossierLink', objectId: row.id, objectLabel: dossier.title, details: { email: row.email } });
  });
}

/** The dossier's links and every use of them, newest first (staff). */
export async function linksOf(trx: FirmTrx, firmId: string, dossierId: string) {
  const links: DossierLinkRow[] = await trx('dossierLinks').where({ firmId, dossierId }).orderBy('id', 'desc');
  const uses: { at: Date; action: string; objectId: string; ip: string | null; details: Record<string, unknown> }[] = links.length
    ? await trx('activityLog')
        .where({ firmId, objectType: 'dossierLink' })
        .whereIn('objectId', links.map((l) => l.id))
        .whereIn('action', ['dossiers.linkOpened', 'dossiers.linkDownloaded', 'dossiers.linkRefused'])
        .orderBy('id', 'desc')
        .limit(500)
        .select('at', 'action', 'objectId', 'ip', 'details')
    : [];
  return links.map((l) => ({ ...l, state: linkState(l), uses: uses.filter((u) => u.objectId === l.id) }));
}

/** The link of a token, usable or not; a malformed or unknown token is a plain 404. */
async function linkOf(trx: FirmTrx, firmId: string, token: string): Promise<DossierLinkRow> {
  if (!TOKEN.test(token)) throw new NotFound();
  const link = await trx('dossierLinks').where({ firmId, tokenHash: digest(token) }).first();
  if (!link) throw new NotFound();
  return link;
}

/** What a guest sees when opening the link: the dossier's title and files. Logged; uses nothing. */
export async function openLink(deps: AppDeps, firm: FirmRow, token: string, ip: string | null) {
  return withFirm(deps.db, firm.id, async (trx) => {
    const link = await linkOf(trx, firm.id, token);
    const dossier = (await trx('dossiers').where({ firmId: firm.id, id: link.dossierId }).first('id', 'title', 'clientId', 'paid'))!;
    const state = linkState(link);
    await recordActivity(trx, firm.id, { action: state === 'active' ? 'dossiers.linkOpened' : 'dossiers.linkRefused', clientId: dossier.clientId, objectType: 'dossierLink', objectId: link.id, objectLabel: dossier.title, ip, details: { email: link.email, state } });
    if (state !== 'active') throw new LinkGone();
    const files = await trx('files').where({ firmId: firm.id, dossierId: dossier.id }).whereNull('deletedAt').orderBy('id').select('id', 'name', 'title', 'size', 'kind');
    return { link, dossier, files, remaining: link.maxDownloads === null ? null : link.maxDownloads - link.downloads };
  });
}

/** A download through the link: uses one, with the unpaid rules of the client's side. */
export async function downloadViaLink(deps: AppDeps, firm: FirmRow, token: string, fileId: string, ip: string | null): Promise<SentFile> {
  if (!/^\d{1,18}$/.test(fileId)) throw new NotFound();
  const found = await withFirm(deps.db, firm.id, async (trx) => {
    const link = await linkOf(trx, firm.id, token);
    if (linkState(link) !== 'active') throw new LinkGone();
    const dossier = (await trx('dossiers').where({ firmId: firm.id, id: link.dossierId }).first('id', 'title', 'clientId', 'paid', 'amount'))!;
    const client = (await trx('clients').where({ firmId: firm.id, id: dossier.clientId }).first('unpaidExempt'))!;
    const file = (await trx('files').where({ firmId: firm.id, dossierId: dossier.id, id: fileId }).whereNull('deletedAt').first('id', 'clientId', 'name', 'mime', 'size', 'storageKey', 'kind', 'version')) as DossierFile | undefined;
    if (!file) throw new NotFound();
    return { link, dossier, file, unpaid: !dossier.paid && !client.unpaidExempt && firm.unpaidMode !== 'off' };
  });
  const { link, dossier, file, unpaid } = found;
  if (unpaid && firm.unpaidMode === 'block') throw new UnpaidBlocked(firm.paymentInfo, dossier.amount);
  // Prepared before the download is counted: a PDF that cannot be stamped uses nothing.
  const storage = await firmStorage(deps, firm.id);
  const sent: SentFile =
    unpaid && file.kind === 'pdf'
      ? await stampedCopy(deps, firm, { key: `link:${link.id}`, name: link.name || link.email }, file)
      : { name: file.name, size: Number(file.size), mime: file.mime, open: async () => (await storage.open(file.storageKey)).stream };
  await withFirm(deps.db, firm.id, async (trx) => {
    // One conditional UPDATE: of twenty downloads at once on a one-download link, exactly one passes.
    const used = await trx('dossierLinks')
      .where({ firmId: firm.id, id: link.id })
      .whereNull('revokedAt')
      .where('expiresAt', '>', trx.fn.now())
      .where((w) => w.whereNull('maxDownloads').orWhereRaw('downloads < max_downloads'))
      .increment('downloads', 1);
    if (!used) throw new LinkGone();
    await countDownload(trx, firm.id, null, file, dossier.title, ip, `${link.name || link.email}`);
    await recordActivity(trx, firm.id, { action: 'dossiers.linkDownloaded', clientId: dossier.clientId, objectType: 'dossierLink', objectId: link.id, objectLabel: dossier.title, ip, details: { email: link.email, file: file.name } });
  });
  return sent;
}
