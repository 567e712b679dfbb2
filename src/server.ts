// `npm start`: Passerelle with its configuration from the environment.
import { start } from './boot.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './lib/logger.ts';

const config = loadConfig();
const log = createLogger(config.logLevel);

try {
  const app = await start(config, log);
  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
} catch (err) {
  log.fatal({ err }, 'Passerelle could not start');
  process.exitCode = 1;
  // The embedded database, if started, is stopped by its exit handler.
  setTimeout(() => process.exit(1), 100).unref();
}
