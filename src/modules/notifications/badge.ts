// The header's count of unread notifications, on every page, without a query of its own: the
// session row is read from PostgreSQL on every request, and the count comes back in that same
// statement (app_unread_notifications(): migration 20261126000031). The store puts it on the
// request; a middleware hands it to the views.
import type { RequestHandler } from 'express';
import type expressSession from 'express-session';
import type { SessionData } from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import type pg from 'pg';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Unread notifications of the session's user (at most 100), read with the session. */
      unreadNotifications?: number;
    }
    interface Locals {
      unreadNotifications: number | undefined;
    }
  }
}

/** Rides along with the session's data from get() to createSession(): a symbol is neither saved nor hashed. */
const UNREAD = Symbol('unreadNotifications');
type WithUnread = SessionData & { [UNREAD]?: number | null };

interface Options extends connectPgSimple.PGStoreOptions {
  pool: pg.Pool;
  tableName: string;
}

/** The session row by its id ($1) if not expired at $2 (seconds since 1970), with its user's unread notifications. */
export function sessionReadSql(tableName: string): string {
  return `SELECT sess, app_unread_notifications(sess #>> '{passport,user,firmId}', sess #>> '{passport,user,id}') AS unread
    FROM "${tableName.replace(/"/g, '""')}" WHERE sid = $1 AND expire >= to_timestamp($2)`;
}

/**
 * connect-pg-simple's store, whose read also counts the user's unread notifications. Its own get()
 * is replaced as a whole (same row, same expiry test); its prune timer starts on the first write.
 */
export function sessionStoreWithUnread(session: typeof expressSession) {
  const PgStore = connectPgSimple(session);
  return class SessionStoreWithUnread extends PgStore {
    readonly #pool: pg.Pool;
    readonly #sql: string;

    constructor(options: Options) {
      super(options);
      this.#pool = options.pool;
      this.#sql = sessionReadSql(options.tableName);
    }

    override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
      // Named: each pooled connection parses and plans it once, not on every request.
      this.#pool.query<{ sess: WithUnread | string; unread: number | null }>({ name: 'session_get', text: this.#sql, values: [sid, Math.ceil(Date.now() / 1000)] }).then(
        ({ rows: [row] }) => {
          if (!row) return callback(null, null);
          let sess: WithUnread;
          try {
            sess = typeof row.sess === 'string' ? (JSON.parse(row.sess) as WithUnread) : row.sess;
          } catch {
            return this.destroy(sid, (err) => callback(err, null));
          }
          sess[UNREAD] = row.unread;
          callback(null, sess);
        },
        (err: unknown) => callback(err),
      );
    }

    override createSession(req: Parameters<InstanceType<typeof PgStore>['createSession']>[0], sess: SessionData) {
      const unread = (sess as WithUnread)[UNREAD];
      req.unreadNotifications = typeof unread === 'number' ? unread : undefined;
      return super.createSession(req, sess);
    }
  };
}

/** For the layout: a number for a signed-in user (0 when none, or just signed in), else undefined. */
export const unreadForViews: RequestHandler = (req, res, next) => {
  res.locals.unreadNotifications = req.user ? (req.unreadNotifications ?? 0) : undefined;
  next();
};
