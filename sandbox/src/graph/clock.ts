/**
 * Time for the Graph stand-in. Presence sessions fade after 5 and 10 minutes, subscriptions expire
 * after an hour and notification retries run for 4 hours, so every such rule reads this clock and
 * schedules through it: tests drive hours of Graph time with a fake clock in milliseconds.
 */
export interface GraphClock {
  /** Milliseconds since the epoch, in Graph time. */
  now(): number;
  /** Runs `callback` once after `delayMs` of Graph time; the returned function cancels it. */
  schedule(delayMs: number, callback: () => void): () => void;
}

/**
 * The default clock: `now` (Date.now unless injected) and real timers. `timeScale` shrinks timer
 * delays (0.001 turns the 4-hour retry window into 14.4 s) for demos that want to watch retries.
 */
export function systemClock(now: () => number = Date.now, timeScale = 1): GraphClock {
  return {
    now,
    schedule(delayMs, callback) {
      const handle = setTimeout(callback, Math.max(0, delayMs * timeScale));
      // Pending Graph timers must never keep a test process or the launcher alive.
      handle.unref();
      return () => {
        clearTimeout(handle);
      };
    },
  };
}

/**
 * Wraps a clock so that `cancelAll()` stops every timer still pending, which `close()` needs:
 * a stopped stand-in must not deliver notifications or fade presence afterwards.
 */
export class TrackedClock implements GraphClock {
  private readonly pending = new Set<() => void>();

  constructor(private readonly inner: GraphClock) {}

  now(): number {
    return this.inner.now();
  }

  schedule(delayMs: number, callback: () => void): () => void {
    const cancelInner = this.inner.schedule(delayMs, () => {
      this.pending.delete(cancel);
      callback();
    });
    const cancel = (): void => {
      this.pending.delete(cancel);
      cancelInner();
    };
    this.pending.add(cancel);
    return cancel;
  }

  cancelAll(): void {
    for (const cancel of [...this.pending]) cancel();
  }
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
