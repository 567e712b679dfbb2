// Typed tables of the mail module (courriers): see tables.ts.
import type { Knex } from 'knex';

/** G1–G4: a document put in a client's mail ("courrier"). */
export type MailType = 'question' | 'information' | 'reminder' | 'certificate' | 'other';

export interface MailItemRow {
  firmId: string;
  id: string;
  clientId: string;
  senderId: string | null;
  type: MailType;
  subject: string;
  needsReply: boolean;
  replyBy: string | null;
  name: string;
  size: string;
  sha256: string;
  storageKey: string;
  createdAt: Date;
  readAt: Date | null;
  readBy: string | null;
  archivedAt: Date | null;
  answeredAt: Date | null;
  /** Put in by the management centre's staff: theirs to follow. */
  fromCentre: boolean;
  /** "Copie du document envoyé à l'adhérent": when, by whom, the copy in the client's documents. */
  copiedAt: Date | null;
  copiedBy: string | null;
  copyFileId: string | null;
}

declare module 'knex/types/tables.js' {
  interface Tables {
    mailItems: Knex.CompositeTableType<
      MailItemRow,
      Pick<MailItemRow, 'firmId' | 'clientId' | 'senderId' | 'type' | 'subject' | 'needsReply' | 'replyBy' | 'name' | 'size' | 'sha256' | 'storageKey'> & Partial<Pick<MailItemRow, 'fromCentre'>>,
      Partial<Pick<MailItemRow, 'readAt' | 'readBy' | 'archivedAt' | 'answeredAt' | 'copiedAt' | 'copiedBy' | 'copyFileId'>>
    >;
  }
}

/** G4, I2: an answer to a mail, and where it stands. */
export type ReplyStatus = 'pending' | 'rejected' | 'sent';

export interface MailReplyRow {
  firmId: string;
  id: string;
  mailId: string;
  authorId: string | null;
  body: string;
  status: ReplyStatus;
  decisionComment: string;
  decidedBy: string | null;
  decidedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
}

/** A file attached to something (an answer, a message): stored under a random key, its type read from its content. */
export interface AttachmentColumns {
  firmId: string;
  id: string;
  name: string;
  mime: string;
  size: string;
  sha256: string;
  storageKey: string;
}

export interface MailReplyFileRow extends AttachmentColumns {
  replyId: string;
}

declare module 'knex/types/tables.js' {
  interface Tables {
    mailReplies: Knex.CompositeTableType<
      MailReplyRow,
      Pick<MailReplyRow, 'firmId' | 'mailId' | 'authorId' | 'body' | 'status'> & Partial<Pick<MailReplyRow, 'sentAt'>>,
      Partial<Pick<MailReplyRow, 'body' | 'status' | 'decisionComment' | 'decidedBy' | 'decidedAt' | 'updatedAt' | 'sentAt'>>
    >;
    mailReplyFiles: Knex.CompositeTableType<MailReplyFileRow, Omit<MailReplyFileRow, 'id'>, never>;
  }
}
