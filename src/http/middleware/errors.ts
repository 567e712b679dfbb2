import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, NotFound } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { renderPage } from '../render.ts';
import { requestFields } from './requestLog.ts';

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(new NotFound());

/** One friendly page for every error, with the request id to quote; never a stack trace. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = err instanceof AppError ? err : bodyError(err);
    const status = known?.status ?? 500;
    if (!known) log.error({ ...requestFields(req), err }, 'unexpected error');
    if (res.headersSent) return res.end();
    if (!req.firm || !res.locals.t) {
      res.status(status).type('text/plain; charset=utf-8').send(`Erreur ${status} — référence ${req.id}`);
      return;
    }
    const messageKey = known?.messageKey ?? 'errors.unexpected';
    renderPage(res, 'errors/error', { title: res.locals.t(`errors.title${status}`, { defaultValue: res.locals.t('errors.titleDefault') }), status, messageKey, requestId: req.id }, status);
  };
}

/** Body parser failures (too large, malformed) are the client's, not ours. */
function bodyError(err: unknown): AppError | undefined {
  const e = err as { type?: string; status?: number };
  if (e?.type === 'entity.too.large') return new AppError(413, 'too_large', 'errors.tooLarge');
  if (e?.type && e.status && e.status < 500) return new AppError(400, 'bad_request', 'errors.invalid');
  return undefined;
}
