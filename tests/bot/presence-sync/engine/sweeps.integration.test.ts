import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../../../../bot/src/observability/logger.js';
import {
  createPresenceEngine,
  type PresenceEngine,
  type PresenceEngineDeps,
} from '../../../../bot/src/presence-sync/engine/index.js';
import { createTenantRateLimiter } from '../../../../bot/src/presence-sync/engine/rate-limit.js';
import type { Store } from '../../../../bot/src/store/store.js';
import { enrolUser, FakeWorld, openStoreIn, seededRandom, TENANT } from './fake-world.js';

const logger = createLogger({ level: 'silent' });

describe('presence tenant budget', function () {
  it('stays under the limit in a sliding window and stops while a Retry-After runs', function () {
    let now = 0;
    const limiter = createTenantRateLimiter({ limit: 3, windowMs: 30_000, now: () => now });
    for (let i = 0; i < 3; i += 1) assert.deepEqual(limiter.tryTake('t'), { ok: true });
    assert.deepEqual(limiter.tryTake('t'), { ok: false, waitMs: 30_000 });
    assert.deepEqual(limiter.tryTake('other'), { ok: true }, 'budgets are per tenant');
    now = 30_000;
    assert.deepEqual(limiter.tryTake('t'), { ok: true });
    limiter.block('t', 5_000);
    assert.deepEqual(limiter.tryTake('t'), { ok: false, waitMs: 5_000 });
    now = 35_000;
    assert.deepEqual(limiter.tryTake('t'), { ok: true });
  });
});

describe('presence reconciliation and keep-alive sweeps (SQLite, fake ports)', function () {
  this.timeout(30_000);
  let dir: string;
  let store: Store;
  let now: number;
  let world: FakeWorld;
  const ids: string[] = [];

  before(async function () {
    dir = mkdtempSync(path.join(tmpdir(), 'callbridge-presence-sweep-'));
    now = Date.UTC(2026, 0, 5, 9);
    store = await openStoreIn(dir, () => now);
    world = new FakeWorld(() => now, seededRandom(3));
    for (let i = 0; i < 1_300; i += 1) {
      const aad = `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
      ids.push(
        await enrolUser(store, world, aad, 'always', {
          aad,
          tenant: TENANT,
          observed: { availability: 'Available', activity: 'Available', at: now },
        }),
      );
    }
  });

  after(async function () {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const engineWith = (owner: string, options: Partial<PresenceEngineDeps> = {}): PresenceEngine =>
    createPresenceEngine({ store, ports: world.ports, logger, owner, now: () => now, ...options });

  it('reads presence in batches of at most 650 ids and rechecks only what drifted', async function () {
    const engine = engineWith('sweep', { webexSweep: 'active' });
    // A notification for these two was lost: Teams moved on without us hearing.
    const [first, second] = ids;
    assert.ok(first !== undefined && second !== undefined);
    world.setTeamsClient(first, { availability: 'Busy', activity: 'InAMeeting' });
    world.setTeamsClient(second, { availability: 'Away', activity: 'Away' });
    const report = await engine.reconcile.sweep();
    assert.equal(report.users, 1_300);
    assert.equal(report.presenceCalls, 2);
    assert.equal(report.drifted, 2);
    assert.equal(report.rechecks, 2);
    assert.equal(report.incomplete, false);

    await engine.processor.processBatch();
    assert.deepEqual(
      world.writes.map((w) => [w.userId, w.kind]),
      [[first, 'webex.dnd.on']],
    );
    // Corrected: the next sweep finds nothing to do.
    const again = await engine.reconcile.sweep();
    assert.equal(again.drifted, 0);
  });

  it('stops a sweep when the tenant budget runs out and says so', async function () {
    const engine = engineWith('sweep-2', { tenantPresenceLimit: 1, webexSweep: 'active' });
    const report = await engine.reconcile.sweep();
    assert.equal(report.presenceCalls, 1);
    assert.equal(report.incomplete, true);
  });

  it('asks for a keep-alive round for sessions about to lapse, once per session', async function () {
    const engine = engineWith('keepalive');
    const [, , third] = ids;
    assert.ok(third !== undefined);
    world.setCall(third, 'c1', 'connected');
    await engine.recheck(third, 'test');
    await engine.processor.processBatch();
    assert.equal(await engine.keepAlive.sweep(), 0, 'a fresh session is not due');
    now += 50 * 60_000;
    assert.equal(await engine.keepAlive.sweep(), 1);
    assert.equal(await engine.keepAlive.sweep(), 0, 'the same session is asked for once');
    await engine.processor.processBatch();
    assert.equal(world.writes.at(-1)?.kind, 'teams.keepalive');

    // The hang-up's webhook never came: the next keep-alive round reads the calls and ends the session.
    world.setCall(third, 'c1', 'disconnected');
    now += 50 * 60_000;
    assert.equal(await engine.keepAlive.sweep(), 1);
    await engine.processor.processBatch();
    assert.equal(world.writes.at(-1)?.kind, 'teams.clear');
  });
});
