import type { Logger } from '../../observability/logger.js';
import { serializeError } from '../../observability/logger.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { NewInboxItem, Store } from '../../store/store.js';

/**
 * Where every notification route (Graph, Webex) puts what it accepted, before it answers 2xx.
 *
 * Group commit: the items of every `accept` call that arrives while the previous write is in
 * flight (or within the same event-loop turn) are written together by one `inbox.enqueueMany`,
 * i.e. one transaction and, on SQLite, one fsync; each caller is resolved only after that commit.
 * Under load the batches grow by themselves, so the per-notification cost of durability falls
 * instead of holding the event loop once per notification.
 */
export interface NotificationIntake {
  /**
   * Durably stores every item (group-committed with concurrent callers) and resolves only then;
   * err when the store failed: the route answers 5xx so the sender retries. Duplicates are fine:
   * `inserted` counts this caller's items that were new.
   */
  accept(items: readonly NewInboxItem[]): Promise<Result<{ inserted: number }, 'store_unavailable'>>;
}

export interface NotificationIntakeDeps {
  readonly store: Pick<Store, 'inbox'>;
  readonly logger: Logger;
  /** Items per transaction (default 256); callers beyond it wait for the next one. */
  readonly maxBatch?: number;
}

export const DEFAULT_INTAKE_MAX_BATCH = 256;

interface Waiter {
  readonly items: readonly NewInboxItem[];
  resolve(result: Result<{ inserted: number }, 'store_unavailable'>): void;
}

export function createNotificationIntake(deps: NotificationIntakeDeps): NotificationIntake {
  const maxBatch = deps.maxBatch ?? DEFAULT_INTAKE_MAX_BATCH;
  if (!Number.isInteger(maxBatch) || maxBatch < 1)
    throw new RangeError('maxBatch must be a positive integer');
  const log = deps.logger.child({ component: 'notification-intake' });
  const queue: Waiter[] = [];
  let writing = false;
  let scheduled = false;

  function schedule(): void {
    if (writing || scheduled || queue.length === 0) return;
    scheduled = true;
    // setImmediate, not a microtask: every request parsed in this turn of the loop joins the batch.
    setImmediate(() => {
      scheduled = false;
      void flush();
    });
  }

  /** The next batch: whole callers, up to maxBatch items (a caller larger than that goes alone). */
  function takeBatch(): Waiter[] {
    const batch: Waiter[] = [];
    let size = 0;
    while (queue.length > 0) {
      const next = queue[0];
      if (next === undefined || (batch.length > 0 && size + next.items.length > maxBatch)) break;
      batch.push(next);
      size += next.items.length;
      queue.shift();
    }
    return batch;
  }

  async function flush(): Promise<void> {
    writing = true;
    const batch = takeBatch();
    const items = batch.flatMap((w) => w.items);
    try {
      const { inserted } = await deps.store.inbox.enqueueMany(items);
      let offset = 0;
      for (const waiter of batch) {
        const mine = inserted.slice(offset, offset + waiter.items.length);
        offset += waiter.items.length;
        waiter.resolve(ok({ inserted: mine.filter(Boolean).length }));
      }
    } catch (error) {
      log.error(
        { err: serializeError(error), items: items.length, callers: batch.length },
        'notifications not stored: the inbox write failed; senders are told to retry',
      );
      for (const waiter of batch) waiter.resolve(err('store_unavailable'));
    } finally {
      writing = false;
      schedule();
    }
  }

  return {
    accept(items) {
      if (items.length === 0) return Promise.resolve(ok({ inserted: 0 }));
      return new Promise((resolve) => {
        queue.push({ items, resolve });
        schedule();
      });
    },
  };
}
