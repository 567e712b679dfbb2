// Repeated login failures are slowed down, then refused for a while, per account and per client
// address. Counters live in PostgreSQL (rate_limits) so every app process shares them.
import type pg from 'pg';
import { RateLimiterPostgres, type RateLimiterRes } from 'rate-limiter-flexible';

const ACCOUNT = { points: 10, duration: 15 * 60, blockDuration: 15 * 60 };
const ADDRESS = { points: 50, duration: 60 * 60, blockDuration: 60 * 60 };
const RESET_ADDRESS = { points: 10, duration: 15 * 60, blockDuration: 15 * 60 };
const RESET_ACCOUNT = { points: 3, duration: 60 * 60 };
const SLOW_AFTER = 3;
const MAX_DELAY_STEPS = 5;

export interface Verdict {
  blocked: boolean;
  retryAfterMinutes: number;
  delayMs: number;
}

export class LoginThrottle {
  private readonly account: RateLimiterPostgres;
  private readonly address: RateLimiterPostgres;
  private readonly resetAddress: RateLimiterPostgres;
  private readonly resetAccount: RateLimiterPostgres;
  private readonly stepMs: number;

  constructor(pool: pg.Pool, stepMs: number) {
    const store = { storeClient: pool, storeType: 'pool', tableName: 'rate_limits', tableCreated: true };
    this.account = new RateLimiterPostgres({ ...store, keyPrefix: 'login_account', ...ACCOUNT });
    this.address = new RateLimiterPostgres({ ...store, keyPrefix: 'login_address', ...ADDRESS });
    this.resetAddress = new RateLimiterPostgres({ ...store, keyPrefix: 'reset_address', ...RESET_ADDRESS });
    this.resetAccount = new RateLimiterPostgres({ ...store, keyPrefix: 'reset_account', ...RESET_ACCOUNT });
    this.stepMs = stepMs;
  }

  /** Before checking a password: refuse while blocked; otherwise how long to wait first. */
  async beforeLogin(firmId: string, login: string, ip: string): Promise<Verdict> {
    const [acc, addr] = await Promise.all([this.account.get(accountKey(firmId, login)), this.address.get(ip)]);
    const blockedMs = Math.max(blockedFor(acc, ACCOUNT.points), blockedFor(addr, ADDRESS.points));
    const failures = acc?.consumedPoints ?? 0;
    const steps = Math.min(Math.max(failures - SLOW_AFTER + 1, 0), MAX_DELAY_STEPS);
    return { blocked: blockedMs > 0, retryAfterMinutes: Math.ceil(blockedMs / 60_000), delayMs: steps * this.stepMs };
  }

  async failed(firmId: string, login: string, ip: string): Promise<void> {
    await Promise.all([swallowRejection(this.account.consume(accountKey(firmId, login))), swallowRejection(this.address.consume(ip))]);
  }

  async succeeded(firmId: string, login: string): Promise<void> {
    await this.account.delete(accountKey(firmId, login));
  }

  /** "Mot de passe oublié ?": refused past a few requests from one address; per account, extra requests are silently dropped. */
  async resetRequest(firmId: string, login: string, ip: string): Promise<'refuse' | 'skip' | 'send'> {
    try {
      await this.resetAddress.consume(ip);
    } catch {
      return 'refuse';
    }
    try {
      await this.resetAccount.consume(accountKey(firmId, login));
    } catch {
      return 'skip';
    }
    return 'send';
  }
}

function accountKey(firmId: string, login: string): string {
  return `${firmId}:${login.trim().toLowerCase()}`;
}

// `points` failures are allowed; once they are spent, the next attempt is refused before any password check.
function blockedFor(res: RateLimiterRes | null, points: number): number {
  return res && res.consumedPoints >= points ? res.msBeforeNext : 0;
}

async function swallowRejection(p: Promise<unknown>): Promise<void> {
  // consume() rejects once over the limit: that is the block taking effect, not an error.
  await p.catch((e: unknown) => {
    if (e instanceof Error) throw e;
  });
}
