// D2: who may do what in a folder. A supervisor everything; a collaborator their own permission on
// the folder, else the folder's default for staff within their access to the client (B3); a
// contact of the client their own permission, else the folder's default for contacts.
import type { FolderLevel } from '../../db/documentTables.ts';
import type { AccessLevel } from '../../db/tables.ts';

export const LEVELS: readonly FolderLevel[] = ['none', 'read', 'full'];
const RANK: Record<FolderLevel, number> = { none: 0, read: 1, full: 2 };

export const atLeast = (level: FolderLevel, wanted: FolderLevel) => RANK[level] >= RANK[wanted];
const lower = (a: FolderLevel, b: FolderLevel): FolderLevel => (RANK[a] <= RANK[b] ? a : b);

/** How a person stands towards a client, before any folder is considered. */
export type ClientStanding = { role: 'supervisor' } | { role: 'collaborator'; access: AccessLevel } | { role: 'contact' };

export interface FolderForLevel {
  contactLevel: FolderLevel;
  staffLevel: FolderLevel;
  /** The person's own permission on the folder, if any. */
  own: FolderLevel | null;
}

export function effectiveLevel(standing: ClientStanding, f: FolderForLevel): FolderLevel {
  switch (standing.role) {
    case 'supervisor':
      return 'full';
    case 'collaborator':
      return f.own ?? lower(f.staffLevel, standing.access === 'write' ? 'full' : 'read');
    case 'contact':
      return f.own ?? f.contactLevel;
  }
}
