// The mail-scale seed (issue 5): 200,000 mails ("courriers") in the mail of one firm of the client
// seed (bench-001, 10,000 clients), five years of what a management centre and the firm put in, and
// some clients of the other collaborators shared with each collaborator (client_access), so that a
// collaborator's list goes through both ways a client is open to them. Generated inside PostgreSQL
// in one INSERT … SELECT generate_series, the same from run to run (setseed). Storage keys and
// hashes are made up: the list never opens the files. Rows are written oldest first, as they arrive:
// the mail not archived yet is mostly in the table's last pages, as it would be.
//
// What the rows look like: a mail is archived when someone opens it, so almost all old mail is
// archived (98 % of what is older than 30 days, half of the last 30 days): about 2.7 % of the
// 200,000 are "Nouveaux courriers". Types: 25 % questions (90 % of them need an answer, by 30 days
// later), 40 % information, 15 % reminders (30 % need an answer), 10 % certificates, 10 % other; 90 %
// of the archived mail that needed an answer has one, 25 % of the rest. 85 % come from the centre.
//
// `DATABASE_URL=… node bench/seed-mail.ts` seeds the clients first (bench/seed-clients.ts) if needed.
import pg from 'pg';
import { benchSlug, seedClients } from './seed-clients.ts';

export const MAILS = 200_000;

// What a management centre writes about (seed 000) and what the firm puts in itself, and how the
// document is named.
const SUBJECTS: [string, string][] = [
  ['Examen de cohérence et de vraisemblance : marge brute', 'ECCV'], ['Examen périodique de sincérité', 'EPS'], ['Attestation d’adhésion', 'Attestation adhesion'],
  ['Dossier de gestion et ratios', 'Dossier de gestion'], ['Relance : déclaration de résultats non reçue', 'Relance declaration'],
  ['Questionnaire de prévention des difficultés', 'Questionnaire prevention'], ['Compte rendu de mission', 'Compte rendu de mission'],
  ['Écart entre chiffre d’affaires et TVA collectée', 'Ecart CA TVA'], ['Demande de justificatif : frais de véhicule', 'Demande justificatif'],
  ['Relance : cotisation annuelle', 'Relance cotisation'], ['Analyse des charges sociales', 'Analyse charges sociales'],
  ['Information : nouvelles obligations de facturation électronique', 'Information facturation electronique'],
  ['Demande de précision : stock de fin d’exercice', 'Demande stock'], ['Attestation de dépôt de la liasse fiscale', 'Attestation depot liasse'],
  ['Compte rendu d’examen de concordance', 'Examen de concordance'], ['Convocation à l’entretien annuel', 'Convocation entretien'],
];

// $1 firm, $2 count, $3 client ids, $4 subjects, $5 their file names' beginnings, $6 the supervisor (sender of the firm's own mail).
const MAIL_SQL = `
INSERT INTO mail_items (firm_id, client_id, sender_id, from_centre, type, subject, needs_reply, reply_by, name, size, sha256, storage_key,
  created_at, read_at, read_by, archived_at, answered_at)
SELECT $1::uuid, client_id, CASE WHEN from_centre THEN NULL ELSE $6::bigint END, from_centre, type, subject || ' ' || extract(year FROM created_at),
  needs_reply, CASE WHEN needs_reply THEN (created_at + interval '30 days')::date END,
  prefix || ' ' || extract(year FROM created_at) || ' - ' || i || '.pdf', 20000 + floor(r_size * 400000)::bigint,
  md5(i::text) || md5(i::text || 'x'), 'bench-mail/' || i,
  created_at, archived_at, CASE WHEN archived_at IS NOT NULL THEN $6::bigint END, archived_at,
  CASE WHEN needs_reply AND r_answer < CASE WHEN archived_at IS NULL THEN 0.25 ELSE 0.9 END THEN created_at + (now() - created_at) * r_answer_at * 0.5 END
FROM (
  SELECT *,
    CASE WHEN r_archive < CASE WHEN created_at > now() - interval '30 days' THEN 0.5 ELSE 0.98 END
      THEN created_at + (now() - created_at) * r_archive_at * 0.3 END AS archived_at,
    (type = 'question' AND r_reply < 0.9) OR (type = 'reminder' AND r_reply < 0.3) AS needs_reply
  FROM (
    SELECT i, r_size, r_answer, r_answer_at, r_archive, r_archive_at, r_reply,
      ($3::bigint[])[1 + floor(cardinality($3::bigint[]) * r_client)::int] AS client_id,
      now() - interval '5 years' * (($2::int - i + r_age) / $2::int) AS created_at,
      CASE WHEN r_type < 0.25 THEN 'question' WHEN r_type < 0.65 THEN 'information' WHEN r_type < 0.8 THEN 'reminder' WHEN r_type < 0.9 THEN 'certificate' ELSE 'other' END AS type,
      ($4::text[])[1 + floor(cardinality($4::text[]) * r_subject)::int] AS subject,
      ($5::text[])[1 + floor(cardinality($4::text[]) * r_subject)::int] AS prefix,
      r_centre < 0.85 AS from_centre
    FROM (
      SELECT i, random() AS r_client, random() AS r_age, random() AS r_type, random() AS r_subject, random() AS r_size, random() AS r_centre,
        random() AS r_reply, random() AS r_answer, random() AS r_answer_at, random() AS r_archive, random() AS r_archive_at
      FROM generate_series(1, $2::int) AS i
    ) AS draws
  ) AS picks
) AS mails`;

export interface MailSeed {
  firmSlug: string;
  mails: number;
  ms: number;
  reused: boolean;
}

/** Seeds the clients (if needed), then `mails` mails in the firm bench-001 (unless there already). */
export async function seedMail(databaseUrl: string, opts: { mails?: number; log?: (msg: string) => void } = {}): Promise<MailSeed> {
  const mails = opts.mails ?? MAILS;
  const firmSlug = benchSlug(1);
  const seeded = await seedClients(databaseUrl, { log: opts.log });
  if (!seeded.reused) opts.log?.(`seed: ${seeded.clients.toLocaleString('en')} clients over ${seeded.firms} firms in ${(seeded.ms / 1000).toFixed(1)} s`);
  const started = performance.now();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const firm = (await client.query<{ id: string }>('SELECT id FROM firms WHERE slug = $1', [firmSlug])).rows[0]!;
    await client.query(`BEGIN; SELECT set_config('app.firm_id', '${firm.id}', true)`);
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM mail_items WHERE firm_id = $1', [firm.id]);
    if (rows[0]!.n >= mails) {
      await client.query('ROLLBACK');
      return { firmSlug, mails: rows[0]!.n, ms: performance.now() - started, reused: true };
    }
    // What an interrupted or smaller seed left.
    await client.query('DELETE FROM mail_items WHERE firm_id = $1', [firm.id]);
    await client.query('DELETE FROM client_access WHERE firm_id = $1', [firm.id]);
    await client.query(`SET LOCAL work_mem = '64MB'; SELECT setseed(0.5)`);
    const clients = await client.query<{ id: string }>('SELECT id FROM clients WHERE firm_id = $1 ORDER BY id', [firm.id]);
    const supervisor = (await client.query<{ id: string }>(`SELECT id FROM users WHERE firm_id = $1 AND role = 'supervisor' ORDER BY id LIMIT 1`, [firm.id])).rows[0]!;
    await client.query(MAIL_SQL, [firm.id, mails, clients.rows.map((c) => c.id), SUBJECTS.map((x) => x[0]), SUBJECTS.map((x) => x[1]), supervisor.id]);
    // Each collaborator may also open 3 % of the clients of others (B3 "Collaborateurs").
    await client.query(
      `INSERT INTO client_access (firm_id, client_id, user_id, level)
       SELECT c.firm_id, c.id, u.id, CASE WHEN random() < 0.5 THEN 'read' ELSE 'write' END
       FROM users u JOIN clients c ON c.firm_id = u.firm_id AND c.collaborator_id IS DISTINCT FROM u.id
       WHERE u.firm_id = $1 AND u.role = 'collaborator' AND random() < 0.03`,
      [firm.id],
    );
    await client.query('COMMIT');
    await client.query('VACUUM (ANALYZE) mail_items, client_access');
    return { firmSlug, mails, ms: performance.now() - started, reused: false };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL: the database to seed, as its schema owner');
  const r = await seedMail(url, { log: (m) => console.log(m) });
  console.log(r.reused ? `${r.mails.toLocaleString('en')} mails already in ${r.firmSlug}: nothing done` : `${r.mails.toLocaleString('en')} mails in ${r.firmSlug} in ${(r.ms / 1000).toFixed(1)} s`);
}
