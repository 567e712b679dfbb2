// The yardstick: node:http + pg, no framework, doing the same database work as the pages measured.
// GET /login: a new session row and a small page. Every signed-in page reads the session as the
// app's store does (its SQL, with the unread notifications). GET /: the app's own home statement
// (built by the app's code once per person at the first visit, then sent as raw SQL) after the
// scope readAsPerson sends, in the same simple query. GET /clients: a supervisor's client list (the
// count, a page sorted by name, the groups and staff for the filters), with the accent-free search
// of `q`. GET /mail: "Nouveaux courriers" (the count, a page sorted and filtered) with the person
// set for row-level security as the app sets it.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { APP_ROLE, createKnex } from '../src/db/knex.ts';
import type { FirmRow } from '../src/db/tables.ts';
import { readScopeSql, type CompiledRead } from '../src/db/withFirm.ts';
import type { SessionUser } from '../src/http/context.ts';
import { buildStatement } from '../src/modules/home/service.ts';
import { PRODUCT_MODULES } from '../src/modules/index.ts';
import { sessionReadSql } from '../src/modules/notifications/badge.ts';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, options: '-c role=passerelle_app', max: 10 });
pool.on('error', () => {});

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function sidOf(cookie: string | undefined): string | undefined {
  const m = /passerelle\.sid=s%3A([^.;]+)/.exec(cookie ?? '');
  return m?.[1];
}

async function login(res: http.ServerResponse) {
  const sid = randomBytes(24).toString('base64url');
  const token = randomBytes(32).toString('hex');
  await pool.query('INSERT INTO session (sid, sess, expire) VALUES ($1, $2, now() + interval \'12 hours\')', [sid, JSON.stringify({ cookie: {}, csrfToken: token })]);
  const nonce = randomBytes(16).toString('base64');
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': `passerelle.sid=s%3A${sid}.x; Path=/; HttpOnly; SameSite=Lax`, 'content-security-policy': `script-src 'self' 'nonce-${nonce}'` });
  res.end(`<!doctype html><html lang="fr"><head><title>Connexion</title></head><body><form method="post" action="/login"><input type="hidden" name="_csrf" value="${token}"><label>Identifiant <input name="identifier"></label><label>Mot de passe <input name="password" type="password"></label><button>Se connecter</button></form></body></html>`);
}

const SESSION_READ = sessionReadSql('session');
// Only to build the home statements with the app's code and to read the firms they depend on. Its
// import also sets the app's parser of DATE columns ('YYYY-MM-DD' strings, as the app reads them).
const db = createKnex({ url: process.env.DATABASE_URL!, role: APP_ROLE, poolMax: 1 });
const firms = new Map<string, FirmRow>(((await db('firms').select('*')) as FirmRow[]).map((f) => [f.id, f]));
await db.destroy();

async function sessionUser(req: http.IncomingMessage): Promise<SessionUser | undefined> {
  const sid = sidOf(req.headers.cookie);
  const { rows } = await pool.query<{ sess: { passport?: { user?: SessionUser } } }>({ name: 'session_get', text: SESSION_READ, values: [sid, Math.ceil(Date.now() / 1000)] });
  return rows[0]?.sess.passport?.user;
}

function sendPage(res: http.ServerResponse, title: string, body: string) {
  const nonce = randomBytes(16).toString('base64');
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': `script-src 'self' 'nonce-${nonce}'` });
  res.end(`<!doctype html><html lang="fr"><head><title>${esc(title)}</title></head><body>${body}</body></html>`);
}

/**
 * The signed-in user's page: the session read by its id, then `work` in a transaction scoped to the
 * firm (and to the person, with `asPerson`, as the app's withFirm does for pages whose rows depend on who asks).
 */
async function signedIn(req: http.IncomingMessage, res: http.ServerResponse, title: string, work: (client: pg.PoolClient, user: SessionUser) => Promise<string>, asPerson = false) {
  const user = await sessionUser(req);
  if (!user) {
    res.writeHead(303, { location: '/login' }).end();
    return;
  }
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    if (asPerson) await client.query(`SELECT set_config('app.firm_id', $1, true), set_config('app.user_id', $2, true), set_config('app.role', $3, true)`, [user.firmId, user.id, user.role]);
    else await client.query(`SELECT set_config('app.firm_id', $1, true)`, [user.firmId]);
    const body = await work(client, user);
    await client.query('COMMIT');
    sendPage(res, title, body);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Home statements by person, and the names prepared on each pooled connection. */
const homeReads = new Map<string, CompiledRead | null>();
const preparedOn = new WeakMap<pg.PoolClient, Set<string>>();

async function home(req: http.IncomingMessage, res: http.ServerResponse) {
  const user = await sessionUser(req);
  const firm = user && firms.get(user.firmId);
  if (!user || !firm) {
    res.writeHead(303, { location: '/login' }).end();
    return;
  }
  const key = `${user.firmId}:${user.id}:${user.role}`;
  if (!homeReads.has(key)) homeReads.set(key, buildStatement({ db, modules: PRODUCT_MODULES }, firm, user).read);
  const read = homeReads.get(key);
  let row: Record<string, unknown> = {};
  if (read) {
    const client = await pool.connect();
    try {
      let prepared = preparedOn.get(client);
      if (!prepared) preparedOn.set(client, (prepared = new Set()));
      if (!prepared.has(read.name)) {
        await client.query(`PREPARE "${read.name}" AS ${read.sql}`);
        prepared.add(read.name);
      }
      const results = (await client.query(`${readScopeSql(user.firmId, user)}; ${read.execute}`)) as unknown as pg.QueryResult[];
      row = results[1]!.rows[0] ?? {};
    } finally {
      client.release();
    }
  }
  const { recent, ...figures } = row as { recent?: { at: string; actor_name: string; action: string; object_label: string }[] };
  sendPage(
    res,
    'Accueil',
    `<h1>Bonjour ${esc(user.name)}</h1><ul>` +
      Object.entries(figures).flatMap(([, values]) => Object.entries(values as Record<string, number>).map(([k, v]) => `<li>${esc(k)} : ${esc(v)}</li>`)).join('') +
      '</ul><ul>' +
      (recent ?? []).map((r) => `<li>${esc(r.at)} ${esc(r.actor_name)} ${esc(r.action)} ${esc(r.object_label)}</li>`).join('') +
      '</ul>',
  );
}

const PER_PAGE = 25;

const clients = (req: http.IncomingMessage, res: http.ServerResponse) =>
  signedIn(req, res, 'Dossiers clients', async (client, user) => {
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    const words = (query.get('q') ?? '').split(/\s+/).filter(Boolean).slice(0, 8);
    const params: unknown[] = [user.firmId, ...words];
    const where = `c.firm_id = $1 AND NOT c.in_trash AND c.departed_on IS NULL${words.map((_, i) => ` AND c.search_text LIKE '%' || app_fold($${i + 2}) || '%'`).join('')}`;
    const { rows: count } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM clients c WHERE ${where}`, params);
    const total = Number(count[0]!.n);
    const page = Math.min(Math.max(1, Number(query.get('page') ?? 1) || 1), Math.max(1, Math.ceil(total / PER_PAGE)));
    const list = await client.query(
      `SELECT c.id, c.number, c.name, c.city, c.profession, c.siret, c.blocked, c.block_reason, c.in_trash, c.departed_on, c.collaborator_id,
              nullif(trim(u.first_name || ' ' || u.last_name), '') AS collaborator_name
       FROM clients c LEFT JOIN users u ON u.firm_id = c.firm_id AND u.id = c.collaborator_id
       WHERE c.firm_id = $1 AND c.id IN (SELECT c.id FROM clients c WHERE ${where} ORDER BY c.name_key, c.id LIMIT ${PER_PAGE} OFFSET ${(page - 1) * PER_PAGE})
       ORDER BY c.name_key, c.id`,
      params,
    );
    const groups = await client.query('SELECT * FROM client_groups WHERE firm_id = $1 ORDER BY name', [user.firmId]);
    const staff = await client.query(`SELECT id, first_name, last_name, code, role, departed_on FROM users WHERE firm_id = $1 AND active AND role IN ('collaborator', 'supervisor') ORDER BY last_name, first_name`, [user.firmId]);
    return (
      `<h1>Dossiers clients</h1><p>${total} clients</p><select>${groups.rows.map((g) => `<option>${esc(g.name)}</option>`).join('')}</select>` +
      `<select>${staff.rows.map((s) => `<option>${esc(s.first_name)} ${esc(s.last_name)}</option>`).join('')}</select><table>` +
      list.rows.map((c) => `<tr><td>${c.number}</td><td><a href="/clients/${c.id}">${esc(c.name)}</a></td><td>${esc(c.profession)}</td><td>${esc(c.city)}</td><td>${esc(c.collaborator_name ?? '')}</td></tr>`).join('') +
      `</table><p>Page ${page}</p>`
    );
  });

// The SQL that src/modules/mail/repo.ts newMail sends for staff (captured from knex), filters and sorts as there.
const MAIL_ORDER: Record<string, string> = {
  number: 'clients.number ASC, mail_items.created_at DESC',
  name: 'clients.name_key ASC, mail_items.created_at DESC',
  newest: 'mail_items.created_at DESC, mail_items.id DESC',
  oldest: 'mail_items.created_at ASC, mail_items.id ASC',
};
const MAIL_TYPES = new Set(['question', 'information', 'reminder', 'certificate', 'other']);

const mail = (req: http.IncomingMessage, res: http.ServerResponse) =>
  signedIn(
    req,
    res,
    'Nouveaux courriers',
    async (client, user) => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      const params: unknown[] = [user.firmId];
      let where = 'mail_items.firm_id = $1 AND clients.in_trash = false';
      if (user.role === 'collaborator') {
        params.push(user.id);
        where += ` AND (clients.collaborator_id = $2 OR EXISTS (SELECT 1 FROM client_access WHERE client_access.firm_id = $1 AND client_access.user_id = $2 AND client_access.client_id = clients.id))`;
      }
      where += ' AND mail_items.archived_at IS NULL';
      const filter = query.get('filter');
      if (filter === 'noReply') where += ' AND mail_items.needs_reply = false';
      if (filter === 'toAnswer') where += ' AND mail_items.needs_reply = true AND mail_items.answered_at IS NULL';
      const type = query.get('type') ?? '';
      if (MAIL_TYPES.has(type)) where += ` AND mail_items.type = $${params.push(type)}`;
      const from = 'mail_items INNER JOIN clients ON clients.firm_id = mail_items.firm_id AND clients.id = mail_items.client_id';
      const { rows: count } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${from} WHERE ${where}`, params);
      const total = Number(count[0]!.n);
      const page = Math.min(Math.max(1, Number(query.get('page') ?? 1) || 1), Math.max(1, Math.ceil(total / PER_PAGE)));
      const list = await client.query(
        `SELECT mail_items.id, mail_items.client_id, mail_items.type, mail_items.subject, mail_items.needs_reply, mail_items.reply_by, mail_items.name,
                mail_items.created_at, mail_items.read_at, mail_items.answered_at, mail_items.archived_at, clients.name AS client_name, clients.number AS client_number
         FROM ${from} WHERE ${where} ORDER BY ${MAIL_ORDER[query.get('sort') ?? ''] ?? MAIL_ORDER.newest} LIMIT ${PER_PAGE} OFFSET ${(page - 1) * PER_PAGE}`,
        params,
      );
      return (
        `<h1>Nouveaux courriers</h1><p>${total} courriers</p><table>` +
        list.rows.map((m) => `<tr${m.read_at ? '' : ' class="mail-unread"'}><td>${esc(m.created_at.toISOString().slice(0, 10))}</td><td>n° ${m.client_number} ${esc(m.client_name)}</td><td>${esc(m.type)}</td>` +
          `<td>${m.needs_reply ? '↩ ' : ''}<a href="/mail/${m.id}/document">${esc(m.subject)}</a> ${esc(m.name)}</td><td>${esc(m.reply_by ?? '')}</td><td>${m.answered_at ? 'Répondu' : m.needs_reply ? 'En attente' : 'Non lu'}</td></tr>`).join('') +
        `</table><p>Page ${page}</p>`
      );
    },
    true,
  );

const server = http.createServer((req, res) => {
  const work = req.url === '/login' ? login(res) : req.url?.startsWith('/clients') ? clients(req, res) : req.url?.startsWith('/mail') ? mail(req, res) : home(req, res);
  work.catch((err: unknown) => {
    console.error(err); // run.ts checks each page answers 200 first: this says why one did not
    res.writeHead(500).end();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.({ ready: true }));
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
