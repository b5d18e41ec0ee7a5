import { err, ok, type Result } from '../../shared/result.js';
import { scrub } from '../../observability/logger.js';
import { isIdempotent, type HttpPolicy, type UpstreamError } from '../http-policy.js';
import { graphErrorBody, graphErrorFrom, type GraphClient, type GraphError } from './graph.client.js';

/**
 * JSON batching (`POST /$batch`). Requests are split into batches of at most 20 (Graph's limit);
 * each inner request is throttled on its own, so a batch can succeed with some items answering
 * 429. Only those items are sent again, after their `Retry-After`, under the client's HttpPolicy
 * (same attempt count, single-wait cap and total budget as any other call); the others are never
 * re-sent. Results come back per item, in input order.
 */

export const MAX_BATCH_REQUESTS = 20;

export interface BatchRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Relative to the version root, query already encoded (build it with ./odata.ts): `/users/{id}`. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export interface BatchItemResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export type BatchItemResult = Result<BatchItemResponse, GraphError>;

export interface BatchOptions {
  readonly signal?: AbortSignal;
  /** Items per `$batch` call, 1–20 (default 20). */
  readonly batchSize?: number;
}

export async function sendBatch(
  graph: GraphClient,
  requests: readonly BatchRequest[],
  options: BatchOptions = {},
): Promise<BatchItemResult[]> {
  const size = Math.min(MAX_BATCH_REQUESTS, Math.max(1, Math.floor(options.batchSize ?? MAX_BATCH_REQUESTS)));
  const results = new Map<number, BatchItemResult>();
  for (let start = 0; start < requests.length; start += size) {
    const indices = requests.slice(start, start + size).map((_, i) => start + i);
    await runChunk(graph, requests, indices, results, options.signal);
  }
  return requests.map(
    (_, i) =>
      results.get(i) ??
      err({
        service: 'graph',
        kind: 'invalid_response',
        code: 'invalid_response',
        message: 'no batch answer',
      }),
  );
}

async function runChunk(
  graph: GraphClient,
  requests: readonly BatchRequest[],
  indices: readonly number[],
  results: Map<number, BatchItemResult>,
  signal: AbortSignal | undefined,
): Promise<void> {
  let pending = [...indices];
  /** The latest 429 of each item still pending, kept in case the policy stops retrying. */
  const throttled = new Map<number, GraphError>();
  const outcome = await graph.policy.run<undefined>(
    async (attempt) => {
      const items = pending.map((i) => ({ index: i, request: requests[i] }));
      const idempotent = items.every(
        (item) => item.request !== undefined && isIdempotent(item.request.method),
      );
      const sent = await graph.send('POST', '/$batch', {
        operation: 'batch',
        body: {
          requests: items.map(({ index, request }) => ({
            id: String(index),
            method: request?.method,
            url: request?.url,
            ...(request?.body === undefined
              ? request?.headers === undefined
                ? {}
                : { headers: request.headers }
              : { headers: { 'Content-Type': 'application/json', ...request.headers }, body: request.body }),
          })),
        },
        idempotent,
        signal,
        // This loop is the retry loop for the batch; the single POST must not retry on its own.
        maxRetries: 0,
      });
      if (!sent.ok) {
        const whole = sent.error;
        const retryable =
          whole.status === 429 ||
          whole.status === 503 ||
          (idempotent && (whole.kind === 'timeout' || whole.kind === 'network' || whole.status === 504));
        if (retryable) {
          return {
            retry: upstreamFrom(whole, attempt),
            reason: whole.status === undefined ? whole.kind : String(whole.status),
          };
        }
        for (const i of pending) results.set(i, err(whole));
        return { done: ok(undefined) };
      }
      const responses = readResponses(sent.value.body);
      throttled.clear();
      for (const i of pending) {
        const answer = responses.get(String(i));
        if (answer === undefined) {
          results.set(
            i,
            err({
              service: 'graph',
              kind: 'invalid_response',
              code: 'invalid_response',
              message: 'no batch answer',
            }),
          );
        } else if (answer.status === 429) {
          throttled.set(i, innerError(answer, graph.policy));
        } else {
          results.set(i, answer.status < 400 ? ok(answer) : err(innerError(answer, graph.policy)));
        }
      }
      pending = [...throttled.keys()];
      if (pending.length === 0) return { done: ok(undefined) };
      const waits = [...throttled.values()]
        .map((e) => e.retryAfterMs)
        .filter((ms): ms is number => ms !== undefined);
      const retry: UpstreamError = {
        service: 'graph',
        code: 'throttled',
        status: 429,
        attempts: attempt + 1,
        message: `${pending.length} batch item(s) throttled`,
        ...(waits.length === 0 ? {} : { retryAfterMs: Math.max(...waits) }),
      };
      return { retry, reason: 'batch_429' };
    },
    { service: 'graph', operation: 'batch', signal },
  );
  if (outcome.ok) return;
  // The policy stopped (attempts, wait cap, budget or abort): every item still pending gets its
  // own last 429, or the error that ended the loop.
  for (const i of pending) {
    if (results.has(i)) continue;
    const last = throttled.get(i);
    results.set(
      i,
      err(last !== undefined && outcome.error.code === 'throttled' ? last : graphErrorFrom(outcome.error)),
    );
  }
}

function readResponses(body: unknown): Map<string, BatchItemResponse> {
  const out = new Map<string, BatchItemResponse>();
  const responses =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>).responses : undefined;
  if (!Array.isArray(responses)) return out;
  for (const raw of responses as unknown[]) {
    if (typeof raw !== 'object' || raw === null) continue;
    const r = raw as Record<string, unknown>;
    if (typeof r.id !== 'string' || typeof r.status !== 'number') continue;
    const headers: Record<string, string> = {};
    if (typeof r.headers === 'object' && r.headers !== null) {
      for (const [k, v] of Object.entries(r.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    }
    out.set(r.id, { status: r.status, headers, body: r.body ?? undefined });
  }
  return out;
}

function innerError(answer: BatchItemResponse, policy: HttpPolicy): GraphError {
  const body = graphErrorBody(answer.body);
  const retryAfterMs =
    answer.status === 429 ? policy.readRetryAfter(answer.headers['retry-after']) : undefined;
  const kind =
    answer.status === 429
      ? 'throttled'
      : answer.status >= 502 && answer.status <= 504
        ? 'unavailable'
        : 'http_error';
  return {
    service: 'graph',
    kind,
    code: body.code ?? kind,
    status: answer.status,
    message: scrub(body.message ?? `HTTP ${answer.status}`),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(body.requestId === undefined ? {} : { requestId: body.requestId }),
  };
}

function upstreamFrom(error: GraphError, attempt: number): UpstreamError {
  const code =
    error.kind === 'token_unavailable' || error.kind === 'invalid_response' ? 'http_error' : error.kind;
  return {
    service: 'graph',
    code,
    attempts: attempt + 1,
    message: error.message,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    body: { error: { code: error.code, message: error.message } },
  };
}
