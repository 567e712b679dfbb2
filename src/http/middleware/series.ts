import type { NextFunction, Request, RequestHandler, Response } from 'express';

type Step = (req: Request, res: Response, next: NextFunction) => unknown;

/**
 * Runs small middleware one after another as one: the steps every request takes (security
 * headers, sign-in, view locals). Each would otherwise be a layer of Express's router, which
 * matches it, builds its params and wraps its call on every request. An error, passed, thrown or
 * rejected by a step's promise (as Express 5 takes it from a handler), ends the series and goes on
 * to Express's error handling.
 */
export function series(...steps: Step[]): RequestHandler {
  return (req, res, next) => {
    let i = 0;
    const step = (err?: unknown): void => {
      if (err !== undefined && err !== null) return next(err);
      const current = steps[i++];
      if (!current) return next();
      try {
        const returned = current(req, res, step);
        if (returned instanceof Promise) returned.catch((rejected: unknown) => next(rejected ?? new Error('rejected')));
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}
