import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../../../bot/src/observability/logger.js';
import {
  createPresenceEngine,
  DEFAULT_MAPPING,
  type PresenceEngine,
} from '../../../bot/src/presence-sync/engine/index.js';
import { teamsWantsWebexDnd, webexActivityOf } from '../../../bot/src/presence-sync/engine/mapping.js';
import { inboxItemFor } from '../../../bot/src/presence-sync/inbox-events.js';
import type { NewInboxItem, PresenceSyncRule, Store } from '../../../bot/src/store/store.js';
import {
  enrolUser,
  FakeWorld,
  openStoreIn,
  seededRandom,
  TENANT,
  type Random,
  type WorldUser,
} from './engine/fake-world.js';

/**
 * Deterministic simulation of presence sync: a fake clock (no timers), a seeded schedule of
 * Teams and Webex changes (calls, and meetings the sweeps' rounds poll from `Person.status`, which
 * in the fake shows our own Calling DND as DoNotDisturb: the worst case for echoes), notifications delivered late, out of order, twice or never, upstream
 * throttling, a process restart with rows received but not processed (some mid-lease), and
 * rounds that die right after a write reached Teams or Webex, before anything was saved.
 * The engine runs for real on a SQLite store; Teams and Webex are fakes at the port boundary.
 * PRESENCE_SIM_SEED=<n> runs one seed; SIM_LOG=1 shows the engine's error logs.
 */

const logger = createLogger({ level: process.env.SIM_LOG === '1' ? 'error' : 'silent' });
const RULES: readonly PresenceSyncRule[] = ['always', 'meetings_only', 'never'];
const TEAMS_CLIENT_STATES = [
  { availability: 'Available', activity: 'Available' },
  { availability: 'Busy', activity: 'InAMeeting' },
  { availability: 'Busy', activity: 'InACall' },
  { availability: 'DoNotDisturb', activity: 'Presenting' },
  { availability: 'Away', activity: 'Away' },
  { availability: 'Available', activity: 'AvailableInactive' },
  { availability: 'BeRightBack', activity: 'BeRightBack' },
] as const;
const CALL_STATES = ['alerting', 'connected', 'held', 'remoteHeld', 'connected', 'disconnected'] as const;
const MEETING_STATES = [
  { inMeeting: true, presenting: false },
  { inMeeting: true, presenting: true },
  { inMeeting: false, presenting: false },
] as const;

interface Pending {
  readonly deliverAt: number;
  readonly item: NewInboxItem;
}

interface Outcome {
  readonly changes: number;
  readonly acknowledged: Set<string>;
}

class Simulation {
  now = Date.UTC(2026, 0, 5, 9, 0, 0);
  readonly random: Random;
  readonly world: FakeWorld;
  store!: Store;
  engine!: PresenceEngine;
  private generation = 0;
  private pending: Pending[] = [];
  private sequence = 0;
  readonly acknowledged = new Set<string>();
  readonly disabled = new Set<string>();
  changes = 0;

  constructor(
    readonly seed: number,
    private readonly dir: string,
  ) {
    this.random = seededRandom(seed);
    this.world = new FakeWorld(() => this.now, this.random);
  }

  async start(users: number): Promise<void> {
    await this.open();
    for (let i = 0; i < users; i += 1) {
      const aad = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      await enrolUser(this.store, this.world, aad, RULES[i % RULES.length] ?? 'always');
    }
  }

  async open(): Promise<void> {
    this.store = await openStoreIn(this.dir, () => this.now);
    this.generation += 1;
    this.engine = createPresenceEngine({
      store: this.store,
      ports: this.world.ports,
      logger,
      owner: `sim-${String(this.generation)}`,
      now: () => this.now,
      config: { maxWritesPerMinute: 4 },
      tenantPresenceLimit: 1_400,
    });
  }

  /** A crash: some rows leased by a worker that dies, the rest unprocessed; then a new process. */
  async restart(): Promise<void> {
    await this.store.inbox.claim({ owner: `dying-${String(this.generation)}`, limit: 5, leaseMs: 30_000 });
    await this.store.close();
    await this.open();
  }

  private pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.random() * items.length)];
    if (item === undefined) throw new Error('empty pick');
    return item;
  }

  private randomUser(): WorldUser {
    return this.pick([...this.world.users.values()]);
  }

  /** Sends a notification the way the senders do: late, maybe twice, maybe never. */
  private send(item: NewInboxItem, lossy: boolean): void {
    if (lossy && this.random() < 0.05) return;
    const copies = this.random() < 0.15 ? 2 : 1;
    for (let i = 0; i < copies; i += 1)
      this.pending.push({ deliverAt: this.now + Math.floor(this.random() * 8_000), item });
  }

  /** One person does one thing. */
  async act(): Promise<void> {
    const user = this.randomUser();
    const roll = this.random();
    this.changes += 1;
    if (roll < 0.03) {
      await this.toggleSync(user.userId);
    } else if (roll < 0.35) {
      this.world.setTeamsClient(user.userId, this.pick(TEAMS_CLIENT_STATES));
    } else if (roll < 0.42) {
      this.world.setPreferredDnd(user.userId, !user.preferredDnd);
    } else if (roll < 0.5) {
      this.world.setMeeting(user.userId, this.pick(MEETING_STATES));
    } else if (roll < 0.9) {
      const existing = [...user.calls.keys()];
      const callId =
        existing.length > 0 && this.random() < 0.7
          ? this.pick(existing)
          : `call-${String((this.sequence += 1))}`;
      const state = this.pick(CALL_STATES);
      this.world.setCall(user.userId, callId, state);
      this.sequence += 1;
      this.send(
        inboxItemFor(
          {
            type: 'webex.call',
            userId: user.userId,
            webhookId: `wh-${user.userId}`,
            event: state === 'disconnected' ? 'deleted' : 'updated',
            callId,
            eventType: state === 'disconnected' ? 'disconnected' : 'answered',
            state,
            eventTimestamp: this.now,
            receivedAt: this.now,
          },
          `webex-event-${String(this.sequence)}`,
        ),
        true,
      );
    } else if (!(user.dnd.enabled && user.dnd.by === 'app')) {
      // A person changes their own DND; one we set is left to us (see the fake world).
      this.world.setUserDnd(user.userId, !user.dnd.enabled);
    } else {
      this.changes -= 1;
    }
  }

  /** The user switches sync off or on again; enrolment's hooks ask for a round. */
  private async toggleSync(userId: string): Promise<void> {
    const on = this.disabled.has(userId);
    for (;;) {
      const row = await this.store.presence.get(userId);
      assert.ok(row !== undefined);
      const put = await this.store.presence.upsert({ ...row, enabled: on, expectedVersion: row.version });
      if (put.ok) break;
    }
    if (on) this.disabled.delete(userId);
    else this.disabled.add(userId);
    const user = this.world.users.get(userId);
    if (user !== undefined) user.syncOn = on;
    await this.engine.recheck(userId, on ? 'enabled' : 'disabled');
  }

  /** Graph notices aggregate changes (ours included: that is where echoes come from). */
  private notifyPresence(): void {
    for (const user of this.world.changedPresences()) {
      this.sequence += 1;
      this.send(
        inboxItemFor(
          {
            type: 'graph.presence',
            tenantId: TENANT,
            userId: user.userId,
            aadObjectId: user.aad,
            subscriptionId: 'sub-1',
            receivedAt: this.now,
          },
          `graph-${String(this.sequence)}`,
        ),
        true,
      );
    }
  }

  /** Delivers what is due, in whatever order the delays produced; stored means acknowledged. */
  private async deliver(all = false): Promise<void> {
    const due = this.pending.filter((p) => all || p.deliverAt <= this.now);
    this.pending = this.pending.filter((p) => !(all || p.deliverAt <= this.now));
    for (const { item } of due) {
      await this.store.inbox.enqueue(item);
      this.acknowledged.add(item.dedupeKey);
    }
  }

  /** The singleton sweeps' ticks: they only enqueue recheck rounds. */
  async sweeps(): Promise<void> {
    await this.engine.reconcile.sweep();
    await this.engine.keepAlive.sweep();
  }

  async step(advanceMs: number): Promise<void> {
    this.now += advanceMs;
    this.notifyPresence();
    await this.deliver();
    await this.engine.processor.processBatch();
    this.notifyPresence();
  }

  /** Calm: no more changes, everything delivered, sweeps run, backlog drained. */
  async settle(): Promise<void> {
    this.world.faults = { throttle: 0 };
    for (let round = 0; round < 40; round += 1) {
      this.now += 20_000;
      this.notifyPresence();
      await this.deliver(true);
      if (round % 5 === 0) await this.sweeps();
      while ((await this.engine.processor.processBatch()) > 0) this.notifyPresence();
    }
  }

  outcome(): Outcome {
    return { changes: this.changes, acknowledged: this.acknowledged };
  }
}

function fail(seed: number, message: string): never {
  assert.fail(`${message} (seed ${String(seed)}; rerun with PRESENCE_SIM_SEED=${String(seed)})`);
}

async function runSimulation(seed: number, users: number, steps: number, dir: string): Promise<void> {
  const sim = new Simulation(seed, dir);
  await sim.start(users);
  const restartAt = Math.floor(steps / 2);
  try {
    for (let i = 0; i < steps; i += 1) {
      sim.world.faults = { throttle: i % 50 < 10 ? 0.3 : 0.02, crashAfterWrite: 0.05 };
      if (sim.random() < 0.6) await sim.act();
      if (i === restartAt) await sim.restart();
      if (i % 100 === 50) await sim.sweeps();
      await sim.step(Math.floor(sim.random() * 3_000));
    }
    await sim.settle();
    const { world } = sim;

    const echoes = world.writes.filter((w) => w.echo);
    if (echoes.length > 0)
      fail(
        seed,
        `${String(echoes.length)} echo writes (${[...new Set(echoes.map((e) => e.kind))].join(', ')})`,
      );
    if (world.statusReads === 0) fail(seed, 'no Webex status was ever read');
    const overrides = world.writes.filter((w) => w.overrodeUser);
    if (overrides.length > 0)
      fail(seed, `${String(overrides.length)} writes turned off a user's own Webex DND`);

    // Users who switched sync off: nothing of ours left on either side.
    for (const userId of sim.disabled) {
      const user = world.users.get(userId);
      assert.ok(user !== undefined);
      if (world.liveSession(user) !== undefined) fail(seed, `user ${userId} switched off keeps our session`);
      if (user.dnd.by === 'app' && user.dnd.enabled) fail(seed, `user ${userId} switched off keeps our DND`);
    }
    const enabled = [...world.users.values()].filter((u) => !sim.disabled.has(u.userId));

    // Teams side converged to the Webex truth: calls, and the meeting as far as the status shows it
    // (an active call hides it; a DoNotDisturb, ours included, means "no meeting we can see").
    for (const user of enabled) {
      const hidden = user.dnd.enabled || world.personStatus(user) === 'call';
      if (!hidden && JSON.stringify(user.meetingSeen) !== JSON.stringify(user.meeting))
        fail(seed, `user ${user.userId}: the last sweep did not read the Webex meeting state`);
      const activity = webexActivityOf(
        DEFAULT_MAPPING,
        [...user.calls.values()].map((state) => ({ state })),
        user.meetingSeen,
      );
      const want = DEFAULT_MAPPING.webexToTeams[activity];
      const session = world.liveSession(user);
      if (want === null && session !== undefined)
        fail(seed, `user ${user.userId} keeps a session without a call`);
      // A DoNotDisturb of the user's own (set, or presenting in Teams) is not fought: no session over it.
      if (want !== null && world.own(user).availability !== 'DoNotDisturb') {
        if (session === undefined || session.state.activity !== want.activity)
          fail(seed, `user ${user.userId} should show ${want.activity} in Teams`);
      }
    }

    // Hang up and leave every meeting, settle again: no session left (our own DND hiding a meeting's
    // end must not hold one), Webex DND follows the user's own Teams state.
    for (const user of world.users.values()) {
      world.setMeeting(user.userId, { inMeeting: false, presenting: false });
      for (const callId of [...user.calls.keys()]) {
        world.setCall(user.userId, callId, 'disconnected');
        await sim.store.inbox.enqueue(
          inboxItemFor(
            {
              type: 'webex.call',
              userId: user.userId,
              webhookId: 'wh',
              event: 'deleted',
              callId,
              eventType: 'disconnected',
              eventTimestamp: sim.now,
              receivedAt: sim.now,
            },
            `hangup-${callId}`,
          ),
        );
        sim.acknowledged.add(`hangup-${callId}`);
      }
    }
    await sim.settle();
    for (const user of enabled) {
      if (world.liveSession(user) !== undefined)
        fail(seed, `user ${user.userId} keeps a session after hang-up`);
      const wants = teamsWantsWebexDnd(DEFAULT_MAPPING, user.rule, world.own(user));
      if (user.dnd.by === 'app' && user.dnd.enabled !== wants)
        fail(
          seed,
          `user ${user.userId} (${user.rule}) Webex DND ${String(user.dnd.enabled)}, Teams says ${String(wants)}`,
        );
    }

    // Bounded outbound calls per inbound change (keep-alives aside).
    const { changes } = sim.outcome();
    const writes = world.writes.filter((w) => w.kind !== 'teams.keepalive').length;
    if (writes > 2 * changes) fail(seed, `${String(writes)} writes for ${String(changes)} changes`);

    // Every acknowledged notification was processed: nothing pending, leased or dead.
    const counts = await sim.store.inbox.countByStatus();
    if (counts.pending + counts.leased + counts.dead > 0) {
      const rows = await Promise.all(Array.from({ length: 600 }, (_, i) => sim.store.inbox.get(i + 1)));
      const errors = rows
        .filter((r) => r !== undefined && r.status !== 'done')
        .map((r) => `${r?.status ?? ''}:${r?.lastError ?? ''}:${String(r?.attempts)}`);
      fail(
        seed,
        `inbox not drained: ${JSON.stringify(counts)} ${[...new Set(errors)].slice(0, 10).join(',')}`,
      );
    }
    if (counts.done < sim.acknowledged.size)
      fail(
        seed,
        `${String(counts.done)} rows done for ${String(sim.acknowledged.size)} acknowledged notifications`,
      );
  } finally {
    await sim.store.close();
  }
}

describe('presence sync simulation (fake clock, seeded)', function () {
  this.timeout(120_000);
  let dir: string;

  beforeEach(function () {
    dir = mkdtempSync(path.join(tmpdir(), 'callbridge-presence-sim-'));
  });

  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  const fixed = process.env.PRESENCE_SIM_SEED;
  const seeds = fixed === undefined ? [1, 2, 3] : [Number(fixed)];
  for (const seed of seeds) {
    it(`converges without echo, loss or unbounded writes (seed ${String(seed)})`, async function () {
      await runSimulation(seed, 12, 600, dir);
    });
  }
});
