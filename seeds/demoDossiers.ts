// Demo dossiers with real PDFs in the file store, so that `npm start` shows what a client comes
// for: an unpaid dossier whose PDFs download stamped, a paid one, and a document in the tree.
// Runs once, right after the demo firms are created, through the app's own storage.
import { Readable } from 'node:stream';
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import { withFirm } from '../src/db/withFirm.ts';
import type { AppDeps } from '../src/deps.ts';
import type { StoredFile } from '../src/lib/storage/disk.ts';
import { firmStorage } from '../src/modules/documents/store.ts';

export interface DemoFile {
  name: string;
  lines: string[];
  pages?: number;
}
interface DemoDossier {
  client: number;
  title: string;
  comments: string;
  amount: string | null;
  paid: boolean;
  summary?: string;
  conclusions?: string[];
  files: DemoFile[];
}

const DOSSIERS: Record<string, DemoDossier[]> = {
  compta: [
    {
      client: 3310, title: 'Comptes annuels 2025', comments: 'Exercice clos le 30/09/2025.', amount: '1480.50', paid: false,
      summary: 'Exercice bénéficiaire, chiffre d’affaires en hausse de 4 %.', conclusions: ['Résultat net : 42 300 €', 'Capitaux propres : 118 900 €'],
      files: [
        { name: 'Bilan 2025.pdf', lines: ['Boulangerie Despéries — Bilan au 30/09/2025', 'Actif immobilisé : 96 400 €', 'Actif circulant : 71 250 €'], pages: 3 },
        { name: 'Liasse fiscale 2025.pdf', lines: ['Liasse fiscale 2065 et annexes', 'Exercice du 01/10/2024 au 30/09/2025'], pages: 2 },
      ],
    },
    {
      client: 3310, title: 'Déclaration de TVA — 3e trimestre 2026', comments: '', amount: '120.00', paid: true,
      files: [{ name: 'TVA T3 2026.pdf', lines: ['Déclaration CA3 — juillet à septembre 2026', 'TVA nette due : 8 412 €'] }],
    },
  ],
  diag: [
    {
      client: 1, title: 'DPE — 12 rue Notre-Dame, Bordeaux', comments: 'Appartement T3, 2e étage.', amount: '180.00', paid: false,
      conclusions: ['Étiquette énergie : D', 'Étiquette climat : C'],
      files: [{ name: 'DPE 12 rue Notre-Dame.pdf', lines: ['Diagnostic de performance énergétique', 'Consommation : 212 kWh/m².an — classe D'], pages: 2 }],
    },
    {
      client: 1, title: 'Amiante avant vente — 4 cours de l’Intendance', comments: '', amount: '240.00', paid: true,
      files: [{ name: 'Repérage amiante.pdf', lines: ['Rapport de repérage des matériaux contenant de l’amiante', 'Conclusion : absence d’amiante'] }],
    },
  ],
};

export async function demoPdf(file: DemoFile): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const pages = file.pages ?? 1;
  for (let i = 1; i <= pages; i++) {
    const page = doc.addPage([595.28, 841.89]);
    page.drawText(file.lines[0]!, { x: 56, y: 770, size: 16, font: bold, color: rgb(0.12, 0.3, 0.47) });
    file.lines.slice(1).forEach((line, n) => page.drawText(line, { x: 56, y: 730 - n * 22, size: 12, font }));
    page.drawText(`Page ${i} / ${pages}`, { x: 500, y: 40, size: 9, font });
  }
  return doc.save();
}

export async function loadDemoDossiers(deps: AppDeps, slugs: string[]): Promise<void> {
  for (const slug of slugs) {
    const firm = (await deps.db('firms').where({ slug }).first('id'))!;
    const storage = await firmStorage(deps, firm.id);
    for (const d of DOSSIERS[slug] ?? []) {
      const stored: (StoredFile & { name: string })[] = [];
      for (const f of d.files) stored.push({ name: f.name, ...(await storage.put(Readable.from([Buffer.from(await demoPdf(f))]), { maxBytes: 10_000_000 })) });
      await withFirm(deps.db, firm.id, async (trx) => {
        const client = (await trx('clients').where({ firmId: firm.id, number: d.client }).first('id')) as { id: string };
        const [row] = await trx('dossiers')
          .insert({ firmId: firm.id, clientId: client.id, title: d.title, comments: d.comments, amount: d.amount, summary: d.summary ?? '', conclusions: d.conclusions ?? [] })
          .returning('id');
        const dossierId = String(row!.id);
        if (d.paid) await trx('dossiers').where({ firmId: firm.id, id: dossierId }).update({ paid: true, paidAt: new Date() });
        await trx('files').insert(stored.map((s) => ({ firmId: firm.id, clientId: client.id, dossierId, name: s.name, kind: 'pdf' as const, mime: 'application/pdf', size: String(s.size), sha256: s.sha256, storageKey: s.key, uploadedBy: null })));
      });
    }
  }
}
