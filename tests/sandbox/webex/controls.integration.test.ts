import assert from 'node:assert/strict';
import type { WebexStandIn } from '../../../sandbox/src/webex/index.js';
import { api, CALL_SCOPES, items, pickPeople, rec, startReceiver, startTestWebex } from './helpers.js';

/** The `/_sandbox/webex/...` JSON controls drive the same state the REST API shows. */
describe('Webex stand-in: HTTP controls (integration)', () => {
  let webex: WebexStandIn;
  let people: ReturnType<typeof pickPeople>;
  let token: string;

  beforeEach(async () => {
    webex = await startTestWebex();
    people = pickPeople(webex);
    token = webex.issueTokens(people.caller, CALL_SCOPES).access_token;
  });
  afterEach(async () => {
    await webex.close();
  });

  const control = (method: string, path: string, body?: unknown) =>
    api(webex, undefined, method, `/_sandbox/webex${path}`, body);

  it('lists people and sets, reads and clears a status with its setter', async () => {
    const list = (await control('GET', '/people')).body;
    assert.ok(Array.isArray(list) && list.length === webex.people().length);
    const set = await control('POST', `/people/${people.caller}/status`, {
      status: 'dnd',
      ttlSeconds: 300,
      setBy: 'app',
    });
    assert.equal(rec(set.body).status, 'DoNotDisturb');
    assert.equal(rec(rec(set.body).explicit).setBy, 'app');
    assert.equal(rec((await api(webex, token, 'GET', '/v1/people/me')).body).status, 'DoNotDisturb');
    assert.equal((await control('POST', `/people/${people.caller}/status`, { status: 'busy' })).status, 400);
    assert.equal(rec((await control('DELETE', `/people/${people.caller}/status`)).body).status, 'active');
    const history = (await control('GET', `/people/${people.caller}/status/history`)).body;
    assert.ok(Array.isArray(history) && history.length === 1);
    assert.equal(
      rec((await control('POST', `/people/${people.caller}/meeting`, { inMeeting: true })).body).status,
      'meeting',
    );
    assert.equal(
      rec((await control('POST', `/people/${people.caller}/presenting`, { presenting: true })).body).status,
      'presenting',
    );
    assert.equal((await control('GET', '/people/nobody/status')).status, 404);
  });

  it('rings a user, answers on the device and hangs up from the far end', async () => {
    const ring = rec(
      (await control('POST', '/calls/incoming', { toPersonId: people.caller, fromNumber: '+14085550100' }))
        .body,
    );
    assert.equal(ring.sentToVoicemail, false);
    const calls = (await control('GET', `/calls?personId=${people.caller}`)).body;
    assert.ok(Array.isArray(calls));
    assert.equal(rec(calls[0]).ownerId, people.caller);
    assert.equal((await control('POST', `/calls/${String(ring.callId)}/answer-on-device`, {})).status, 200);
    assert.equal(items((await api(webex, token, 'GET', '/v1/telephony/calls')).body)[0]?.state, 'connected');
    assert.equal((await control('POST', `/calls/${String(ring.callId)}/remote-hangup`)).status, 200);
    assert.deepEqual(items((await api(webex, token, 'GET', '/v1/telephony/calls')).body), []);
    assert.equal((await control('POST', '/calls/nope/remote-answer')).status, 404);
  });

  it('starts a connected call, issues tokens, sets DND and leaves voicemail', async () => {
    const started = rec(
      (await control('POST', '/calls/start', { personId: people.caller, destination: '+12223334444' })).body,
    );
    assert.equal(typeof started.callId, 'string');
    const tokens = rec(
      (await control('POST', `/people/${people.callee}/tokens`, { scopes: CALL_SCOPES })).body,
    );
    assert.equal(tokens.expires_in, 1_209_600);
    const calleeToken = String(tokens.access_token);
    assert.equal((await api(webex, calleeToken, 'GET', '/v1/people/me')).status, 200);
    assert.equal(
      rec((await control('PUT', `/people/${people.callee}/dnd`, { enabled: true })).body).enabled,
      true,
    );
    const left = rec(
      (
        await control('POST', `/people/${people.callee}/voice-messages`, {
          fromNumber: '+14085550100',
          fromName: 'Litware',
        })
      ).body,
    );
    assert.equal(typeof left.id, 'string');
    assert.equal(items((await api(webex, calleeToken, 'GET', '/v1/telephony/voiceMessages')).body).length, 1);
    assert.equal(rec((await control('POST', `/people/${people.callee}/tokens/expire`)).body).expired, 1);
    assert.equal((await api(webex, calleeToken, 'GET', '/v1/people/me')).status, 401);
  });

  it('controls throttling and shows webhooks and their deliveries', async () => {
    assert.equal(
      (await control('POST', '/throttle', { family: 'people', retryAfterSeconds: 3, requests: 1 })).status,
      200,
    );
    assert.deepEqual(rec((await control('GET', '/throttle')).body).people, {
      retryAfterSeconds: 3,
      remaining: 1,
    });
    assert.equal((await api(webex, token, 'GET', '/v1/people/me')).status, 429);
    assert.equal(
      (await control('POST', '/throttle', { family: 'everything', retryAfterSeconds: 3 })).status,
      400,
    );
    const receiver = await startReceiver();
    try {
      const created = rec(
        (
          await api(webex, token, 'POST', '/v1/webhooks', {
            name: 'w',
            targetUrl: receiver.url,
            resource: 'telephony_calls',
            event: 'all',
          })
        ).body,
      );
      await control('POST', '/deliveries/fail-next', { count: 1 });
      webex.startIncomingCall(people.caller, '+14085550100');
      await webex.flushDeliveries();
      const deliveries = (await control('GET', `/deliveries?webhookId=${String(created.id)}`)).body;
      assert.ok(Array.isArray(deliveries));
      assert.equal(rec(deliveries[0]).status, 'failed');
      const hooks = (await control('GET', '/webhooks')).body;
      assert.ok(Array.isArray(hooks));
      assert.equal(rec(hooks[0]).recentFailures, 1);
      assert.equal((await control('POST', `/webhooks/${String(created.id)}/disable`)).status, 200);
      assert.equal(
        rec((await api(webex, token, 'GET', `/v1/webhooks/${String(created.id)}`)).body).status,
        'inactive',
      );
    } finally {
      await receiver.close();
    }
  });

  it('serves avatars for people whose Person has one, and some people have none', async () => {
    const admin = webex.issueTokens(people.admin, [
      'spark:people_read',
      'spark-admin:people_read',
    ]).access_token;
    const everyone = items((await api(webex, admin, 'GET', '/v1/people?max=100')).body);
    const withAvatar = everyone.filter((p) => typeof p.avatar === 'string');
    assert.ok(withAvatar.length > 0 && withAvatar.length < everyone.length);
    const avatar = await fetch(String(withAvatar[0]?.avatar));
    assert.equal(avatar.status, 200);
    assert.equal(avatar.headers.get('content-type'), 'image/png');
  });
});
