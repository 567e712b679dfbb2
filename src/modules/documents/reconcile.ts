// After a crash: a file is stored (renamed to its key) before its row is committed, so a process
// killed in between leaves a file without a row, and one killed mid-upload a temporary file. At
// start-up both are collected; a row never points at a missing file (rows are written after files).
// Every table with a storage_key column names stored files (documents, mail, answers, messages…):
// they are found in the catalogue, so a module that stores files is never swept by mistake.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppDeps } from '../../deps.ts';
import { withFirm } from '../../db/withFirm.ts';
import { firmFilesDir, firmStorage } from './store.ts';

/** Older than this, a file without a row is no upload in progress (its row follows within milliseconds). */
const ORPHAN_AGE_MS = 10 * 60_000;
/** Temporary files of uploads still running (in another process) are written to all the time. */
const TEMP_AGE_MS = 60 * 60_000;
/** Stamped copies of unpaid PDFs serve one person on one day: kept two days, then made again if asked. */
const STAMPED_AGE_MS = 2 * 86_400_000;

export async function reconcileStorage(deps: AppDeps, opts: { orphanAgeMs?: number; tempAgeMs?: number; stampedAgeMs?: number } = {}): Promise<{ orphans: number; temporaries: number; stamped: number }> {
  const orphanAge = opts.orphanAgeMs ?? ORPHAN_AGE_MS;
  let orphans = 0;
  let temporaries = 0;
  let stamped = 0;
  const firms: { id: string }[] = await deps.db('firms').select('id');
  const tables = await tablesWithStoredFiles(deps);
  for (const { id: firmId } of firms) {
    const dir = firmFilesDir(deps, firmId);
    if (!(await fs.stat(dir).catch(() => undefined))) continue;
    const storage = await firmStorage(deps, firmId);
    temporaries += await storage.removeTemporaries(opts.tempAgeMs ?? TEMP_AGE_MS);
    stamped += await removeOlder(path.join(dir, '.stamped'), opts.stampedAgeMs ?? STAMPED_AGE_MS);
    let batch: string[] = [];
    const sweep = async () => {
      const known = new Set<string>();
      await withFirm(deps.db, firmId, async (trx) => {
        for (const table of tables) {
          const rows: { storageKey: string }[] = await trx.raw(`SELECT storage_key FROM ?? WHERE firm_id = ? AND storage_key = ANY (?)`, [table, firmId, batch]).then((r: { rows: { storageKey: string }[] }) => r.rows);
          for (const r of rows) known.add(r.storageKey);
        }
      });
      for (const key of batch) {
        if (known.has(key)) continue;
        const stat = await fs.stat(storage.pathOf(key)).catch(() => undefined);
        if (stat && Date.now() - stat.mtimeMs >= orphanAge && (await storage.remove(key))) orphans++;
      }
      batch = [];
    };
    for await (const key of storage.listKeys()) {
      batch.push(key);
      if (batch.length >= 500) await sweep();
    }
    if (batch.length) await sweep();
  }
  return { orphans, temporaries, stamped };
}

async function tablesWithStoredFiles(deps: AppDeps): Promise<string[]> {
  const { rows } = await deps.db.raw<{ rows: { name: string }[] }>(
    `SELECT c.table_name AS name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema = current_schema() AND c.column_name = 'storage_key' ORDER BY 1`,
  );
  if (!rows.some((r) => r.name === 'files')) throw new Error('reconcileStorage: no table of stored files found');
  return rows.map((r) => r.name);
}

async function removeOlder(dir: string, ageMs: number): Promise<number> {
  const entries = await fs.readdir(dir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of entries) {
    const file = path.join(dir, name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat?.isFile() && Date.now() - stat.mtimeMs >= ageMs) {
      await fs.rm(file, { force: true });
      removed++;
    }
  }
  return removed;
}
