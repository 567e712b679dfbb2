// Typed tables of the documents module (folder trees, permissions, files): see tables.ts.
import type { Knex } from 'knex';

/** D2: none, read (consult and download), full (also upload, rename, delete). */
export type FolderLevel = 'none' | 'read' | 'full';

export interface FolderTemplateRow {
  firmId: string;
  id: string;
  name: string;
  createdAt: Date;
}

export interface FolderTemplateNodeRow {
  firmId: string;
  id: string;
  templateId: string;
  parentId: string | null;
  name: string;
  contactLevel: FolderLevel;
  staffLevel: FolderLevel;
}

export interface FolderRow {
  firmId: string;
  id: string;
  clientId: string;
  parentId: string | null;
  name: string;
  contactLevel: FolderLevel;
  staffLevel: FolderLevel;
  createdAt: Date;
}

export interface FolderPermissionRow {
  firmId: string;
  folderId: string;
  userId: string;
  level: FolderLevel;
}

export type FileKind = 'pdf' | 'image' | 'office' | 'text' | 'zip';

export interface FileRow {
  firmId: string;
  id: string;
  clientId: string;
  folderId: string | null;
  dossierId: string | null;
  name: string;
  title: string;
  comment: string;
  kind: FileKind;
  mime: string;
  size: string; // bigint
  sha256: string;
  storageKey: string;
  version: number;
  downloadCount: number;
  clientDownloadedAt: Date | null;
  uploadedBy: string | null;
  uploadedAt: Date;
  deletedAt: Date | null;
  deletedBy: string | null;
}

declare module 'knex/types/tables.js' {
  interface Tables {
    folderTemplates: Knex.CompositeTableType<FolderTemplateRow, Pick<FolderTemplateRow, 'firmId' | 'name'>, Pick<FolderTemplateRow, 'name'>>;
    folderTemplateNodes: Knex.CompositeTableType<
      FolderTemplateNodeRow,
      Omit<FolderTemplateNodeRow, 'id' | 'contactLevel' | 'staffLevel'> & Partial<Pick<FolderTemplateNodeRow, 'contactLevel' | 'staffLevel'>>,
      Partial<Pick<FolderTemplateNodeRow, 'name' | 'parentId' | 'contactLevel' | 'staffLevel'>>
    >;
    folders: Knex.CompositeTableType<
      FolderRow,
      Omit<FolderRow, 'id' | 'createdAt' | 'contactLevel' | 'staffLevel'> & Partial<Pick<FolderRow, 'contactLevel' | 'staffLevel'>>,
      Partial<Pick<FolderRow, 'name' | 'parentId' | 'contactLevel' | 'staffLevel'>>
    >;
    folderPermissions: Knex.CompositeTableType<FolderPermissionRow, FolderPermissionRow, Pick<FolderPermissionRow, 'level'>>;
    files: Knex.CompositeTableType<
      FileRow,
      Omit<FileRow, 'id' | 'version' | 'downloadCount' | 'clientDownloadedAt' | 'uploadedAt' | 'deletedAt' | 'deletedBy' | 'title' | 'comment' | 'folderId' | 'dossierId'> &
        Partial<Pick<FileRow, 'title' | 'comment' | 'folderId' | 'dossierId'>>,
      Partial<Pick<FileRow, 'name' | 'title' | 'comment' | 'folderId' | 'downloadCount' | 'clientDownloadedAt' | 'deletedAt' | 'deletedBy' | 'version'>>
    >;
  }
}

/** D4: a document of the documentation space, and who it is published to. */
export type Audience = 'clients' | 'staff' | 'all';

export interface PublicationRow {
  firmId: string;
  id: string;
  title: string;
  summary: string;
  category: string;
  audience: Audience;
  name: string;
  kind: FileKind;
  mime: string;
  size: string;
  sha256: string;
  storageKey: string;
  publishedBy: string | null;
  publishedAt: Date;
}

declare module 'knex/types/tables.js' {
  interface Tables {
    publications: Knex.CompositeTableType<PublicationRow, Omit<PublicationRow, 'id' | 'publishedAt'>, Partial<Pick<PublicationRow, 'title' | 'summary' | 'category' | 'audience'>>>;
  }
}

/** E1–E4: a job delivered to one client, with its files, steps, amount and payment state. */
export interface DossierRow {
  firmId: string;
  id: string;
  clientId: string;
  title: string;
  comments: string;
  summary: string;
  conclusions: string[];
  amount: string | null; // numeric: pg returns it as a string
  paid: boolean;
  paidAt: Date | null;
  notifiedAt: Date | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface DossierStepRow {
  firmId: string;
  id: string;
  dossierId: string;
  label: string;
  dueOn: string | null;
  done: boolean;
  position: number;
}

declare module 'knex/types/tables.js' {
  interface Tables {
    dossiers: Knex.CompositeTableType<
      DossierRow,
      Pick<DossierRow, 'firmId' | 'clientId' | 'title'> & Partial<Pick<DossierRow, 'comments' | 'summary' | 'conclusions' | 'amount' | 'createdBy'>>,
      Partial<Pick<DossierRow, 'title' | 'comments' | 'summary' | 'conclusions' | 'amount' | 'paid' | 'paidAt' | 'notifiedAt' | 'updatedAt'>>
    >;
    dossierSteps: Knex.CompositeTableType<DossierStepRow, Omit<DossierStepRow, 'id' | 'done'> & Partial<Pick<DossierStepRow, 'done'>>, Partial<Pick<DossierStepRow, 'label' | 'dueOn' | 'done' | 'position'>>>;
  }
}

/** D6: an emailed link to one dossier's files ("accès occasionnel"). */
export interface DossierLinkRow {
  firmId: string;
  id: string;
  dossierId: string;
  tokenHash: Buffer;
  email: string;
  name: string;
  expiresAt: Date;
  maxDownloads: number | null;
  downloads: number;
  revokedAt: Date | null;
  revokedBy: string | null;
  createdBy: string | null;
  createdAt: Date;
}

declare module 'knex/types/tables.js' {
  interface Tables {
    dossierLinks: Knex.CompositeTableType<
      DossierLinkRow,
      Pick<DossierLinkRow, 'firmId' | 'dossierId' | 'tokenHash' | 'email' | 'name' | 'expiresAt' | 'maxDownloads' | 'createdBy'>,
      Partial<Pick<DossierLinkRow, 'downloads' | 'revokedAt' | 'revokedBy' | 'expiresAt'>>
    >;
  }
}

