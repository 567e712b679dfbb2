// buildApp(deps) → the Express app, without listening (tests import it).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import session from 'express-session';
import { randomUUID } from 'node:crypto';
import type { AppDeps } from './deps.ts';
import { csrfProtection } from './http/middleware/csrf.ts';
import { errorHandler, notFoundHandler } from './http/middleware/errors.ts';
import { resolveFirm } from './http/middleware/firm.ts';
import { series } from './http/middleware/series.ts';
import { requestLog } from './http/middleware/requestLog.ts';
import { viewLocals } from './http/middleware/locals.ts';
import { noStoreWhenSignedIn, securityHeaders } from './http/middleware/security.ts';
import { saveSessionBeforeRedirect } from './http/middleware/sessionRedirect.ts';
import { createPassport } from './http/passport.ts';
import { viewEngine } from './http/render.ts';
import { buildMenu } from './modules/registry.ts';
import { authRoutes } from './modules/auth/routes.ts';
import { accountRoutes } from './modules/account/routes.ts';
import { notificationRoutes } from './modules/notifications/routes.ts';
import { sessionStoreWithUnread, unreadForViews } from './modules/notifications/badge.ts';
import { activityRoutes } from './modules/activity/routes.ts';
import { firmRoutes, logoRoute } from './modules/firms/routes.ts';
import { homeRoutes } from './modules/home/routes.ts';
import { userRoutes } from './modules/users/routes.ts';
import { devMailRoutes } from './lib/mail/devRoutes.ts';
import { emailRoutes } from './modules/emails/index.ts';
import { healthRoute } from './http/health.ts';
import { formatAmount, formatDate, formatDateTime, formatSize } from './lib/format.ts';
import { inkOn } from './lib/colors.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SESSION_COOKIE = 'passerelle.sid';

export function buildApp(deps: AppDeps): express.Express {
  const { config } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Pages carry a fresh CSP nonce (and signed-in ones are no-store): an ETag, a hash of each page,
  // could never match. Static files and the logo set their own.
  app.set('etag', false);
  app.set('env', 'production'); // Express's last-resort handler must never print a stack trace
  app.set('trust proxy', config.trustProxy);
  app.set('views', path.join(ROOT, 'views'));
  app.set('view engine', 'ejs');
  app.set('view cache', config.env !== 'development'); // templates compiled once (src/http/render.ts)
  app.engine('ejs', viewEngine(app));
  app.locals.assetVersion = randomUUID().slice(0, 8);
  Object.assign(app.locals, { formatDate, formatDateTime, formatAmount, formatSize, inkOn });

  app.use(series(requestLog(deps.log), ...securityHeaders(config.production)));

  const staticOptions = { maxAge: '365d', immutable: true, index: false as const };
  app.use('/static', express.static(path.join(ROOT, 'public'), staticOptions));
  app.use('/vendor/bootstrap', express.static(path.join(ROOT, 'node_modules/bootstrap/dist'), staticOptions));
  app.get('/healthz', healthRoute(deps));

  app.use(resolveFirm(deps.firms));
  app.use(express.urlencoded({ extended: false, limit: '200kb', parameterLimit: 200 }));

  const PgStore = sessionStoreWithUnread(session); // its read also counts the header's unread notifications
  app.use(
    session({
      name: SESSION_COOKIE,
      secret: config.sessionSecret,
      store: new PgStore({ pool: deps.sessionPool, tableName: 'session', disableTouch: true, pruneSessionInterval: 15 * 60 }),
      resave: false,
      saveUninitialized: false,
      rolling: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: config.production, maxAge: config.sessionMaxAgeMs },
    }),
  );
  const passport = createPassport(deps);
  const menuFor = buildMenu(deps.modules);
  app.use(
    series(
      passport.initialize(),
      passport.session(),
      saveSessionBeforeRedirect,
      noStoreWhenSignedIn,
      viewLocals(deps.i18n),
      unreadForViews,
      (req, res, next) => {
        res.locals.menu = menuFor(req.firm, req.user);
        next();
      },
    ),
  );
  app.get('/brand/logo', logoRoute(deps));
  app.use(csrfProtection);

  app.use(authRoutes(deps, passport));
  app.use(homeRoutes(deps));
  app.use(accountRoutes(deps));
  app.use(notificationRoutes(deps));
  app.use(firmRoutes(deps));
  app.use(userRoutes(deps));
  app.use(activityRoutes(deps));
  app.use(emailRoutes(deps));
  if (config.devTools) app.use(devMailRoutes(deps));
  for (const mod of deps.modules) {
    // A module the firm has not enabled does not exist for it: its routes answer 404.
    const gated = express.Router();
    gated.use((req, _res, next) => next(req.firm.modules.includes(mod.key) ? undefined : 'router'));
    gated.use(mod.router(deps));
    app.use(gated);
  }

  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return app;
}
