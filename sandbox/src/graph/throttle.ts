import type { GraphClock } from './clock.js';

/**
 * Injected faults per resource family: throttling (429 with `Retry-After`) and added latency.
 * Graph throttles per service (identity, Outlook, Teams, presence, subscriptions each have their
 * own limits), so rules attach to a family rather than to single paths.
 */

export const FAMILIES = [
  'users',
  'contacts',
  'extensions',
  'presence',
  'subscriptions',
  'members',
  'callRecords',
  'batch',
] as const;
export type Family = (typeof FAMILIES)[number];

export function isFamily(value: unknown): value is Family {
  return typeof value === 'string' && (FAMILIES as readonly string[]).includes(value);
}

/**
 * - `next`: the next `count` requests of the family get 429.
 * - `rate`: at most `limit` requests per `windowMs` per app (Graph counts per app per tenant);
 *   excess requests get 429 with `Retry-After` = time left in the window.
 */
export type ThrottleRule =
  | { readonly kind: 'next'; readonly count: number; readonly retryAfterSeconds: number }
  | { readonly kind: 'rate'; readonly limit: number; readonly windowMs: number };

export interface ThrottleState {
  readonly family: Family;
  readonly rule: ThrottleRule;
  /** For `next` rules: how many 429s are still to come. */
  readonly remaining?: number;
}

interface RateWindow {
  start: number;
  count: number;
}

export class Faults {
  private readonly throttles = new Map<
    Family,
    { rule: ThrottleRule; remaining: number; windows: Map<string, RateWindow> }
  >();
  private readonly delays = new Map<Family, number>();

  constructor(
    private readonly clock: GraphClock,
    /** Latency added to every request, for benchmarks. */
    private globalLatencyMs = 0,
  ) {}

  throttle(family: Family, rule: ThrottleRule): void {
    this.throttles.set(family, {
      rule,
      remaining: rule.kind === 'next' ? rule.count : 0,
      windows: new Map(),
    });
  }

  clearThrottle(family?: Family): void {
    if (family === undefined) this.throttles.clear();
    else this.throttles.delete(family);
  }

  throttleStates(): ThrottleState[] {
    return [...this.throttles].map(([family, t]) =>
      t.rule.kind === 'next' ? { family, rule: t.rule, remaining: t.remaining } : { family, rule: t.rule },
    );
  }

  /**
   * Counts a request against its family's rule; returns the `Retry-After` seconds when it must be
   * refused, undefined when it may proceed.
   */
  admit(family: Family, appId: string): number | undefined {
    const t = this.throttles.get(family);
    if (t === undefined) return undefined;
    if (t.rule.kind === 'next') {
      if (t.remaining <= 0) return undefined;
      t.remaining -= 1;
      return t.rule.retryAfterSeconds;
    }
    const now = this.clock.now();
    let window = t.windows.get(appId);
    if (window === undefined || now - window.start >= t.rule.windowMs) {
      window = { start: now, count: 0 };
      t.windows.set(appId, window);
    }
    window.count += 1;
    if (window.count <= t.rule.limit) return undefined;
    return Math.max(1, Math.ceil((window.start + t.rule.windowMs - now) / 1000));
  }

  setDelay(family: Family, ms: number): void {
    if (ms <= 0) this.delays.delete(family);
    else this.delays.set(family, ms);
  }

  clearDelays(): void {
    this.delays.clear();
  }

  setGlobalLatency(ms: number): void {
    this.globalLatencyMs = Math.max(0, ms);
  }

  delayStates(): { family: Family; ms: number }[] {
    return [...this.delays].map(([family, ms]) => ({ family, ms }));
  }

  /** Total artificial latency for a request of this family. */
  latencyFor(family: Family): number {
    return this.globalLatencyMs + (this.delays.get(family) ?? 0);
  }
}
