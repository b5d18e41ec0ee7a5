import type { Logger } from '../observability/logger.js';
import { serializeError } from '../observability/logger.js';

/**
 * Runs `fn` only if this instance holds the named singleton lock. On PostgreSQL that is an
 * advisory lock, on SQLite (one process) it always runs.
 */
export interface SingletonGuard {
  runExclusive<T>(name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
}

export interface DaemonSpec {
  readonly name: string;
  readonly intervalMs: number;
  /** Whether only one instance across the deployment may run a tick at a time. */
  readonly singleton: boolean;
  tick(signal: AbortSignal): Promise<void>;
}

export interface DaemonDeps {
  readonly logger: Logger;
  readonly guard: SingletonGuard;
  /** Waits between ticks; injected so simulations can run on a fake clock. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const MAX_BACKOFF_FACTOR = 8;

/**
 * Ticks until `signal` aborts, then resolves once the tick in progress has finished. A failing
 * tick is logged and retried with growing delay; it never stops the daemon or the process.
 */
export async function runDaemon(spec: DaemonSpec, deps: DaemonDeps, signal: AbortSignal): Promise<void> {
  const sleep = deps.sleep ?? abortableSleep;
  const log = deps.logger.child({ daemon: spec.name });
  let failures = 0;
  while (!signal.aborted) {
    try {
      if (spec.singleton) {
        const outcome = await deps.guard.runExclusive(`daemon:${spec.name}`, () => spec.tick(signal));
        if (!outcome.ran) log.debug('another instance holds the lock; skipped tick');
      } else {
        await spec.tick(signal);
      }
      failures = 0;
    } catch (error) {
      failures += 1;
      log.error({ err: serializeError(error), failures }, 'daemon tick failed');
    }
    const factor = Math.min(2 ** failures, MAX_BACKOFF_FACTOR);
    await sleep(failures === 0 ? spec.intervalMs : spec.intervalMs * factor, signal);
  }
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
