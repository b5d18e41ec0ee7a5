import assert from 'node:assert/strict';
import { graphError, OTHER_APP_ID, startHarness, type Harness } from './support/harness.js';

/**
 * Throttling and injected latency, from "Microsoft Graph throttling guidance": 429 Too Many
 * Requests with a `Retry-After` header in seconds and the `TooManyRequests` error code; limits are
 * counted per app per tenant.
 */
describe('graph stand-in: throttling and delays (fidelity)', () => {
  let h: Harness;
  let token: string;

  beforeEach(async () => {
    h = await startHarness();
    token = await h.delegated(h.user(0), 'User.ReadBasic.All Presence.Read');
  });
  afterEach(async () => {
    await h.close();
  });

  it('answers the next N requests of a family with 429 and Retry-After, then recovers', async () => {
    h.graph.faults.throttle('users', { kind: 'next', count: 2, retryAfterSeconds: 3 });
    for (let i = 0; i < 2; i += 1) {
      const res = await h.call('GET', '/users', { token });
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '3');
      assert.deepEqual(
        [graphError(res).code, graphError(res).message],
        ['TooManyRequests', 'Please retry again later.'],
      );
    }
    assert.equal(
      (await h.call('GET', '/me/presence', { token })).status,
      200,
      'other families are unaffected',
    );
    assert.equal((await h.call('GET', '/users', { token })).status, 200);
  });

  it('enforces a rate per window per app, with Retry-After counting down on the clock', async () => {
    h.graph.faults.throttle('presence', { kind: 'rate', limit: 2, windowMs: 10_000 });
    assert.equal((await h.call('GET', '/me/presence', { token })).status, 200);
    assert.equal((await h.call('GET', '/me/presence', { token })).status, 200);
    const limited = await h.call('GET', '/me/presence', { token });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '10');
    const otherApp = await h.delegated(h.user(0), 'Presence.Read', { appid: OTHER_APP_ID });
    assert.equal((await h.call('GET', '/me/presence', { token: otherApp })).status, 200, 'counted per app');
    await h.clock.advance(6000);
    assert.equal((await h.call('GET', '/me/presence', { token })).headers.get('retry-after'), '4');
    await h.clock.advance(4000);
    assert.equal((await h.call('GET', '/me/presence', { token })).status, 200, 'a new window');
    h.graph.faults.clearThrottle('presence');
  });

  it('delays one family by a fixed time, and all requests by a global latency', async () => {
    h.graph.faults.setDelay('users', 300);
    let started = performance.now();
    await h.call('GET', '/users', { token });
    assert.ok(performance.now() - started >= 290, 'users delayed');
    started = performance.now();
    await h.call('GET', '/me/presence', { token });
    assert.ok(performance.now() - started < 250, 'presence not delayed');
    h.graph.faults.clearDelays();
    h.graph.faults.setGlobalLatency(200);
    started = performance.now();
    await h.call('GET', '/me/presence', { token });
    assert.ok(performance.now() - started >= 190, 'global latency applies to every family');
  });
});
