// Typed tables of the messages module ("Dialogue", H1–H3): see tables.ts and the migration
// 20261126000010_create_messages.ts.
import type { Knex } from 'knex';
import type { AttachmentColumns } from './mailTables.ts';

/** pending / rejected: held for a supervisor (I2 for messages); sent: delivered; cancelled: "annulé". */
export type MessageStatus = 'pending' | 'rejected' | 'sent' | 'cancelled';
export type RecipientKind = 'user' | 'address';
/** What users see, kept by the database from status and read_at: "à consulter", "consulté", "annulé", or held. */
export type MessageState = 'toRead' | 'read' | 'cancelled' | 'pending' | 'rejected';

/** One of the management centre's predefined addresses ("Service fiscal"). */
export interface MessageAddressRow {
  firmId: string;
  id: string;
  label: string;
  email: string;
  position: number;
  archivedAt: Date | null;
  createdAt: Date;
}

export interface MessageRow {
  firmId: string;
  id: string;
  senderId: string | null;
  senderAddressId: string | null;
  senderName: string;
  recipientKind: RecipientKind;
  recipientUserId: string | null;
  recipientAddressId: string | null;
  recipientName: string;
  clientId: string | null;
  inReplyTo: string | null;
  subject: string;
  body: string;
  status: MessageStatus;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
  readAt: Date | null;
  readBy: string | null;
  cancelledAt: Date | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionComment: string;
  state: MessageState;
}

export interface MessageFileRow extends AttachmentColumns {
  messageId: string;
}

declare module 'knex/types/tables.js' {
  interface Tables {
    messageAddresses: Knex.CompositeTableType<
      MessageAddressRow,
      Pick<MessageAddressRow, 'firmId' | 'label' | 'email'> & Partial<Pick<MessageAddressRow, 'position'>>,
      Partial<Pick<MessageAddressRow, 'label' | 'email' | 'position' | 'archivedAt'>>
    >;
    messages: Knex.CompositeTableType<
      MessageRow,
      Pick<MessageRow, 'firmId' | 'senderId' | 'senderName' | 'recipientKind' | 'recipientName' | 'subject' | 'body' | 'status'> &
        Partial<Pick<MessageRow, 'senderAddressId' | 'recipientUserId' | 'recipientAddressId' | 'clientId' | 'inReplyTo' | 'sentAt' | 'createdAt' | 'updatedAt' | 'readAt' | 'readBy' | 'cancelledAt'>>,
      Partial<Pick<MessageRow, 'subject' | 'body' | 'status' | 'updatedAt' | 'sentAt' | 'readAt' | 'readBy' | 'cancelledAt' | 'decidedBy' | 'decidedAt' | 'decisionComment'>>
    >;
    messageFiles: Knex.CompositeTableType<MessageFileRow, Omit<MessageFileRow, 'id'>, never>;
  }
}
