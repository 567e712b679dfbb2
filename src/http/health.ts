import type { RequestHandler } from 'express';
import type { AppDeps } from '../deps.ts';

/** Readiness: 200 when the database answers, 503 otherwise. */
export function healthRoute(deps: AppDeps): RequestHandler {
  return async (_req, res) => {
    try {
      await deps.db.raw('SELECT 1');
      res.setHeader('Cache-Control', 'no-store');
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  };
}
