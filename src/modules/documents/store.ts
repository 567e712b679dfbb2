// The firm's file store: one folder per firm under FILES_DIR, files under random keys.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppDeps } from '../../deps.ts';

export const firmFilesDir = (deps: AppDeps, firmId: string) => path.join(deps.config.filesDir, firmId);

/** Removes stored files once the rows that named them are gone (after the commit). A file left by a crash here is collected at start-up. */
export async function removeStored(deps: AppDeps, firmId: string, keys: string[]): Promise<void> {
  for (const key of keys) {
    await fs.rm(path.join(firmFilesDir(deps, firmId), key), { force: true }).catch((err: unknown) => deps.log.warn({ err, key }, 'stored file not removed'));
  }
}
