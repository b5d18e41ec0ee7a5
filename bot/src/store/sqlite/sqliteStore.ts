import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../../observability/logger.js';
import { err, ok, type Result } from '../../shared/result.js';
import { MIGRATIONS } from '../migrations/index.js';
import { MigrationError, applyMigrations } from '../sql/migrate.js';
import { INBOX_CLAIMABLE, type DialectSql } from '../sql/queries.js';
import { createSqlStore } from '../sql/sqlStore.js';
import { StoreOpenError, type Store, type StoreOptions } from '../store.js';
import { SqliteDriver } from './driver.js';
import { inProcessGuard } from './guard.js';

export const SQLITE_FILE_NAME = 'callbridge.db';
const BUSY_TIMEOUT_MS = 5_000;

/** SQLite has one writer at a time, so the claim needs no lock of its own. */
export const SQLITE_DIALECT: DialectSql = {
  inboxClaimLock: null,
  inboxClaim: `
    UPDATE inbox SET status = 'leased', lease_owner = $1, lease_until = $2, attempts = attempts + 1
    WHERE id IN (
      SELECT i.id FROM inbox i
      WHERE ${INBOX_CLAIMABLE}
      ORDER BY i.available_at, i.id
      LIMIT $4
    )
    RETURNING *`,
};

/** Opens (creating if needed) `<dataDir>/callbridge.db` and brings its schema up to date. */
export async function openSqliteStore(
  dataDir: string,
  logger: Logger,
  options: StoreOptions = {},
): Promise<Result<Store, StoreOpenError>> {
  const now = options.now ?? Date.now;
  const dir = path.resolve(dataDir);
  const file = path.join(dir, SQLITE_FILE_NAME);
  try {
    // Owner-only: the file holds sealed tokens and webhook secrets.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    return err(
      new StoreOpenError(
        'data_dir_unusable',
        `Cannot create the data directory ${dir} (${codeOf(error)}): set DATA_DIR to a writable directory`,
      ),
    );
  }

  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (error) {
    return err(fileError(error, file));
  }
  try {
    const journal = db.pragma('journal_mode = WAL', { simple: true });
    // WAL needs shared memory; network file systems refuse it and SQLite stays in its old mode.
    if (journal !== 'wal') {
      logger.warn(
        { file, journalMode: journal },
        'SQLite could not switch to WAL; readers will block writers',
      );
    }
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
    // FULL fsyncs the WAL on every commit: an inbox row that was acknowledged to Graph or Webex
    // must survive power loss, not only a process crash (what NORMAL guarantees in WAL mode).
    db.pragma('synchronous = FULL');
  } catch (error) {
    db.close();
    return err(fileError(error, file));
  }

  const driver = new SqliteDriver(db);
  try {
    const outcome = await driver.transaction((tx) => applyMigrations(tx, 'sqlite', MIGRATIONS, now()));
    if (outcome.unknown.length > 0) {
      logger.warn(
        { file, unknown: outcome.unknown },
        'database was migrated by a newer build; running anyway',
      );
    }
    logger.info(
      { kind: 'sqlite', file, schemaVersion: outcome.schemaVersion, applied: outcome.applied },
      'store opened',
    );
  } catch (error) {
    await driver.close();
    if (error instanceof MigrationError) {
      return err(new StoreOpenError('migration_failed', `${file}: ${error.message}`));
    }
    return err(fileError(error, file));
  }
  return ok(
    createSqlStore({ kind: 'sqlite', driver, dialect: SQLITE_DIALECT, guard: inProcessGuard(), now }),
  );
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : 'unknown error';
}

function fileError(error: unknown, file: string): StoreOpenError {
  const code = codeOf(error);
  switch (code) {
    case 'SQLITE_NOTADB':
      return new StoreOpenError(
        'file_unusable',
        `${file} is not a SQLite database (corrupt, or another file): move it aside or point DATA_DIR elsewhere`,
      );
    case 'SQLITE_BUSY':
      return new StoreOpenError(
        'file_unusable',
        `${file} is locked by another process: run one CallBridge process per DATA_DIR, or use DATABASE_URL`,
      );
    case 'SQLITE_READONLY':
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_IOERR':
    case 'SQLITE_PERM':
      return new StoreOpenError(
        'file_unusable',
        `Cannot open ${file} for writing (${code}): check that DATA_DIR is a writable directory`,
      );
    default:
      return new StoreOpenError('file_unusable', `Cannot use ${file} (${code}): check DATA_DIR`);
  }
}
