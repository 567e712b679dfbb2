import type { Knex } from 'knex';
import { wallOffByFirm } from './support/rls.ts';

// The firm's own SMTP server and sender (K1, "Serveur d'envoi"). No row: the platform's SMTP_URL
// and MAIL_FROM. The password is stored encrypted (lib/mail/smtpSettings.ts), never shown back.
// The supervisor alone reads and changes it; the mail worker reads every firm's to send.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE firm_smtp_settings (
      firm_id uuid PRIMARY KEY REFERENCES firms (id) ON DELETE CASCADE,
      host text NOT NULL CHECK (host ~ '^[A-Za-z0-9.:-]{1,253}$'),
      port integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
      security text NOT NULL CHECK (security IN ('none', 'starttls', 'tls')),
      username text NOT NULL DEFAULT '' CHECK (length(username) <= 254),
      password_secret text CHECK (length(password_secret) <= 2000),
      from_name text NOT NULL DEFAULT '' CHECK (length(from_name) <= 100),
      from_address text NOT NULL CHECK (length(from_address) BETWEEN 3 AND 254),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    GRANT SELECT ON firm_smtp_settings TO passerelle_worker;
  `);
  await wallOffByFirm(knex, 'firm_smtp_settings');
  await knex.raw(`
    CREATE POLICY supervisor_only ON firm_smtp_settings AS RESTRICTIVE TO passerelle_app
      USING (app_current_role() = 'supervisor') WITH CHECK (app_current_role() = 'supervisor');
    CREATE POLICY centre_none ON firm_smtp_settings AS RESTRICTIVE TO passerelle_app USING (NOT app_is_centre());
    -- The worker sends every firm's mail, through the firm's server when it has one.
    CREATE POLICY worker_reads_all ON firm_smtp_settings FOR SELECT TO passerelle_worker USING (true);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE firm_smtp_settings;');
}
