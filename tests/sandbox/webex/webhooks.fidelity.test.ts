import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { WebexStandIn } from '../../../sandbox/src/webex/index.js';
import {
  api,
  CALL_SCOPES,
  ISO_DATE,
  items,
  pickPeople,
  rec,
  startReceiver,
  startTestWebex,
  TestClock,
} from './helpers.js';

/**
 * Webhooks per the webex-messaging OpenAPI (`/webhooks`, `Webhook`: create answers 200, status
 * `active|inactive`, PUT may only re-activate) and the Webhooks guide: creating needs the
 * resource's read scope; each POST carries `X-Spark-Signature`, the hex HMAC-SHA1 of the raw body
 * keyed with the secret; a webhook is disabled after 100 failed deliveries within 5 minutes and
 * comes back only through `PUT status=active`. Envelope and `data` fields follow a captured
 * telephony_calls delivery (id, name, targetUrl, resource, event, orgId, createdBy, appId,
 * ownedBy, status, created, actorId, data{callId, callSessionId, personality, state,
 * remoteParty, eventType, eventTimestamp, ...}).
 */

const WEBHOOK_KEYS = [
  'id',
  'name',
  'targetUrl',
  'resource',
  'event',
  'filter',
  'secret',
  'status',
  'created',
  'orgId',
  'createdBy',
  'appId',
  'ownedBy',
];
const ENVELOPE_KEYS = [
  'id',
  'name',
  'targetUrl',
  'resource',
  'event',
  'filter',
  'orgId',
  'createdBy',
  'appId',
  'ownedBy',
  'status',
  'created',
  'actorId',
  'data',
];
const DATA_KEYS = [
  'callId',
  'callSessionId',
  'personality',
  'state',
  'remoteParty',
  'appearance',
  'created',
  'answered',
  'disconnected',
  'muteCapable',
  'muted',
  'eventType',
  'eventTimestamp',
  'completedElsewhere',
  'redirections',
  'recall',
  'recordingState',
];

describe('Webex stand-in: webhooks (fidelity)', () => {
  let webex: WebexStandIn;
  let clock: TestClock;
  let people: ReturnType<typeof pickPeople>;
  let token: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let receiverStatus: number;

  beforeEach(async () => {
    clock = new TestClock();
    receiverStatus = 200;
    receiver = await startReceiver(() => receiverStatus);
    webex = await startTestWebex({ now: clock.now, webhookFailureThreshold: 3 });
    people = pickPeople(webex);
    token = webex.issueTokens(people.caller, CALL_SCOPES).access_token;
  });
  afterEach(async () => {
    await webex.close();
    await receiver.close();
  });

  const create = async (extra: Record<string, unknown> = {}, t = token): Promise<Record<string, unknown>> => {
    const res = await api(webex, t, 'POST', '/v1/webhooks', {
      name: 'CallBridge calls',
      targetUrl: receiver.url,
      resource: 'telephony_calls',
      event: 'all',
      secret: 's3cr3t-for-hmac',
      ...extra,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return rec(res.body);
  };

  it('creates a webhook with the documented Webhook shape (200)', async () => {
    const webhook = await create({ filter: 'personality=terminator' });
    for (const key of Object.keys(webhook))
      assert.ok(WEBHOOK_KEYS.includes(key), `undocumented property ${key}`);
    assert.equal(webhook.status, 'active');
    assert.equal(webhook.secret, 's3cr3t-for-hmac');
    assert.equal(webhook.filter, 'personality=terminator');
    assert.equal(webhook.createdBy, people.caller);
    assert.equal(webhook.ownedBy, 'creator');
    assert.equal(webhook.orgId, webex.orgId);
    assert.match(String(webhook.created), ISO_DATE);
    assert.equal(typeof webhook.appId, 'string');
  });

  it('lists, gets, updates and deletes only the caller’s own webhooks', async () => {
    const mine = await create();
    const otherToken = webex.issueTokens(people.callee, CALL_SCOPES).access_token;
    await create({ name: 'theirs' }, otherToken);
    const list = items((await api(webex, token, 'GET', '/v1/webhooks')).body);
    assert.deepEqual(
      list.map((w) => w.id),
      [mine.id],
    );
    assert.equal((await api(webex, otherToken, 'GET', `/v1/webhooks/${String(mine.id)}`)).status, 404);
    // Someone else's webhook cannot be changed or deleted either: it does not exist for them.
    const foreignPut = await api(webex, otherToken, 'PUT', `/v1/webhooks/${String(mine.id)}`, {
      name: 'hijacked',
      targetUrl: receiver.url,
    });
    assert.equal(foreignPut.status, 404);
    assert.equal((await api(webex, otherToken, 'DELETE', `/v1/webhooks/${String(mine.id)}`)).status, 404);
    const updated = await api(webex, token, 'PUT', `/v1/webhooks/${String(mine.id)}`, {
      name: 'renamed',
      targetUrl: `${receiver.url}?v=2`,
      secret: 'new-secret',
      resource: 'messages',
    });
    assert.equal(updated.status, 200);
    assert.equal(rec(updated.body).name, 'renamed');
    assert.equal(rec(updated.body).secret, 'new-secret');
    assert.equal(rec(updated.body).resource, 'telephony_calls', 'other fields are ignored');
    const deactivate = await api(webex, token, 'PUT', `/v1/webhooks/${String(mine.id)}`, {
      name: 'x',
      targetUrl: receiver.url,
      status: 'inactive',
    });
    assert.equal(deactivate.status, 400, 'PUT cannot deactivate');
    assert.equal(
      (await api(webex, token, 'PUT', `/v1/webhooks/${String(mine.id)}`, { targetUrl: receiver.url })).status,
      400,
      'name is required',
    );
    const deleted = await api(webex, token, 'DELETE', `/v1/webhooks/${String(mine.id)}`);
    assert.equal(deleted.status, 204);
    assert.equal((await api(webex, token, 'GET', `/v1/webhooks/${String(mine.id)}`)).status, 404);
  });

  it('validates create requests and needs spark:calls_read for telephony_calls', async () => {
    const base = { name: 'n', targetUrl: receiver.url, resource: 'telephony_calls', event: 'created' };
    for (const body of [
      { ...base, name: undefined },
      { ...base, targetUrl: 'not a url' },
      { ...base, resource: 'telephony_everything' },
      { ...base, event: 'exploded' },
      { ...base, filter: 'roomId=abc' },
      { ...base, filter: 'personality=sideways' },
    ]) {
      const res = await api(webex, token, 'POST', '/v1/webhooks', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.ok(Array.isArray(rec(res.body).errors));
    }
    const noRead = webex.issueTokens(people.caller, ['spark:calls_write']).access_token;
    assert.equal((await api(webex, noRead, 'POST', '/v1/webhooks', base)).status, 403);
  });

  it('delivers signed telephony_calls events of the owner’s calls to a real receiver', async () => {
    const webhook = await create();
    const ext = webex.people().find((p) => p.personId === people.callee)?.extension ?? '';
    const { callId } = rec(
      (await api(webex, token, 'POST', '/v1/telephony/calls/dial', { destination: ext })).body,
    );
    webex.answerOnDevice(people.caller, String(callId));
    webex.remoteAnswer(String(callId));
    await api(webex, token, 'POST', '/v1/telephony/calls/hangup', { callId });
    await webex.flushDeliveries();
    assert.equal(
      receiver.received.length,
      4,
      'created, originated, answered, deleted (callee events go to the callee’s webhooks)',
    );
    const bodies = receiver.received.map((r) => rec(JSON.parse(r.raw.toString('utf8'))));
    assert.deepEqual(
      bodies.map((b) => [b.event, rec(b.data).eventType]),
      [
        ['created', 'received'],
        ['updated', 'originated'],
        ['updated', 'answered'],
        ['deleted', 'disconnected'],
      ],
    );
    assert.deepEqual(
      bodies.map((b) => rec(b.data).state),
      ['alerting', 'connecting', 'connected', 'disconnected'],
    );
    assert.deepEqual(
      bodies.map((b) => rec(b.data).personality),
      ['clickToDial', 'originator', 'originator', 'originator'],
    );
    for (const [i, request] of receiver.received.entries()) {
      const body = bodies[i] ?? {};
      for (const key of Object.keys(body))
        assert.ok(ENVELOPE_KEYS.includes(key), `undocumented envelope property ${key}`);
      for (const key of Object.keys(rec(body.data)))
        assert.ok(DATA_KEYS.includes(key), `undocumented data property ${key}`);
      assert.equal(body.id, webhook.id);
      assert.equal(body.resource, 'telephony_calls');
      assert.equal(body.actorId, people.caller);
      assert.equal(body.createdBy, people.caller);
      assert.equal(rec(body.data).callId, callId);
      assert.match(String(rec(body.data).eventTimestamp), ISO_DATE);
      assert.equal(request.headers['content-type'], 'application/json');
      const expected = createHmac('sha1', 's3cr3t-for-hmac').update(request.raw).digest('hex');
      assert.equal(request.headers['x-spark-signature'], expected);
      assert.notEqual(
        request.headers['x-spark-signature'],
        createHmac('sha1', 'wrong').update(request.raw).digest('hex'),
      );
    }
    assert.match(String(rec(bodies[3]?.data).disconnected), ISO_DATE);
  });

  it('sends no signature without a secret and honours filters and event types', async () => {
    await create({ secret: undefined, event: 'created', filter: 'personality=terminator' });
    webex.startCall(people.caller, '+12223334444');
    webex.startIncomingCall(people.caller, '+14085550100');
    await webex.flushDeliveries();
    assert.equal(receiver.received.length, 1);
    const request = receiver.received[0];
    assert.equal(request?.headers['x-spark-signature'], undefined);
    const body = rec(JSON.parse(request?.raw.toString('utf8') ?? '{}'));
    assert.equal(rec(body.data).personality, 'terminator');
    assert.equal(body.filter, 'personality=terminator');
  });

  it('disables a webhook after the threshold of failures and re-activates it via PUT status=active', async () => {
    const webhook = await create();
    receiverStatus = 500;
    webex.startIncomingCall(people.caller, '+14085550100'); // 1 event
    const { callId } = webex.startCall(people.caller, '+12223334444'); // 2 events
    await webex.flushDeliveries();
    const disabled = rec((await api(webex, token, 'GET', `/v1/webhooks/${String(webhook.id)}`)).body);
    assert.equal(disabled.status, 'inactive');
    webex.remoteHangup(callId);
    await webex.flushDeliveries();
    assert.equal(receiver.received.length, 3, 'nothing is sent to an inactive webhook');
    clock.advance(10 * 60 * 1000);
    webex.startIncomingCall(people.caller, '+14085550101');
    await webex.flushDeliveries();
    assert.equal(receiver.received.length, 3, 'never re-enabled by itself');
    receiverStatus = 200;
    const reactivated = await api(webex, token, 'PUT', `/v1/webhooks/${String(webhook.id)}`, {
      name: 'again',
      targetUrl: receiver.url,
      status: 'active',
    });
    assert.equal(rec(reactivated.body).status, 'active');
    webex.startIncomingCall(people.caller, '+14085550102');
    await webex.flushDeliveries();
    assert.equal(receiver.received.length, 4);
    assert.equal(webex.deliveries(String(webhook.id)).filter((d) => d.status === 'failed').length, 3);
  });

  it('only counts failures inside the window', async () => {
    const webhook = await create();
    receiverStatus = 503;
    for (let i = 0; i < 4; i += 1) {
      webex.startIncomingCall(people.caller, `+1408555010${i}`);
      await webex.flushDeliveries();
      clock.advance(3 * 60 * 1000);
    }
    assert.equal(
      rec((await api(webex, token, 'GET', `/v1/webhooks/${String(webhook.id)}`)).body).status,
      'active',
    );
  });

  it('lets controls fail, duplicate, reorder and disable deliveries', async () => {
    const webhook = await create();
    webex.failNextDeliveries(1);
    webex.startIncomingCall(people.caller, '+14085550100');
    await webex.flushDeliveries();
    assert.equal(receiver.received.length, 0);
    assert.equal(webex.deliveries()[0]?.status, 'failed');
    webex.duplicateNextDeliveries(1);
    webex.startIncomingCall(people.caller, '+14085550101');
    await webex.flushDeliveries();
    assert.equal(receiver.received.length, 2);
    assert.equal(receiver.received[0]?.raw.toString(), receiver.received[1]?.raw.toString());
    webex.reorderNextDeliveries(2);
    const { callId } = webex.startCall(people.caller, '+12223334444'); // created, then answered
    await webex.flushDeliveries();
    const lastTwo = receiver.received
      .slice(-2)
      .map((r) => rec(rec(JSON.parse(r.raw.toString())).data).eventType);
    assert.deepEqual(lastTwo, ['answered', 'originated']);
    webex.disableWebhook(String(webhook.id));
    webex.remoteHangup(callId);
    await webex.flushDeliveries();
    assert.equal(receiver.received.length, 4);
  });
});
