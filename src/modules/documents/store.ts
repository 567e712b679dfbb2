// The firm's file store: one DiskStorage per firm under FILES_DIR, files under random keys, never
// under public/. Rows name the keys; a key whose row is gone is collected at start-up (reconcile.ts).
import path from 'node:path';
import type { AppDeps } from '../../deps.ts';
import { DiskStorage } from '../../lib/storage/disk.ts';

const stores = new Map<string, Promise<DiskStorage>>();

/** The firm's folder under FILES_DIR (its DiskStorage, and beside it the stamped copies). */
export const firmFilesDir = (deps: AppDeps, firmId: string) => path.join(deps.config.filesDir, firmId);

export function firmStorage(deps: AppDeps, firmId: string): Promise<DiskStorage> {
  const root = firmFilesDir(deps, firmId);
  let store = stores.get(root);
  if (!store) {
    store = DiskStorage.create(root);
    stores.set(root, store);
    store.catch(() => stores.delete(root));
  }
  return store;
}

/** Removes stored files once the rows that named them are gone (after the commit). A file left by a crash here is collected at start-up. */
export async function removeStored(deps: AppDeps, firmId: string, keys: string[]): Promise<void> {
  if (!keys.length) return;
  const store = await firmStorage(deps, firmId);
  for (const key of keys) await store.remove(key).catch((err: unknown) => deps.log.warn({ err, key }, 'stored file not removed'));
}
