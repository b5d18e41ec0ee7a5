import type { Config } from '../config/env.js';
import type { Logger } from '../observability/logger.js';
import type { Result } from '../shared/result.js';
import { openPostgresStore } from './postgres/postgresStore.js';
import { openSqliteStore } from './sqlite/sqliteStore.js';
import type { Store, StoreOpenError, StoreOptions } from './store.js';

/**
 * Opens the store the configuration selects: PostgreSQL when DATABASE_URL is set (several
 * instances), otherwise SQLite in DATA_DIR (one instance). Migrations have run when it resolves.
 * A failure is the operator's to fix and its message says how; it never contains a password.
 */
export function openStore(
  config: Config['store'],
  logger: Logger,
  options: StoreOptions = {},
): Promise<Result<Store, StoreOpenError>> {
  const log = logger.child({ component: 'store' });
  return config.databaseUrl === undefined
    ? openSqliteStore(config.dataDir, log, options)
    : openPostgresStore(config.databaseUrl, log, options);
}
