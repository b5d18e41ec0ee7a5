import type { GraphTokenService } from '../../auth/obo/graph-token-service.js';
import type { Route } from '../../http/route.js';
import { postGraphLifecycle } from '../../http/routes/postGraphLifecycle.js';
import { postGraphNotifications } from '../../http/routes/postGraphNotifications.js';
import type { HttpPolicy } from '../../integrations/http-policy.js';
import type { Logger } from '../../observability/logger.js';
import { serializeError } from '../../observability/logger.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { GraphSubscription, GraphSubscriptionStatus, Store } from '../../store/store.js';
import type { DaemonSpec } from '../../workers/daemon.js';
import type { GraphLifecycleEvent } from '../inbox-events.js';
import { createNotificationReceiver, type GraphNotificationIntake } from './notifications.js';
import { createSubscriptionApi, type SubscriptionApi } from './subscriptions-api.js';
import { createUpkeep, type UpkeepReport } from './upkeep.js';

/**
 * Teams → CallBridge: Graph presence subscriptions for every user with presence sync on.
 *
 * - `routes`: `POST /api/notifications/graph` and `/api/notifications/graph/lifecycle`, which
 *   validate and store notifications in the inbox (./notifications.ts).
 * - `daemon`: the singleton upkeep (./upkeep.ts, ./planner.ts): ⌈N/650⌉ subscriptions owned by
 *   enrolled users' delegated tokens, renewed before expiry, moved off owners whose sign-in died,
 *   merged when users leave.
 * - `handleLifecycle`: what the inbox processor calls for a stored `graph.lifecycle` event.
 * - `watch` / `unwatch`: enrolment hooks; they schedule an upkeep pass soon (coalescing bursts,
 *   e.g. an admin enabling a whole group) rather than touching Graph per user.
 */

export interface GraphPresenceSubscriptions {
  readonly routes: readonly Route[];
  readonly daemon: DaemonSpec;
  /** Called by the processor for a stored `graph.lifecycle` event. */
  handleLifecycle(event: GraphLifecycleEvent): Promise<Result<void, { retryAfterMs?: number; code: string }>>;
  watch(userId: string): Promise<void>;
  unwatch(userId: string): Promise<void>;
  /** Runs one upkeep pass now, under the daemon's singleton lock (`undefined` when another holds it). */
  upkeepNow(signal?: AbortSignal): Promise<UpkeepReport | undefined>;
  /** Cancels a scheduled pass; call on shutdown. */
  close(): void;
}

export interface GraphPresenceSubscriptionsDeps {
  readonly store: Pick<Store, 'graphSubscriptions' | 'users' | 'guard'>;
  /** The notification intake (`createNotificationIntake`). */
  readonly intake: GraphNotificationIntake;
  readonly graphTokens: Pick<GraphTokenService, 'getAccessToken'>;
  /** `config.graph.baseUrl` (HTTPS). */
  readonly graphBaseUrl: string;
  /** The shared Graph HTTP policy (retries, Retry-After). */
  readonly graphPolicy?: HttpPolicy;
  readonly fetch?: typeof fetch;
  /** This service's public HTTPS origin, which Graph posts notifications to. */
  readonly publicBaseUrl: string;
  readonly logger: Logger;
  /**
   * Graph says it missed notifications for a subscription: reconcile these users (internal ids).
   * A rejection is logged and the lifecycle event retried.
   */
  readonly onMissed: (userIds: readonly string[]) => Promise<void>;
  readonly now?: () => number;
  /** Upkeep daemon interval (default 60 s; must stay well under the 4-minute reauthorization margin). */
  readonly intervalMs?: number;
  /** Delay before the pass a `watch`/`unwatch` asks for (default 2 s; `null`: leave it to the daemon). */
  readonly kickDelayMs?: number | null;
  /** See ./notifications.ts (default 500 ms). */
  readonly coalesceWindowMs?: number;
  /** Users per subscription (default and maximum 650). */
  readonly maxMembers?: number;
  /** Injected Graph subscription calls (tests); built from the deps above otherwise. */
  readonly api?: SubscriptionApi;
}

export const GRAPH_NOTIFICATIONS_PATH = '/api/notifications/graph';
export const GRAPH_LIFECYCLE_PATH = '/api/notifications/graph/lifecycle';
export const GRAPH_UPKEEP_DAEMON = 'graph-presence-subscriptions';
const DEFAULT_INTERVAL_MS = 60_000;
const DEFAULT_KICK_DELAY_MS = 2_000;
/** How soon the processor should retry a lifecycle event when the upkeep lock was busy. */
const BUSY_RETRY_MS = 2_000;

export function createGraphPresenceSubscriptions(
  deps: GraphPresenceSubscriptionsDeps,
): GraphPresenceSubscriptions {
  const log = deps.logger.child({ component: 'graph-presence-subscriptions' });
  const now = deps.now ?? Date.now;
  const base = deps.publicBaseUrl.replace(/\/+$/, '');
  const api =
    deps.api ??
    createSubscriptionApi({
      graphTokens: deps.graphTokens,
      baseUrl: deps.graphBaseUrl,
      logger: deps.logger,
      ...(deps.graphPolicy === undefined ? {} : { policy: deps.graphPolicy }),
      ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
    });
  const upkeep = createUpkeep({
    store: deps.store,
    api,
    logger: deps.logger,
    now,
    notificationUrl: `${base}${GRAPH_NOTIFICATIONS_PATH}`,
    lifecycleNotificationUrl: `${base}${GRAPH_LIFECYCLE_PATH}`,
    ...(deps.maxMembers === undefined ? {} : { maxMembers: deps.maxMembers }),
  });
  const receiver = createNotificationReceiver({
    store: deps.store,
    intake: deps.intake,
    logger: deps.logger,
    now,
    ...(deps.coalesceWindowMs === undefined ? {} : { coalesceWindowMs: deps.coalesceWindowMs }),
  });
  const lockName = `daemon:${GRAPH_UPKEEP_DAEMON}`;
  const kickDelayMs = deps.kickDelayMs === undefined ? DEFAULT_KICK_DELAY_MS : deps.kickDelayMs;
  let kick: NodeJS.Timeout | undefined;
  let closed = false;

  async function upkeepNow(signal?: AbortSignal): Promise<UpkeepReport | undefined> {
    const outcome = await deps.store.guard.runExclusive(lockName, () => upkeep.run(signal));
    return outcome.ran ? outcome.value : undefined;
  }

  function scheduleKick(): void {
    if (closed || kickDelayMs === null || kick !== undefined) return;
    kick = setTimeout(() => {
      kick = undefined;
      upkeepNow().catch((error: unknown) => {
        log.error(
          { err: serializeError(error) },
          'upkeep pass after an enrolment change failed; the daemon retries',
        );
      });
    }, kickDelayMs);
    kick.unref();
  }

  /** Flags the row (compare-and-swap, re-read on conflict) so the upkeep plan acts on it. */
  async function mark(id: string, status: GraphSubscriptionStatus): Promise<GraphSubscription | undefined> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const row = await deps.store.graphSubscriptions.get(id);
      if (row === undefined || row.status === status || row.status === 'removed') return row;
      const updated = await deps.store.graphSubscriptions.update(id, row.version, { status });
      if (updated.ok || updated.error.code === 'not_found') return updated.ok ? updated.value : undefined;
    }
    return deps.store.graphSubscriptions.get(id);
  }

  async function handleLifecycle(
    event: GraphLifecycleEvent,
  ): Promise<Result<void, { retryAfterMs?: number; code: string }>> {
    const row = await deps.store.graphSubscriptions.get(event.subscriptionId);
    if (row === undefined) {
      log.debug(
        { subscriptionId: event.subscriptionId, lifecycleEvent: event.lifecycleEvent },
        'lifecycle event for a subscription we no longer have',
      );
      return ok(undefined);
    }
    if (event.lifecycleEvent === 'missed') {
      try {
        await deps.onMissed(row.memberUserIds);
      } catch (error) {
        log.error(
          { err: serializeError(error), subscriptionId: row.id },
          'reconciliation request for missed notifications failed',
        );
        return err({ code: 'reconcile_failed' });
      }
      log.info(
        { subscriptionId: row.id, users: row.memberUserIds.length },
        'graph missed notifications; reconciliation requested',
      );
      return ok(undefined);
    }
    await mark(
      row.id,
      event.lifecycleEvent === 'subscriptionRemoved' ? 'removed' : 'reauthorization_required',
    );
    const report = await upkeepNow();
    if (report === undefined) return err({ code: 'upkeep_busy', retryAfterMs: BUSY_RETRY_MS });
    if (report.pausedUntil !== undefined) {
      return err({ code: 'throttled', retryAfterMs: Math.max(0, report.pausedUntil - now()) });
    }
    log.info(
      { subscriptionId: row.id, lifecycleEvent: event.lifecycleEvent },
      'graph lifecycle event handled',
    );
    return ok(undefined);
  }

  return {
    routes: [postGraphNotifications(receiver), postGraphLifecycle(receiver)],
    daemon: {
      name: GRAPH_UPKEEP_DAEMON,
      intervalMs: deps.intervalMs ?? DEFAULT_INTERVAL_MS,
      singleton: true,
      tick: async (signal) => {
        await upkeep.run(signal);
      },
    },
    handleLifecycle,
    watch: (userId) => {
      upkeep.ownerRecovered(userId);
      scheduleKick();
      return Promise.resolve();
    },
    unwatch: () => {
      scheduleKick();
      return Promise.resolve();
    },
    upkeepNow,
    close: () => {
      closed = true;
      if (kick !== undefined) clearTimeout(kick);
      kick = undefined;
    },
  };
}

export type { GraphNotificationIntake } from './notifications.js';
export type { UpkeepReport } from './upkeep.js';
