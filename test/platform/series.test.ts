// series(): small middleware run as one, in order; an error, passed, thrown or rejected, stops it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import express, { type ErrorRequestHandler } from 'express';
import { series } from '../../src/http/middleware/series.ts';
import { serveDuringSuite } from '../support/listen.ts';

describe('series of middleware', () => {
  const server = serveDuringSuite(async () => {
    const app = express();
    const mark = (name: string) => (_req: express.Request, res: express.Response, next: express.NextFunction) => {
      res.locals.steps = [...((res.locals.steps as string[]) ?? []), name];
      next();
    };
    app.get('/ok', series(mark('a'), mark('b'), mark('c')), (_req, res) => {
      res.json(res.locals.steps);
    });
    app.get('/passed', series(mark('a'), (_req, _res, next) => next(new Error('passed')), mark('never')), (_req, res) => {
      res.json(res.locals.steps);
    });
    app.get('/thrown', series(mark('a'), () => {
      throw new Error('thrown');
    }, mark('never')), (_req, res) => {
      res.json(res.locals.steps);
    });
    app.get('/rejected', series(mark('a'), async () => {
      await Promise.resolve();
      throw new Error('rejected');
    }, mark('never')), (_req, res) => {
      res.json(res.locals.steps);
    });
    const errors: ErrorRequestHandler = (err: Error, _req, res, _next) => {
      res.status(500).json({ error: err.message, steps: res.locals.steps });
    };
    app.use(errors);
    return app;
  });

  it('runs every step in order, then the next handler', async () => {
    const res = await fetch(`${server.base}/ok`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), ['a', 'b', 'c']);
  });

  it('stops at an error passed to next() and hands it to the error handler', async () => {
    const res = await fetch(`${server.base}/passed`);
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { error: 'passed', steps: ['a'] });
  });

  it('stops at an error thrown by a step', async () => {
    const res = await fetch(`${server.base}/thrown`);
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { error: 'thrown', steps: ['a'] });
  });

  it("stops at a step's rejected promise, as Express does for a handler", async () => {
    const res = await fetch(`${server.base}/rejected`);
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { error: 'rejected', steps: ['a'] });
  });
});
