import assert from 'node:assert/strict';
import { graphError, startHarness, type Harness } from './support/harness.js';

/**
 * JSON batching, from "Combine multiple HTTP requests using JSON batching": ≤ 20 requests, relative
 * URLs, headers required with a body, `responses` correlated by id, `dependsOn` with 424 for failed
 * dependencies, a 400 for a malformed batch, and inner requests throttled individually (200 batch
 * with inner 429 + Retry-After).
 */
describe('graph stand-in: $batch (fidelity)', () => {
  let h: Harness;
  let token: string;
  interface Inner {
    id: string;
    status: number;
    headers: Record<string, string>;
    body: Record<string, unknown>;
  }
  /** The batch's responses; a test's own assertions check which fields are present. */
  const responses = (json: Record<string, unknown>): Inner[] => json.responses as Inner[];

  beforeEach(async () => {
    h = await startHarness();
    token = await h.delegated(h.user(0), 'User.ReadBasic.All Presence.Read.All User.ReadWrite');
  });
  afterEach(async () => {
    await h.close();
  });

  it('runs each request and answers 200 with responses correlated by id', async () => {
    const res = await h.call('POST', '/$batch', {
      token,
      body: {
        requests: [
          { id: '1', method: 'GET', url: '/me?$select=displayName' },
          { id: '2', method: 'GET', url: `users/${h.user(1).id}/presence` },
          { id: '3', method: 'GET', url: '/users/nobody@northwind.example' },
          {
            id: '4',
            method: 'POST',
            url: '/me/extensions',
            headers: { 'Content-Type': 'application/json' },
            body: { '@odata.type': 'microsoft.graph.openTypeExtension', extensionName: 'com.callbridge.b' },
          },
        ],
      },
    });
    assert.equal(res.status, 200);
    const [me, presence, missing, created] = responses(res.json);
    assert.deepEqual([me?.id, me?.status, me?.body.displayName], ['1', 200, 'Adele Okafor']);
    assert.match(me?.headers['Content-Type'] ?? '', /^application\/json/);
    assert.equal(me?.body['@odata.context'], `${h.root}/$metadata#users(displayName)/$entity`);
    assert.equal(presence?.status, 200);
    assert.equal(presence.body.availability, 'Offline');
    assert.equal(missing?.status, 404);
    assert.equal((missing.body.error as { code: string }).code, 'Request_ResourceNotFound');
    assert.equal(created?.status, 201);
  });

  it('refuses more than 20 requests, duplicate ids, absolute URLs and bodies without Content-Type', async () => {
    const get = (id: string): Record<string, unknown> => ({ id, method: 'GET', url: '/me' });
    const cases: [string, unknown[]][] = [
      ['21 requests', Array.from({ length: 21 }, (_, i) => get(String(i)))],
      ['duplicate ids', [get('a'), get('A')]],
      ['absolute url', [{ id: '1', method: 'GET', url: `${h.root}/me` }]],
      ['body without content type', [{ id: '1', method: 'POST', url: '/me/extensions', body: {} }]],
      ['unknown dependency', [{ ...get('1'), dependsOn: ['9'] }]],
    ];
    for (const [label, requests] of cases) {
      const res = await h.call('POST', '/$batch', { token, body: { requests } });
      assert.equal(res.status, 400, label);
      assert.equal(graphError(res).code, 'BadRequest', label);
    }
    const twenty = await h.call('POST', '/$batch', {
      token,
      body: { requests: Array.from({ length: 20 }, (_, i) => get(String(i))) },
    });
    assert.equal(twenty.status, 200);
  });

  it('throttles inner requests individually: 200 batch with inner 429 and Retry-After', async () => {
    h.graph.faults.throttle('presence', { kind: 'next', count: 1, retryAfterSeconds: 7 });
    const res = await h.call('POST', '/$batch', {
      token,
      body: {
        requests: [
          { id: 'a', method: 'GET', url: '/me/presence' },
          { id: 'b', method: 'GET', url: '/me?$select=id' },
        ],
      },
    });
    assert.equal(res.status, 200);
    const [presence, me] = responses(res.json);
    assert.equal(presence?.status, 429);
    assert.equal(presence.headers['Retry-After'], '7');
    assert.equal((presence.body.error as { code: string }).code, 'TooManyRequests');
    assert.equal(me?.status, 200);
  });

  it('runs dependsOn chains in order and fails dependants of a failed request with 424', async () => {
    const res = await h.call('POST', '/$batch', {
      token,
      body: {
        requests: [
          { id: '3', method: 'GET', url: '/me/extensions/com.callbridge.seq', dependsOn: ['2'] },
          {
            id: '2',
            method: 'POST',
            url: '/me/extensions',
            headers: { 'content-type': 'application/json' },
            body: {
              '@odata.type': 'microsoft.graph.openTypeExtension',
              extensionName: 'com.callbridge.seq',
              step: 2,
            },
            dependsOn: ['1'],
          },
          { id: '1', method: 'GET', url: '/me?$select=id' },
          { id: '5', method: 'GET', url: '/me', dependsOn: ['4'] },
          { id: '4', method: 'GET', url: '/users/ghost@northwind.example' },
        ],
      },
    });
    const byId = Object.fromEntries(responses(res.json).map((r) => [r.id, r]));
    assert.equal(byId['1']?.status, 200);
    assert.equal(byId['2']?.status, 201);
    assert.equal(byId['3']?.status, 200, 'ran after the POST it depends on');
    assert.equal(byId['3'].body.step, 2);
    assert.equal(byId['4']?.status, 404);
    assert.equal(byId['5']?.status, 424);
  });

  it('authenticates inner requests with the batch token', async () => {
    const res = await h.call('POST', '/$batch', {
      body: { requests: [{ id: '1', method: 'GET', url: '/me' }] },
    });
    assert.equal(res.status, 401, 'the batch itself needs a token');
    const narrow = await h.delegated(h.user(0), 'User.Read');
    const inner = await h.call('POST', '/$batch', {
      token: narrow,
      body: { requests: [{ id: '1', method: 'GET', url: '/users' }] },
    });
    assert.equal(inner.status, 200);
    assert.equal(responses(inner.json)[0]?.status, 403);
  });
});
