import assert from 'node:assert/strict';
import { client, fakeFetch, json, tokens } from './support/fake-api.js';

describe('tab API client', () => {
  it('sends the SSO token as a bearer and answers signed in', async () => {
    const { fetch, calls } = fakeFetch(json(200, { status: 'signed_in' }));
    const result = await client(fetch).signIn();
    assert.deepEqual(result, { ok: true, value: undefined });
    assert.deepEqual(calls, [
      { url: '/api/auth/token', method: 'POST', authorization: 'Bearer token-1', body: undefined },
    ]);
  });

  it('maps 403 consent_required to a typed value', async () => {
    const { fetch } = fakeFetch(json(403, { code: 'consent_required', message: 'Consent needed' }));
    assert.deepEqual(await client(fetch).signIn(), {
      ok: false,
      error: { kind: 'consent_required', message: 'Consent needed' },
    });
  });

  it('maps 403 interaction_required with and without claims', async () => {
    const claims = '{"access_token":{"capolids":{"essential":true,"values":["x"]}}}';
    const { fetch } = fakeFetch(
      json(403, { code: 'interaction_required', message: 'MFA', claims }),
      json(403, { code: 'interaction_required', message: 'MFA' }),
    );
    const api = client(fetch);
    assert.deepEqual(await api.signIn(), {
      ok: false,
      error: { kind: 'interaction_required', message: 'MFA', claims },
    });
    assert.deepEqual(await api.signIn(), {
      ok: false,
      error: { kind: 'interaction_required', message: 'MFA' },
    });
  });

  it('retries once on 401 with a new token, and succeeds', async () => {
    const { fetch, calls } = fakeFetch(
      json(401, { code: 'invalid_token', message: 'expired' }),
      json(200, { status: 'signed_in' }),
    );
    const getToken = tokens();
    const result = await client(fetch, getToken).signIn();
    assert.equal(result.ok, true);
    assert.equal(getToken.callCount, 2);
    assert.deepEqual(
      calls.map((c) => c.authorization),
      ['Bearer token-1', 'Bearer token-2'],
    );
  });

  it('gives up after the second 401 as unauthorized', async () => {
    const { fetch, calls } = fakeFetch(
      json(401, { code: 'invalid_token', message: 'expired' }),
      json(401, { code: 'invalid_token', message: 'still bad' }),
    );
    assert.deepEqual(await client(fetch).signIn(), {
      ok: false,
      error: { kind: 'unauthorized', message: 'still bad' },
    });
    assert.equal(calls.length, 2);
  });

  it('does not retry other failures', async () => {
    const { fetch, calls } = fakeFetch(json(403, { code: 'consent_required', message: '' }));
    await client(fetch).signIn();
    assert.equal(calls.length, 1);
  });

  it('maps 503 to unavailable with Retry-After seconds, and 502/504 too', async () => {
    const { fetch } = fakeFetch(
      json(503, { code: 'unavailable', message: 'x' }, { 'retry-after': '7' }),
      json(502, {}),
      new Response('gateway timeout', { status: 504 }),
      json(503, {}, { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }),
    );
    const api = client(fetch);
    assert.deepEqual(await api.signIn(), { ok: false, error: { kind: 'unavailable', retryAfterSeconds: 7 } });
    assert.deepEqual(await api.signIn(), { ok: false, error: { kind: 'unavailable' } });
    assert.deepEqual(await api.signIn(), { ok: false, error: { kind: 'unavailable' } });
    assert.deepEqual(await api.signIn(), { ok: false, error: { kind: 'unavailable' } });
  });

  it('maps a rejected fetch to network, without throwing', async () => {
    const { fetch } = fakeFetch(new TypeError('Failed to fetch'));
    assert.deepEqual(await client(fetch).webexLinkStatus(), { ok: false, error: { kind: 'network' } });
  });

  it('maps a missing SSO token to no_token and never calls fetch', async () => {
    const { fetch, calls } = fakeFetch();
    const getToken = tokens({ ok: false, reason: 'resourceRequiresConsent' });
    assert.deepEqual(await client(fetch, getToken).signIn(), {
      ok: false,
      error: { kind: 'no_token', reason: 'resourceRequiresConsent' },
    });
    assert.equal(calls.length, 0);
  });

  it('maps 404 to not_found and other statuses to http with the server code', async () => {
    const { fetch } = fakeFetch(
      json(404, { code: 'not_found', message: 'no route' }),
      json(500, { code: 'misconfigured', message: 'Contact your administrator.' }),
      new Response('<html>teapot</html>', { status: 418 }),
      json(403, { code: 'forbidden', message: 'nope' }),
    );
    const api = client(fetch);
    assert.deepEqual(await api.startConsent(), { ok: false, error: { kind: 'not_found' } });
    assert.deepEqual(await api.signIn(), {
      ok: false,
      error: { kind: 'http', status: 500, code: 'misconfigured', message: 'Contact your administrator.' },
    });
    assert.deepEqual(await api.signIn(), { ok: false, error: { kind: 'http', status: 418 } });
    assert.deepEqual(await api.signIn(), {
      ok: false,
      error: { kind: 'http', status: 403, code: 'forbidden', message: 'nope' },
    });
  });

  it('treats a 2xx body that breaks the contract as bad_response', async () => {
    const { fetch } = fakeFetch(
      json(200, { status: 'maybe' }),
      new Response('not json', { status: 200 }),
      json(200, { linked: 'yes' }),
      json(200, { url: 'javascript:alert(1)' }),
      json(200, { url: '//evil.example/x' }),
    );
    const api = client(fetch);
    assert.deepEqual(await api.signIn(), { ok: false, error: { kind: 'bad_response', status: 200 } });
    assert.deepEqual(await api.signIn(), { ok: false, error: { kind: 'bad_response', status: 200 } });
    assert.deepEqual(await api.webexLinkStatus(), {
      ok: false,
      error: { kind: 'bad_response', status: 200 },
    });
    assert.deepEqual(await api.startWebexLink(), { ok: false, error: { kind: 'bad_response', status: 200 } });
    assert.deepEqual(await api.startConsent(), { ok: false, error: { kind: 'bad_response', status: 200 } });
  });

  it('sends claims to the consent endpoint only when there are some', async () => {
    const url = 'https://host.example/auth/consent/start?x=1';
    const { fetch, calls } = fakeFetch(json(200, { url }), json(200, { url }));
    const api = client(fetch);
    assert.deepEqual(await api.startConsent(), { ok: true, value: { url } });
    assert.deepEqual(await api.startConsent('{"access_token":{}}'), { ok: true, value: { url } });
    assert.deepEqual(
      calls.map((c) => [c.method, c.url, c.body]),
      [
        ['POST', '/api/auth/consent', undefined],
        ['POST', '/api/auth/consent', JSON.stringify({ claims: '{"access_token":{}}' })],
      ],
    );
  });

  it('reads the Webex link status, keeping only known fields', async () => {
    const { fetch, calls } = fakeFetch(
      json(200, { linked: true, personId: 'p1', linkedAt: 1_700_000_000_000, needsRelink: false, extra: 1 }),
      json(200, { linked: false }),
    );
    const api = client(fetch);
    assert.deepEqual(await api.webexLinkStatus(), {
      ok: true,
      value: { linked: true, personId: 'p1', linkedAt: 1_700_000_000_000, needsRelink: false },
    });
    assert.deepEqual(await api.webexLinkStatus(), { ok: true, value: { linked: false } });
    assert.deepEqual(
      calls.map((c) => `${c.method} ${c.url}`),
      ['GET /api/webex/link', 'GET /api/webex/link'],
    );
  });

  it('starts and removes a Webex link', async () => {
    const url = 'https://host.example/auth/webex/start?attempt=abc';
    const { fetch, calls } = fakeFetch(json(200, { url }), json(200, { linked: false }));
    const api = client(fetch);
    assert.deepEqual(await api.startWebexLink(), { ok: true, value: { url } });
    assert.deepEqual(await api.unlinkWebex(), { ok: true, value: undefined });
    assert.deepEqual(
      calls.map((c) => `${c.method} ${c.url}`),
      ['POST /api/webex/link', 'DELETE /api/webex/link'],
    );
  });
});
