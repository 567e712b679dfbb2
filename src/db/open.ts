import type { Config } from '../config.ts';
import { startEmbeddedPostgres } from './embedded.ts';

export interface DatabaseServer {
  /** The DATABASE_URL user: owns the schema, runs migrations. The app switches to its own role. */
  url: string;
  stop(): Promise<void>;
}

/** The configured server, or an embedded one whose data lives in DATA_DIR. */
export async function openDatabaseServer(config: Config, log: (msg: string) => void): Promise<DatabaseServer> {
  if (config.databaseUrl) return { url: config.databaseUrl, stop: async () => {} };
  return startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, database: 'passerelle', log });
}
