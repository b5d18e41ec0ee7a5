/**
 * Per-tenant budget for Graph presence calls: Graph allows 1,500 requests per 30 s per app per
 * tenant (platform facts A5), so we stay under a configured limit in a sliding window and stop
 * entirely while a `Retry-After` is running. In-process: with several instances, give each
 * `limit / instances`.
 */
export interface TenantRateLimiter {
  /** Takes `cost` slots now, or says how long to wait (nothing taken). */
  tryTake(
    tenantId: string,
    cost?: number,
  ): { readonly ok: true } | { readonly ok: false; readonly waitMs: number };
  /** Graph answered 429: no presence calls for this tenant until `retryAfterMs` has passed. */
  block(tenantId: string, retryAfterMs: number): void;
  /** Calls taken in the current window (for logs and tests). */
  used(tenantId: string): number;
}

export interface RateLimitOptions {
  /** Default 1,400: a margin under Graph's 1,500. */
  readonly limit?: number;
  readonly windowMs?: number;
  readonly now: () => number;
}

export function createTenantRateLimiter(options: RateLimitOptions): TenantRateLimiter {
  const limit = options.limit ?? 1_400;
  const windowMs = options.windowMs ?? 30_000;
  const taken = new Map<string, number[]>();
  const blockedUntil = new Map<string, number>();

  const window = (tenantId: string, now: number): number[] => {
    const times = (taken.get(tenantId) ?? []).filter((t) => now - t < windowMs);
    taken.set(tenantId, times);
    return times;
  };

  return {
    tryTake(tenantId, cost = 1) {
      const now = options.now();
      const blocked = blockedUntil.get(tenantId);
      if (blocked !== undefined && blocked > now) return { ok: false, waitMs: blocked - now };
      const times = window(tenantId, now);
      if (times.length + cost > limit) {
        const oldest = times[Math.max(0, times.length + cost - limit - 1)] ?? now;
        return { ok: false, waitMs: Math.max(1, oldest + windowMs - now) };
      }
      for (let i = 0; i < cost; i += 1) times.push(now);
      return { ok: true };
    },
    block(tenantId, retryAfterMs) {
      const until = options.now() + retryAfterMs;
      blockedUntil.set(tenantId, Math.max(blockedUntil.get(tenantId) ?? 0, until));
    },
    used(tenantId) {
      return window(tenantId, options.now()).length;
    },
  };
}
