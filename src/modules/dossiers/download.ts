// A dossier's file downloaded, with the firm's unpaid management (D5, D8): while the dossier is
// unpaid (and its client not exempted), a contact gets its PDFs stamped "POUR CONSULTATION
// UNIQUEMENT" with their name and the date on every page, or nothing at all when the firm blocks
// unpaid documents. The stored original never changes; stamped copies are kept per file version,
// person and day, so a second download costs nothing. Marking the dossier paid lifts it at once.
import { asPerson } from '../../db/withFirm.ts';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { FileRow } from '../../db/documentTables.ts';
import type { FirmRow } from '../../db/tables.ts';
import type { AppDeps } from '../../deps.ts';
import type { SentFile } from '../../http/attachment.ts';
import { AppError, NotFound } from '../../lib/errors.ts';
import { formatDate } from '../../lib/format.ts';
import { countDownload } from '../documents/download.ts';
import { firmFilesDir, firmStorage } from '../documents/store.ts';
import { findDossier, type Person } from './repo.ts';

/** The firm blocks the documents of unpaid dossiers: the page says why and how to pay. */
export class UnpaidBlocked extends AppError {
  readonly paymentInfo: string;
  readonly amount: string | null;
  constructor(paymentInfo: string, amount: string | null) {
    super(402, 'unpaid_blocked', 'dossiers:errors.unpaidBlocked');
    this.paymentInfo = paymentInfo;
    this.amount = amount;
  }
}

export class NotStampable extends AppError {
  constructor() {
    super(422, 'pdf_not_stampable', 'dossiers:errors.notStampable');
  }
}

export type DossierFile = Pick<FileRow, 'id' | 'clientId' | 'name' | 'mime' | 'size' | 'storageKey' | 'kind' | 'version'>;

export async function downloadDossierFile(deps: AppDeps, firm: FirmRow, person: Person, dossierId: string, fileId: string, ip: string | null): Promise<SentFile> {
  if (!/^\d{1,18}$/.test(fileId)) throw new NotFound();
  const { dossier, file, unpaid } = await asPerson(deps, firm, person, async (trx) => {
    const { dossier, client } = await findDossier(trx, firm.id, person, dossierId);
    const file = (await trx('files').where({ firmId: firm.id, dossierId: dossier.id, id: fileId }).whereNull('deletedAt').first('id', 'clientId', 'name', 'mime', 'size', 'storageKey', 'kind', 'version')) as DossierFile | undefined;
    if (!file) throw new NotFound();
    // Staff always get the original; the rule is for the client's side.
    const unpaid = person.role === 'contact' && !dossier.paid && !client.unpaidExempt && firm.unpaidMode !== 'off';
    return { dossier, file, unpaid };
  });
  if (unpaid && firm.unpaidMode === 'block') throw new UnpaidBlocked(firm.paymentInfo, dossier.amount);
  const storage = await firmStorage(deps, firm.id);
  const sent: SentFile =
    unpaid && file.kind === 'pdf'
      ? await stampedCopy(deps, firm, { key: `user:${person.id}`, name: person.name }, file)
      : { name: file.name, size: Number(file.size), mime: file.mime, open: async () => (await storage.open(file.storageKey)).stream };
  await asPerson(deps, firm, person, (trx) => countDownload(trx, firm.id, person, file, dossier.title, ip, unpaid && file.kind === 'pdf' ? 'stamped' : undefined));
  return sent;
}

/** Who a stamped copy is for: a key for the cache (a user, a link) and the name printed on it. */
export interface Reader {
  key: string;
  name: string;
}

/** The stamped copy for this reader today, made once and kept beside the originals. */
export async function stampedCopy(deps: AppDeps, firm: FirmRow, reader: Reader, file: DossierFile): Promise<SentFile> {
  const t = deps.i18n.getFixedT(firm.defaultLocale);
  const day = formatDate(new Date(), firm.defaultLocale);
  const dir = path.join(firmFilesDir(deps, firm.id), '.stamped');
  const cached = path.join(dir, `${createHash('sha256').update(`${file.id}:${file.version}:${reader.key}:${day}`).digest('hex')}.pdf`);
  let bytes = await fs.readFile(cached).catch(() => undefined);
  if (!bytes) {
    const storage = await firmStorage(deps, firm.id);
    const original = await buffer((await storage.open(file.storageKey)).stream);
    // pdf-lib is loaded at the first stamp, not by every process.
    const { PdfNotStampable, stampPdf } = await import('../../lib/pdf/stamp.ts');
    try {
      bytes = Buffer.from(await stampPdf(original, { headline: t('dossiers:stamp.headline'), detail: t('dossiers:stamp.detail', { name: reader.name, date: day }) }));
    } catch (err) {
      if (err instanceof PdfNotStampable) throw new NotStampable();
      throw err;
    }
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = `${cached}.${randomBytes(6).toString('hex')}.part`;
    await fs.writeFile(temp, bytes, { mode: 0o600 });
    await fs.rename(temp, cached);
  }
  const copy = bytes;
  return { name: file.name, size: copy.length, mime: 'application/pdf', open: async () => Readable.from([copy]) };
}
