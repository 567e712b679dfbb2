// Demo folder tree templates (D1), applied to every demo client: what an accounting firm and a
// diagnostics firm file for their clients, and what the clients' contacts may see of it.
import type { Knex } from 'knex';
import type { FolderLevel } from '../src/db/documentTables.ts';
import { setFirm } from '../src/db/withFirm.ts';
import { applyTemplateTo } from '../src/modules/documents/templates.ts';

type Node = { name: string; contact?: FolderLevel; staff?: FolderLevel; children?: Node[] };

const COMPTA: Record<string, Node[]> = {
  'Dossier comptable annuel': [
    { name: 'Bilans et liasses fiscales', contact: 'read' },
    { name: 'Déclarations fiscales', contact: 'read', children: [{ name: 'TVA', contact: 'read' }, { name: 'Impôt sur les sociétés', contact: 'read' }] },
    { name: 'Social', contact: 'read', children: [{ name: 'Bulletins de paie', contact: 'read' }] },
    { name: 'Pièces à fournir', contact: 'full' },
    { name: 'Documents internes du cabinet', contact: 'none' },
  ],
};

const DIAG: Record<string, Node[]> = {
  'Diagnostics immobiliers': [
    { name: 'Rapports de diagnostic', contact: 'read' },
    { name: 'Plans et documents du bien', contact: 'full' },
    { name: 'Factures', contact: 'read' },
    { name: 'Notes de terrain', contact: 'none' },
  ],
};

async function insertNodes(trx: Knex.Transaction, firmId: string, templateId: string, nodes: Node[], parentId: string | null): Promise<void> {
  for (const n of nodes) {
    const [row] = await trx('folderTemplateNodes')
      .insert({ firmId, templateId, parentId, name: n.name, contactLevel: n.contact ?? 'read', staffLevel: n.staff ?? 'full' })
      .returning('id');
    await insertNodes(trx, firmId, templateId, n.children ?? [], String((row as { id: string }).id));
  }
}

/** Called once, after the demo clients: the firm's templates, the first one applied to every client. */
export async function loadDemoFolders(owner: Knex, slug: string): Promise<void> {
  const templates = slug === 'compta' ? COMPTA : slug === 'diag' ? DIAG : {};
  await owner.transaction(async (trx) => {
    const firm = (await trx('firms').where({ slug }).first('id')) as { id: string };
    await setFirm(trx, firm.id);
    const ids: string[] = [];
    for (const [name, nodes] of Object.entries(templates)) {
      const [row] = await trx('folderTemplates').insert({ firmId: firm.id, name }).returning('id');
      ids.push(String((row as { id: string }).id));
      await insertNodes(trx, firm.id, ids.at(-1)!, nodes, null);
    }
    if (!ids.length) return;
    for (const { id } of await trx('clients').where({ firmId: firm.id }).select('id')) await applyTemplateTo(trx, firm.id, id, ids[0]!);
  });
}
