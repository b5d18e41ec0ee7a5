import assert from 'node:assert/strict';
import type { WebexStandIn } from '../../../sandbox/src/webex/index.js';
import { api, CALL_SCOPES, pickPeople, rec, startTestWebex } from './helpers.js';

/**
 * Throttling as the webex-messaging OpenAPI documents it on every operation: 429 with a
 * `Retry-After` header in seconds, in the usual Webex error body; per API family.
 */
describe('Webex stand-in: throttling (fidelity)', () => {
  let webex: WebexStandIn;
  let token: string;

  beforeEach(async () => {
    webex = await startTestWebex();
    token = webex.issueTokens(pickPeople(webex).caller, CALL_SCOPES).access_token;
  });
  afterEach(async () => {
    await webex.close();
  });

  it('answers 429 with Retry-After for the throttled family only, for the requested number of calls', async () => {
    webex.throttle('people', { retryAfterSeconds: 7, requests: 2 });
    for (let i = 0; i < 2; i += 1) {
      const res = await api(webex, token, 'GET', '/v1/people/me');
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '7');
      const body = rec(res.body);
      assert.match(String(body.message), /rate limited/);
      assert.ok(Array.isArray(body.errors));
      assert.equal(res.headers.get('trackingid'), body.trackingId);
    }
    assert.equal((await api(webex, token, 'GET', '/v1/people/me')).status, 200);
  });

  it('throttles calls and webhooks independently until cleared', async () => {
    webex.throttle('calls', { retryAfterSeconds: 1 });
    assert.equal((await api(webex, token, 'GET', '/v1/telephony/calls')).status, 429);
    assert.equal((await api(webex, token, 'GET', '/v1/telephony/voiceMessages')).status, 429);
    assert.equal((await api(webex, token, 'GET', '/v1/webhooks')).status, 200);
    assert.equal(
      (await api(webex, token, 'GET', '/v1/telephony/calls')).status,
      429,
      'no request limit: stays on',
    );
    webex.clearThrottle('calls');
    assert.equal((await api(webex, token, 'GET', '/v1/telephony/calls')).status, 200);
    webex.throttle('webhooks', { retryAfterSeconds: 30, requests: 1 });
    const res = await api(webex, token, 'GET', '/v1/webhooks');
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '30');
  });

  it('still answers 401 before 429 for a bad token', async () => {
    webex.throttle('people', { retryAfterSeconds: 5 });
    assert.equal((await api(webex, 'bogus', 'GET', '/v1/people/me')).status, 401);
  });
});
