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
}

declare module 'knex/types/tables.js' {
  interface Tables {
    mailItems: Knex.CompositeTableType<
      MailItemRow,
      Pick<MailItemRow, 'firmId' | 'clientId' | 'senderId' | 'type' | 'subject' | 'needsReply' | 'replyBy' | 'name' | 'size' | 'sha256' | 'storageKey'>,
      Partial<Pick<MailItemRow, 'readAt' | 'readBy' | 'archivedAt' | 'answeredAt'>>
    >;
  }
}
