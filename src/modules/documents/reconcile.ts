// After a crash: a file is stored (renamed to its key) before its row is committed, so a process
// killed in between leaves a file without a row, and one killed mid-upload a temporary file. At
// start-up both are collected; a row never points at a missing file (rows are written after files).
import fs from 'node:fs/promises';
import type { AppDeps } from '../../deps.ts';
import { withFirm } from '../../db/withFirm.ts';
import { firmStorage } from './store.ts';

/** Older than this, a file without a row is no upload in progress (its row follows within milliseconds). */
const ORPHAN_AGE_MS = 10 * 60_000;
/** Temporary files of uploads still running (in another process) are written to all the time. */
const TEMP_AGE_MS = 60 * 60_000;

export async function reconcileStorage(deps: AppDeps, opts: { orphanAgeMs?: number; tempAgeMs?: number } = {}): Promise<{ orphans: number; temporaries: number }> {
  const orphanAge = opts.orphanAgeMs ?? ORPHAN_AGE_MS;
  let orphans = 0;
  let temporaries = 0;
  const firms: { id: string }[] = await deps.db('firms').select('id');
  for (const { id: firmId } of firms) {
    const dir = `${deps.config.filesDir}/${firmId}`;
    if (!(await fs.stat(dir).catch(() => undefined))) continue;
    const storage = await firmStorage(deps, firmId);
    temporaries += await storage.removeTemporaries(opts.tempAgeMs ?? TEMP_AGE_MS);
    let batch: string[] = [];
    const sweep = async () => {
      const rows: { storageKey: string }[] = await withFirm(deps.db, firmId, (trx) => trx('files').where('firmId', firmId).whereIn('storageKey', batch).select('storageKey'));
      const known = new Set(rows.map((r) => r.storageKey));
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
  return { orphans, temporaries };
}
