// The app under load, in its own process: `node bench/serve-app.ts` with DATABASE_URL and PORT set.
import { start } from '../src/boot.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/lib/logger.ts';

// NODE_ENV=test: demo data is loaded (never in production), the view cache is on, and logs are off,
// as they would go to a file in production rather than compete for this machine's two cores.
const config = loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent', HOST: '127.0.0.1' });
const app = await start(config, createLogger(config.logLevel));
process.send?.({ ready: app.url });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
