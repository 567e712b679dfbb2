// The request log: one line per request with its id, firm and user, never a secret; errors and
// abandoned requests stand out.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { errorHandler } from '../../src/http/middleware/errors.ts';
import { redactUrl, requestLog } from '../../src/http/middleware/requestLog.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { userOf } from '../support/firmdb.ts';
import { serveDuringSuite } from '../support/listen.ts';

type Line = { level: number; msg: string; reqId?: string; firm?: string; userId?: string; req?: { method: string; url: string }; res?: { statusCode: number }; responseTime?: number; err?: { message: string; stack?: string } };

/** A logger at `info` whose lines land in an array. */
function capture(): { lines: Line[]; raw: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: Line[] = [];
  const raw: string[] = [];
  const logger = createLogger('info', {
    write(s: string) {
      raw.push(s);
      lines.push(JSON.parse(s) as Line);
    },
  });
  return { lines, raw, logger };
}

/** The line of a request is written when its response closes, just after the client has it. */
async function lineOf(lines: Line[], reqId: string, msg = 'request completed'): Promise<Line> {
  for (let i = 0; i < 100; i++) {
    const line = lines.find((l) => l.reqId === reqId && l.msg === msg);
    if (line) return line;
    await sleep(10);
  }
  throw new Error(`no "${msg}" line for request ${reqId}`);
}

describe('request log', () => {
  let app: TestApp;
  const log = capture();
  before(async () => {
    app = await startTestApp({ logger: log.logger });
  });
  after(() => app.close());

  it('writes one line per page with its id, firm, user, status and time', async () => {
    const c = app.client();
    await c.login('superviseur');
    const page = await c.get('/account');
    assert.equal(page.status, 200);
    const reqId = String(page.headers['x-request-id']);
    const line = await lineOf(log.lines, reqId);
    const user = await userOf(app.db.owner, 'compta', 'superviseur');
    assert.equal(line.level, 30);
    assert.deepEqual(line.req, { method: 'GET', url: '/account' });
    assert.deepEqual(line.res, { statusCode: 200 });
    assert.equal(line.firm, 'compta');
    assert.equal(line.userId, String(user.id));
    assert.equal(typeof line.responseTime, 'number');
    assert.equal(log.lines.filter((l) => l.reqId === reqId).length, 1, 'one line, not two');
  });

  it('keeps passwords, cookies and reset tokens out', async () => {
    const c = app.client();
    await c.login('collaborateur');
    const reset = await c.get('/password/reset/Secret-Token-123');
    await lineOf(log.lines, String(reset.headers['x-request-id']));
    const all = log.raw.join('');
    assert.ok(!all.includes('Demo-Passerelle-2026'), 'no password');
    assert.ok(!all.includes('passerelle.sid') && !all.includes('cookie'), 'no cookie');
    assert.ok(!all.includes('Secret-Token-123'), 'no reset token');
    assert.ok(log.lines.some((l) => l.req?.url === '/password/reset/[redacted]'));
  });

  it('leaves health checks and static files out', async () => {
    const c = app.client();
    const health = await c.get('/healthz');
    const css = await c.get('/static/css/app.css');
    await lineOf(log.lines, String((await c.get('/login')).headers['x-request-id']));
    for (const res of [health, css]) assert.ok(!log.lines.some((l) => l.reqId === res.headers['x-request-id']));
  });

  it('redacts tokens from the paths it keeps', () => {
    assert.equal(redactUrl('/password/reset/AbC_123-xyz?x=1'), '/password/reset/[redacted]?x=1');
    assert.equal(redactUrl('/settings/logo?_csrf=abcdef&x=1'), '/settings/logo?_csrf=[redacted]&x=1');
    assert.equal(redactUrl('/activity?before=12'), '/activity?before=12');
  });
});

describe('request log of failures', () => {
  const log = capture();
  const server = serveDuringSuite(async () => {
    const app = express();
    app.use(requestLog(log.logger));
    app.get('/boom', () => {
      throw new Error('boom');
    });
    app.get('/hang', () => {}); // never answers: the client gives up
    app.use(errorHandler(log.logger));
    return app;
  });

  it('logs an unexpected error with its stack and request id, and shows neither stack nor message', async () => {
    const res = await fetch(`${server.base}/boom`);
    const reqId = String(res.headers.get('x-request-id'));
    const body = await res.text();
    assert.equal(res.status, 500);
    assert.ok(body.includes(reqId), 'the page gives the reference to quote');
    assert.ok(!body.includes('boom') && !body.includes('at '), 'no message or stack for the visitor');
    const error = await lineOf(log.lines, reqId, 'unexpected error');
    assert.equal(error.level, 50);
    assert.equal(error.err?.message, 'boom');
    assert.match(String(error.err?.stack), /request-log\.test\.ts/);
    const line = await lineOf(log.lines, reqId, 'request errored');
    assert.deepEqual(line.res, { statusCode: 500 });
  });

  it('says when the client left before the answer', async () => {
    const controller = new AbortController();
    const reqIds = new Set(log.lines.map((l) => l.reqId));
    const pending = fetch(`${server.base}/hang`, { signal: controller.signal }).catch(() => undefined);
    await sleep(100);
    controller.abort();
    await pending;
    for (let i = 0; i < 100 && !log.lines.some((l) => l.msg === 'request aborted'); i++) await sleep(10);
    const aborted = log.lines.find((l) => l.msg === 'request aborted' && !reqIds.has(l.reqId));
    assert.ok(aborted, 'an "aborted" line');
    assert.equal(aborted.level, 40);
    assert.deepEqual(aborted.req, { method: 'GET', url: '/hang' });
  });
});
