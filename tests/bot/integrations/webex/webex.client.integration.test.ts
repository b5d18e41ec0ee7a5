import assert from 'node:assert/strict';
import type { HttpPolicyOptions } from '../../../../bot/src/integrations/http-policy.js';
import { WebexClient } from '../../../../bot/src/integrations/webex/webex.client.js';
import type { Logger } from '../../../../bot/src/observability/logger.js';
import { createDemoOrg } from '../../../../sandbox/src/seed/org.js';
import { SCOPES, startWebex, type WebexStandIn } from '../../../../sandbox/src/webex/index.js';
import { captureLogs } from '../../../support/log-capture.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';

/**
 * WebexClient against the real Webex stand-in (plain HTTP, port 0), with a fault proxy in front
 * where the stand-in has no control for the fault and to count requests.
 */

const org = createDemoOrg();
/** Seed rules: every 11th person (index 10) has Webex but no Webex Calling licence. */
const caller = org.users[0]!;
const unlicensed = org.users[10]!;
const colleague = org.users[2]!;
const USER_SCOPES = [
  SCOPES.peopleRead,
  SCOPES.callsRead,
  SCOPES.callsWrite,
  SCOPES.telephonyConfigRead,
  SCOPES.telephonyConfigWrite,
];

describe('WebexClient against the Webex stand-in (integration)', function () {
  this.timeout(30_000);
  let webex: WebexStandIn;
  let proxy: FaultProxy;
  let token: string;
  let sleeps: number[];

  const client = (
    options: { baseUrl?: string; policy?: HttpPolicyOptions; token?: string; logger?: Logger } = {},
  ): WebexClient =>
    new WebexClient({
      baseUrl: options.baseUrl ?? webex.url,
      getAccessToken: () => Promise.resolve(options.token ?? token),
      policy: {
        sleep: (ms) => {
          sleeps.push(ms);
          return Promise.resolve();
        },
        ...options.policy,
      },
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  const personId = (email: string): string => {
    const id = webex.personIdByEmail(email);
    if (id === undefined) throw new Error(`no Webex person ${email}`);
    return id;
  };
  const tokenFor = (email: string, scopes = USER_SCOPES): string =>
    webex.issueTokens(personId(email), scopes).access_token;

  before(async () => {
    webex = await startWebex({ org });
    proxy = await startFaultProxy(webex.url);
    token = tokenFor(caller.mail);
  });
  after(async () => {
    await proxy.close();
    await webex.close();
  });
  beforeEach(() => {
    sleeps = [];
    proxy.reset();
    webex.clearThrottle();
  });

  it('reads the signed-in person', async () => {
    const me = await client().getMe();
    assert.ok(me.ok, JSON.stringify(me));
    assert.equal(me.value.id, personId(caller.mail));
    assert.deepEqual(me.value.emails, [caller.mail]);
  });

  describe('call control', () => {
    it('dials, sees the call, and hangs up', async () => {
      const c = client();
      const dialed = await c.dial('+12223334444');
      assert.ok(dialed.ok, JSON.stringify(dialed));
      assert.ok(dialed.value.callId.length > 0 && dialed.value.callSessionId.length > 0);
      const calls = await c.listCalls();
      assert.ok(calls.ok, JSON.stringify(calls));
      assert.ok(calls.value.some((call) => call.id === dialed.value.callId));
      const one = await c.getCall(dialed.value.callId);
      assert.ok(one.ok, JSON.stringify(one));
      assert.equal(one.value.personality, 'clickToDial');
      assert.equal(one.value.state, 'alerting');
      const hung = await c.hangup(dialed.value.callId);
      assert.ok(hung.ok, JSON.stringify(hung));
      const gone = await c.getCall(dialed.value.callId);
      assert.ok(!gone.ok);
      assert.equal(gone.error.code, 'not_found');
      const history = await c.callHistory({ type: 'placed' });
      assert.ok(history.ok, JSON.stringify(history));
    });

    it('dials a colleague by email', async () => {
      const dialed = await client().dial(colleague.mail);
      assert.ok(dialed.ok, JSON.stringify(dialed));
      assert.ok((await client().hangup(dialed.value.callId)).ok);
    });

    it('reports a user without Webex Calling as not_calling_enabled', async () => {
      const dialed = await client({ token: tokenFor(unlicensed.mail) }).dial('+12223334444');
      assert.ok(!dialed.ok);
      assert.equal(dialed.error.code, 'not_calling_enabled');
      assert.equal(dialed.error.status, 403);
      assert.match(dialed.error.trackingId ?? '', /^ROUTERGW_/);
      assert.ok(dialed.error.descriptions.length > 0);
    });

    it('reports an invalid destination', async () => {
      for (const destination of ['not a number!', 'sip:nobody', '']) {
        const dialed = await client().dial(destination);
        assert.ok(!dialed.ok, destination);
        assert.equal(dialed.error.status, 400, destination);
        assert.equal(dialed.error.code, 'invalid_destination', destination);
      }
    });

    it('reports a revoked or unknown token as unauthorized, and missing scopes as forbidden', async () => {
      const unknown = await client({ token: 'not-a-webex-token' }).getMe();
      assert.ok(!unknown.ok);
      assert.equal(unknown.error.code, 'unauthorized');
      const readOnly = await client({
        token: tokenFor(caller.mail, [SCOPES.peopleRead, SCOPES.callsRead]),
      }).dial('1234');
      assert.ok(!readOnly.ok);
      assert.equal(readOnly.error.code, 'forbidden');
    });
  });

  describe('the retry policy', () => {
    it('retries a throttled dial (429 means not processed) after Retry-After, counted at the proxy', async () => {
      webex.throttle('calls', { retryAfterSeconds: 2, requests: 1 });
      const dialed = await client({ baseUrl: proxy.url }).dial('+12223334444');
      assert.ok(dialed.ok, JSON.stringify(dialed));
      assert.equal(proxy.seen.filter((r) => r.url.pathname === '/v1/telephony/calls/dial').length, 2);
      assert.deepEqual(sleeps, [2000]);
      await client().hangup(dialed.value.callId);
    });

    it('retries at most the configured number of times', async () => {
      webex.throttle('people', { retryAfterSeconds: 1 });
      const me = await client({ baseUrl: proxy.url, policy: { maxRetries: 2 } }).getMe();
      assert.ok(!me.ok);
      assert.equal(me.error.code, 'throttled');
      assert.equal(me.error.retryAfterMs, 1000);
      assert.equal(proxy.seen.length, 3);
    });

    it('does not sleep a Retry-After beyond the budget', async () => {
      webex.throttle('people', { retryAfterSeconds: 3600 });
      const me = await client({ baseUrl: proxy.url }).getMe();
      assert.ok(!me.ok);
      assert.equal(me.error.code, 'throttled');
      assert.equal(me.error.retryAfterMs, 3_600_000);
      assert.deepEqual(sleeps, []);
      assert.equal(proxy.seen.length, 1);
    });

    it('retries a 503 and returns the success that follows', async () => {
      proxy.inject({ match: (_m, url) => url.pathname === '/v1/people/me', status: 503, times: 1 });
      const me = await client({
        baseUrl: proxy.url,
        policy: { random: () => 0.5, baseDelayMs: 300 },
      }).getMe();
      assert.ok(me.ok, JSON.stringify(me));
      assert.deepEqual(
        proxy.seen.map((r) => r.faulted),
        [true, false],
      );
      assert.deepEqual(sleeps, [150], 'full jitter: 0.5 × 300');
    });

    it('does not retry a dial after a 504 (it may have rung)', async () => {
      proxy.inject({ match: () => true, status: 504, times: 1 });
      const dialed = await client({ baseUrl: proxy.url }).dial('+12223334444');
      assert.ok(!dialed.ok);
      assert.equal(dialed.error.code, 'unavailable');
      assert.equal(proxy.seen.length, 1);
    });

    it('gives up with `timeout` when the answer is slower than the timeout', async () => {
      proxy.inject({ match: () => true, delayMs: 500, times: 1 });
      const me = await client({ baseUrl: proxy.url, policy: { timeoutMs: 100 } }).getMe();
      assert.ok(me.ok, 'a GET is retried after its timeout and the retry is answered at once');
      assert.equal(proxy.seen.length, 2);
      assert.equal(sleeps.length, 1);
      proxy.inject({ match: () => true, delayMs: 500, times: 1 });
      const dialed = await client({ baseUrl: proxy.url, policy: { timeoutMs: 100 } }).dial('+12223334444');
      assert.ok(!dialed.ok);
      assert.equal(dialed.error.code, 'timeout', 'a dial is not retried after a timeout');
      await new Promise((resolve) => setTimeout(resolve, 500));
    });
  });

  describe('voicemail, webhooks and DND', () => {
    it('lists voice messages and marks one read', async () => {
      const id = webex.leaveVoiceMessage(personId(caller.mail), '+14255550100', { fromName: 'Pat' });
      const c = client();
      const list = await c.listVoiceMessages({ max: 10 });
      assert.ok(list.ok, JSON.stringify(list));
      assert.equal(list.value.find((m) => m.id === id)?.read, false);
      assert.ok((await c.markVoiceMessageRead(id)).ok);
      const after = await c.listVoiceMessages();
      assert.ok(after.ok);
      assert.equal(after.value.find((m) => m.id === id)?.read, true);
      const missing = await c.markVoiceMessageRead('no-such-message');
      assert.ok(!missing.ok);
      assert.equal(missing.error.code, 'not_found');
    });

    it('creates, reads, lists, updates and deletes a webhook', async () => {
      const c = client();
      const created = await c.createWebhook({
        name: 'CallBridge calls',
        targetUrl: 'https://callbridge.example/api/webex/events',
        resource: 'telephony_calls',
        event: 'all',
        secret: 'webhook-secret',
      });
      assert.ok(created.ok, JSON.stringify(created));
      const id = created.value.id;
      assert.equal(created.value.status, 'active');
      const read = await c.getWebhook(id);
      assert.ok(read.ok && read.value.resource === 'telephony_calls');
      const listed = await c.listWebhooks();
      assert.ok(listed.ok && listed.value.some((w) => w.id === id));
      webex.disableWebhook(id);
      const reactivated = await c.updateWebhook(id, {
        name: 'CallBridge calls',
        targetUrl: 'https://callbridge.example/api/webex/events',
        status: 'active',
      });
      assert.ok(reactivated.ok, JSON.stringify(reactivated));
      assert.equal(reactivated.value.status, 'active');
      assert.ok((await c.deleteWebhook(id)).ok);
      const gone = await c.getWebhook(id);
      assert.ok(!gone.ok);
      assert.equal(gone.error.code, 'not_found');
      const bad = await c.createWebhook({
        name: 'x',
        targetUrl: 'not a url',
        resource: 'telephony_calls',
        event: 'all',
      });
      assert.ok(!bad.ok);
      assert.equal(bad.error.code, 'bad_request');
    });

    it("reads and sets the user's calling DND, keeping the fields it was not given", async () => {
      const c = client();
      webex.setDnd(personId(caller.mail), { enabled: false, webexGoOverrideEnabled: true });
      const set = await c.setDnd({ enabled: true });
      assert.ok(set.ok, JSON.stringify(set));
      const read = await c.getDnd();
      assert.ok(read.ok, JSON.stringify(read));
      assert.equal(read.value.enabled, true);
      assert.equal(read.value.webexGoOverrideEnabled, true);
      assert.ok((await c.setDnd({ enabled: false })).ok);
      assert.equal(webex.getDnd(personId(caller.mail)).enabled, false);
    });

    it('reads DND through the person endpoint, and maps a non-calling person', async () => {
      const own = await client({ token: tokenFor(caller.mail, [SCOPES.peopleRead]) }).getDnd({
        personId: personId(caller.mail),
      });
      assert.ok(own.ok, JSON.stringify(own));
      const unlicensedDnd = await client({ token: tokenFor(unlicensed.mail) }).getDnd();
      assert.ok(!unlicensedDnd.ok);
      assert.equal(unlicensedDnd.error.code, 'not_calling_enabled');
    });
  });

  it('never puts the token in an error or a log line', async () => {
    const { logger, lines } = captureLogs('debug');
    const secretToken = tokenFor(unlicensed.mail);
    const errors: unknown[] = [];
    webex.throttle('people', { retryAfterSeconds: 1, requests: 5 });
    errors.push(await client({ token: secretToken, logger, policy: { maxRetries: 1 } }).getMe());
    webex.clearThrottle();
    errors.push(await client({ token: secretToken, logger }).dial('+12223334444'));
    errors.push(await client({ token: `${secretToken}-stale`, logger }).getMe());
    proxy.inject({ match: () => true, status: 503, times: 2 });
    errors.push(
      await client({ baseUrl: proxy.url, token: secretToken, logger, policy: { maxRetries: 1 } }).getMe(),
    );
    errors.push(
      await client({
        baseUrl: 'http://127.0.0.1:9',
        token: secretToken,
        logger,
        policy: { maxRetries: 0 },
      }).getMe(),
    );

    assert.ok(errors.every((e) => !(e as { ok: boolean }).ok));
    assert.ok(lines().length >= 4, `logged ${lines().length} lines`);
    for (const text of [...lines(), ...errors.map((e) => JSON.stringify(e))]) {
      assert.ok(!text.includes(secretToken), `token leaked: ${text}`);
      assert.doesNotMatch(text, /bearer/i);
    }
  });
});
