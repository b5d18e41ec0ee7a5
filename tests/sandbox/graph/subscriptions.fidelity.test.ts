import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { APP_ID, graphError, items, OTHER_APP_ID, startHarness, type Harness } from './support/harness.js';
import { startReceiver, type Receiver } from './support/receiver.js';

/**
 * Subscriptions, from "Create subscription" (201 and the subscription object), "Receive change
 * notifications through webhooks" (validation: POST ?validationToken=…, 10 s, 200 text/plain with
 * the decoded token), "Get change notifications for presence updates" (delegated Presence.Read.All
 * only, 60 minutes, ≤ 650 ids, one per user per app), "Update subscription" (PATCH renews) and
 * "subscription: reauthorize" (204).
 */
describe('graph stand-in: subscriptions (fidelity)', () => {
  let h: Harness;
  let receiver: Receiver;
  let token: string;
  const MIN = 60_000;
  const inMinutes = (m: number): string => new Date(h.clock.now() + m * MIN).toISOString();
  const presenceBody = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    changeType: 'updated',
    notificationUrl: `${receiver.url}/notify`,
    lifecycleNotificationUrl: `${receiver.url}/lifecycle`,
    resource: `/communications/presences?$filter=id in ('${h.user(1).id}','${h.user(2).id}')`,
    expirationDateTime: inMinutes(55),
    clientState: 'secretClientState',
    ...overrides,
  });

  beforeEach(async () => {
    h = await startHarness({ delivery: { validationTimeoutMs: 500 } });
    receiver = await startReceiver();
    token = await h.delegated(h.user(0), 'Presence.Read.All');
  });
  afterEach(async () => {
    await h.close();
    await receiver.close();
  });

  it('validates both URLs with a URL-encoded token and answers 201 with the subscription', async () => {
    const res = await h.call('POST', '/subscriptions', { token, body: presenceBody() });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(
      receiver.validations.map((v) => v.path),
      ['/notify', '/lifecycle'],
    );
    const validation = receiver.validations[0];
    assert.ok(validation !== undefined);
    assert.match(validation.headers['content-type'] ?? '', /^text\/plain/);
    assert.match(
      validation.query.get('validationToken') ?? '',
      /^Validation: Testing client application reachability/,
    );

    assert.deepEqual(Object.keys(res.json), [
      '@odata.context',
      'id',
      'resource',
      'applicationId',
      'changeType',
      'clientState',
      'notificationUrl',
      'notificationQueryOptions',
      'lifecycleNotificationUrl',
      'expirationDateTime',
      'creatorId',
      'includeResourceData',
      'latestSupportedTlsVersion',
      'encryptionCertificate',
      'encryptionCertificateId',
      'notificationUrlAppId',
    ]);
    assert.equal(res.json['@odata.context'], `${h.root}/$metadata#subscriptions/$entity`);
    assert.equal(res.json.applicationId, APP_ID);
    assert.equal(res.json.creatorId, h.user(0).id);
    assert.equal(res.json.latestSupportedTlsVersion, 'v1_2');
    assert.match(String(res.json.expirationDateTime), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
  });

  it('fails the handshake with ValidationError when the endpoint answers 404', async () => {
    receiver.validationMode = 'status-404';
    const res = await h.call('POST', '/subscriptions', { token, body: presenceBody() });
    assert.equal(res.status, 400);
    assert.deepEqual(
      [graphError(res).code, graphError(res).message],
      [
        'ValidationError',
        "Subscription validation request failed. HTTP status code is 'NotFound'. Notification endpoint must respond with 200 OK to validation request.",
      ],
    );
    assert.equal(
      items(await h.call('GET', '/subscriptions', { token })).length,
      0,
      'no subscription was created',
    );
  });

  it('fails the handshake when the token comes back still URL-encoded or not as text/plain', async () => {
    for (const mode of ['echo-encoded', 'wrong-type'] as const) {
      receiver.validationMode = mode;
      const res = await h.call('POST', '/subscriptions', { token, body: presenceBody() });
      assert.equal(res.status, 400, mode);
      assert.equal(
        graphError(res).message,
        'Subscription validation request failed. Response must exactly match validationToken query parameter.',
      );
    }
  });

  it('times out a silent endpoint and reports an unreachable one', async () => {
    receiver.validationMode = 'hang';
    const slow = await h.call('POST', '/subscriptions', { token, body: presenceBody() });
    assert.equal(graphError(slow).message, 'Subscription validation request timed out.');
    const closed = await startReceiver();
    const url = closed.url;
    await closed.close();
    const gone = await h.call('POST', '/subscriptions', {
      token,
      body: presenceBody({ notificationUrl: `${url}/x`, lifecycleNotificationUrl: undefined }),
    });
    assert.equal(gone.status, 400);
    assert.equal(
      graphError(gone).message,
      'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
    );
  });

  it('refuses presence subscriptions from application tokens and tokens without Presence.Read.All', async () => {
    const app = await h.call('POST', '/subscriptions', {
      token: await h.app(['Presence.Read.All']),
      body: presenceBody(),
    });
    assert.equal(app.status, 403);
    assert.equal(graphError(app).code, 'ExtensionError');
    assert.equal(
      graphError(app).message,
      'Operation: Create; Exception: [Status Code: Forbidden; Reason: The request is not authorized for this user or application.]',
    );
    const narrow = await h.call('POST', '/subscriptions', {
      token: await h.delegated(h.user(0), 'Presence.Read'),
      body: presenceBody(),
    });
    assert.equal(narrow.status, 403);
    assert.equal(receiver.validations.length, 0, 'refused before any validation request');
  });

  it('enforces the documented limits on the request', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['more than 60 minutes', { expirationDateTime: inMinutes(61) }],
      ['in the past', { expirationDateTime: inMinutes(-1) }],
      ['clientState over 128', { clientState: 'x'.repeat(129) }],
      ['non-https URL', { notificationUrl: 'http://webhook.example.com/notify' }],
      ['unsupported changeType', { changeType: 'created' }],
      [
        'more than 650 ids',
        {
          resource: `communications/presences?$filter=id in (${Array.from({ length: 651 }, () => `'${randomUUID()}'`).join(',')})`,
        },
      ],
      ['unsupported resource', { resource: 'me/messages' }],
      ['missing expiration', { expirationDateTime: undefined }],
      ['rich notifications without a certificate', { includeResourceData: true }],
    ];
    for (const [label, overrides] of cases) {
      const res = await h.call('POST', '/subscriptions', { token, body: presenceBody(overrides) });
      assert.equal(res.status, 400, label);
    }
    const max = await h.call('POST', '/subscriptions', {
      token,
      body: presenceBody({ expirationDateTime: inMinutes(60) }),
    });
    assert.equal(max.status, 201, 'exactly 60 minutes is allowed');
  });

  it('allows one presence subscription per user per application', async () => {
    assert.equal((await h.call('POST', '/subscriptions', { token, body: presenceBody() })).status, 201);
    const again = await h.call('POST', '/subscriptions', {
      token,
      body: presenceBody({ resource: `communications/presences/${h.user(3).id}` }),
    });
    assert.equal(again.status, 409);
    assert.equal(graphError(again).code, 'ExtensionError');
    assert.match(graphError(again).message, /A subscripton already exists/);
    const otherApp = await h.delegated(h.user(0), 'Presence.Read.All', { appid: OTHER_APP_ID });
    assert.equal(
      (await h.call('POST', '/subscriptions', { token: otherApp, body: presenceBody() })).status,
      201,
    );
    const otherUser = await h.delegated(h.user(5), 'Presence.Read.All');
    assert.equal(
      (await h.call('POST', '/subscriptions', { token: otherUser, body: presenceBody() })).status,
      201,
    );
  });

  it('lists, reads, renews, reauthorizes and deletes', async () => {
    const created = await h.call('POST', '/subscriptions', {
      token,
      body: presenceBody({ expirationDateTime: inMinutes(30) }),
    });
    const id = String(created.json.id);
    const list = await h.call('GET', '/subscriptions', { token });
    assert.equal(list.json['@odata.context'], `${h.root}/$metadata#subscriptions`);
    assert.deepEqual(
      items(list).map((s) => s.id),
      [id],
    );
    const stranger = await h.delegated(h.user(9), 'Presence.Read.All');
    assert.equal(
      items(await h.call('GET', '/subscriptions', { token: stranger })).length,
      0,
      'delegated callers see their own',
    );

    const renewed = await h.call('PATCH', `/subscriptions/${id}`, {
      token,
      body: { expirationDateTime: inMinutes(60) },
    });
    assert.equal(renewed.status, 200);
    assert.equal(Date.parse(String(renewed.json.expirationDateTime)), Date.parse(inMinutes(60)));
    const tooLong = await h.call('PATCH', `/subscriptions/${id}`, {
      token,
      body: { expirationDateTime: inMinutes(90) },
    });
    assert.equal(tooLong.status, 400);
    const reauth = await h.call('POST', `/subscriptions/${id}/reauthorize`, { token });
    assert.equal(reauth.status, 204);

    assert.equal((await h.call('DELETE', `/subscriptions/${id}`, { token })).status, 204);
    const gone = await h.call('GET', `/subscriptions/${id}`, { token });
    assert.equal(gone.status, 404);
    assert.equal(graphError(gone).code, 'ResourceNotFound');
  });

  it('removes a subscription when it expires on the clock', async () => {
    const created = await h.call('POST', '/subscriptions', {
      token,
      body: presenceBody({ expirationDateTime: inMinutes(10) }),
    });
    await h.clock.advance(10 * MIN);
    const fresh = await h.delegated(h.user(0), 'Presence.Read.All');
    assert.equal(
      (await h.call('GET', `/subscriptions/${String(created.json.id)}`, { token: fresh })).status,
      404,
    );
    assert.equal(h.graph.subscriptions.list().length, 0);
  });

  it('accepts callRecords subscriptions from application tokens only, up to 4,230 minutes', async () => {
    const body = {
      changeType: 'created,updated',
      notificationUrl: `${receiver.url}/calls`,
      resource: '/communications/callRecords',
      expirationDateTime: inMinutes(4230),
      clientState: 'calls',
    };
    const delegated = await h.call('POST', '/subscriptions', {
      token: await h.delegated(h.user(0), 'CallRecords.Read.All'),
      body,
    });
    assert.equal(delegated.status, 403);
    const app = await h.app(['CallRecords.Read.All']);
    assert.equal((await h.call('POST', '/subscriptions', { token: app, body })).status, 201);
    const tooLong = await h.call('POST', '/subscriptions', {
      token: app,
      body: { ...body, expirationDateTime: inMinutes(4231) },
    });
    assert.equal(tooLong.status, 400);
    assert.match(graphError(tooLong).message, /4230 minutes/);
  });
});
