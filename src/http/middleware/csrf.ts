import type { Request, RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';
import { AppError } from '../../lib/errors.ts';

// Synchronizer tokens kept in the session. Forms send `_csrf` in the body; multipart forms, whose
// body is parsed later by the upload route, carry it in the action's query string instead, so
// that every state-changing request is checked here, before any route runs.
const { csrfSynchronisedProtection, generateToken } = csrfSync({
  getTokenFromRequest: (req: Request) => {
    if (req.is('multipart/form-data')) return typeof req.query._csrf === 'string' ? req.query._csrf : undefined;
    const body = req.body as Record<string, unknown> | undefined;
    if (typeof body?._csrf === 'string') return body._csrf;
    const header = req.headers['x-csrf-token'];
    return typeof header === 'string' ? header : undefined;
  },
  size: 32,
  errorConfig: { statusCode: 403, message: 'invalid csrf token', code: 'EBADCSRFTOKEN' },
});

export const csrfProtection: RequestHandler = (req, res, next) => {
  // Issued when a view asks for it (pages without a form write nothing to the session). The
  // token lives in the session: issuing it writes to the session, so its id stays put.
  Object.defineProperty(res.locals, 'csrfToken', { get: () => generateToken(req), configurable: true, enumerable: true });
  csrfSynchronisedProtection(req, res, (err?: unknown) => {
    if (err) return next(new AppError(403, 'bad_csrf', 'errors.badCsrf'));
    if (req.body && typeof req.body === 'object') delete (req.body as Record<string, unknown>)._csrf;
    next();
  });
};
