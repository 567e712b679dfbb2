// Typed tables: a misspelt column or a wrong type fails `tsc`. Rows are camelCase (see knex.ts).
import type { Knex } from 'knex';

/** centre: the staff of the firm's management centre (CGA/OGA), who see only what concerns them. */
export type Role = 'supervisor' | 'collaborator' | 'contact' | 'centre';
/** The firm's people and its clients' contacts: every role but the management centre's. */
export const FIRM_PEOPLE: readonly Role[] = ['supervisor', 'collaborator', 'contact'];
export type Locale = 'fr' | 'en';

export interface FirmRow {
  id: string;
  slug: string;
  name: string;
  siteName: string;
  legalName: string;
  siret: string | null;
  address: string;
  postcode: string;
  city: string;
  phone: string;
  email: string;
  primaryColor: string;
  accentColor: string;
  rowsPerPage: number;
  defaultLocale: Locale;
  modules: string[];
  showForgotPassword: boolean;
  customDomains: string[];
  hasLogo: boolean;
  /** B7: where "Envoyer les mises à jour" sends the client-list updates (the management centre). */
  centreEmails: string[];
  /** D3: the largest upload, and the kinds of file the firm accepts (see lib/files/type.ts). */
  uploadMaxMb: number;
  uploadKinds: string[];
  /** D5: what happens to the documents of unpaid dossiers, and what the client is told about paying. */
  unpaidMode: 'off' | 'stamp' | 'block';
  paymentInfo: string;
  /** D6: how long an emailed link lasts unless the sender says otherwise. */
  linkDays: number;
  /** I2: "Superviser les réponses de mes collaborateurs avant envoi". */
  superviseReplies: boolean;
  /** Messages: "Superviser aussi les messages de mes collaborateurs aux clients". */
  superviseMessages: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface FirmLogoRow {
  firmId: string;
  mime: string;
  data: Buffer;
  updatedAt: Date;
}

export interface UserRow {
  firmId: string;
  id: string; // bigint: pg returns it as a string
  role: Role;
  identifier: string;
  email: string | null;
  firstName: string;
  lastName: string;
  phone: string;
  jobTitle: string;
  locale: Locale | null;
  passwordHash: string | null;
  passwordChangedAt: Date | null;
  active: boolean;
  lastLoginAt: Date | null;
  /** A collaborator's code (COL14) and departure date (seed 000, Supervision). */
  code: string;
  departedOn: string | null;
  /** A contact's copies: the emails of the client's own staff (C1). */
  copyEmails: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface PasswordTokenRow {
  firmId: string;
  id: string;
  userId: string;
  tokenHash: Buffer;
  purpose: 'reset' | 'invite';
  expiresAt: Date;
  usedAt: Date | null;
  createdBy: string | null;
  createdAt: Date;
}

export interface MailOutboxRow {
  firmId: string;
  id: string;
  recipient: string;
  subject: string;
  textBody: string;
  htmlBody: string | null;
  kind: string;
  /** Where answers go: the collaborator who wrote the email (C3), rather than the firm's sender. */
  replyTo: string | null;
  status: 'pending' | 'sending' | 'sent' | 'failed';
  attempts: number;
  nextAttemptAt: Date;
  lockedUntil: Date | null;
  lastError: string | null;
  sentAt: Date | null;
  createdAt: Date;
}

export interface ActivityRow {
  firmId: string;
  id: string;
  at: Date;
  actorId: string | null;
  actorName: string;
  action: string;
  clientId: string | null;
  objectType: string | null;
  objectId: string | null;
  objectLabel: string;
  details: Record<string, unknown>;
  ip: string | null;
}

export type AttributeType = 'text' | 'number' | 'date' | 'boolean' | 'list';
export type AccessLevel = 'read' | 'write';

export interface ClientGroupRow {
  firmId: string;
  id: string;
  name: string;
}

export interface ClientAttributeRow {
  firmId: string;
  id: string;
  label: string;
  type: AttributeType;
  options: string[];
}

export interface RecordTemplateRow {
  firmId: string;
  id: string;
  name: string;
}

export interface RecordTemplateAttributeRow {
  firmId: string;
  templateId: string;
  attributeId: string;
  position: number;
}

/** Dates without time (activity start, client since, departure) travel as 'YYYY-MM-DD' strings. */
export interface ClientRow {
  firmId: string;
  id: string;
  number: number;
  name: string;
  siret: string | null;
  legalStatus: string;
  profession: string;
  activityStartedOn: string | null;
  clientSince: string | null;
  address: string;
  postcode: string;
  city: string;
  homeAddress: string;
  homePostcode: string;
  homeCity: string;
  phone: string;
  fax: string;
  email: string;
  dossierNumber: string;
  collaboratorId: string | null;
  groupId: string | null;
  /** Custom attribute values by attribute id: text, number, 'YYYY-MM-DD', boolean or a list option. */
  customValues: Record<string, string | number | boolean>;
  blocked: boolean;
  blockReason: string;
  /** D5: this client gets the documents of unpaid dossiers as if paid. */
  unpaidExempt: boolean;
  inTrash: boolean;
  departedOn: string | null;
  reportedAddedAt: Date | null;
  reportedDepartureAt: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ClientContactRow {
  firmId: string;
  clientId: string;
  userId: string;
  createdAt: Date;
}

export interface ClientAccessRow {
  firmId: string;
  clientId: string;
  userId: string;
  level: AccessLevel;
}

export interface ClientListDispatchRow {
  firmId: string;
  id: string;
  sentAt: Date;
  sentBy: string | null;
  recipients: string[];
  added: { number: number; name: string }[];
  departed: { number: number; name: string; departedOn: string }[];
}

export type Generated = 'id' | 'createdAt' | 'updatedAt';
export type Insert<Row, Optional extends keyof Row = never> = Omit<Row, Generated | Optional> & Partial<Pick<Row, Optional>>;

declare module 'knex/types/tables.js' {
  interface Tables {
    firms: Knex.CompositeTableType<
      FirmRow,
      Insert<FirmRow, 'siteName' | 'legalName' | 'siret' | 'address' | 'postcode' | 'city' | 'phone' | 'email' | 'primaryColor' | 'accentColor' | 'rowsPerPage' | 'defaultLocale' | 'modules' | 'showForgotPassword' | 'customDomains' | 'hasLogo' | 'centreEmails' | 'uploadMaxMb' | 'uploadKinds' | 'unpaidMode' | 'paymentInfo' | 'linkDays' | 'superviseReplies' | 'superviseMessages'>,
      Partial<Omit<FirmRow, 'id' | 'createdAt'>>
    >;
    firmLogos: Knex.CompositeTableType<FirmLogoRow, Omit<FirmLogoRow, 'updatedAt'>, Partial<Omit<FirmLogoRow, 'firmId'>>>;
    users: Knex.CompositeTableType<
      UserRow,
      Insert<UserRow, 'email' | 'firstName' | 'lastName' | 'phone' | 'jobTitle' | 'locale' | 'passwordHash' | 'passwordChangedAt' | 'active' | 'lastLoginAt' | 'code' | 'departedOn' | 'copyEmails'>,
      Partial<Omit<UserRow, 'id' | 'firmId' | 'createdAt'>>
    >;
    passwordTokens: Knex.CompositeTableType<PasswordTokenRow, Insert<PasswordTokenRow, 'usedAt' | 'createdBy'>, Partial<Pick<PasswordTokenRow, 'usedAt'>>>;
    mailOutbox: Knex.CompositeTableType<
      MailOutboxRow,
      Pick<MailOutboxRow, 'firmId' | 'recipient' | 'subject' | 'textBody' | 'kind'> & Partial<Pick<MailOutboxRow, 'htmlBody' | 'replyTo'>>,
      Partial<Omit<MailOutboxRow, 'id' | 'firmId' | 'createdAt'>>
    >;
    clientGroups: Knex.CompositeTableType<ClientGroupRow, Omit<ClientGroupRow, 'id'>, Pick<ClientGroupRow, 'name'>>;
    clientAttributes: Knex.CompositeTableType<ClientAttributeRow, Insert<ClientAttributeRow, 'options'>, Partial<Pick<ClientAttributeRow, 'label' | 'options'>>>;
    recordTemplates: Knex.CompositeTableType<RecordTemplateRow, Omit<RecordTemplateRow, 'id'>, Pick<RecordTemplateRow, 'name'>>;
    recordTemplateAttributes: Knex.CompositeTableType<RecordTemplateAttributeRow, RecordTemplateAttributeRow, never>;
    clients: Knex.CompositeTableType<
      ClientRow,
      Pick<ClientRow, 'firmId' | 'number' | 'name'> & Partial<Omit<ClientRow, Generated | 'firmId' | 'number' | 'name' | 'version'>>,
      Partial<Omit<ClientRow, 'id' | 'firmId' | 'createdAt'>>
    >;
    clientContacts: Knex.CompositeTableType<ClientContactRow, Omit<ClientContactRow, 'createdAt'>, never>;
    clientAccess: Knex.CompositeTableType<ClientAccessRow, ClientAccessRow, Pick<ClientAccessRow, 'level'>>;
    clientListDispatches: Knex.CompositeTableType<ClientListDispatchRow, Omit<ClientListDispatchRow, 'id' | 'sentAt'>, never>;
    activityLog: Knex.CompositeTableType<
      ActivityRow,
      Pick<ActivityRow, 'firmId' | 'action'> & Partial<Omit<ActivityRow, 'id' | 'firmId' | 'action' | 'at'>>,
      never
    >;
  }
}
