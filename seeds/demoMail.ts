// Demo mail: what the management centre (CGA) put in the compta firm's mail, so that `npm start`
// shows "Nouveaux courriers" with a question to answer, and the centre's "Courriers envoyés".
import { Readable } from 'node:stream';
import { withFirm } from '../src/db/withFirm.ts';
import type { AppDeps } from '../src/deps.ts';
import type { MailType } from '../src/db/mailTables.ts';
import { firmStorage } from '../src/modules/documents/store.ts';
import { demoPdf, type DemoFile } from './demoDossiers.ts';

interface DemoMail {
  client: number;
  type: MailType;
  subject: string;
  replyInDays?: number;
  file: DemoFile;
}

const MAIL: Record<string, DemoMail[]> = {
  compta: [
    {
      client: 3310, type: 'question', subject: 'Examen de cohérence 2025 : marge brute', replyInDays: 21,
      file: { name: 'ECCV 2025 - Boulangerie Desperies.pdf', lines: ['CGA Occitanie — Examen de cohérence et de vraisemblance', 'Adhérent n° 3310 — Boulangerie Despéries', 'Le taux de marge brute passe de 71 % à 64 % : merci de nous en indiquer la raison.'] },
    },
    {
      client: 1, type: 'certificate', subject: 'Attestation d’adhésion 2026',
      file: { name: 'Attestation adhesion 2026 - CHAZEAU.pdf', lines: ['CGA Occitanie — Attestation d’adhésion', 'M. Christophe CHAZEAU, adhérent n° 1, est membre du centre pour l’exercice 2026.'] },
    },
  ],
};

export async function loadDemoMail(deps: AppDeps, slugs: string[]): Promise<void> {
  for (const slug of slugs) {
    const firm = (await deps.db('firms').where({ slug }).first('id'))!;
    const storage = await firmStorage(deps, firm.id);
    for (const m of MAIL[slug] ?? []) {
      const stored = await storage.put(Readable.from([Buffer.from(await demoPdf(m.file))]), { maxBytes: 10_000_000 });
      await withFirm(deps.db, firm.id, async (trx) => {
        const client = (await trx('clients').where({ firmId: firm.id, number: m.client }).first('id')) as { id: string };
        const centre = await trx('users').where({ firmId: firm.id, role: 'centre' }).first('id');
        const replyBy = m.replyInDays ? new Date(Date.now() + m.replyInDays * 86_400_000).toISOString().slice(0, 10) : null;
        await trx('mailItems').insert({
          firmId: firm.id, clientId: client.id, senderId: centre?.id ?? null, fromCentre: Boolean(centre), type: m.type, subject: m.subject,
          needsReply: Boolean(m.replyInDays), replyBy, name: m.file.name, size: String(stored.size), sha256: stored.sha256, storageKey: stored.key,
        });
      });
    }
  }
}
