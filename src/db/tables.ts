// Typed tables: a misspelt column or a wrong type fails `tsc`. Rows are camelCase (see knex.ts).
import type { Knex } from 'knex';

export type Role = 'supervisor' | 'collaborator' | 'contact';
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

type Generated = 'id' | 'createdAt' | 'updatedAt';
type Insert<Row, Optional extends keyof Row = never> = Omit<Row, Generated | Optional> & Partial<Pick<Row, Optional>>;

declare module 'knex/types/tables.js' {
  interface Tables {
    firms: Knex.CompositeTableType<
      FirmRow,
      Insert<FirmRow, 'siteName' | 'legalName' | 'siret' | 'address' | 'postcode' | 'city' | 'phone' | 'email' | 'primaryColor' | 'accentColor' | 'rowsPerPage' | 'defaultLocale' | 'modules' | 'showForgotPassword' | 'customDomains' | 'hasLogo'>,
      Partial<Omit<FirmRow, 'id' | 'createdAt'>>
    >;
    firmLogos: Knex.CompositeTableType<FirmLogoRow, Omit<FirmLogoRow, 'updatedAt'>, Partial<Omit<FirmLogoRow, 'firmId'>>>;
    users: Knex.CompositeTableType<
      UserRow,
      Insert<UserRow, 'email' | 'firstName' | 'lastName' | 'phone' | 'jobTitle' | 'locale' | 'passwordHash' | 'passwordChangedAt' | 'active' | 'lastLoginAt'>,
      Partial<Omit<UserRow, 'id' | 'firmId' | 'createdAt'>>
    >;
    passwordTokens: Knex.CompositeTableType<PasswordTokenRow, Insert<PasswordTokenRow, 'usedAt' | 'createdBy'>, Partial<Pick<PasswordTokenRow, 'usedAt'>>>;
    mailOutbox: Knex.CompositeTableType<
      MailOutboxRow,
      Pick<MailOutboxRow, 'firmId' | 'recipient' | 'subject' | 'textBody' | 'kind'> & Partial<Pick<MailOutboxRow, 'htmlBody'>>,
      Partial<Omit<MailOutboxRow, 'id' | 'firmId' | 'createdAt'>>
    >;
    activityLog: Knex.CompositeTableType<
      ActivityRow,
      Pick<ActivityRow, 'firmId' | 'action'> & Partial<Omit<ActivityRow, 'id' | 'firmId' | 'action' | 'at'>>,
      never
    >;
  }
}
