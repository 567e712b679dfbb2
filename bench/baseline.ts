// The yardstick: node:http + pg, no framework, doing the same database work as the pages measured.
// GET /login: a new session row and a small page. GET /: the session read by its id, the firm set
// for row-level security, the home page's two queries in one transaction, and a page.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';

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

async function home(req: http.IncomingMessage, res: http.ServerResponse) {
  const sid = sidOf(req.headers.cookie);
  const { rows } = await pool.query<{ sess: { passport?: { user?: { firmId: string; name: string } } } }>('SELECT sess FROM session WHERE sid = $1 AND expire >= now()', [sid]);
  const user = rows[0]?.sess.passport?.user;
  if (!user) {
    res.writeHead(303, { location: '/login' }).end();
    return;
  }
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT set_config('app.firm_id', $1, true)`, [user.firmId]);
    const counts = await client.query('SELECT role, count(*) FROM users WHERE firm_id = $1 AND active GROUP BY role', [user.firmId]);
    const recent = await client.query('SELECT * FROM activity_log WHERE firm_id = $1 ORDER BY id DESC LIMIT 5', [user.firmId]);
    await client.query('COMMIT');
    const nonce = randomBytes(16).toString('base64');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': `script-src 'self' 'nonce-${nonce}'` });
    res.end(
      `<!doctype html><html lang="fr"><head><title>Accueil</title></head><body><h1>Bonjour ${esc(user.name)}</h1><ul>` +
        counts.rows.map((r) => `<li>${esc(r.role)} : ${esc(r.count)}</li>`).join('') +
        '</ul><ul>' +
        recent.rows.map((r) => `<li>${esc(r.at.toISOString())} ${esc(r.actor_name)} ${esc(r.action)} ${esc(r.object_label)}</li>`).join('') +
        '</ul></body></html>',
    );
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

const server = http.createServer((req, res) => {
  const work = req.url === '/login' ? login(res) : home(req, res);
  work.catch(() => res.writeHead(500).end());
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.({ ready: true }));
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
