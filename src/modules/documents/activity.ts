// A9, the client's "Activités" tab: the last 1,000 activities on its documents, searchable by file
// name, format, sub-folder, period and type of activity.
import { asPerson } from '../../db/withFirm.ts';
import { z } from 'zod';
import type { FirmRow } from '../../db/tables.ts';
import type { AppDeps } from '../../deps.ts';
import { NotFound } from '../../lib/errors.ts';
import { openClient } from './folders.ts';
import type { Person } from './standing.ts';

export const ACTIVITY_LIMIT = 1000;
export const DOCUMENT_ACTIONS = ['uploaded', 'downloaded', 'zipDownloaded', 'fileChanged', 'fileTrashed', 'fileRestored', 'trashEmptied', 'folderCreated', 'folderRenamed', 'folderMoved', 'folderDeleted', 'templateApplied', 'permissionsSaved', 'permissionsCascaded'] as const;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined);
export const activityQuery = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  format: z.string().trim().toLowerCase().regex(/^[a-z0-9]{1,10}$/).optional().catch(undefined),
  folder: z.string().trim().max(255).optional().catch(undefined),
  type: z.enum(DOCUMENT_ACTIONS).optional().catch(undefined),
  from: day,
  to: day,
});
export type ActivityQuery = z.infer<typeof activityQuery>;

export async function documentActivity(deps: AppDeps, firm: FirmRow, person: Person, clientId: string, f: ActivityQuery) {
  if (person.role === 'contact') throw new NotFound();
  return asPerson(deps, firm, person, async (trx) => {
    const o = await openClient(trx, firm.id, person, clientId);
    const q = trx('activityLog').where({ firmId: firm.id, clientId: o.client.id }).whereLike('action', 'documents.%');
    if (f.type) q.where('action', `documents.${f.type}`);
    if (f.q) q.whereRaw(`app_fold(object_label) LIKE '%' || app_fold(?) || '%'`, [f.q.replace(/[\\%_]/g, (c) => `\\${c}`)]);
    if (f.format) q.whereRaw(`details->>'format' = ?`, [f.format]);
    if (f.folder) q.whereRaw(`details->>'folder' = ?`, [f.folder]);
    if (f.from) q.whereRaw(`at >= (?::date)::timestamp AT TIME ZONE 'Europe/Paris'`, [f.from]);
    if (f.to) q.whereRaw(`at < ((?::date) + 1)::timestamp AT TIME ZONE 'Europe/Paris'`, [f.to]);
    const rows = await q.orderBy('id', 'desc').limit(ACTIVITY_LIMIT).select('at', 'action', 'actorName', 'objectType', 'objectLabel', 'ip', 'details');
    return { ...o, rows };
  });
}
