import { performance } from 'node:perf_hooks';
import { HOUR_MS, MINUTE_MS, type GraphClock } from './clock.js';
import type { GraphLogEvent } from './server.js';

/**
 * Webhook delivery as the change-notifications documentation describes it:
 *
 * - notifications for the same notification URL are batched into one `{ "value": [...] }` POST;
 * - a POST that fails (non-2xx, unreachable, or no answer within 3 s) is retried with exponential
 *   backoff for up to 4 hours, then dropped;
 * - an answer slower than 2,900 ms counts as slow; once an endpoint has received 100
 *   notifications, ≥10 % slow flags it as throttled (new notifications wait 10 minutes, failed
 *   ones retry after 10 minutes) and ≥15 % slow drops its notifications; the tally resets every
 *   10 minutes.
 *
 * Retry and throttling delays run on the stand-in's clock; the HTTP timeout and the slow
 * measurement use real time, since they are about the receiver's real behaviour.
 */

export interface DeliveryOptions {
  readonly fetch: typeof fetch;
  readonly clock: GraphClock;
  /** HTTP timeout per POST (Graph: 3 s). */
  readonly timeoutMs?: number | undefined;
  /** Answers slower than this count as slow (Graph: 2,900 ms). */
  readonly slowThresholdMs?: number | undefined;
  /** First retry delay; doubles per attempt (sandbox choice; Graph documents only "exponential"). */
  readonly retryBaseMs?: number | undefined;
  readonly log?: ((event: GraphLogEvent) => void) | undefined;
}

export type NotificationKind = 'change' | 'lifecycle';

export type DeliveryOutcome = 'delivered' | 'retrying' | 'dropped';

export interface DeliveryRecord {
  readonly at: number;
  readonly url: string;
  readonly kind: NotificationKind;
  readonly count: number;
  readonly attempt: number;
  readonly outcome: DeliveryOutcome;
  /** HTTP status, or `timeout` / `unreachable` / the reason it was dropped. */
  readonly detail: string;
}

export type EndpointState = 'normal' | 'throttled' | 'dropping';

export interface EndpointStats {
  readonly url: string;
  readonly notifications: number;
  readonly slow: number;
  readonly state: EndpointState;
}

interface Batch {
  readonly url: string;
  readonly kind: NotificationKind;
  readonly items: readonly object[];
  /** Graph time spent waiting between attempts, checked against the 4-hour window. */
  waitedMs: number;
  attempt: number;
}

interface Tally {
  windowStart: number;
  notifications: number;
  slow: number;
}

const RETRY_WINDOW_MS = 4 * HOUR_MS;
const THROTTLE_DELAY_MS = 10 * MINUTE_MS;
const TALLY_WINDOW_MS = 10 * MINUTE_MS;
const MIN_SAMPLE = 100;
const HISTORY_LIMIT = 500;

export class DeliveryService {
  private readonly pending = new Map<string, { kind: NotificationKind; items: object[] }>();
  private readonly tallies = new Map<string, Tally>();
  private readonly records: DeliveryRecord[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private flushScheduled: NodeJS.Immediate | undefined;
  private dropBudget = 0;
  private countAllSlow = false;
  private latencyMs = 0;
  private closed = false;

  constructor(private readonly options: DeliveryOptions) {}

  /**
   * Queues one notification. Everything queued for a URL in the same turn of the event loop goes
   * out in one POST.
   */
  enqueue(url: string, kind: NotificationKind, item: object): void {
    if (this.closed) return;
    const key = `${kind} ${url}`;
    const batch = this.pending.get(key) ?? { kind, items: [] };
    batch.items.push(item);
    this.pending.set(key, batch);
    this.flushScheduled ??= setImmediate(() => {
      this.flushScheduled = undefined;
      this.flush();
    });
  }

  /** Records notifications that were never sent (e.g. while a subscription awaits reauthorization). */
  skip(url: string, kind: NotificationKind, count: number, reason: string): void {
    this.record({ url, kind, items: new Array<object>(count), waitedMs: 0, attempt: 0 }, 'dropped', reason);
  }

  /** Control: silently lose the next `count` POSTs (each batch counts once). */
  dropNext(count: number): void {
    this.dropBudget = Math.max(0, count);
  }

  /** Control: count every answer as slow, to exercise the throttling rules without a slow receiver. */
  markAllSlow(on: boolean): void {
    this.countAllSlow = on;
  }

  /** Control: hold every batch this long (Graph time) before its first attempt. */
  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  history(): readonly DeliveryRecord[] {
    return [...this.records];
  }

  endpoints(): EndpointStats[] {
    return [...this.tallies].map(([url, t]) => ({
      url,
      notifications: t.notifications,
      slow: t.slow,
      state: this.state(url),
    }));
  }

  /** Resolves once no POST is in flight (tests use it to settle). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.flushScheduled !== undefined) {
      await Promise.all([...this.inFlight]);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  dispose(): void {
    this.closed = true;
    if (this.flushScheduled !== undefined) clearImmediate(this.flushScheduled);
    this.flushScheduled = undefined;
    this.pending.clear();
  }

  private isClosed(): boolean {
    return this.closed;
  }

  private flush(): void {
    for (const [key, { kind, items }] of this.pending) {
      const url = key.slice(kind.length + 1);
      const batch: Batch = { url, kind, items, waitedMs: 0, attempt: 0 };
      const wait = this.latencyMs + (this.state(url) === 'throttled' ? THROTTLE_DELAY_MS : 0);
      if (wait > 0) this.later(batch, wait);
      else this.track(this.attempt(batch));
    }
    this.pending.clear();
  }

  private later(batch: Batch, delayMs: number): void {
    batch.waitedMs += delayMs;
    this.options.clock.schedule(delayMs, () => {
      this.track(this.attempt(batch));
    });
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async attempt(batch: Batch): Promise<void> {
    if (this.closed) return;
    batch.attempt += 1;
    if (this.state(batch.url) === 'dropping') {
      this.record(batch, 'dropped', 'endpoint slow (≥15 % slow answers)');
      return;
    }
    if (this.dropBudget > 0) {
      this.dropBudget -= 1;
      this.record(batch, 'dropped', 'dropped by control');
      return;
    }
    const started = performance.now();
    let detail: string;
    let ok = false;
    try {
      const response = await this.options.fetch(batch.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ value: batch.items }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 3000),
      });
      await response.arrayBuffer();
      ok = response.status >= 200 && response.status < 300;
      detail = String(response.status);
    } catch (error) {
      detail = error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'unreachable';
    }
    // close() may have run while the POST was in flight.
    if (this.isClosed()) return;
    const slow = this.countAllSlow || performance.now() - started > (this.options.slowThresholdMs ?? 2900);
    this.tally(batch.url, batch.items.length, slow);
    if (ok) {
      this.record(batch, 'delivered', detail);
      return;
    }
    const backoff = (this.options.retryBaseMs ?? MINUTE_MS) * 2 ** (batch.attempt - 1);
    const delay = this.state(batch.url) === 'throttled' ? THROTTLE_DELAY_MS : backoff;
    if (batch.waitedMs + delay > RETRY_WINDOW_MS) {
      this.record(batch, 'dropped', `${detail}; retry window of 4 hours exhausted`);
      return;
    }
    this.record(batch, 'retrying', detail);
    this.later(batch, delay);
  }

  private tally(url: string, notifications: number, slow: boolean): void {
    const now = this.options.clock.now();
    let t = this.tallies.get(url);
    if (t === undefined || now - t.windowStart >= TALLY_WINDOW_MS) {
      t = { windowStart: now, notifications: 0, slow: 0 };
      this.tallies.set(url, t);
    }
    t.notifications += notifications;
    if (slow) t.slow += notifications;
  }

  private state(url: string): EndpointState {
    const t = this.tallies.get(url);
    if (t === undefined || this.options.clock.now() - t.windowStart >= TALLY_WINDOW_MS) return 'normal';
    if (t.notifications < MIN_SAMPLE) return 'normal';
    const share = t.slow / t.notifications;
    if (share >= 0.15) return 'dropping';
    return share >= 0.1 ? 'throttled' : 'normal';
  }

  private record(batch: Batch, outcome: DeliveryOutcome, detail: string): void {
    this.records.push({
      at: this.options.clock.now(),
      url: batch.url,
      kind: batch.kind,
      count: batch.items.length,
      attempt: batch.attempt,
      outcome,
      detail,
    });
    if (this.records.length > HISTORY_LIMIT) this.records.shift();
    this.options.log?.({
      type: 'delivery',
      url: batch.url,
      outcome: `${outcome} (${detail})`,
      count: batch.items.length,
    });
  }
}
