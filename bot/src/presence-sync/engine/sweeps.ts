import type { Logger } from '../../observability/logger.js';
import type { PresenceSyncState, Store } from '../../store/store.js';
import type { DaemonSpec } from '../../workers/daemon.js';
import { inboxItemFor } from '../inbox-events.js';
import type { EngineConfig } from './decide.js';
import { samePresence } from './mapping.js';
import { readMemory, type SyncMemory } from './memory.js';
import type { TeamsPresencePort } from './ports.js';
import type { TenantRateLimiter } from './rate-limit.js';

/**
 * Background daemons that find work and hand it to the inbox processor as `presence.recheck`
 * rows, so every round of a user still runs under that user's partition lease (no two rounds
 * of one user at once, across instances). Both are singletons: one instance sweeps.
 */

export interface SweepDeps {
  readonly store: Store;
  readonly config: EngineConfig;
  readonly now: () => number;
  readonly logger: Logger;
}

const PAGE = 650;

/** Asks the processor to look at a user again; the dedupe key makes repeats within a slot free. */
export async function requestRecheck(
  store: Store,
  userId: string,
  sides: readonly ('teams' | 'webex')[],
  reason: string,
  slot: string | number,
  now: number,
): Promise<boolean> {
  const item = inboxItemFor(
    { type: 'presence.recheck', userId, sides: [...sides], reason, receivedAt: now },
    `${reason}:${userId}:${String(slot)}`,
  );
  return (await store.inbox.enqueue(item)).inserted;
}

async function* enabledRows(store: Store): AsyncGenerator<PresenceSyncState[]> {
  let cursor: string | null = null;
  do {
    const page = await store.presence.listEnabled({ limit: PAGE, cursor });
    yield [...page.items];
    cursor = page.next;
  } while (cursor !== null);
}

/**
 * Keep-alive: Graph ends an app presence session at its expiration, so a session (and a Webex
 * status TTL) due within the lead time gets a round that re-posts it before it lapses.
 */
export function createKeepAliveDaemon(deps: SweepDeps & { readonly intervalMs?: number }): DaemonSpec & {
  sweep(signal?: AbortSignal): Promise<number>;
} {
  const sweep = async (signal?: AbortSignal): Promise<number> => {
    const now = deps.now();
    const lead = deps.config.keepAliveLeadMs + (deps.intervalMs ?? 60_000);
    let requested = 0;
    for await (const rows of enabledRows(deps.store)) {
      if (signal?.aborted === true) break;
      for (const row of rows) {
        const memory = readMemory(row.teamsState, row.webexState);
        const due = [memory.teams.session?.expiresAt, memory.webex.status?.expiresAt].filter(
          (t): t is number => t !== undefined && t > now && t - now <= lead,
        );
        const first = due.length === 0 ? undefined : Math.min(...due);
        // Re-reading the calls first means a hang-up whose webhook was lost ends the session here.
        if (
          first !== undefined &&
          (await requestRecheck(deps.store, row.userId, ['webex'], 'keepalive', first, now))
        )
          requested += 1;
      }
    }
    if (requested > 0) deps.logger.info({ requested }, 'presence keep-alive rounds requested');
    return requested;
  };
  return {
    name: 'presence-keepalive',
    intervalMs: deps.intervalMs ?? 60_000,
    singleton: true,
    async tick(signal) {
      await sweep(signal);
    },
    sweep,
  };
}

export interface ReconcileDeps extends SweepDeps {
  readonly teams: TeamsPresencePort;
  readonly limiter: TenantRateLimiter;
  readonly intervalMs?: number;
  /**
   * Which users get their Webex calls re-read each sweep: `all` catches a missed "call started"
   * too; `active` only users we believe are on a call, in a Webex meeting or hold a session for
   * (cheaper at scale, but a Webex meeting then reaches Teams only once a status port reports it).
   * Each such round also polls the user's Webex `Person.status` for meetings (one read per user).
   */
  readonly webexSweep?: 'all' | 'active';
}

export interface SweepReport {
  readonly users: number;
  /** getPresencesByUserId calls (≤ 650 ids each). */
  readonly presenceCalls: number;
  readonly drifted: number;
  readonly rechecks: number;
  /** True when the tenant budget ran out; the next tick carries on. */
  readonly incomplete: boolean;
  readonly durationMs: number;
}

/**
 * Reconciliation: reads every enrolled user's Teams presence in batches of 650 and compares it
 * with what the engine last saw; a difference (a lost notification, a silent subscription,
 * downtime) or a Webex side due for a re-read becomes a recheck round. Logs what the sweep cost.
 */
export function createReconcileDaemon(deps: ReconcileDeps): DaemonSpec & {
  sweep(signal?: AbortSignal): Promise<SweepReport>;
} {
  const log = deps.logger.child({ component: 'presence-reconcile' });
  const sweep = async (signal?: AbortSignal): Promise<SweepReport> => {
    const started = deps.now();
    let users = 0;
    let presenceCalls = 0;
    let drifted = 0;
    let rechecks = 0;
    let incomplete = false;
    outer: for await (const rows of enabledRows(deps.store)) {
      const byTenant = new Map<string, { row: PresenceSyncState; memory: SyncMemory; aad: string }[]>();
      for (const row of rows) {
        const memory = readMemory(row.teamsState, row.webexState);
        let tenant = memory.teams.tenant;
        let aad = memory.teams.aad;
        if (tenant === undefined || aad === undefined) {
          const user = await deps.store.users.get(row.userId);
          if (user === undefined) continue;
          tenant = user.tenantId;
          aad = user.aadObjectId;
        }
        const list = byTenant.get(tenant) ?? [];
        list.push({ row, memory, aad });
        byTenant.set(tenant, list);
      }
      for (const [tenantId, members] of byTenant) {
        if (signal?.aborted === true) break outer;
        const slot = deps.limiter.tryTake(tenantId);
        if (!slot.ok) {
          incomplete = true;
          break outer;
        }
        presenceCalls += 1;
        const read = await deps.teams.readMany(
          tenantId,
          members.map((m) => m.aad),
        );
        if (!read.ok) {
          if (read.error.retryAfterMs !== undefined) deps.limiter.block(tenantId, read.error.retryAfterMs);
          incomplete = true;
          log.warn({ tenantId, code: read.error.code }, 'presence sweep read failed; carrying on next sweep');
          break outer;
        }
        const now = deps.now();
        for (const { row, memory, aad } of members) {
          users += 1;
          const presence = read.value.get(aad);
          const teamsDrift =
            presence !== undefined &&
            (memory.teams.observed === undefined || !samePresence(memory.teams.observed, presence));
          const webexDue =
            deps.webexSweep === 'active'
              ? memory.teams.session !== undefined ||
                memory.webex.listed.length > 0 ||
                memory.webex.meeting?.inMeeting === true ||
                Object.keys(memory.webex.calls).length > 0
              : true;
          if (teamsDrift) drifted += 1;
          const sides = [
            ...(teamsDrift ? (['teams'] as const) : []),
            ...(webexDue ? (['webex'] as const) : []),
          ];
          if (sides.length === 0) continue;
          if (await requestRecheck(deps.store, row.userId, sides, 'reconcile', started, now)) rechecks += 1;
        }
      }
    }
    const report: SweepReport = {
      users,
      presenceCalls,
      drifted,
      rechecks,
      incomplete,
      durationMs: deps.now() - started,
    };
    log.info(report, 'presence reconciliation sweep');
    return report;
  };
  return {
    name: 'presence-reconcile',
    intervalMs: deps.intervalMs ?? 15 * 60_000,
    singleton: true,
    async tick(signal) {
      await sweep(signal);
    },
    sweep,
  };
}
