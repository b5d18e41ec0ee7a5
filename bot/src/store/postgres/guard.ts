import type { Pool } from 'pg';
import type { Logger } from '../../observability/logger.js';
import { serializeError } from '../../observability/logger.js';
import type { SingletonGuard } from '../../workers/daemon.js';
import { rollback, withClient } from './driver.js';

/**
 * One instance at a time per name, across every instance on the database: `fn` runs while a
 * dedicated pooled connection holds a transaction-scoped advisory lock, which PostgreSQL frees
 * by itself if the instance dies. The lock lives as long as that connection: if it drops while
 * `fn` runs, another instance may start the same work, so `fn` must tolerate overlap at the
 * edges (use `store.leases` fencing tokens where it cannot). Each running `fn` holds a pool
 * connection, so the pool must be larger than the number of concurrent singleton daemons.
 */
export function advisoryLockGuard(pool: Pool, logger: Logger): SingletonGuard {
  return {
    runExclusive<T>(name: string, fn: () => Promise<T>) {
      return withClient(pool, logger, async (c) => {
        let locked: boolean;
        try {
          await c.client.query('BEGIN');
          const { rows } = await c.client.query<{ locked: boolean }>(
            'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked',
            [name],
          );
          locked = rows[0]?.locked === true;
        } catch (error) {
          await rollback(c);
          throw error;
        }
        if (!locked) {
          await rollback(c);
          return { ran: false } as const;
        }
        let value: T;
        try {
          value = await fn();
        } catch (error) {
          await rollback(c);
          throw error;
        }
        try {
          // Ending the transaction is what frees the lock; it wrote nothing, so COMMIT = ROLLBACK.
          await c.client.query('COMMIT');
        } catch (error) {
          // fn finished, so its result stands; the lock went with the broken connection.
          logger.warn(
            { err: serializeError(error), lock: name },
            'singleton lock connection failed before release',
          );
          c.discard(error);
        }
        return { ran: true, value } as const;
      });
    },
  };
}
