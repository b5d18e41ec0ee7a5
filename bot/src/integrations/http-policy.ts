import { setTimeout as delay } from 'node:timers/promises';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../observability/logger.js';
import { err, ok, type Result } from '../shared/result.js';

/**
 * The one retry/timeout policy for every upstream call (Graph and Webex). Expected failures come
 * back as `UpstreamError` values; nothing here throws for an HTTP status, a timeout or a network
 * error.
 *
 * - Retries 429 and 503 for every method (the server says it did not process the request), 504
 *   and network errors / timeouts only for idempotent requests (the request may have run).
 * - Waits what `Retry-After` says (delta-seconds or HTTP-date); without it, exponential backoff
 *   with full jitter: random in [0, min(maxDelayMs, baseDelayMs · 2^retry)].
 * - Bounded: at most `maxRetries` retries, no single wait above `maxRetryAfterMs`, no more than
 *   `maxTotalWaitMs` of waiting per call. A `Retry-After` beyond those limits is not slept: the
 *   throttled result (with `retryAfterMs`) goes straight back so the caller can reschedule.
 * - Each attempt has its own timeout (`timeoutMs`, covering headers and body); the caller's
 *   AbortSignal stops attempts and waits at once (`aborted`).
 */

export type UpstreamService = 'graph' | 'webex';

export type UpstreamErrorCode =
  'throttled' | 'timeout' | 'unavailable' | 'http_error' | 'network' | 'aborted';

export interface UpstreamError {
  readonly service: UpstreamService;
  readonly code: UpstreamErrorCode;
  /** HTTP status of the last response, when there was one. */
  readonly status?: number;
  /** What the upstream asked us to wait (last `Retry-After`), for callers that reschedule. */
  readonly retryAfterMs?: number;
  /** Attempts made, the first included. */
  readonly attempts: number;
  /** Safe summary: never headers, never tokens. */
  readonly message: string;
  /** The error response body (parsed JSON when it was JSON, else text), for service error mapping. */
  readonly body?: unknown;
}

export interface HttpPolicyOptions {
  /** Retries after the first attempt (default 3). */
  readonly maxRetries?: number;
  /** Backoff base (default 500 ms). */
  readonly baseDelayMs?: number;
  /** Backoff cap (default 8 s). */
  readonly maxDelayMs?: number;
  /** Longest single `Retry-After` we sleep (default 10 s); longer ones end the call at once. */
  readonly maxRetryAfterMs?: number;
  /** Total waiting allowed across the retries of one call (default 20 s). */
  readonly maxTotalWaitMs?: number;
  /** Per-attempt timeout (default 10 s). */
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Returns a number in [0, 1). */
  readonly random?: () => number;
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly metrics?: UpstreamMetrics;
}

export const DEFAULT_HTTP_POLICY = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 10_000,
  maxTotalWaitMs: 20_000,
  timeoutMs: 10_000,
} as const;

/** What one upstream call is, for the policy's decisions, logs and metrics. */
export interface UpstreamRequest {
  readonly service: UpstreamService;
  /** A stable name (`users.search`, `calls.dial`), logged instead of the URL, which can carry user data. */
  readonly operation: string;
  readonly method: string;
  /** Defaults to true for GET, HEAD, OPTIONS, PUT, DELETE. */
  readonly idempotent?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Overrides the policy's `maxRetries` for this call (0: no retries). */
  readonly maxRetries?: number | undefined;
}

/** What one attempt of `run` decided: finished, or worth retrying after the error's wait. */
export type AttemptStep<T> =
  { readonly done: Result<T, UpstreamError> } | { readonly retry: UpstreamError; readonly reason: string };

export interface UpstreamMetrics {
  readonly requests: Counter<'service' | 'status'>;
  readonly retries: Counter<'service' | 'reason'>;
}

/** Upstream metrics on a service's registry; reuses them when the registry already has them. */
export function createUpstreamMetrics(registry: Registry): UpstreamMetrics {
  const existing = (name: string): unknown => registry.getSingleMetric(name);
  const requests =
    (existing('callbridge_upstream_requests_total') as Counter<'service' | 'status'> | undefined) ??
    new Counter({
      name: 'callbridge_upstream_requests_total',
      help: 'Upstream HTTP attempts by service and outcome (HTTP status, or timeout/network/aborted)',
      labelNames: ['service', 'status'],
      registers: [registry],
    });
  const retries =
    (existing('callbridge_upstream_retries_total') as Counter<'service' | 'reason'> | undefined) ??
    new Counter({
      name: 'callbridge_upstream_retries_total',
      help: 'Upstream retries by service and reason (429, 503, 504, timeout, network, batch_429)',
      labelNames: ['service', 'reason'],
      registers: [registry],
    });
  return { requests, retries };
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** Statuses whose responses carry no body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
const MAX_ERROR_BODY_CHARS = 16_384;

/**
 * `Retry-After` in milliseconds: delta-seconds or an HTTP-date (relative to `nowMs`); undefined
 * when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP-date names a weekday and a zone; a bare number or junk is not one.
  if (!/[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export function isIdempotent(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase());
}

async function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  await delay(ms, undefined, signal === undefined ? {} : { signal });
}

export class HttpPolicy {
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
  readonly maxTotalWaitMs: number;
  readonly timeoutMs: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly logger: Logger | undefined;
  private readonly metrics: UpstreamMetrics | undefined;

  constructor(options: HttpPolicyOptions = {}) {
    this.maxRetries = nonNegative(options.maxRetries, DEFAULT_HTTP_POLICY.maxRetries);
    this.baseDelayMs = nonNegative(options.baseDelayMs, DEFAULT_HTTP_POLICY.baseDelayMs);
    this.maxDelayMs = nonNegative(options.maxDelayMs, DEFAULT_HTTP_POLICY.maxDelayMs);
    this.maxRetryAfterMs = nonNegative(options.maxRetryAfterMs, DEFAULT_HTTP_POLICY.maxRetryAfterMs);
    this.maxTotalWaitMs = nonNegative(options.maxTotalWaitMs, DEFAULT_HTTP_POLICY.maxTotalWaitMs);
    this.timeoutMs = Math.max(1, options.timeoutMs ?? DEFAULT_HTTP_POLICY.timeoutMs);
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
    this.metrics = options.metrics;
  }

  /** A `Retry-After` value in ms on this policy's clock (for answers read outside `execute`). */
  readRetryAfter(value: string | null | undefined): number | undefined {
    return parseRetryAfter(value, this.now());
  }

  /** Full-jitter backoff before retry number `retry` (0 for the first retry). */
  backoffMs(retry: number): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** retry);
    return Math.floor(this.random() * ceiling);
  }

  /**
   * Sends one HTTP request under the policy. `send` gets a signal that fires on the caller's abort
   * or the attempt's timeout and must pass it to fetch. The response comes back buffered, so the
   * timeout covered its body too; any status other than 2xx/3xx is an `UpstreamError`.
   */
  async execute(
    send: (signal: AbortSignal) => Promise<Response>,
    request: UpstreamRequest,
  ): Promise<Result<Response, UpstreamError>> {
    const idempotent = request.idempotent ?? isIdempotent(request.method);
    return this.run<Response>(async (attempt) => {
      const timeout = AbortSignal.timeout(this.timeoutMs);
      const signal = request.signal === undefined ? timeout : AbortSignal.any([request.signal, timeout]);
      let response: Response;
      try {
        response = await buffer(await send(signal));
      } catch (error) {
        const code = request.signal?.aborted === true ? 'aborted' : timeout.aborted ? 'timeout' : 'network';
        this.count(request.service, code);
        const failure = upstreamError(request, code, attempt, describeThrown(code, error, this.timeoutMs));
        return code !== 'aborted' && idempotent ? { retry: failure, reason: code } : { done: err(failure) };
      }
      this.count(request.service, String(response.status));
      if (response.status < 400) return { done: ok(response) };
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.now());
      const failure: UpstreamError = {
        ...upstreamError(request, statusCode(response.status), attempt, `HTTP ${response.status}`),
        status: response.status,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        body: await readErrorBody(response),
      };
      const retryable =
        response.status === 429 || response.status === 503 || (response.status === 504 && idempotent);
      return retryable ? { retry: failure, reason: String(response.status) } : { done: err(failure) };
    }, request);
  }

  /**
   * The retry loop itself, for callers whose attempt is more than one HTTP exchange (the Graph
   * `$batch` helper resends only the throttled items). `attempt` gets the attempt index (0 first).
   */
  async run<T>(
    attempt: (index: number) => Promise<AttemptStep<T>>,
    request: Pick<UpstreamRequest, 'service' | 'operation' | 'signal' | 'maxRetries'>,
  ): Promise<Result<T, UpstreamError>> {
    const maxRetries = request.maxRetries ?? this.maxRetries;
    let waited = 0;
    for (let index = 0; ; index += 1) {
      if (isAborted(request.signal)) {
        return err(upstreamError(request, 'aborted', index, 'the caller cancelled the request'));
      }
      const step = await attempt(index);
      if ('done' in step) {
        if (!step.done.ok) this.logFailure(request, step.done.error);
        return step.done;
      }
      const failure = step.retry;
      const giveUp = this.giveUpReason(failure, index, maxRetries, waited);
      if (giveUp !== undefined) {
        this.logFailure(request, failure, giveUp);
        return err(failure);
      }
      const wait = failure.retryAfterMs ?? this.backoffMs(index);
      if (waited + wait > this.maxTotalWaitMs) {
        this.logFailure(request, failure, 'retry budget spent');
        return err(failure);
      }
      this.metrics?.retries.inc({ service: request.service, reason: step.reason });
      this.logger?.debug(
        {
          upstream: request.service,
          operation: request.operation,
          attempt: index + 1,
          waitMs: wait,
          reason: step.reason,
        },
        'upstream retry',
      );
      try {
        await this.sleep(wait, request.signal);
      } catch (error) {
        // The caller's abort ends the wait early (handled below); anything else is a bug.
        if (!isAborted(request.signal)) throw error;
      }
      if (isAborted(request.signal)) {
        return err(upstreamError(request, 'aborted', index + 1, 'the caller cancelled the request'));
      }
      waited += wait;
    }
  }

  private giveUpReason(
    failure: UpstreamError,
    index: number,
    maxRetries: number,
    waited: number,
  ): string | undefined {
    if (index >= maxRetries) return 'retries exhausted';
    if (failure.retryAfterMs !== undefined && failure.retryAfterMs > this.maxRetryAfterMs)
      return 'Retry-After beyond the longest wait';
    if (failure.retryAfterMs !== undefined && waited + failure.retryAfterMs > this.maxTotalWaitMs)
      return 'retry budget spent';
    return undefined;
  }

  private count(service: UpstreamService, status: string): void {
    this.metrics?.requests.inc({ service, status });
  }

  private logFailure(
    request: Pick<UpstreamRequest, 'service' | 'operation'>,
    failure: UpstreamError,
    why?: string,
  ): void {
    const fields = {
      upstream: request.service,
      operation: request.operation,
      code: failure.code,
      ...(failure.status === undefined ? {} : { status: failure.status }),
      ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }),
      attempts: failure.attempts,
      ...(why === undefined ? {} : { gaveUp: why }),
    };
    // 4xx answers are ordinary outcomes for the caller to handle; the rest is worth a warning.
    if (failure.code === 'http_error' || failure.code === 'aborted')
      this.logger?.debug(fields, 'upstream request failed');
    else this.logger?.warn(fields, 'upstream request failed');
  }
}

/** The policy to use: the one given, or a new one from options (logging to `logger` unless they name one). */
export function resolvePolicy(
  policy: HttpPolicy | HttpPolicyOptions | undefined,
  logger?: Logger,
): HttpPolicy {
  if (policy instanceof HttpPolicy) return policy;
  const options = policy ?? {};
  return new HttpPolicy(
    options.logger === undefined && logger !== undefined ? { ...options, logger } : options,
  );
}

/** A function, so TypeScript does not carry a narrowed `aborted` across awaits. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function nonNegative(value: number | undefined, fallback: number): number {
  return value === undefined || !Number.isFinite(value) ? fallback : Math.max(0, value);
}

function statusCode(status: number): UpstreamErrorCode {
  if (status === 429) return 'throttled';
  if (status === 502 || status === 503 || status === 504) return 'unavailable';
  return 'http_error';
}

function upstreamError(
  request: Pick<UpstreamRequest, 'service'>,
  code: UpstreamErrorCode,
  attemptIndex: number,
  message: string,
): UpstreamError {
  return { service: request.service, code, attempts: attemptIndex + 1, message };
}

function describeThrown(code: UpstreamErrorCode, error: unknown, timeoutMs: number): string {
  if (code === 'timeout') return `no complete answer within ${timeoutMs} ms`;
  if (code === 'aborted') return 'the caller cancelled the request';
  // Node's fetch says "fetch failed" and keeps the reason (ECONNREFUSED, …) in `cause.code`.
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : error instanceof Error ? error.name : 'error';
  return `network error (${detail})`;
}

/** Reads the whole body inside the attempt, so the per-attempt timeout covers it. */
async function buffer(response: Response): Promise<Response> {
  const bytes = NULL_BODY_STATUSES.has(response.status) ? null : await response.arrayBuffer();
  return new Response(bytes, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

async function readErrorBody(response: Response): Promise<unknown> {
  const text = (await response.text()).slice(0, MAX_ERROR_BODY_CHARS);
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
