import type { Pool, PoolClient } from 'pg';
import type { Logger } from '../../observability/logger.js';
import { serializeError } from '../../observability/logger.js';
import type { ConstraintKind, SqlDriver, SqlExecutor, SqlParam, SqlRow } from '../sql/driver.js';

/** The statements of one client, for work that must stay on one connection. */
function executorOf(client: Pool | PoolClient): SqlExecutor {
  return {
    async all(sql, params) {
      return (await client.query<SqlRow>(sql, [...params])).rows;
    },
    async run(sql, params) {
      return (await client.query(sql, [...params])).rowCount ?? 0;
    },
    async exec(script) {
      // Without parameters pg uses the simple protocol, which accepts several statements.
      await client.query(script);
    },
  };
}

/** A client checked out of the pool, and a way to keep a broken one from going back. */
export interface CheckedOut {
  readonly client: PoolClient;
  discard(reason: unknown): void;
}

/**
 * Checks a client out for `fn` and returns it afterwards. A checked-out client whose
 * connection drops between queries emits 'error'; unheard, that event would crash the process,
 * so it is heard here and the client is destroyed instead of returned to the pool.
 */
export async function withClient<T>(
  pool: Pool,
  logger: Logger,
  fn: (c: CheckedOut) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error): void => {
    broken = error;
    logger.warn({ err: serializeError(error) }, 'PostgreSQL connection failed while checked out');
  };
  client.on('error', onError);
  try {
    return await fn({
      client,
      discard: (reason) => {
        broken ??= reason instanceof Error ? reason : new Error('connection discarded');
      },
    });
  } finally {
    client.off('error', onError);
    client.release(broken ?? false);
  }
}

/** Ends the transaction without effect; a connection that cannot even do that is discarded. */
export async function rollback(c: CheckedOut): Promise<void> {
  try {
    await c.client.query('ROLLBACK');
  } catch (error) {
    c.discard(error);
  }
}

export class PgDriver implements SqlDriver {
  readonly #pool: Pool;
  readonly #logger: Logger;
  readonly #executor: SqlExecutor;
  #closing: Promise<void> | undefined;

  constructor(pool: Pool, logger: Logger) {
    this.#pool = pool;
    this.#logger = logger;
    this.#executor = executorOf(pool);
  }

  all(sql: string, params: readonly SqlParam[]): Promise<readonly SqlRow[]> {
    return this.#executor.all(sql, params);
  }

  run(sql: string, params: readonly SqlParam[]): Promise<number> {
    return this.#executor.run(sql, params);
  }

  exec(script: string): Promise<void> {
    return this.#executor.exec(script);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return withClient(this.#pool, this.#logger, async (c) => {
      try {
        await c.client.query('BEGIN');
        const value = await fn(executorOf(c.client));
        await c.client.query('COMMIT');
        return value;
      } catch (error) {
        await rollback(c);
        throw error;
      }
    });
  }

  constraintViolation(error: unknown): ConstraintKind | null {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === '23505') return 'unique';
    if (code === '23503') return 'foreign_key';
    return null;
  }

  close(): Promise<void> {
    // Pool.end() rejects when called twice; the store may be closed by more than one owner.
    this.#closing ??= this.#pool.end();
    return this.#closing;
  }
}
