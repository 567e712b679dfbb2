import type { RequestHandler } from 'express';
import type { FirmDirectory } from '../../modules/firms/directory.ts';

/** Finds the firm from the host name. An unknown host gets a plain 404: there is no firm to brand the page with. */
export function resolveFirm(directory: FirmDirectory): RequestHandler {
  return async (req, res, next) => {
    const firm = await directory.resolve(req.hostname ?? '');
    if (!firm) {
      res.status(404).type('text/plain; charset=utf-8').send('Espace introuvable — Unknown space');
      return;
    }
    req.firm = firm;
    res.locals.firm = firm;
    next();
  };
}
