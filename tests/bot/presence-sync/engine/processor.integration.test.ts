import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../../../../bot/src/observability/logger.js';
import {
  createPresenceEngine,
  DEFAULT_MAPPING,
  type PresenceEngine,
} from '../../../../bot/src/presence-sync/engine/index.js';
import { requestRecheck } from '../../../../bot/src/presence-sync/engine/sweeps.js';
import { inboxItemFor, type GraphLifecycleEvent } from '../../../../bot/src/presence-sync/inbox-events.js';
import { err, ok } from '../../../../bot/src/shared/result.js';
import type { Store } from '../../../../bot/src/store/store.js';
import { enrolUser, FakeWorld, openStoreIn, seededRandom, TENANT } from './fake-world.js';

const logger = createLogger({ level: 'silent' });

describe('presence inbox processor (SQLite, fake ports)', function () {
  let dir: string;
  let store: Store;
  let now: number;
  let world: FakeWorld;
  let userId: string;
  let aad: string;
  const lifecycle: GraphLifecycleEvent[] = [];
  let lifecycleAnswer: 'ok' | 'throttled' = 'ok';

  const engine = (registry?: Registry): PresenceEngine =>
    createPresenceEngine({
      ...(registry === undefined ? {} : { registry }),
      store,
      ports: world.ports,
      logger,
      owner: 'test',
      now: () => now,
      handleLifecycle: (event) => {
        lifecycle.push(event);
        return Promise.resolve(
          lifecycleAnswer === 'ok' ? ok(undefined) : err({ code: 'throttled', retryAfterMs: 42_000 }),
        );
      },
    });

  beforeEach(async function () {
    dir = mkdtempSync(path.join(tmpdir(), 'callbridge-presence-proc-'));
    now = Date.UTC(2026, 0, 5, 9);
    store = await openStoreIn(dir, () => now);
    world = new FakeWorld(() => now, seededRandom(1));
    aad = '00000000-0000-4000-8000-000000000001';
    userId = await enrolUser(store, world, aad, 'always');
    lifecycle.length = 0;
    lifecycleAnswer = 'ok';
  });

  afterEach(async function () {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const presenceItem = (key: string) =>
    inboxItemFor(
      {
        type: 'graph.presence',
        tenantId: TENANT,
        userId,
        aadObjectId: aad,
        subscriptionId: 's',
        receivedAt: now,
      },
      key,
    );

  /** The user answered call c1 (a telephony_calls webhook, as intake stores it). */
  const answeredItem = (key: string) =>
    inboxItemFor(
      {
        type: 'webex.call',
        userId,
        webhookId: 'wh',
        event: 'updated',
        callId: 'c1',
        eventType: 'answered',
        state: 'connected',
        eventTimestamp: now,
        receivedAt: now,
      },
      key,
    );

  it('coalesces a burst for one user into one read and one write, and completes every row', async function () {
    world.setTeamsClient(userId, { availability: 'Busy', activity: 'InAMeeting' });
    for (let i = 0; i < 6; i += 1) await store.inbox.enqueue(presenceItem(`n${String(i)}`));
    const claimed = await engine().processor.processBatch();
    assert.equal(claimed, 6);
    assert.equal(world.reads, 1);
    assert.deepEqual(
      world.writes.map((w) => w.kind),
      ['webex.dnd.on'],
    );
    const counts = await store.inbox.countByStatus();
    assert.equal(counts.done, 6);
    const row = await store.presence.get(userId);
    assert.equal(row?.lastSyncedAt, now);
  });

  it('dispatches lifecycle events to the Graph part and honours its Retry-After', async function () {
    const event: GraphLifecycleEvent = {
      type: 'graph.lifecycle',
      tenantId: TENANT,
      subscriptionId: 'sub-9',
      lifecycleEvent: 'subscriptionRemoved',
      receivedAt: now,
    };
    await store.inbox.enqueue(inboxItemFor(event, 'life-1'));
    const id = 1;
    lifecycleAnswer = 'throttled';
    await engine().processor.processBatch();
    assert.deepEqual(lifecycle, [event]);
    const row = await store.inbox.get(id);
    assert.ok(row !== undefined);
    assert.equal(row.status, 'pending');
    assert.equal(row.availableAt, now + 42_000);
    assert.equal(row.lastError, 'throttled');
  });

  it('keeps the newest row when Graph throttles, and finishes once the wait is over', async function () {
    world.setTeamsClient(userId, { availability: 'Busy', activity: 'InAMeeting' });
    world.faults = { throttle: 1 };
    await store.inbox.enqueue(presenceItem('a'));
    await store.inbox.enqueue(presenceItem('b'));
    const e = engine();
    await e.processor.processBatch();
    let counts = await store.inbox.countByStatus();
    assert.equal(counts.done, 1);
    assert.equal(counts.pending, 1);
    world.faults = { throttle: 0 };
    // Before the Retry-After is over nothing is due; after it, the round runs.
    assert.equal(await e.processor.processBatch(), 0);
    now += 10_000;
    assert.equal(await e.processor.processBatch(), 1);
    counts = await store.inbox.countByStatus();
    assert.equal(counts.done, 2);
    assert.equal(world.writes.at(-1)?.kind, 'webex.dnd.on');
  });

  it('keeps a call event that shared a throttled round with a newer presence row, and acts on it after the wait', async function () {
    world.setCall(userId, 'c1', 'connected');
    world.faults = { throttle: 1 };
    await store.inbox.enqueue(answeredItem('call-1'));
    await store.inbox.enqueue(presenceItem('later'));
    const e = engine();
    await e.processor.processBatch();
    assert.equal((await store.inbox.countByStatus()).pending, 2, 'both kinds of row wait for the retry');
    world.faults = { throttle: 0 };
    now += 10_000;
    await e.processor.processBatch();
    assert.equal((await store.inbox.countByStatus()).done, 2);
    assert.ok(
      world.writes.some((w) => w.kind === 'teams.set'),
      'the answered call reached Teams',
    );
  });

  it('counts writes, echoes it did not mirror, and propagation per direction', async function () {
    const registry = new Registry();
    const e = engine(registry);
    world.setCall(userId, 'c1', 'connected');
    await store.inbox.enqueue(answeredItem('call-1'));
    now += 250;
    await e.processor.processBatch();
    // Graph tells us about our own session: counted as an echo, nothing written to Webex.
    await store.inbox.enqueue(presenceItem('echo'));
    await e.processor.processBatch();
    const text = await registry.metrics();
    assert.match(text, /callbridge_presence_writes_total\{target="teams.set"\} 1/);
    assert.match(text, /callbridge_presence_echo_suppressed_total 1/);
    assert.match(text, /callbridge_presence_propagation_seconds_sum\{direction="webex_to_teams"\} 0.25/);
    assert.equal(world.writes.filter((w) => w.kind.startsWith('webex')).length, 0);
  });

  it('prunes processed rows after the retention, so their dedupe keys can come back', async function () {
    await store.inbox.enqueue(presenceItem('old'));
    const e = engine();
    await e.processor.processBatch();
    assert.equal((await store.inbox.countByStatus()).done, 1);
    now += 7 * 60 * 60_000;
    await e.processor.tick(new AbortController().signal);
    assert.equal((await store.inbox.countByStatus()).done, 0);
    assert.equal((await store.inbox.enqueue(presenceItem('old'))).inserted, true);
  });

  it('sends an unreadable payload to dead instead of retrying it forever', async function () {
    await store.inbox.enqueue({
      source: 'graph',
      dedupeKey: 'bad',
      partitionKey: userId,
      payload: '{"type":"nope"}',
    });
    await engine().processor.processBatch();
    const counts = await store.inbox.countByStatus();
    assert.equal(counts.dead, 1);
  });

  it('undoes what it holds when sync is switched off', async function () {
    world.setCall(userId, 'c1', 'connected');
    const e = engine();
    await e.recheck(userId, 'enabled');
    await e.processor.processBatch();
    assert.equal(world.liveSession(world.users.get(userId) ?? assert.fail())?.state.activity, 'InACall');
    const row = await store.presence.get(userId);
    assert.ok(row !== undefined);
    const off = await store.presence.upsert({ ...row, enabled: false, expectedVersion: row.version });
    assert.ok(off.ok);
    now += 1_000;
    await e.recheck(userId, 'disabled');
    await e.processor.processBatch();
    assert.equal(world.writes.at(-1)?.kind, 'teams.clear');
  });

  it('polls the Webex status once per recheck round, never on webhook rounds', async function () {
    const e = engine();
    world.setMeeting(userId, { inMeeting: true, presenting: false });
    // Three sweeps asked for the same user before the processor ran: one round, one status read.
    for (const reason of ['reconcile', 'keepalive', 'enabled'])
      await requestRecheck(store, userId, ['webex'], reason, 1, now);
    await e.processor.processBatch();
    assert.equal(world.statusReads, 1);
    const user = world.users.get(userId) ?? assert.fail();
    assert.equal(world.liveSession(user)?.state.activity, 'InAConferenceCall');

    // A call webhook round re-reads the calls, not the status; the meeting holds as last seen.
    world.setCall(userId, 'c1', 'connected');
    await store.inbox.enqueue(answeredItem('call-in-meeting'));
    await e.processor.processBatch();
    assert.equal(world.statusReads, 1);
    assert.equal(world.liveSession(user)?.state.activity, 'InAConferenceCall');

    // A drift recheck of the Teams side alone reads no Webex status either.
    now += 60_000;
    await requestRecheck(store, userId, ['teams'], 'missed', 2, now);
    await e.processor.processBatch();
    assert.equal(world.statusReads, 1);
  });

  it('reads no status when the mapping leaves meetings out', async function () {
    const e = createPresenceEngine({
      store,
      ports: world.ports,
      logger,
      owner: 'test',
      now: () => now,
      config: {
        mapping: {
          ...DEFAULT_MAPPING,
          webexToTeams: { ...DEFAULT_MAPPING.webexToTeams, meeting: null, presenting: null },
        },
      },
    });
    world.setMeeting(userId, { inMeeting: true, presenting: true });
    await e.recheck(userId, 'enabled');
    await e.processor.processBatch();
    assert.equal(world.statusReads, 0);
    assert.equal(world.writes.length, 0);
  });
});
