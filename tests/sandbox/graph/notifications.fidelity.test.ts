import assert from 'node:assert/strict';
import { OTHER_APP_ID, startHarness, type Harness } from './support/harness.js';
import { startReceiver, type Receiver } from './support/receiver.js';

/**
 * Change-notification delivery, from "Get change notifications for presence updates" and the
 * 2024 basic-notification example (payload shape), "Receive change notifications through
 * webhooks" (batching, retries for up to 4 hours, the 2,900 ms / 10 % / 15 % throttling rules) and
 * "Reduce missing subscriptions and change notifications" (lifecycle payload).
 */
describe('graph stand-in: change and lifecycle notifications (fidelity)', () => {
  let h: Harness;
  let receiver: Receiver;
  const MIN = 60_000;
  const target = (): string => h.user(1).id;

  async function subscribe(
    subscriber = h.user(0),
    extra: Record<string, unknown> = {},
    claims: Record<string, unknown> = {},
  ): Promise<string> {
    const token = await h.delegated(subscriber, 'Presence.Read.All', claims);
    const res = await h.call('POST', '/subscriptions', {
      token,
      body: {
        changeType: 'updated',
        notificationUrl: `${receiver.url}/notify`,
        lifecycleNotificationUrl: `${receiver.url}/lifecycle`,
        resource: `/communications/presences?$filter=id in ('${target()}','${h.user(2).id}')`,
        expirationDateTime: new Date(h.clock.now() + 60 * MIN).toISOString(),
        clientState: 'secretClientState',
        ...extra,
      },
    });
    assert.equal(res.status, 201, res.text);
    return String(res.json.id);
  }

  /** Flips user 1's Teams client so their presence changes once. */
  let flip = false;
  async function change(): Promise<void> {
    flip = !flip;
    h.graph.presence.setTeamsClient(target(), flip ? 'call' : 'available');
    await h.graph.delivery.idle();
  }

  beforeEach(async () => {
    h = await startHarness();
    receiver = await startReceiver();
    flip = false;
  });
  afterEach(async () => {
    await h.close();
    await receiver.close();
  });

  it('POSTs the documented basic presence notification', async () => {
    const id = await subscribe();
    await change();
    const [post] = await receiver.waitForNotifications(1);
    assert.ok(post !== undefined);
    assert.equal(post.path, '/notify');
    assert.match(post.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(Object.keys(JSON.parse(post.body) as object), ['value']);
    const sub = h.graph.subscriptions.list()[0];
    assert.deepEqual(post.value, [
      {
        subscriptionId: id,
        subscriptionExpirationDateTime: sub?.expirationDateTime,
        changeType: 'updated',
        resource: `communications/presences?$filter=id+in+(%27${target()}%27)`,
        resourceData: {
          '@odata.type': '#Microsoft.Graph.presence',
          '@odata.id': `users/${target()}/presence`,
          id: target(),
        },
        clientState: 'secretClientState',
        tenantId: h.org.tenantId,
      },
    ]);
  });

  it('uses the single-user resource form for communications/presences/{id} subscriptions', async () => {
    await subscribe(h.user(0), { resource: `communications/presences/${target()}` });
    await change();
    const [post] = await receiver.waitForNotifications(1);
    assert.equal(post?.value[0]?.resource, `communications/presences/${target()}`);
  });

  it('batches notifications for the same URL into one POST', async () => {
    await subscribe(h.user(0));
    await subscribe(h.user(5), {}, { appid: OTHER_APP_ID });
    await change();
    const posts = await receiver.waitForNotifications(1);
    assert.equal(posts.length, 1);
    assert.equal(posts[0]?.value.length, 2, 'one item per subscription, one POST');
    h.graph.presence.setTeamsClient(target(), 'presenting');
    h.graph.presence.setTeamsClient(h.user(2).id, 'meeting');
    await h.graph.delivery.idle();
    const after = await receiver.waitForNotifications(2);
    assert.equal(after.length, 2);
    assert.equal(after[1]?.value.length, 4, 'two users × two subscriptions in one POST');
  });

  it('notifies when presence changes by time passing (the Available timeout fade)', async () => {
    await subscribe();
    const writer = await h.app(['Presence.ReadWrite.All']);
    await h.call('POST', `/users/${target()}/presence/setPresence`, {
      token: writer,
      body: {
        sessionId: '11111111-2222-4333-8444-555555555555',
        availability: 'Available',
        activity: 'Available',
        expirationDuration: 'PT1H',
      },
    });
    await h.graph.delivery.idle();
    await receiver.waitForNotifications(1);
    await h.clock.advance(5 * MIN);
    await h.graph.delivery.idle();
    await receiver.waitForNotifications(2);
  });

  it('retries a failed delivery with exponential backoff', async () => {
    await subscribe();
    receiver.statuses.push(500, 503);
    await change();
    await receiver.waitForNotifications(1);
    await h.clock.advance(MIN);
    await h.graph.delivery.idle();
    await receiver.waitForNotifications(2);
    await h.clock.advance(MIN);
    await h.graph.delivery.idle();
    assert.equal(receiver.notifications.length, 2, 'second retry waits twice as long');
    await h.clock.advance(MIN);
    await h.graph.delivery.idle();
    const posts = await receiver.waitForNotifications(3);
    assert.deepEqual(posts[2]?.value, posts[0]?.value, 'the same notification is redelivered');
    assert.deepEqual(
      h.graph.delivery.history().map((r) => `${r.outcome}:${r.detail}`),
      ['retrying:500', 'retrying:503', 'delivered:202'],
    );
  });

  it('gives up after the 4-hour retry window', async () => {
    await subscribe();
    receiver.statuses.push(...Array<number>(20).fill(500));
    await change();
    for (let i = 0; i < 10; i += 1) {
      await h.clock.advance(30 * MIN);
      await h.graph.delivery.idle();
    }
    const history = h.graph.delivery.history();
    const last = history[history.length - 1];
    assert.equal(last?.outcome, 'dropped');
    assert.match(last.detail, /retry window of 4 hours/);
    assert.equal(receiver.notifications.length, 8, 'attempts at 0, 1, 3, 7, 15, 31, 63 and 127 minutes');
  });

  it('drops the next N notifications on request', async () => {
    await subscribe();
    h.graph.delivery.dropNext(1);
    await change();
    assert.equal(receiver.notifications.length, 0);
    await change();
    await receiver.waitForNotifications(1);
    assert.equal(h.graph.delivery.history()[0]?.outcome, 'dropped');
  });

  it('throttles an endpoint at ≥10 % slow answers (10-minute delay) and drops at ≥15 %', async () => {
    await subscribe();
    h.graph.delivery.markAllSlow(true);
    for (let i = 0; i < 12; i += 1) await change();
    h.graph.delivery.markAllSlow(false);
    for (let i = 0; i < 88; i += 1) await change();
    await receiver.waitForNotifications(100);
    assert.equal(h.graph.delivery.endpoints()[0]?.state, 'throttled');
    await change();
    assert.equal(receiver.notifications.length, 100, 'a throttled endpoint waits 10 minutes');
    await h.clock.advance(10 * MIN - 1);
    await h.graph.delivery.idle();
    assert.equal(receiver.notifications.length, 100);
    await h.clock.advance(1);
    await h.graph.delivery.idle();
    await receiver.waitForNotifications(101);

    // The tally restarts every 10 minutes; in a fresh window 15 slow answers out of 100 drop notifications.
    await h.clock.advance(10 * MIN);
    assert.equal(h.graph.delivery.endpoints()[0]?.state, 'normal');
    h.graph.delivery.markAllSlow(true);
    for (let i = 0; i < 15; i += 1) await change();
    h.graph.delivery.markAllSlow(false);
    for (let i = 0; i < 85; i += 1) await change();
    await receiver.waitForNotifications(201);
    assert.equal(h.graph.delivery.endpoints()[0]?.state, 'dropping');
    await change();
    assert.equal(receiver.notifications.length, 201);
    assert.match(h.graph.delivery.history().at(-1)?.detail ?? '', /≥15 %/);
  });

  it('sends lifecycle notifications in the documented shape', async () => {
    const id = await subscribe();
    assert.equal(h.graph.subscriptions.sendLifecycle(id, 'reauthorizationRequired'), true);
    await h.graph.delivery.idle();
    const [post] = await receiver.waitForNotifications(1);
    assert.equal(post?.path, '/lifecycle');
    assert.deepEqual(post.value, [
      {
        subscriptionId: id,
        subscriptionExpirationDateTime: h.graph.subscriptions.list()[0]?.expirationDateTime,
        tenantId: h.org.tenantId,
        clientState: 'secretClientState',
        lifecycleEvent: 'reauthorizationRequired',
      },
    ]);
  });

  it('sends subscriptionRemoved when the subscription is removed, then nothing more', async () => {
    const id = await subscribe();
    assert.equal(h.graph.subscriptions.remove(id), true);
    await h.graph.delivery.idle();
    const [post] = await receiver.waitForNotifications(1);
    assert.equal(post?.value[0]?.lifecycleEvent, 'subscriptionRemoved');
    await change();
    assert.equal(receiver.notifications.length, 1);
  });

  it('pauses delivery once the authorising token has expired, until the app reauthorizes', async () => {
    const shortLived = { exp: Math.floor(h.clock.now() / 1000) + 10 * 60 };
    const id = await subscribe(h.user(0), {}, shortLived);
    await h.clock.advance(11 * MIN);
    await change();
    assert.equal(receiver.notifications.length, 0);
    assert.match(h.graph.delivery.history().at(-1)?.detail ?? '', /reauthorization/);
    const fresh = await h.delegated(h.user(0), 'Presence.Read.All');
    assert.equal((await h.call('POST', `/subscriptions/${id}/reauthorize`, { token: fresh })).status, 204);
    await change();
    await receiver.waitForNotifications(1);
  });
});
