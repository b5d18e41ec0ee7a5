import pg from 'pg';
import type { Logger } from '../../observability/logger.js';
import { serializeError } from '../../observability/logger.js';
import { err, ok, type Result } from '../../shared/result.js';
import { MIGRATIONS } from '../migrations/index.js';
import { MigrationError, applyMigrations } from '../sql/migrate.js';
import { INBOX_CLAIMABLE, type DialectSql } from '../sql/queries.js';
import { createSqlStore } from '../sql/sqlStore.js';
import { StoreOpenError, type Store, type StoreOptions } from '../store.js';
import { PgDriver } from './driver.js';
import { advisoryLockGuard } from './guard.js';

/** Per-instance connections; singleton daemons each hold one while they run. */
const POOL_MAX = 10;
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Transaction-scoped advisory lock keyed by purpose and schema (two int4 keys, a key space the
 * guard's single-key locks never touch), so deployments sharing a database in different
 * schemas do not wait on each other.
 */
const schemaLock = (purpose: string): string =>
  `SELECT pg_advisory_xact_lock(hashtext('${purpose}'), hashtext(coalesce(current_schema(), '')))`;

export const POSTGRES_DIALECT: DialectSql = {
  // SKIP LOCKED alone keeps two claimers off the same row, not off the same partition: each
  // would see the other's partition as free until it commits. Claims are one short statement,
  // so serialising them costs little and makes "one lease per partition" hold.
  inboxClaimLock: schemaLock('callbridge.inbox.claim'),
  inboxClaim: `
    WITH picked AS (
      SELECT i.id FROM inbox i
      WHERE ${INBOX_CLAIMABLE}
      ORDER BY i.available_at, i.id
      LIMIT $4
      FOR UPDATE OF i SKIP LOCKED
    )
    UPDATE inbox SET status = 'leased', lease_owner = $1, lease_until = $2, attempts = inbox.attempts + 1
    FROM picked WHERE inbox.id = picked.id
    RETURNING inbox.*`,
};

const MIGRATION_LOCK = schemaLock('callbridge.migrate');

interface Target {
  readonly host: string;
  readonly port: string;
  readonly database: string;
  readonly user: string;
  readonly password: string;
}

/** Connects to `url`, waits for other instances' migrations, and applies what is missing. */
export async function openPostgresStore(
  url: string,
  logger: Logger,
  options: StoreOptions = {},
): Promise<Result<Store, StoreOpenError>> {
  const now = options.now ?? Date.now;
  const target = parseTarget(url);
  if (target === undefined) {
    return err(
      new StoreOpenError(
        'invalid_url',
        'DATABASE_URL is not a valid URL: expected postgres://user:password@host:5432/database',
      ),
    );
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_MAX,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'callbridge',
  });
  // An idle pooled connection that dies emits 'error' on the pool; unheard, it crashes the process.
  pool.on('error', (error) => {
    logger.warn({ err: serializeError(error) }, 'idle PostgreSQL connection failed');
  });
  const driver = new PgDriver(pool, logger);
  const where = `${target.host}:${target.port}`;

  try {
    await driver.all('SELECT 1', []);
  } catch (error) {
    await driver.close();
    return err(connectError(error, target));
  }

  try {
    const outcome = await driver.transaction(async (tx) => {
      await tx.all(MIGRATION_LOCK, []);
      return applyMigrations(tx, 'postgres', MIGRATIONS, now());
    });
    if (outcome.unknown.length > 0) {
      logger.warn({ unknown: outcome.unknown }, 'database was migrated by a newer build; running anyway');
    }
    logger.info(
      {
        kind: 'postgres',
        target: `${where}/${target.database}`,
        schemaVersion: outcome.schemaVersion,
        applied: outcome.applied,
      },
      'store opened',
    );
  } catch (error) {
    await driver.close();
    const cause = error instanceof MigrationError ? error.driverError : error;
    if (codeOf(cause) === '42501') {
      return err(
        new StoreOpenError(
          'permission_denied',
          `PostgreSQL user "${target.user}" may not create the schema in database "${target.database}" at ${where} ` +
            `(${scrub(messageOf(cause), target)}): grant CREATE on the schema, or run once as its owner`,
        ),
      );
    }
    if (error instanceof MigrationError) {
      return err(
        new StoreOpenError('migration_failed', `PostgreSQL at ${where}: ${scrub(error.message, target)}`),
      );
    }
    return err(connectError(error, target));
  }

  return ok(
    createSqlStore({
      kind: 'postgres',
      driver,
      dialect: POSTGRES_DIALECT,
      guard: advisoryLockGuard(pool, logger),
      now,
    }),
  );
}

function parseTarget(url: string): Target | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return undefined;
    const user = decodeURIComponent(u.username);
    return {
      host: u.hostname || (u.searchParams.get('host') ?? 'localhost'),
      port: u.port || '5432',
      // PostgreSQL's defaults: the database is named like the user, the user like the OS account.
      database: decodeURIComponent(u.pathname.replace(/^\//, '')) || user || '(default database)',
      user: user || '(default user)',
      password: decodeURIComponent(u.password),
    };
  } catch {
    // Unparsable, or a malformed %-escape: either way not a URL pg could use.
    return undefined;
  }
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Driver messages do not carry the password today; this keeps it so if one ever does. */
function scrub(text: string, target: Target): string {
  if (target.password.length === 0) return text;
  return text
    .split(target.password)
    .join('[redacted]')
    .split(encodeURIComponent(target.password))
    .join('[redacted]');
}

function connectError(error: unknown, target: Target): StoreOpenError {
  const where = `${target.host}:${target.port}`;
  const detail = scrub(messageOf(error), target);
  switch (codeOf(error) ?? '') {
    case 'ECONNREFUSED':
      return new StoreOpenError(
        'unreachable',
        `PostgreSQL at ${where} refused the connection: check DATABASE_URL and that the server is running`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StoreOpenError(
        'unreachable',
        `PostgreSQL host "${target.host}" could not be resolved: check the host in DATABASE_URL`,
      );
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new StoreOpenError(
        'unreachable',
        `PostgreSQL at ${where} is not reachable (${detail}): check DATABASE_URL and the network path`,
      );
    case '28P01':
    case '28000':
      return new StoreOpenError(
        'auth_failed',
        `PostgreSQL at ${where} rejected user "${target.user}" (${detail}): check the user and password in DATABASE_URL`,
      );
    case '3D000':
      return new StoreOpenError(
        'database_missing',
        `PostgreSQL at ${where} has no database "${target.database}": create it or fix the database name in DATABASE_URL`,
      );
    case '42501':
      return new StoreOpenError(
        'permission_denied',
        `PostgreSQL user "${target.user}" may not use database "${target.database}" at ${where} (${detail}): grant it access`,
      );
    default:
      break;
  }
  if (/ssl|tls|certificate/i.test(detail)) {
    return new StoreOpenError(
      'tls_failed',
      `TLS to PostgreSQL at ${where} failed (${detail}): set sslmode in DATABASE_URL to what the server supports`,
    );
  }
  if (/timeout|timed out/i.test(detail)) {
    return new StoreOpenError(
      'unreachable',
      `PostgreSQL at ${where} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s: check DATABASE_URL and the network path`,
    );
  }
  return new StoreOpenError(
    'unreachable',
    `Could not use PostgreSQL at ${where} (${detail}): check DATABASE_URL`,
  );
}
