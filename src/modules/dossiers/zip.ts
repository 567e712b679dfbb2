// D7: a whole dossier as one ZIP, streamed, with the unpaid rules applied to every file in it: a
// contact gets the PDFs of an unpaid dossier stamped (one at a time, as the ZIP is written), or no
// ZIP at all when the firm blocks unpaid documents. A PDF that cannot be stamped is left out, and a
// note in the ZIP says which and why, rather than letting it out unstamped.
import { asPerson } from '../../db/withFirm.ts';
import { Readable } from 'node:stream';
import type { FirmRow } from '../../db/tables.ts';
import type { AppDeps } from '../../deps.ts';
import type { ZipSourceEntry } from '../../lib/zip/stream.ts';
import { recordActivity } from '../activity/service.ts';
import { firmStorage } from '../documents/store.ts';
import { NotStampable, stampedCopy, UnpaidBlocked, type DossierFile } from './download.ts';
import { findDossier, type Person } from './repo.ts';

export async function dossierZip(deps: AppDeps, firm: FirmRow, person: Person, dossierId: string, ip: string | null): Promise<{ filename: string; entries: AsyncIterable<ZipSourceEntry> }> {
  const { dossier, files, unpaid } = await asPerson(deps, firm, person, async (trx) => {
    const { dossier, client } = await findDossier(trx, firm.id, person, dossierId);
    const unpaid = person.role === 'contact' && !dossier.paid && !client.unpaidExempt && firm.unpaidMode !== 'off';
    if (unpaid && firm.unpaidMode === 'block') throw new UnpaidBlocked(firm.paymentInfo, dossier.amount);
    const files = (await trx('files').where({ firmId: firm.id, dossierId: dossier.id }).whereNull('deletedAt').orderBy('id').select('id', 'clientId', 'name', 'mime', 'size', 'storageKey', 'kind', 'version', 'uploadedAt')) as (DossierFile & { uploadedAt: Date })[];
    if (files.length) {
      await trx('files')
        .where('firmId', firm.id)
        .whereIn('id', files.map((f) => f.id))
        .update({ downloadCount: trx.raw('download_count + 1') as unknown as number, ...(person.role === 'contact' ? { clientDownloadedAt: trx.raw('coalesce(client_downloaded_at, now())') as unknown as Date } : {}) });
    }
    await recordActivity(trx, firm.id, { action: 'dossiers.zipDownloaded', actor: person, clientId: dossier.clientId, objectType: 'dossier', objectId: dossier.id, objectLabel: dossier.title, ip, details: { files: files.length } });
    return { dossier, files, unpaid };
  });
  const storage = await firmStorage(deps, firm.id);
  const t = deps.i18n.getFixedT(firm.defaultLocale);
  async function* entries(): AsyncGenerator<ZipSourceEntry> {
    const left: string[] = [];
    for (const f of files) {
      if (unpaid && f.kind === 'pdf') {
        try {
          const copy = await stampedCopy(deps, firm, { key: `user:${person.id}`, name: person.name }, f);
          yield { name: f.name, mtime: f.uploadedAt, open: copy.open };
        } catch (err) {
          if (!(err instanceof NotStampable)) throw err;
          left.push(f.name);
        }
        continue;
      }
      yield { name: f.name, mtime: f.uploadedAt, open: async () => (await storage.open(f.storageKey)).stream };
    }
    if (left.length) {
      const note = `${t('dossiers:zip.leftOut')}\n\n${left.map((n) => `- ${n}`).join('\n')}\n`;
      yield { name: t('dossiers:zip.noteName'), open: async () => Readable.from([Buffer.from(note, 'utf8')]) };
    }
  }
  return { filename: `${dossier.title}.zip`, entries: entries() };
}
