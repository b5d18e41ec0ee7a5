import assert from 'node:assert/strict';
import { request } from 'node:https';
import { generate } from 'selfsigned';
import { createDemoOrg } from '../../../sandbox/src/seed/org.js';
import { startGraph } from '../../../sandbox/src/graph/index.js';
import { startHarness, type Harness } from './support/harness.js';
import { startReceiver, type Receiver } from './support/receiver.js';

/**
 * The HTTP control surface the sandbox console drives (`/_sandbox/graph/...`), and serving over
 * HTTPS when TLS material is given.
 */
describe('graph stand-in: HTTP controls and TLS (integration)', () => {
  let h: Harness;
  let receiver: Receiver;
  const control = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> => {
    const res = await h.call(method, `/_sandbox/graph${path}`, body === undefined ? {} : { body });
    return { status: res.status, json: res.text === '' ? undefined : (JSON.parse(res.text) as unknown) };
  };

  beforeEach(async () => {
    h = await startHarness();
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await h.close();
    await receiver.close();
  });

  it('sets the Teams client and DND and reads aggregated plus per-session presence', async () => {
    const id = h.user(2).id;
    const set = await control('POST', `/users/${id}/teams-client`, { state: 'presenting' });
    assert.equal(set.status, 200);
    assert.deepEqual(
      (set.json as { availability: string; activity: string; sessions: { id: string }[] }).sessions.map(
        (s) => s.id,
      ),
      ['teams-client'],
    );
    const dnd = await control('POST', `/users/${h.user(2).userPrincipalName}/dnd`, { on: true });
    assert.equal((dnd.json as { availability: string }).availability, 'DoNotDisturb');
    assert.equal((dnd.json as { activity: string }).activity, 'DoNotDisturb');
    const token = await h.delegated(h.user(2), 'Presence.Read');
    const graph = await h.call('GET', '/me/presence', { token });
    assert.equal(graph.json.availability, 'DoNotDisturb', 'the Graph API sees what the console set');
    const users = (await control('GET', '/users')).json as { userId: string }[];
    assert.equal(users.length, 56);
    assert.equal((await control('POST', `/users/${id}/teams-client`, { state: 'asleep' })).status, 400);
    assert.equal((await control('POST', '/users/nobody/teams-client', { state: 'call' })).status, 404);
  });

  it('lists, removes and expires subscriptions, and sends lifecycle events', async () => {
    const token = await h.delegated(h.user(0), 'Presence.Read.All');
    const created = await h.call('POST', '/subscriptions', {
      token,
      body: {
        changeType: 'updated',
        notificationUrl: `${receiver.url}/n`,
        lifecycleNotificationUrl: `${receiver.url}/l`,
        resource: `communications/presences/${h.user(1).id}`,
        expirationDateTime: new Date(h.clock.now() + 30 * 60_000).toISOString(),
      },
    });
    const id = String(created.json.id);
    assert.deepEqual(
      ((await control('GET', '/subscriptions')).json as { id: string }[]).map((s) => s.id),
      [id],
    );
    assert.equal((await control('POST', `/subscriptions/${id}/lifecycle`, { event: 'missed' })).status, 200);
    await h.graph.delivery.idle();
    await receiver.waitForNotifications(1);
    assert.equal(receiver.notifications[0]?.value[0]?.lifecycleEvent, 'missed');
    assert.equal((await control('POST', `/subscriptions/${id}/remove`)).status, 200);
    assert.equal((await control('POST', `/subscriptions/${id}/expire`)).status, 404);
    assert.deepEqual((await control('GET', '/subscriptions')).json, []);
  });

  it('turns throttling and delays on and off per family', async () => {
    const token = await h.delegated(h.user(0), 'User.ReadBasic.All');
    assert.equal(
      (await control('POST', '/throttle', { family: 'users', count: 1, retryAfterSeconds: 5 })).status,
      200,
    );
    const limited = await h.call('GET', '/users', { token });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '5');
    await control('POST', '/throttle', { family: 'users', limit: 0, windowSeconds: 60 });
    assert.equal((await h.call('GET', '/users', { token })).status, 429);
    await control('DELETE', '/throttle/users');
    assert.equal((await h.call('GET', '/users', { token })).status, 200);
    assert.equal((await control('POST', '/throttle', { family: 'mail', count: 1 })).status, 400);
    const delays = await control('POST', '/delays', { family: 'users', ms: 250 });
    assert.deepEqual((delays.json as { delays: unknown }).delays, [{ family: 'users', ms: 250 }]);
    await control('DELETE', '/delays');
  });

  it('records a call through the console and controls delivery faults', async () => {
    const rec = await control('POST', '/call-records', {
      organizer: h.user(0).id,
      participants: [h.user(1).id],
      startDateTime: '2026-06-01T09:00:00Z',
      endDateTime: new Date(h.clock.now()).toISOString(),
    });
    assert.equal(rec.status, 200);
    const token = await h.app(['CallRecords.Read.All']);
    assert.equal(
      (await h.call('GET', `/communications/callRecords/${(rec.json as { id: string }).id}`, { token }))
        .status,
      200,
    );
    assert.equal(
      (
        await control('POST', '/call-records', {
          organizer: 'ghost',
          participants: [],
          startDateTime: 'x',
          endDateTime: 'y',
        })
      ).status,
      400,
    );
    assert.equal((await control('POST', '/delivery', { dropNext: 2, slow: true })).status, 200);
    const delivery = (await control('GET', '/delivery')).json as { history: unknown[]; endpoints: unknown[] };
    assert.deepEqual(delivery, { history: [], endpoints: [] });
  });

  it('serves HTTPS when given TLS material, with https links in @odata.context', async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048 });
    const graph = await startGraph({
      org: createDemoOrg(),
      verifyAccessToken: (t) => h.issuer.verify(t),
      tls: { key: pems.private, cert: pems.cert },
    });
    try {
      assert.match(graph.url, /^https:\/\/localhost:\d+$/);
      const token = await h.delegated(h.user(0), 'User.Read');
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(
          `${graph.url}/v1.0/me`,
          { ca: pems.cert, headers: { authorization: `Bearer ${token}` } },
          (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
            res.on('end', () => {
              resolve(text);
            });
          },
        );
        req.on('error', reject);
        req.end();
      });
      assert.equal(
        (JSON.parse(body) as Record<string, unknown>)['@odata.context'],
        `${graph.url}/v1.0/$metadata#users/$entity`,
      );
    } finally {
      await graph.close();
    }
  });
});
