import { serializeError } from '../../observability/logger.js';
import type { Result } from '../../shared/result.js';
import type { InboxItem } from '../../store/store.js';
import type { DaemonSpec } from '../../workers/daemon.js';
import { parseInboxEvent, type GraphLifecycleEvent, type InboxEvent } from '../inbox-events.js';
import type { CallEvent } from './decide.js';
import { syncUser, type SyncDeps, type SyncOutcome } from './sync-user.js';

/**
 * The inbox processor: claims stored notifications under a lease, coalesces them per user (one
 * read of each side per user per batch: only the latest state matters), runs one sync round per
 * user, and completes the rows. A row is completed only after its round saved its outcome, so
 * a crash leaves it to be reclaimed and processed again; rounds are idempotent.
 */

export type LifecycleHandler = (
  event: GraphLifecycleEvent,
) => Promise<Result<void, { readonly retryAfterMs?: number; readonly code: string }>>;

export interface ProcessorDeps extends SyncDeps {
  /** Unique per instance and worker: fences complete/fail. */
  readonly owner: string;
  readonly handleLifecycle?: LifecycleHandler;
  readonly batchSize?: number;
  readonly leaseMs?: number;
  /** Users synced at once within a batch. */
  readonly concurrency?: number;
  readonly intervalMs?: number;
  /** Batches per tick at most, so a backlog cannot hold a tick forever. */
  readonly maxBatchesPerTick?: number;
  /**
   * How long done rows are kept: their dedupe keys refuse redeliveries meanwhile. Graph retries
   * for up to 4 hours (platform facts A8), so the default is 6 hours.
   */
  readonly retainDoneMs?: number;
}

export interface InboxProcessor extends DaemonSpec {
  /** One batch; resolves how many rows it claimed (0: nothing due). */
  processBatch(signal?: AbortSignal): Promise<number>;
}

/** Deferrals (damping, throttling) are not failures: they may repeat without the row going dead. */
const DEFERRAL_MAX_ATTEMPTS = 1_000;
const PRUNE_EVERY_MS = 10 * 60_000;

export function createInboxProcessor(deps: ProcessorDeps): InboxProcessor {
  const batchSize = deps.batchSize ?? 200;
  const leaseMs = deps.leaseMs ?? 60_000;
  const concurrency = deps.concurrency ?? 8;
  const log = deps.logger.child({ component: 'presence-processor' });

  const processBatch = async (signal?: AbortSignal): Promise<number> => {
    await deps.store.inbox.reclaimExpired();
    const rows = await deps.store.inbox.claim({ owner: deps.owner, limit: batchSize, leaseMs });
    if (rows.length === 0) return 0;
    const users = new Map<string, { row: InboxItem; event: InboxEvent }[]>();
    const lifecycle: { row: InboxItem; event: GraphLifecycleEvent }[] = [];
    for (const row of rows) {
      const event = parseInboxEvent(row.payload);
      if (event === undefined) {
        log.warn({ inboxId: row.id }, 'unreadable inbox payload: marked dead');
        await deps.store.inbox.fail(row.id, deps.owner, { error: 'unreadable_payload', maxAttempts: 1 });
      } else if (event.type === 'graph.lifecycle') {
        lifecycle.push({ row, event });
      } else {
        const list = users.get(row.partitionKey) ?? [];
        list.push({ row, event });
        users.set(row.partitionKey, list);
      }
    }
    for (const { row, event } of lifecycle) await runLifecycle(row, event);
    const queue = [...users.values()];
    const worker = async (): Promise<void> => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        if (signal?.aborted === true) return;
        await runUser(next);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
    return rows.length;
  };

  const runLifecycle = async (row: InboxItem, event: GraphLifecycleEvent): Promise<void> => {
    if (deps.handleLifecycle === undefined) {
      await deps.store.inbox.fail(row.id, deps.owner, {
        error: 'no_lifecycle_handler',
        retryAfterMs: 60_000,
      });
      return;
    }
    try {
      const handled = await deps.handleLifecycle(event);
      if (handled.ok) await deps.store.inbox.complete(row.id, deps.owner);
      else
        await deps.store.inbox.fail(row.id, deps.owner, {
          error: handled.error.code,
          ...(handled.error.retryAfterMs === undefined ? {} : { retryAfterMs: handled.error.retryAfterMs }),
        });
    } catch (error) {
      log.error({ err: serializeError(error), inboxId: row.id }, 'lifecycle handler threw');
      await deps.store.inbox.fail(row.id, deps.owner, { error: 'lifecycle_failed' });
    }
  };

  const runUser = async (items: readonly { row: InboxItem; event: InboxEvent }[]): Promise<void> => {
    const first = items[0];
    if (first === undefined) return;
    const userId = first.row.partitionKey;
    let outcome: SyncOutcome;
    try {
      outcome = await syncUser(deps, userId, {
        ...requestFor(items.map((i) => i.event)),
        receivedAt: Math.min(...items.map((i) => i.row.receivedAt)),
      });
    } catch (error) {
      log.error({ err: serializeError(error), userId }, 'presence sync round failed');
      for (const { row } of items) await deps.store.inbox.fail(row.id, deps.owner, { error: 'sync_failed' });
      return;
    }
    if (outcome.kind === 'done') {
      for (const { row } of items) await deps.store.inbox.complete(row.id, deps.owner);
      return;
    }
    // The retry round reads only what its rows ask for, so the newest row of each kind stays (a
    // call event folded into a presence row would be acknowledged yet never acted on).
    const newest = new Map<string, InboxItem>();
    for (const { row, event } of items) newest.set(foldKey(event), row);
    const kept = new Set(newest.values());
    for (const { row } of items) if (!kept.has(row)) await deps.store.inbox.complete(row.id, deps.owner);
    const deferral =
      outcome.code === 'damped' ||
      outcome.code === 'tenant_rate_limited' ||
      outcome.code.startsWith('throttled');
    for (const row of kept)
      await deps.store.inbox.fail(row.id, deps.owner, {
        error: outcome.code,
        ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }),
        ...(deferral ? { maxAttempts: DEFERRAL_MAX_ATTEMPTS } : {}),
      });
  };

  const maxBatches = deps.maxBatchesPerTick ?? 50;
  const retainDoneMs = deps.retainDoneMs ?? 6 * 60 * 60_000;
  let prunedAt = 0;
  const prune = async (): Promise<void> => {
    const at = deps.now();
    if (at - prunedAt < PRUNE_EVERY_MS) return;
    prunedAt = at;
    const removed = await deps.store.inbox.prune(at - retainDoneMs);
    if (removed > 0) log.info({ removed }, 'pruned processed inbox rows');
  };
  return {
    name: 'presence-inbox',
    intervalMs: deps.intervalMs ?? 500,
    // Partition leases already keep a user on one worker; every instance may process.
    singleton: false,
    async tick(signal) {
      await prune();
      for (let i = 0; i < maxBatches && !signal.aborted; i += 1) {
        if ((await processBatch(signal)) === 0) return;
      }
    },
    processBatch,
  };
}

/** What one user's batch asks for: which sides to read, and the call events in it. */
/** Rows with the same key ask the retry round for the same reads and call facts. */
function foldKey(event: InboxEvent): string {
  switch (event.type) {
    case 'webex.call':
      return `webex.call:${event.callId}`;
    case 'presence.recheck':
      return `presence.recheck:${[...event.sides].sort().join(',')}`;
    case 'graph.presence':
    case 'graph.lifecycle':
      return event.type;
  }
}

export function requestFor(events: readonly InboxEvent[]): {
  readTeams: boolean;
  readWebex: boolean;
  readStatus: boolean;
  callEvents: CallEvent[];
} {
  let readTeams = false;
  let readWebex = false;
  // Only sweeps and enrolment ask for rechecks: webhook rounds do not poll the status.
  let readStatus = false;
  const callEvents: CallEvent[] = [];
  for (const event of events) {
    switch (event.type) {
      case 'graph.presence':
        readTeams = true;
        break;
      case 'webex.call':
        readWebex = true;
        callEvents.push({ callId: event.callId, state: callStateOf(event), ts: event.eventTimestamp });
        break;
      case 'presence.recheck':
        readTeams ||= event.sides.includes('teams');
        readWebex ||= event.sides.includes('webex');
        readStatus ||= event.sides.includes('webex');
        break;
      case 'graph.lifecycle':
        break;
    }
  }
  return { readTeams, readWebex, readStatus, callEvents };
}

const STATE_BY_EVENT: Readonly<Record<string, string>> = {
  received: 'alerting',
  originated: 'connecting',
  answered: 'connected',
  resumed: 'connected',
  held: 'held',
  remoteHeld: 'remoteHeld',
  disconnected: 'disconnected',
};

function callStateOf(event: Extract<InboxEvent, { type: 'webex.call' }>): string {
  if (event.event === 'deleted' || event.eventType === 'disconnected') return 'disconnected';
  return event.state ?? STATE_BY_EVENT[event.eventType] ?? 'unknown';
}
