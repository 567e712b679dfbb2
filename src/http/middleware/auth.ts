import type { RequestHandler } from 'express';
import { FIRM_PEOPLE, type Role } from '../../db/tables.ts';
import { Forbidden } from '../../lib/errors.ts';

/** Signed-in users only; others go to the login page and come back afterwards. */
export const requireUser: RequestHandler = (req, res, next) => {
  if (req.user) return next();
  if (req.method === 'GET') {
    const back = req.originalUrl.startsWith('/') && !req.originalUrl.startsWith('//') ? req.originalUrl : '/';
    return res.redirect(303, `/login?next=${encodeURIComponent(back)}`);
  }
  return res.redirect(303, '/login');
};

/** Only these roles may go on; others get the friendly 403 page. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, res, next) => {
    if (!req.user) return requireUser(req, res, next);
    if (roles.includes(req.user.role)) return next();
    next(new Forbidden());
  };
}

/** The firm's people and its clients' contacts: every role but the management centre's staff. */
export const requireFirmPeople = requireRole(...FIRM_PEOPLE);
