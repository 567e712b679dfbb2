// passport-local over the auth service. The session keeps a few user fields (no user query per
// request); a session is only worth something on the host of its own firm.
import type { Request } from 'express';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { AppDeps } from '../deps.ts';
import type { SessionUser } from './context.ts';
import { signIn } from '../modules/auth/service.ts';

export type PassportInstance = InstanceType<typeof Passport>;

export function createPassport(deps: AppDeps): PassportInstance {
  const passport = new Passport();
  passport.use(
    new LocalStrategy({ usernameField: 'identifier', passwordField: 'password', passReqToCallback: true }, (req, identifier, password, done) => {
      signIn(deps, req.firm, identifier, password, req.ip ?? '')
        .then((r) => (r.ok ? done(null, r.user) : done(null, false, { message: r.error.key, error: r.error } as { message: string })))
        .catch(done);
    }),
  );
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((req: Request, user: SessionUser, done: (err: unknown, user?: SessionUser | false) => void) => {
    done(null, user && user.firmId === req.firm.id ? user : false);
  });
  return passport;
}
