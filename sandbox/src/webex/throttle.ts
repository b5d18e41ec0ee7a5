/**
 * Rate limiting on demand: a family of APIs answers 429 with `Retry-After` (seconds) while a
 * throttle is on, like Webex does on every endpoint ("429 ... A Retry-After header should be
 * present", webex-messaging OpenAPI).
 */
export type ApiFamily = 'people' | 'calls' | 'webhooks';
export const API_FAMILIES: readonly ApiFamily[] = ['people', 'calls', 'webhooks'];

export interface ThrottleRule {
  readonly retryAfterSeconds: number;
  /** How many upcoming requests are refused; undefined refuses until cleared. */
  readonly requests?: number | undefined;
}

interface ActiveRule {
  readonly retryAfterSeconds: number;
  remaining: number | undefined;
}

export class Throttle {
  private readonly rules = new Map<ApiFamily, ActiveRule>();

  set(family: ApiFamily, rule: ThrottleRule): void {
    this.rules.set(family, { retryAfterSeconds: rule.retryAfterSeconds, remaining: rule.requests });
  }

  clear(family?: ApiFamily): void {
    if (family === undefined) this.rules.clear();
    else this.rules.delete(family);
  }

  /** Consumes one refusal; returns the Retry-After seconds, or undefined to let the request through. */
  take(family: ApiFamily): number | undefined {
    const rule = this.rules.get(family);
    if (rule === undefined) return undefined;
    if (rule.remaining !== undefined) {
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.rules.delete(family);
    }
    return rule.retryAfterSeconds;
  }

  active(): Record<string, { retryAfterSeconds: number; remaining: number | null }> {
    const out: Record<string, { retryAfterSeconds: number; remaining: number | null }> = {};
    for (const [family, rule] of this.rules)
      out[family] = { retryAfterSeconds: rule.retryAfterSeconds, remaining: rule.remaining ?? null };
    return out;
  }
}

export function isApiFamily(value: unknown): value is ApiFamily {
  return typeof value === 'string' && (API_FAMILIES as readonly string[]).includes(value);
}
