import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { createTokenVault } from '../../../bot/src/auth/token-vault.js';
import { createCallService, type CallService, type CallView } from '../../../bot/src/calls/call-service.js';
import { loadConfig } from '../../../bot/src/config/env.js';
import { HttpPolicy } from '../../../bot/src/integrations/http-policy.js';
import { createLogger } from '../../../bot/src/observability/logger.js';
import { err } from '../../../bot/src/shared/result.js';
import { openStore } from '../../../bot/src/store/open.js';
import type { Store } from '../../../bot/src/store/store.js';
import { WebexTokenService } from '../../../bot/src/webex-link/index.js';
import type { DemoUser } from '../../../sandbox/src/seed/org.js';
import { createTestSchema, type TestSchema } from '../../support/postgres-schema.js';
import { startCallTabWorld, type CallTabWorld } from '../call-tab/world.js';

/**
 * Several instances behind one PostgreSQL database: the composed service places a Click to Dial
 * call, and a second call service with its own store handle (another instance, as far as the
 * call is concerned) follows it to the end after Webex stops listing it, and back again.
 */

describe('placed calls across instances sharing PostgreSQL (integration)', function () {
  this.timeout(60_000);
  let schema: TestSchema | undefined;
  let world: CallTabWorld | undefined;
  let storeB: Store | undefined;
  let instanceB: CallService;
  const quiet = createLogger({ level: 'silent' });

  before(async function () {
    const created = await createTestSchema('cb_calls');
    if (!created.ok) {
      console.log(`      (skipped: ${created.error}; SQLite cannot be shared by two instances)`);
      this.skip();
    }
    schema = created.value;
    world = await startCallTabWorld({ databaseUrl: schema.url });
    if (world === undefined) {
      console.log('      (skipped: the sandbox CA is not trusted; run through node scripts/test.mjs)');
      this.skip();
    }
    const opened = await openStore({ dataDir: tmpdir(), databaseUrl: schema.url }, quiet);
    assert.ok(opened.ok, 'a second handle on the same database');
    storeB = opened.value;
    const config = loadConfig({ CALLBRIDGE_MODE: 'sandbox', DATA_DIR: tmpdir() });
    assert.ok(config.ok);
    instanceB = createCallService({
      tokens: new WebexTokenService({
        store: storeB,
        vault: createTokenVault(config.value.tokenVault),
        oauth: { refresh: () => Promise.resolve(err({ code: 'invalid_grant' as const, status: 400 })) },
        logger: quiet,
      }),
      webexBaseUrl: world.sandbox.urls.webex,
      policy: new HttpPolicy({ maxRetries: 0 }),
      defaultCountry: 'US',
      logger: quiet,
      placedCalls: storeB.placedCalls,
    });
  });

  after(async () => {
    await storeB?.close();
    await world?.stop();
    await schema?.drop();
  });

  const w = (): CallTabWorld => {
    assert.ok(world !== undefined);
    return world;
  };

  async function linkedUser(): Promise<{ demo: DemoUser; userId: string; personId: string }> {
    const demo = w().callingUser();
    const personId = await w().linkWebex(demo);
    const user = await w().store.users.getByAadObjectId(w().sandbox.org.tenantId, demo.id);
    assert.ok(user !== undefined);
    return { demo, userId: user.id, personId };
  }

  async function placeThroughA(demo: DemoUser): Promise<CallView> {
    const placed = await w().api(demo.id, 'POST', '/api/calls', { destination: '(206) 555-0142' });
    assert.equal(placed.status, 201, placed.text);
    return (placed.body as { call: CallView }).call;
  }

  async function statusOnB(userId: string, callId: string): Promise<CallView> {
    const got = await instanceB.status(userId, callId);
    assert.ok(got.ok, `instance B answered ${JSON.stringify(got)}`);
    return got.value;
  }

  it('follows a call placed on one instance to ended on another, each seeing what the other saw', async () => {
    const { demo, userId, personId } = await linkedUser();
    const call = await placeThroughA(demo);
    const webex = w().sandbox.standIns.webex;

    assert.equal((await statusOnB(userId, call.id)).state, 'ringing_devices');
    webex.answerOnDevice(personId, call.id);
    webex.remoteAnswer(call.id);
    const connected = await statusOnB(userId, call.id);
    assert.deepEqual(
      { state: connected.state, destination: connected.destination, startedAt: connected.startedAt },
      { state: 'connected', destination: '+12065550142', startedAt: call.startedAt },
    );

    webex.remoteHangup(call.id);
    assert.equal(webex.activeCalls(personId).length, 0, 'Webex no longer lists the call');
    // Instance A never saw the call answered; only B did, and A must know it from the database.
    const onA = await w().api(demo.id, 'GET', `/api/calls/${encodeURIComponent(call.id)}`);
    assert.equal(onA.status, 200, onA.text);
    assert.deepEqual(onA.body, {
      id: call.id,
      state: 'ended',
      destination: '+12065550142',
      startedAt: call.startedAt,
    });
    assert.deepEqual(await statusOnB(userId, call.id), onA.body);
  });

  it('reports a call that ended unanswered as not answered on the other instance', async () => {
    const { demo, userId } = await linkedUser();
    const call = await placeThroughA(demo);
    w().sandbox.standIns.webex.remoteHangup(call.id);
    const ended = await statusOnB(userId, call.id);
    assert.deepEqual(
      { state: ended.state, reason: ended.reason },
      { state: 'ended', reason: 'not_answered' },
    );
  });

  it("never answers for another user's call, on either instance", async () => {
    const owner = await linkedUser();
    const other = await linkedUser();
    const call = await placeThroughA(owner.demo);
    w().sandbox.standIns.webex.remoteHangup(call.id);
    const onB = await instanceB.status(other.userId, call.id);
    assert.deepEqual(onB.ok ? onB.value : onB.error.code, 'call_not_found');
    const onA = await w().api(other.demo.id, 'GET', `/api/calls/${encodeURIComponent(call.id)}`);
    assert.equal(onA.status, 404);
    assert.equal((onA.body as { code: string }).code, 'call_not_found');
    assert.equal((await statusOnB(owner.userId, call.id)).state, 'ended');
  });
});
