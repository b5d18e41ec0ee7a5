import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import {
  createUpstreamMetrics,
  HttpPolicy,
  parseRetryAfter,
  type HttpPolicyOptions,
  type UpstreamRequest,
} from '../../../bot/src/integrations/http-policy.js';

/**
 * The shared retry/timeout policy on its own: decisions, waits and budgets with an injected
 * sleep/random/now, and stubbed `send` functions standing for the network.
 */

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

function policyWith(options: HttpPolicyOptions = {}): { policy: HttpPolicy; sleeps: number[] } {
  const sleeps: number[] = [];
  const policy = new HttpPolicy({
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    now: () => NOW,
    ...options,
  });
  return { policy, sleeps };
}

function respond(status: number, headers: Record<string, string> = {}, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** A `send` that answers the given responses in turn (the last one repeats) and counts calls. */
function script(...answers: (() => Response | Promise<Response>)[]): {
  send: (signal: AbortSignal) => Promise<Response>;
  calls: () => number;
} {
  let calls = 0;
  return {
    send: async () => {
      const answer = answers[Math.min(calls, answers.length - 1)];
      calls += 1;
      if (answer === undefined) throw new Error('no scripted answer');
      return answer();
    },
    calls: () => calls,
  };
}

const GET: UpstreamRequest = { service: 'graph', operation: 'test.get', method: 'GET' };
const POST: UpstreamRequest = { service: 'webex', operation: 'test.post', method: 'POST' };

/** Resolves when the signal aborts, rejecting with its reason, as fetch does. */
function hangUntilAborted(signal: AbortSignal): Promise<Response> {
  return new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () => {
      reject(signal.reason as Error);
    });
  });
}

describe('http-policy (unit)', () => {
  describe('parseRetryAfter', () => {
    it('reads delta-seconds, including 0 and decimals', () => {
      assert.equal(parseRetryAfter('2', NOW), 2000);
      assert.equal(parseRetryAfter(' 0 ', NOW), 0);
      assert.equal(parseRetryAfter('1.5', NOW), 1500);
    });

    it('reads an HTTP-date relative to now, never negative', () => {
      assert.equal(parseRetryAfter(new Date(NOW + 7000).toUTCString(), NOW), 7000);
      assert.equal(parseRetryAfter(new Date(NOW - 7000).toUTCString(), NOW), 0);
    });

    it('ignores absent or unreadable values', () => {
      assert.equal(parseRetryAfter(null, NOW), undefined);
      assert.equal(parseRetryAfter('', NOW), undefined);
      assert.equal(parseRetryAfter('-1', NOW), undefined);
      assert.equal(parseRetryAfter('soon', NOW), undefined);
    });
  });

  it('backs off with full jitter: random × min(cap, base·2^retry)', () => {
    const draws = [0.5, 0.25, 0.999, 0];
    const policy = new HttpPolicy({ baseDelayMs: 100, maxDelayMs: 500, random: () => draws.shift() ?? 1 });
    assert.deepEqual(
      [0, 1, 2, 3].map((r) => policy.backoffMs(r)),
      [50, 50, 399, 0],
    );
    const top = new HttpPolicy({ baseDelayMs: 100, maxDelayMs: 500, random: () => 0.999999 });
    assert.equal(top.backoffMs(10), 499, 'the cap bounds the window');
  });

  it('retries a 429 after its Retry-After and returns the success', async () => {
    const { policy, sleeps } = policyWith();
    const s = script(
      () => respond(429, { 'retry-after': '2' }),
      () => respond(200, {}, { ok: 1 }),
    );
    const result = await policy.execute(s.send, GET);
    assert.ok(result.ok);
    assert.deepEqual(await result.value.json(), { ok: 1 });
    assert.deepEqual(sleeps, [2000]);
    assert.equal(s.calls(), 2);
  });

  it('honours an HTTP-date Retry-After', async () => {
    const { policy, sleeps } = policyWith();
    const s = script(
      () => respond(429, { 'retry-after': new Date(NOW + 3000).toUTCString() }),
      () => respond(204),
    );
    const result = await policy.execute(s.send, GET);
    assert.ok(result.ok);
    assert.equal(result.value.status, 204);
    assert.deepEqual(sleeps, [3000]);
  });

  it('uses full-jitter backoff for 503s without Retry-After, then succeeds', async () => {
    const { policy, sleeps } = policyWith({ baseDelayMs: 400 });
    const s = script(
      () => respond(503),
      () => respond(503),
      () => respond(200, {}, {}),
    );
    const result = await policy.execute(s.send, GET);
    assert.ok(result.ok);
    assert.deepEqual(sleeps, [200, 400]);
  });

  it('stops after maxRetries and returns the throttled error with its Retry-After', async () => {
    const { policy, sleeps } = policyWith({ maxRetries: 2 });
    const s = script(() => respond(429, { 'retry-after': '1' }, { error: { code: 'TooManyRequests' } }));
    const result = await policy.execute(s.send, GET);
    assert.ok(!result.ok);
    assert.equal(s.calls(), 3);
    assert.deepEqual(sleeps, [1000, 1000]);
    assert.equal(result.error.code, 'throttled');
    assert.equal(result.error.status, 429);
    assert.equal(result.error.retryAfterMs, 1000);
    assert.equal(result.error.attempts, 3);
    assert.deepEqual(result.error.body, { error: { code: 'TooManyRequests' } });
  });

  it('does not sleep a Retry-After beyond maxRetryAfterMs: gives up at once', async () => {
    const { policy, sleeps } = policyWith({ maxRetryAfterMs: 5000 });
    const s = script(() => respond(429, { 'retry-after': '120' }));
    const result = await policy.execute(s.send, GET);
    assert.ok(!result.ok);
    assert.equal(s.calls(), 1);
    assert.deepEqual(sleeps, []);
    assert.equal(result.error.code, 'throttled');
    assert.equal(result.error.retryAfterMs, 120_000);
  });

  it('keeps the total wait within maxTotalWaitMs', async () => {
    const { policy, sleeps } = policyWith({
      maxRetries: 10,
      maxRetryAfterMs: 10_000,
      maxTotalWaitMs: 10_000,
    });
    const s = script(() => respond(429, { 'retry-after': '4' }));
    const result = await policy.execute(s.send, GET);
    assert.ok(!result.ok);
    assert.deepEqual(sleeps, [4000, 4000], 'a third 4 s wait would pass the 10 s budget');
    assert.equal(s.calls(), 3);
  });

  it('retries 503 for POST, but neither 504 nor network errors nor timeouts', async () => {
    {
      const { policy } = policyWith();
      const s = script(
        () => respond(503),
        () => respond(201, {}, { id: 'x' }),
      );
      assert.ok((await policy.execute(s.send, POST)).ok);
      assert.equal(s.calls(), 2);
    }
    {
      const { policy } = policyWith();
      const s = script(() => respond(504));
      const result = await policy.execute(s.send, POST);
      assert.ok(!result.ok);
      assert.equal(result.error.code, 'unavailable');
      assert.equal(s.calls(), 1);
    }
    {
      const { policy } = policyWith();
      const s = script(() => Promise.reject(new TypeError('fetch failed')));
      const result = await policy.execute(s.send, POST);
      assert.ok(!result.ok);
      assert.equal(result.error.code, 'network');
      assert.equal(s.calls(), 1);
    }
    {
      const { policy } = policyWith({ timeoutMs: 20 });
      let calls = 0;
      const result = await policy.execute((signal) => {
        calls += 1;
        return hangUntilAborted(signal);
      }, POST);
      assert.ok(!result.ok);
      assert.equal(result.error.code, 'timeout');
      assert.equal(calls, 1);
    }
  });

  it('retries network errors and 504 for idempotent requests (or when told a POST is idempotent)', async () => {
    const { policy } = policyWith();
    const s = script(
      () => Promise.reject(new TypeError('fetch failed')),
      () => respond(504),
      () => respond(200, {}, {}),
    );
    assert.ok((await policy.execute(s.send, { ...POST, idempotent: true })).ok);
    assert.equal(s.calls(), 3);
  });

  it('times out each attempt and retries idempotent ones', async () => {
    const { policy } = policyWith({ timeoutMs: 20, maxRetries: 1 });
    let calls = 0;
    const started = Date.now();
    const result = await policy.execute((signal) => {
      calls += 1;
      return hangUntilAborted(signal);
    }, GET);
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'timeout');
    assert.equal(result.error.attempts, 2);
    assert.equal(calls, 2);
    assert.ok(Date.now() - started < 2000);
  });

  it('the timeout covers the body, not just the headers', async () => {
    const { policy } = policyWith({ timeoutMs: 30, maxRetries: 0 });
    const result = await policy.execute(
      (signal) =>
        Promise.resolve(
          new Response(
            new ReadableStream({
              start(controller) {
                controller.enqueue(new TextEncoder().encode('{"partial":'));
                signal.addEventListener('abort', () => {
                  controller.error(signal.reason);
                });
              },
            }),
            { status: 200 },
          ),
        ),
      GET,
    );
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'timeout');
  });

  it("honours the caller's signal: before sending, during an attempt and during a wait", async () => {
    const { policy } = policyWith();
    const before = new AbortController();
    before.abort();
    const s = script(() => respond(200));
    const r1 = await policy.execute(s.send, { ...GET, signal: before.signal });
    assert.ok(!r1.ok);
    assert.equal(r1.error.code, 'aborted');
    assert.equal(s.calls(), 0);

    const during = new AbortController();
    const r2 = await policy.execute(
      (signal) => {
        setTimeout(() => {
          during.abort();
        }, 5);
        return hangUntilAborted(signal);
      },
      { ...GET, signal: during.signal },
    );
    assert.ok(!r2.ok);
    assert.equal(r2.error.code, 'aborted');

    // A real sleep, so the abort has to cut the wait short.
    const waiting = new AbortController();
    const real = new HttpPolicy({ random: () => 0.5 });
    const started = Date.now();
    setTimeout(() => {
      waiting.abort();
    }, 20);
    const r3 = await real.execute(script(() => respond(429, { 'retry-after': '5' })).send, {
      ...GET,
      signal: waiting.signal,
    });
    assert.ok(!r3.ok);
    assert.equal(r3.error.code, 'aborted');
    assert.ok(Date.now() - started < 1000, 'the 5 s wait was cut short');
  });

  it('does not retry other statuses and keeps their body for the caller', async () => {
    const { policy, sleeps } = policyWith();
    const s = script(() => respond(404, {}, { error: { code: 'Request_ResourceNotFound' } }));
    const result = await policy.execute(s.send, GET);
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'http_error');
    assert.equal(result.error.status, 404);
    assert.deepEqual(result.error.body, { error: { code: 'Request_ResourceNotFound' } });
    assert.deepEqual(sleeps, []);
    assert.equal(s.calls(), 1);
  });

  it('counts attempts by status and retries by reason', async () => {
    const registry = new Registry();
    const metrics = createUpstreamMetrics(registry);
    assert.equal(createUpstreamMetrics(registry).requests, metrics.requests, 'reuses the registered metrics');
    const { policy } = policyWith({ metrics });
    await policy.execute(
      script(
        () => respond(429, { 'retry-after': '0' }),
        () => respond(200),
      ).send,
      GET,
    );
    const text = await registry.metrics();
    assert.match(text, /callbridge_upstream_requests_total\{service="graph",status="429"\} 1/);
    assert.match(text, /callbridge_upstream_requests_total\{service="graph",status="200"\} 1/);
    assert.match(text, /callbridge_upstream_retries_total\{service="graph",reason="429"\} 1/);
  });
});
