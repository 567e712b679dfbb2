// The only place that reads process.env: every setting is parsed once, typed, and checked.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const DEV_SESSION_SECRET = 'passerelle-development-secret-not-for-production';

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('0.0.0.0'),
    DATABASE_URL: z.string().url().optional(),
    DATA_DIR: z.string().default('./data'),
    FILES_DIR: z.string().optional(),
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
    DB_APP_ROLE: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('passerelle_app'),
    DB_WORKER_ROLE: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('passerelle_worker'),
    // Twice the cores, at least 4 (PostgreSQL's own rule of thumb): more connections than the CPUs
    // can run only queue inside PostgreSQL, where they cost more than in the pool (bench/README.md).
    DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(Math.max(4, 2 * os.availableParallelism())),
    BASE_DOMAIN: z.string().default('localhost'),
    PUBLIC_URL: z.string().url().default('http://localhost:3000'),
    DEFAULT_FIRM: z.string().default('compta'),
    SESSION_SECRET: z.string().min(32).optional(),
    SESSION_MAX_AGE_HOURS: z.coerce.number().positive().default(12),
    TRUST_PROXY: z.string().default('loopback'),
    SMTP_URL: z.string().optional(),
    // A firm's own SMTP server on a private or local address: refused in production unless 'allow'.
    FIRM_SMTP_PRIVATE_HOSTS: z.enum(['allow', 'deny']).optional(),
    MAIL_FROM: z.string().default('Passerelle <ne-pas-repondre@passerelle.localhost>'),
    MAIL_POLL_MS: z.coerce.number().int().positive().default(1000),
    LOGIN_DELAY_MS: z.coerce.number().int().min(0).default(1000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DEMO_DATA: z.enum(['auto', 'on', 'off']).default('auto'),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.SESSION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'is required in production (32 characters at least)' });
    }
    if (env.NODE_ENV === 'production' && env.DEMO_DATA === 'on') {
      ctx.addIssue({ code: 'custom', path: ['DEMO_DATA'], message: 'demo data is never loaded in production' });
    }
  });

export type Config = ReturnType<typeof loadConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  return {
    env: e.NODE_ENV,
    production,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    // Uploaded documents, one folder per firm, never under public/.
    filesDir: path.resolve(e.FILES_DIR ?? path.join(e.DATA_DIR, 'files')),
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    dbAppRole: e.DB_APP_ROLE,
    dbWorkerRole: e.DB_WORKER_ROLE,
    dbPoolMax: e.DB_POOL_MAX,
    baseDomain: e.BASE_DOMAIN.toLowerCase(),
    publicUrl: new URL(e.PUBLIC_URL),
    defaultFirm: e.DEFAULT_FIRM,
    sessionSecret: e.SESSION_SECRET ?? DEV_SESSION_SECRET,
    sessionMaxAgeMs: e.SESSION_MAX_AGE_HOURS * 3600_000,
    trustProxy: e.TRUST_PROXY,
    smtpUrl: e.SMTP_URL || undefined,
    firmSmtpPrivateHosts: e.FIRM_SMTP_PRIVATE_HOSTS ? e.FIRM_SMTP_PRIVATE_HOSTS === 'allow' : !production,
    mailFrom: e.MAIL_FROM,
    mailPollMs: e.MAIL_POLL_MS,
    loginDelayMs: e.LOGIN_DELAY_MS,
    logLevel: e.LOG_LEVEL,
    demoData: !production && e.DEMO_DATA !== 'off',
    devTools: e.NODE_ENV === 'development' || e.NODE_ENV === 'test',
  };
}
