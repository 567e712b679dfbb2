// A client's folder tree as one person sees it: every folder with that person's level, in the
// order of the tree. A folder they may not see is left out, so a contact never learns its name.
import type { FolderLevel, FolderRow } from '../../db/documentTables.ts';
import type { FirmTrx } from '../../db/withFirm.ts';
import { effectiveLevel, type ClientStanding } from './levels.ts';

export interface TreeFolder {
  id: string;
  parentId: string | null;
  name: string;
  contactLevel: FolderLevel;
  staffLevel: FolderLevel;
  level: FolderLevel;
  depth: number;
  /** Ids of the visible ancestors, root first (breadcrumbs). */
  path: string[];
  files: number;
}

type Row = Pick<FolderRow, 'id' | 'parentId' | 'name' | 'contactLevel' | 'staffLevel'> & { own: FolderLevel | null; files: string | number };

export async function treeFor(trx: FirmTrx, firmId: string, clientId: string, personId: string, standing: ClientStanding): Promise<TreeFolder[]> {
  const rows = (await trx('folders')
    .leftJoin('folderPermissions as p', (j) => j.on('p.firmId', 'folders.firmId').andOn('p.folderId', 'folders.id').andOnVal('p.userId', personId))
    .where('folders.firmId', firmId)
    .where('folders.clientId', clientId)
    .select('folders.id', 'folders.parentId', 'folders.name', 'folders.contactLevel', 'folders.staffLevel', 'p.level as own')
    .select(
      trx.raw('(SELECT count(*) FROM files WHERE files.firm_id = folders.firm_id AND files.folder_id = folders.id AND files.deleted_at IS NULL) AS files'),
    )) as Row[];
  return arrange(rows, standing);
}

/**
 * Orders the rows as a tree (siblings by name, accents ignored) and drops what the person may not
 * see. A visible folder whose parent is hidden hangs from the top: the same shape whether the
 * database left the hidden folders out (a contact's own view) or the code did ("voir comme").
 */
export function arrange(rows: Row[], standing: ClientStanding): TreeFolder[] {
  const visible = rows.map((r) => ({ ...r, level: effectiveLevel(standing, r) })).filter((r) => r.level !== 'none');
  const ids = new Set(visible.map((r) => r.id));
  const children = new Map<string | null, typeof visible>();
  for (const r of visible) {
    const parent = r.parentId && ids.has(r.parentId) ? r.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  const byName = (a: Row, b: Row) => a.name.localeCompare(b.name, 'fr', { sensitivity: 'base', numeric: true });
  const out: TreeFolder[] = [];
  const walk = (parentId: string | null, depth: number, path: string[]) => {
    for (const r of (children.get(parentId) ?? []).sort(byName)) {
      out.push({ id: r.id, parentId: r.parentId, name: r.name, contactLevel: r.contactLevel, staffLevel: r.staffLevel, level: r.level, depth, path, files: Number(r.files) });
      walk(r.id, depth + 1, [...path, r.id]);
    }
  };
  walk(null, 0, []);
  return out;
}

/** The ids of a folder and of everything under it. */
export async function subtreeIds(trx: FirmTrx, firmId: string, folderId: string): Promise<string[]> {
  const { rows } = (await trx.raw(
    `WITH RECURSIVE sub AS (
       SELECT id FROM folders WHERE firm_id = ? AND id = ?
       UNION ALL
       SELECT f.id FROM folders f JOIN sub ON f.parent_id = sub.id WHERE f.firm_id = ?
     ) SELECT id FROM sub`,
    [firmId, folderId, firmId],
  )) as { rows: { id: string }[] };
  return rows.map((r) => r.id);
}
