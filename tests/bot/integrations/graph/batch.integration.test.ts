import assert from 'node:assert/strict';
import { sendBatch, type BatchRequest } from '../../../../bot/src/integrations/graph/batch.js';
import { pathSegment, queryString } from '../../../../bot/src/integrations/graph/odata.js';
import { startGraphFixture, type GraphFixture } from '../support/graph-fixture.js';

/**
 * `$batch` against the Graph stand-in, whose inner requests are throttled one by one: only the
 * items that came back 429 are sent again (counted at the stand-in), within the policy's bounds,
 * and results come back in input order.
 */

describe('Graph $batch helper against the Graph stand-in (integration)', function () {
  this.timeout(30_000);
  let fx: GraphFixture;

  before(async () => {
    fx = await startGraphFixture();
  });
  after(async () => {
    await fx.close();
  });
  beforeEach(() => {
    fx.reset();
  });

  const userGet = (id: string): BatchRequest => ({
    method: 'GET',
    url: `/users/${pathSegment(id)}${queryString({ $select: 'id,displayName' })}`,
  });
  const presenceGet = (id: string): BatchRequest => ({
    method: 'GET',
    url: `/users/${pathSegment(id)}/presence`,
  });

  it('retries only the inner request that came back 429, after its Retry-After', async () => {
    const [a, b, c] = fx.org.users;
    fx.graph.faults.throttle('presence', { kind: 'next', count: 1, retryAfterSeconds: 2 });
    const results = await sendBatch(fx.client(), [userGet(a!.id), presenceGet(b!.id), userGet(c!.id)]);
    assert.deepEqual(
      results.map((r) => (r.ok ? r.value.status : r.error.status)),
      [200, 200, 200],
    );
    assert.equal(results[0]?.ok && (results[0].value.body as { id: string }).id, a!.id);
    assert.equal(results[1]?.ok && (results[1].value.body as { id: string }).id, b!.id);
    assert.equal(results[2]?.ok && (results[2].value.body as { id: string }).id, c!.id);
    assert.equal(fx.count('/v1.0/$batch'), 2);
    assert.equal(fx.count(`/v1.0/users/${b!.id}/presence`), 2, 'the throttled item was sent twice');
    assert.equal(fx.count(`/v1.0/users/${a!.id}`), 1, 'the others were not re-sent');
    assert.equal(fx.count(`/v1.0/users/${c!.id}`), 1);
    assert.deepEqual(fx.sleeps, [2000], 'the inner Retry-After was honoured');
  });

  it('splits into batches of at most 20 and returns results in input order', async () => {
    const users = fx.org.users.slice(0, 25);
    const results = await sendBatch(
      fx.client(),
      users.map((u) => userGet(u.id)),
    );
    assert.equal(fx.count('/v1.0/$batch'), 2);
    assert.deepEqual(
      results.map((r) => (r.ok ? (r.value.body as { id: string }).id : 'error')),
      users.map((u) => u.id),
    );
  });

  it('keeps per-item errors apart from successes', async () => {
    const results = await sendBatch(fx.client(), [
      userGet(fx.me.id),
      userGet('00000000-0000-4000-8000-000000000404'),
    ]);
    assert.ok(results[0]?.ok);
    const missing = results[1];
    assert.ok(missing !== undefined && !missing.ok);
    assert.equal(missing.error.status, 404);
    assert.equal(missing.error.code, 'Request_ResourceNotFound');
    assert.equal(fx.count('/v1.0/$batch'), 1, 'a 404 item is not retried');
  });

  it('bounds the retries of an item that stays throttled and reports it as throttled', async () => {
    const [a, b] = fx.org.users;
    fx.graph.faults.throttle('presence', { kind: 'next', count: 100, retryAfterSeconds: 1 });
    const results = await sendBatch(fx.client({ policy: { maxRetries: 2 } }), [
      userGet(a!.id),
      presenceGet(b!.id),
    ]);
    assert.ok(results[0]?.ok);
    const throttled = results[1];
    assert.ok(throttled !== undefined && !throttled.ok);
    assert.equal(throttled.error.kind, 'throttled');
    assert.equal(throttled.error.status, 429);
    assert.equal(throttled.error.retryAfterMs, 1000);
    assert.equal(fx.count(`/v1.0/users/${b!.id}/presence`), 3);
    assert.equal(fx.count(`/v1.0/users/${a!.id}`), 1);
    assert.deepEqual(fx.sleeps, [1000, 1000]);
  });

  it('does not sleep an inner Retry-After beyond the budget', async () => {
    const [a, b] = fx.org.users;
    fx.graph.faults.throttle('presence', { kind: 'next', count: 1, retryAfterSeconds: 600 });
    const results = await sendBatch(fx.client(), [userGet(a!.id), presenceGet(b!.id)]);
    assert.ok(results[0]?.ok);
    assert.ok(results[1] !== undefined && !results[1].ok);
    assert.equal(results[1].error.retryAfterMs, 600_000);
    assert.deepEqual(fx.sleeps, []);
    assert.equal(fx.count('/v1.0/$batch'), 1);
  });

  it('retries the whole batch when the $batch call itself is throttled', async () => {
    fx.graph.faults.throttle('batch', { kind: 'next', count: 1, retryAfterSeconds: 1 });
    const results = await sendBatch(fx.client(), [userGet(fx.me.id)]);
    assert.ok(results[0]?.ok);
    assert.equal(fx.count('/v1.0/$batch'), 2);
    assert.equal(fx.count(`/v1.0/users/${fx.me.id}`), 1);
    assert.deepEqual(fx.sleeps, [1000]);
  });
});
