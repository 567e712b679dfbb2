import type { Knex } from 'knex';
import { wallOffByFirm } from './support/rls.ts';

// Email templates per firm (K1): the subject and body a firm wrote for one kind of email in one
// language, in place of the catalogue's. No row: the catalogue's text is sent.
//
// Only the firm's staff read them, only its supervisor changes them. Yet every email is written in
// the transaction of whoever causes it (a contact asking for a new password, the centre putting a
// mail in): app_email_template() reads the one row that email needs, for the firm of the
// transaction, as the table's owner, so that the policies below can stay closed to everyone else.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE email_templates (
      firm_id uuid NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind ~ '^[A-Za-z][A-Za-z0-9_.:-]{0,99}$'),
      lang text NOT NULL CHECK (lang IN ('fr', 'en')),
      subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (firm_id, kind, lang)
    );
  `);
  await wallOffByFirm(knex, 'email_templates');
  // TO passerelle_app: the owner's function below is bound by the firm policy only.
  await knex.raw(`
    CREATE POLICY staff_read ON email_templates AS RESTRICTIVE FOR SELECT TO passerelle_app
      USING (app_current_role() IN ('supervisor', 'collaborator'));
    CREATE POLICY supervisor_insert ON email_templates AS RESTRICTIVE FOR INSERT TO passerelle_app
      WITH CHECK (app_current_role() = 'supervisor');
    CREATE POLICY supervisor_update ON email_templates AS RESTRICTIVE FOR UPDATE TO passerelle_app
      USING (app_current_role() = 'supervisor') WITH CHECK (app_current_role() = 'supervisor');
    CREATE POLICY supervisor_delete ON email_templates AS RESTRICTIVE FOR DELETE TO passerelle_app
      USING (app_current_role() = 'supervisor');
    CREATE POLICY centre_none ON email_templates AS RESTRICTIVE TO passerelle_app USING (NOT app_is_centre());

    -- The firm's template of one kind in one language, for the email being written (see above).
    CREATE FUNCTION app_email_template(p_kind text, p_lang text) RETURNS TABLE (subject text, body text)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
      $$ SELECT t.subject, t.body FROM email_templates t
          WHERE t.firm_id = app_current_firm() AND t.kind = p_kind AND t.lang = p_lang $$;
    REVOKE ALL ON FUNCTION app_email_template(text, text) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION app_email_template(text, text) TO passerelle_app;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION app_email_template(text, text); DROP TABLE email_templates;');
}
