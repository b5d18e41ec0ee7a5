import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sinon from 'sinon';
import { createService, type Service } from '../../../../bot/src/app.js';
import { createTokenVault } from '../../../../bot/src/auth/token-vault.js';
import { loadConfig } from '../../../../bot/src/config/env.js';
import { WebexClient } from '../../../../bot/src/integrations/webex/webex.client.js';
import type { PresenceSyncNotice } from '../../../../bot/src/notifications/user-notifier.js';
import { createMetrics } from '../../../../bot/src/observability/metrics.js';
import { parseInboxEvent } from '../../../../bot/src/presence-sync/inbox-events.js';
import { createNotificationIntake } from '../../../../bot/src/presence-sync/intake/intake.js';
import {
  createWebexCallWebhooks,
  WEBEX_TOKEN_DEAD,
  type WebexCallWebhooks,
} from '../../../../bot/src/presence-sync/webex/index.js';
import { openStore } from '../../../../bot/src/store/open.js';
import type { Store, User } from '../../../../bot/src/store/store.js';
import { presencePut } from '../../../support/presence-rows.js';
import { WEBEX_LINK_SCOPES, WebexTokenService } from '../../../../bot/src/webex-link/index.js';
import { WebexOAuthClient } from '../../../../bot/src/webex-link/webex-oauth.js';
import type { DemoUser } from '../../../../sandbox/src/seed/org.js';
import { startWebex, type DeliveryRecord, type WebexStandIn } from '../../../../sandbox/src/webex/index.js';
import { org } from '../../../sandbox/entra/fixture.js';
import { captureLogs } from '../../../support/log-capture.js';

/**
 * Webex call webhooks against the Webex stand-in: it creates the webhooks with the user's own
 * token, signs every delivery with the secret we gave it and disables webhooks as Webex does.
 * The service is real (restify on a port), the store a temp-dir SQLite, the vault real.
 */

const CLIENT_ID = 'C-presence-webex-test';
const CLIENT_SECRET = 'presence-webex-test-secret';
const callers = org.users.filter(
  (u): u is DemoUser & { webex: NonNullable<DemoUser['webex']> } => u.webex?.calling === true,
);
const ALICE = callers[1]!;
const BOB = callers[2]!;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

describe('Webex call webhooks (integration)', function () {
  this.timeout(20_000);
  let webex: WebexStandIn;
  let store: Store;
  let dir: string;
  let service: Service;
  let base: string;
  let webhooks: WebexCallWebhooks;
  let offsetMs: number;
  let notices: { userId: string; notice: PresenceSyncNotice }[];
  let alice: User;
  let tokens: WebexTokenService;

  async function link(demo: typeof ALICE): Promise<User> {
    const { personId } = demo.webex;
    const user = await store.users.upsert({ tenantId: org.tenantId, aadObjectId: demo.id, status: 'active' });
    const linked = await store.users.linkWebex(user.id, { personId, orgId: webex.orgId });
    assert.ok(linked.ok);
    const issued = webex.issueTokens(personId, [...WEBEX_LINK_SCOPES], CLIENT_ID);
    const saved = await tokens.saveGrant(linked.value, {
      accessToken: issued.access_token,
      accessExpiresInSec: issued.expires_in,
      refreshToken: issued.refresh_token,
      refreshExpiresInSec: issued.refresh_token_expires_in,
    });
    assert.ok(saved.ok);
    const enrolled = await store.presence.upsert(presencePut(user.id));
    assert.ok(enrolled.ok);
    return linked.value;
  }

  const personOf = (user: User): string => user.webex?.personId ?? assert.fail('not linked');
  const ours = (): Record<string, unknown>[] =>
    webex.webhooks().filter((w) => w.targetUrl === `${base}/api/notifications/webex`);
  async function callAndFlush(user: User): Promise<DeliveryRecord[]> {
    const before = webex.deliveries().length;
    webex.startCall(personOf(user), '+15551230000');
    await webex.flushDeliveries();
    return webex.deliveries().slice(before);
  }
  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${base}/api/notifications/webex`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const countInbox = () => store.inbox.countPending();

  beforeEach(async () => {
    offsetMs = 0;
    notices = [];
    webex = await startWebex({
      org,
      integrations: [
        {
          name: 'CallBridge (presence test)',
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          redirectUris: ['https://callbridge.test/auth/webex/callback'],
          scopes: [...WEBEX_LINK_SCOPES],
        },
      ],
    });
    dir = await mkdtemp(path.join(tmpdir(), 'presence-webex-'));
    const port = await freePort();
    base = `http://127.0.0.1:${String(port)}`;
    const config = loadConfig({
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
      SHUTDOWN_TIMEOUT_MS: '2000',
      BOT_ENDPOINT: base,
      WEBEX_BASE_URL: webex.url,
      DATA_DIR: dir,
    });
    assert.ok(config.ok);
    const { logger } = captureLogs('debug');
    const opened = await openStore(config.value.store, logger);
    assert.ok(opened.ok);
    store = opened.value;
    const vault = createTokenVault(config.value.tokenVault);
    tokens = new WebexTokenService({
      store,
      vault,
      oauth: new WebexOAuthClient({ baseUrl: webex.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }),
      logger,
    });
    webhooks = createWebexCallWebhooks({
      store,
      vault,
      tokens,
      webexBaseUrl: webex.url,
      policy: { logger, maxRetries: 0 },
      intake: createNotificationIntake({ store, logger }),
      notifier: {
        notifyPresenceSync: (user, notice) => {
          notices.push({ userId: user.id, notice });
          return Promise.resolve({ ok: true, value: { status: 'sent', activityId: undefined } });
        },
      },
      publicBaseUrl: base,
      logger,
      now: () => Date.now() + offsetMs,
    });
    service = createService({
      config: config.value,
      logger,
      metrics: createMetrics({ collectDefaults: false }),
      readiness: [],
      routes: [...webhooks.routes],
      daemons: [],
      guard: store.guard,
      closeables: [],
    });
    await service.start();
    alice = await link(ALICE);
  });

  afterEach(async () => {
    sinon.restore();
    await service.stop();
    await webex.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates one signed webhook per user; a signed call event is stored, then acknowledged 202', async function () {
    assert.deepEqual(await webhooks.watch(alice.id), { ok: true, value: undefined });
    assert.deepEqual(await webhooks.watch(alice.id), { ok: true, value: undefined }, 'watch is idempotent');
    const remote = ours();
    assert.equal(remote.length, 1);
    const hook = remote[0]!;
    assert.equal(hook.resource, 'telephony_calls');
    assert.equal(typeof hook.secret, 'string');
    const rows = await store.webexWebhooks.listByUser(alice.id);
    const row = rows[0]!;
    assert.equal(rows.length, 1);
    assert.equal(row.id, hook.id);
    assert.ok(!row.secret.ciphertext.toString('utf8').includes(String(hook.secret)), 'sealed at rest');

    const deliveries = await callAndFlush(alice);
    assert.ok(deliveries.length > 0);
    assert.deepEqual(
      deliveries.map((d) => d.httpStatus),
      deliveries.map(() => 202),
    );
    const claimed = await store.inbox.claim({ owner: 't', limit: 100, leaseMs: 1000 });
    assert.equal(claimed.length, deliveries.length);
    const event = parseInboxEvent(claimed[0]!.payload);
    assert.ok(event?.type === 'webex.call', 'a webex.call inbox event');
    assert.equal(event.userId, alice.id);
    assert.equal(event.webhookId, row.id);
    assert.equal(claimed[0]?.partitionKey, alice.id);
  });

  it('refuses a missing (401) or wrong (403) signature and stores nothing', async function () {
    await webhooks.watch(alice.id);
    const [delivery] = await callAndFlush(alice);
    assert.ok(delivery?.signature !== undefined);
    const stored = await countInbox();
    const missing = await post(delivery.body, {});
    assert.equal(missing.status, 401);
    assert.equal(((await missing.json()) as { code: string }).code, 'missing_signature');
    const flipped = delivery.signature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const wrong = await post(delivery.body, { 'x-spark-signature': flipped });
    assert.equal(wrong.status, 403);
    const tampered = await post(delivery.body.replace('"event":"', '"event":"x'), {
      'x-spark-signature': delivery.signature,
    });
    assert.equal(tampered.status, 403, 'the signature covers the raw bytes');
    const unknown = await post(JSON.stringify({ id: 'no-such-webhook' }), {
      'x-spark-signature': 'ab'.repeat(20),
    });
    assert.equal(unknown.status, 403);
    assert.equal(await countInbox(), stored);
  });

  it('refuses a replayed delivery (409) and a stale one (422) without storing them', async function () {
    await webhooks.watch(alice.id);
    const [delivery] = await callAndFlush(alice);
    assert.ok(delivery?.signature !== undefined);
    const stored = await countInbox();
    const replay = await post(delivery.body, { 'x-spark-signature': delivery.signature });
    assert.equal(replay.status, 409);
    assert.equal(await countInbox(), stored);

    offsetMs = 6 * 60_000;
    const before = await countInbox();
    const late = await callAndFlush(alice);
    assert.ok(late.length > 0);
    assert.ok(late.every((d) => d.httpStatus === 422));
    assert.equal(await countInbox(), before);
  });

  it('refuses bodies that are not a webhook delivery precisely: 400 not JSON or no id, 413 oversized', async function () {
    const signed = { 'x-spark-signature': 'ab'.repeat(20) };
    for (const body of ['{"id":', '[]', '{"id":""}', JSON.stringify({ id: 'x'.repeat(513) })]) {
      const refused = await post(body, signed);
      assert.equal(refused.status, 400, body.slice(0, 20));
      assert.equal(((await refused.json()) as { code: string }).code, 'invalid_request');
    }
    const huge = await post(JSON.stringify({ id: 'w', pad: 'x'.repeat(70 * 1024) }), signed);
    assert.equal(huge.status, 413);
    assert.equal(((await huge.json()) as { code: string }).code, 'payload_too_large');
    assert.equal(await countInbox(), 0);
  });

  it('answers 503 with Retry-After when the webhook cannot be looked up, so Webex may send it again', async function () {
    await webhooks.watch(alice.id);
    const [delivery] = await callAndFlush(alice);
    assert.ok(delivery?.signature !== undefined);
    sinon.stub(store.webexWebhooks, 'get').rejects(new Error('database is locked'));
    const refused = await post(delivery.body, { 'x-spark-signature': delivery.signature });
    sinon.restore();
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '5');
    assert.equal(((await refused.json()) as { code: string }).code, 'store_unavailable');
  });

  it('answers 503 when the inbox cannot store the event, so nothing is acknowledged unstored', async function () {
    await webhooks.watch(alice.id);
    sinon.stub(store.inbox, 'enqueueMany').rejects(new Error('database is locked'));
    const deliveries = await callAndFlush(alice);
    assert.ok(deliveries.length > 0);
    assert.ok(deliveries.every((d) => d.httpStatus === 503));
    sinon.restore();
    assert.equal(await countInbox(), 0);
  });

  it('reactivates a webhook Webex disabled and tells the user; deletes duplicates and orphans', async function () {
    const bob = await link(BOB);
    await webhooks.watch(alice.id);
    await webhooks.watch(bob.id);
    const [aliceHook] = ours().filter((w) => w.createdBy === personOf(alice));
    assert.ok(aliceHook !== undefined);
    webex.disableWebhook(String(aliceHook.id));
    // A stray webhook to our URL we hold no secret for (e.g. left by a crash between create and store).
    const bobClient = new WebexClient({
      baseUrl: webex.url,
      getAccessToken: async () => {
        const token = await tokens.getAccessToken(bob.id);
        return token.ok ? token.value : assert.fail('no token');
      },
    });
    const stray = await bobClient.createWebhook({
      name: 'stray',
      targetUrl: `${base}/api/notifications/webex`,
      resource: 'telephony_calls',
      event: 'all',
      secret: 'unknown',
    });
    assert.ok(stray.ok);
    assert.equal(ours().length, 3);

    await webhooks.daemon.tick(new AbortController().signal);

    const after = ours();
    assert.equal(after.length, 2);
    assert.ok(after.every((w) => w.status === 'active'));
    assert.ok(after.some((w) => w.id === aliceHook.id));
    assert.ok(!after.some((w) => w.id === stray.value.id));
    assert.deepEqual(notices, [{ userId: alice.id, notice: 'webex_events_resumed' }]);
    const deliveries = await callAndFlush(alice);
    assert.ok(deliveries.length > 0 && deliveries.every((d) => d.httpStatus === 202), 'events flow again');

    // Bob turns sync off: his webhook goes, remotely and locally.
    const bobRow = await store.presence.get(bob.id);
    assert.ok(bobRow !== undefined);
    await store.presence.upsert({ ...bobRow, enabled: false, expectedVersion: bobRow.version });
    await webhooks.daemon.tick(new AbortController().signal);
    assert.deepEqual(
      ours().map((w) => w.createdBy),
      [personOf(alice)],
    );
    assert.deepEqual(await store.webexWebhooks.listByUser(bob.id), []);
  });

  it('marks the sync blocked with link_webex when the Webex grant is dead, and clears it once it works', async function () {
    await webhooks.watch(alice.id);
    webex.revokeGrants(personOf(alice), CLIENT_ID);
    await webhooks.daemon.tick(new AbortController().signal);
    const blocked = await store.presence.get(alice.id);
    assert.equal(blocked?.lastErrorCode, WEBEX_TOKEN_DEAD);
    assert.equal(blocked.lastErrorAction, 'link_webex');
    assert.deepEqual(await webhooks.watch(alice.id), { ok: false, error: { code: WEBEX_TOKEN_DEAD } });

    const relinked = await store.users.get(alice.id);
    assert.ok(relinked !== undefined);
    const issued = webex.issueTokens(personOf(alice), [...WEBEX_LINK_SCOPES], CLIENT_ID);
    await tokens.saveGrant(relinked, {
      accessToken: issued.access_token,
      accessExpiresInSec: issued.expires_in,
      refreshToken: issued.refresh_token,
      refreshExpiresInSec: issued.refresh_token_expires_in,
    });
    await webhooks.daemon.tick(new AbortController().signal);
    const cleared = await store.presence.get(alice.id);
    assert.equal(cleared?.lastErrorCode, null);
  });
});
