import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../bot/src/observability/logger.js';
import { createPresenceEngine } from '../bot/src/presence-sync/engine/index.js';
import type { PresencePorts } from '../bot/src/presence-sync/engine/ports.js';
import { inboxItemFor } from '../bot/src/presence-sync/inbox-events.js';
import type { Store } from '../bot/src/store/store.js';
import {
  enrolUser,
  FakeWorld,
  openStoreIn,
  seededRandom,
  TENANT,
} from '../tests/bot/presence-sync/engine/fake-world.js';
import type { Benchmark } from './lib/bench.js';
import { measure, memorySnapshot, summarize, type LatencySummary } from './lib/measure.js';
import { formatBytes } from './lib/report.js';

/**
 * Presence sync, our part: from a notification stored in the inbox to the outbound write the
 * engine issues (Teams setPresence for a Webex call; Webex DND for a Teams meeting), with
 * Teams and Webex as instant in-memory fakes, so only the engine and the store are measured.
 * Then memory and sweep cost with 100,000 enrolled users.
 */

const USERS = 100_000;
const MAX_ENROL_SECONDS = 45;
const SAMPLES = 1_500;
/** Notifications stored before each processor batch: a steady trickle, not a flood. */
const PER_BATCH = 10;

interface Measured {
  readonly users: number;
  readonly enrolMs: number;
  readonly webexToTeams: LatencySummary;
  readonly teamsToWebex: LatencySummary;
  readonly heapBefore: number;
  readonly heapAfter: number;
  readonly rssBefore: number;
  readonly rssAfter: number;
  readonly reconcileMs: number;
  readonly presenceCalls: number;
  readonly keepAliveMs: number;
  readonly dir: string;
}

export const presencePropagation: Benchmark = {
  id: 'presence',
  async run(ctx) {
    const m = await measurePresence(ctx.tmpDir);
    const ms = (s: LatencySummary): Record<string, number> => ({ p50: s.p50, p99: s.p99, max: s.max });
    return {
      id: 'presence',
      title: `Presence sync, engine only: notification stored → outbound write, and ${m.users.toLocaleString('en-US')} enrolled users`,
      columns: [
        { key: 'p50', label: 'p50 ms', format: 'ms' },
        { key: 'p99', label: 'p99 ms', format: 'ms' },
        { key: 'max', label: 'max ms', format: 'ms' },
      ],
      rows: [
        { case: 'Webex call → Teams setPresence', values: ms(m.webexToTeams) },
        { case: 'Teams meeting → Webex DND', values: ms(m.teamsToWebex) },
        {
          case: `reconciliation sweep (${String(m.presenceCalls)} getPresencesByUserId calls)`,
          values: { p50: m.reconcileMs, p99: m.reconcileMs, max: m.reconcileMs },
        },
        { case: 'keep-alive sweep', values: { p50: m.keepAliveMs, p99: m.keepAliveMs, max: m.keepAliveMs } },
      ],
      notes: [
        `${String(SAMPLES)} samples per direction, ${String(PER_BATCH)} notifications per processor batch; SQLite in ${m.dir}`,
        `memory with ${m.users.toLocaleString('en-US')} enrolled users (presence rows with engine memory): JS heap ${formatBytes(m.heapBefore)} → ${formatBytes(m.heapAfter)}, RSS ${formatBytes(m.rssBefore)} → ${formatBytes(m.rssAfter)} across both sweeps; the heap includes this benchmark's fake Teams/Webex world for every user; the engine keeps no per-user state in memory (it lives in the presence rows); the reconciliation sweep also stores one Webex recheck row per user (webexSweep: all)`,
        `enrolling took ${(m.enrolMs / 1000).toFixed(1)} s${m.users < USERS ? ` (stopped at ${String(MAX_ENROL_SECONDS)} s)` : ''}; the Teams and Webex sides are in-memory fakes: upstream latency not included; in the service the processor polls the inbox every 500 ms when idle, which adds up to that wait before a batch starts`,
      ],
      raw: m,
    };
  },
};

async function measurePresence(tmpDir: string): Promise<Measured> {
  const dir = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : tmpDir, 'cb-bench-presence-'));
  const store = await openStoreIn(dir, Date.now);
  try {
    const world = new FakeWorld(() => Date.now(), seededRandom(7));
    const written = new Map<string, number>();
    const ports = timed(world, written);
    const engine = createPresenceEngine({
      store,
      ports,
      logger: createLogger({ level: 'silent' }),
      owner: 'bench',
      // The benchmark stores many notifications per second for few users; damping would hold them.
      config: { maxWritesPerMinute: 1_000_000 },
      tenantPresenceLimit: 1_000_000,
    });
    const enrol = await measure(() => enrolUsers(store, world));
    const users = enrol.value;

    const webexToTeams: number[] = [];
    const teamsToWebex: number[] = [];
    // Each sample is a different user, starting from nothing: one call connects, one meeting starts.
    const ids = [...world.users.keys()];
    for (let done = 0; done < SAMPLES * 2; done += PER_BATCH) {
      const stored = new Map<string, { at: number; samples: number[] }>();
      for (let i = 0; i < PER_BATCH; i += 1) {
        const n = done + i;
        const userId = ids[n % ids.length] ?? '';
        const user = world.users.get(userId);
        if (user === undefined) continue;
        const webex = n % 2 === 0;
        if (webex) world.setCall(userId, `call-${String(n)}`, 'connected');
        else world.setTeamsClient(userId, { availability: 'Busy', activity: 'InAMeeting' });
        const item = webex
          ? inboxItemFor(
              {
                type: 'webex.call',
                userId,
                webhookId: 'wh',
                event: 'updated',
                callId: `call-${String(n)}`,
                eventType: 'answered',
                state: 'connected',
                eventTimestamp: Date.now(),
                receivedAt: Date.now(),
              },
              `bench-${String(n)}`,
            )
          : inboxItemFor(
              {
                type: 'graph.presence',
                tenantId: TENANT,
                userId,
                aadObjectId: user.aad,
                subscriptionId: 'sub',
                receivedAt: Date.now(),
              },
              `bench-${String(n)}`,
            );
        await store.inbox.enqueue(item);
        stored.set(userId, { at: performance.now(), samples: webex ? webexToTeams : teamsToWebex });
      }
      written.clear();
      await engine.processor.processBatch();
      for (const [userId, { at, samples }] of stored) {
        const wrote = written.get(userId);
        if (wrote !== undefined) samples.push(wrote - at);
      }
    }

    globalThis.gc?.();
    const before = memorySnapshot();
    const reconcile = await measure(() => engine.reconcile.sweep());
    const keepAlive = await measure(() => engine.keepAlive.sweep());
    const after = memorySnapshot();
    return {
      users,
      enrolMs: enrol.ms,
      webexToTeams: summarize(webexToTeams),
      teamsToWebex: summarize(teamsToWebex),
      heapBefore: before.heapUsed,
      heapAfter: after.heapUsed,
      rssBefore: before.rss,
      rssAfter: after.rss,
      reconcileMs: reconcile.ms,
      presenceCalls: reconcile.value.presenceCalls,
      keepAliveMs: keepAlive.ms,
      dir,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Enrols users with a presence row each, until done or out of time; resolves how many. */
async function enrolUsers(store: Store, world: FakeWorld): Promise<number> {
  const deadline = performance.now() + MAX_ENROL_SECONDS * 1000;
  let count = 0;
  for (; count < USERS && performance.now() < deadline; count += 1) {
    const aad = `00000000-0000-4000-a000-${count.toString(16).padStart(12, '0')}`;
    await enrolUser(store, world, aad, 'always', {
      aad,
      tenant: TENANT,
      observed: { availability: 'Available', activity: 'Available', at: 0 },
    });
  }
  return count;
}

/** The fake ports, noting when each user's first outbound write of a batch went out. */
function timed(world: FakeWorld, written: Map<string, number>): PresencePorts {
  const ports = world.ports;
  const mark = (userId: string): void => {
    if (!written.has(userId)) written.set(userId, performance.now());
  };
  return {
    ...ports,
    teams: {
      ...ports.teams,
      setSession: (ref, state, ms) => {
        mark(userOf(ref.aadObjectId));
        return ports.teams.setSession(ref, state, ms);
      },
      clearSession: (ref) => {
        mark(userOf(ref.aadObjectId));
        return ports.teams.clearSession(ref);
      },
    },
    webexDnd: {
      ...ports.webexDnd,
      set: (userId, enabled) => {
        mark(userId);
        return ports.webexDnd.set(userId, enabled);
      },
    },
  };
  function userOf(aad: string): string {
    return world.userIdByAad(aad) ?? aad;
  }
}
