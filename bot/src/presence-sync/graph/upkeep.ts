import type { Logger } from '../../observability/logger.js';
import { err, ok, type Result } from '../../shared/result.js';
import {
  GRAPH_SUBSCRIPTION_MAX_MEMBERS,
  type GraphSubscription,
  type Page,
  type PageRequest,
  type Store,
  type WatchableUser,
} from '../../store/store.js';
import { newClientState } from './client-state.js';
import { planUpkeep, type UpkeepAction } from './planner.js';
import { presenceResource } from './resource.js';
import type { SubscriptionApi, SubscriptionApiError } from './subscriptions-api.js';

/**
 * One upkeep pass: read who must be watched and what is subscribed, plan (./planner.ts), and carry
 * the plan out against Graph, recording every subscription in the store.
 *
 * - Replacements are make-before-break: the new subscription is created with a spare owner (an
 *   enrolled, signed-in user who owns none) before the old one is deleted, so no change goes
 *   unnoticed. With no spare owner the old one is deleted first and its owner makes the new one
 *   (Graph allows one presence subscription per user per app).
 * - An owner whose token dies is remembered as unusable for a while, so the plan moves their
 *   subscription to another owner; the old subscription is deleted if the owner's token still
 *   works, and otherwise simply expires at Graph (nothing else may delete it).
 * - Renewal happens well before expiry, and also before the token that last authorised the
 *   subscription expires (Graph pauses delivery after that), once a newer token is available.
 * - A 429 (or Entra unavailable) stops the pass and pauses upkeep for the Retry-After.
 */

export interface UpkeepDeps {
  readonly store: Pick<Store, 'graphSubscriptions'>;
  readonly api: SubscriptionApi;
  readonly logger: Logger;
  readonly now: () => number;
  readonly notificationUrl: string;
  readonly lifecycleNotificationUrl: string;
  readonly maxMembers?: number;
  /** Requested lifetime (Graph's presence maximum is 60 minutes). */
  readonly lifetimeMs?: number;
  /** Renew when less than this is left before expiry. */
  readonly renewBeforeMs?: number;
  /** Renew when less than this is left of the authorising token (under the token service's 5-minute refresh margin). */
  readonly reauthorizeBeforeMs?: number;
  /** How long an owner that failed stays out of the candidates. */
  readonly ownerQuarantineMs?: number;
}

export interface UpkeepReport {
  readonly watched: number;
  readonly subscriptions: number;
  readonly created: number;
  readonly replaced: number;
  readonly deleted: number;
  readonly renewed: number;
  readonly reauthorized: number;
  readonly failed: number;
  /** Set when Graph throttled and upkeep is paused until then (epoch ms). */
  readonly pausedUntil?: number;
  /** Set when the pass did not run because a pause from a 429 is still on. */
  readonly skipped?: 'throttled';
}

export interface Upkeep {
  run(signal?: AbortSignal): Promise<UpkeepReport>;
  /** Forgets an owner's quarantine (e.g. they signed in again). */
  ownerRecovered(userId: string): void;
}

export const DEFAULT_LIFETIME_MS = 55 * 60_000;
export const DEFAULT_RENEW_BEFORE_MS = 25 * 60_000;
export const DEFAULT_REAUTHORIZE_BEFORE_MS = 4 * 60_000;
const DEFAULT_OWNER_QUARANTINE_MS = 15 * 60_000;
const MAX_OWNER_ATTEMPTS = 3;
const PAGE = 1000;

type StepError = SubscriptionApiError | { readonly code: 'no_owner' };

class Throttled extends Error {
  constructor(readonly retryAfterMs: number) {
    super('graph throttled the subscription upkeep');
  }
}

export function createUpkeep(deps: UpkeepDeps): Upkeep {
  const log = deps.logger.child({ component: 'graph-subscription-upkeep' });
  const maxMembers = deps.maxMembers ?? GRAPH_SUBSCRIPTION_MAX_MEMBERS;
  const lifetimeMs = deps.lifetimeMs ?? DEFAULT_LIFETIME_MS;
  const renewBeforeMs = deps.renewBeforeMs ?? DEFAULT_RENEW_BEFORE_MS;
  const reauthorizeBeforeMs = deps.reauthorizeBeforeMs ?? DEFAULT_REAUTHORIZE_BEFORE_MS;
  const quarantineMs = deps.ownerQuarantineMs ?? DEFAULT_OWNER_QUARANTINE_MS;
  if (maxMembers > GRAPH_SUBSCRIPTION_MAX_MEMBERS)
    throw new RangeError('Graph allows at most 650 users per subscription');
  const repo = deps.store.graphSubscriptions;
  /** Subscription id → expiry of the token that last authorised it; unknown after a restart (renewed once then). */
  const authorizedUntil = new Map<string, number>();
  /** Owner user id → when they last failed. */
  const quarantined = new Map<string, number>();
  let pausedUntil = 0;

  function renewalDue(row: GraphSubscription): boolean {
    const now = deps.now();
    const authorized = authorizedUntil.get(row.id);
    return (
      row.expiresAt - now < renewBeforeMs ||
      authorized === undefined ||
      authorized - now < reauthorizeBeforeMs
    );
  }

  async function run(signal?: AbortSignal): Promise<UpkeepReport> {
    const now = deps.now();
    if (now < pausedUntil) {
      return { ...emptyCounts(), skipped: 'throttled', pausedUntil };
    }
    const watched = await readAll((page) => repo.listWatchable(page));
    const rows = await readAll((page) => repo.list(page));
    for (const [id, at] of quarantined) if (now - at >= quarantineMs) quarantined.delete(id);
    const status = new Map(watched.map((w) => [w.userId, w.status]));
    const ownerUsable = (userId: string): boolean =>
      status.get(userId) === 'active' && !quarantined.has(userId);
    const plan = planUpkeep({ watched, rows, maxMembers, ownerUsable, renewalDue });

    const counts = { ...emptyCounts(), watched: watched.length };
    // Owners in use: a user owns at most one subscription of ours at a time.
    const owners = new Set(rows.map((r) => r.ownerUserId));
    const pass = new Pass(watched, rows, owners, ownerUsable);
    try {
      for (const action of order(plan)) {
        if (signal?.aborted === true) break;
        const outcome = await pass.execute(action);
        if (outcome.ok) counts[countKey(action)] += 1;
        else counts.failed += 1;
      }
    } catch (error) {
      if (!(error instanceof Throttled)) throw error;
      pausedUntil = deps.now() + error.retryAfterMs;
      log.warn({ retryAfterMs: error.retryAfterMs }, 'graph throttled subscription upkeep; pausing');
    }
    for (const id of authorizedUntil.keys()) if (!pass.liveIds.has(id)) authorizedUntil.delete(id);
    const report: UpkeepReport = {
      ...counts,
      subscriptions: pass.liveIds.size,
      ...(pausedUntil > deps.now() ? { pausedUntil } : {}),
    };
    const changed =
      report.created +
      report.replaced +
      report.deleted +
      report.renewed +
      report.reauthorized +
      report.failed;
    if (changed > 0) log.info(report, 'graph subscription upkeep pass');
    else log.debug(report, 'graph subscription upkeep pass: nothing to do');
    return report;
  }

  /** The state of one pass: who owns what, and the subscription ids that exist after each step. */
  class Pass {
    readonly liveIds: Set<string>;
    private readonly byUserId: ReadonlyMap<string, WatchableUser>;

    constructor(
      private readonly watched: readonly WatchableUser[],
      rows: readonly GraphSubscription[],
      private readonly owners: Set<string>,
      private readonly ownerUsable: (userId: string) => boolean,
    ) {
      this.liveIds = new Set(rows.map((r) => r.id));
      this.byUserId = new Map(watched.map((w) => [w.userId, w]));
    }

    async execute(action: UpkeepAction): Promise<Result<void, StepError>> {
      switch (action.kind) {
        case 'create':
          return this.track(await this.create(action.tenantId, action.members, undefined));
        case 'replace':
          return this.replace(action.row, action.members, action.reason);
        case 'delete':
          return this.remove(action.row);
        case 'renew':
          return this.renew(action.row);
        case 'reauthorize':
          return this.reauthorize(action.row);
      }
    }

    private track(result: Result<GraphSubscription, StepError>): Result<void, StepError> {
      return result.ok ? ok(undefined) : result;
    }

    /** Creates a subscription for `members`, owned by `preferred` if usable, else by a spare owner. */
    private async create(
      tenantId: string,
      members: readonly WatchableUser[],
      preferred: string | undefined,
    ): Promise<Result<GraphSubscription, StepError>> {
      const tried = new Set<string>();
      for (let attempt = 0; attempt < MAX_OWNER_ATTEMPTS; attempt += 1) {
        const owner = this.pickOwner(tenantId, preferred, tried);
        if (owner === undefined) {
          log.warn(
            { tenantId, members: members.length },
            'no signed-in enrolled user can own a presence subscription',
          );
          return err({ code: 'no_owner' });
        }
        tried.add(owner);
        const made = await this.createWith(owner, tenantId, members);
        if (made.ok) return made;
        if (made.error.code !== 'owner_unusable') return made;
        this.quarantine(owner, made.error.detail);
      }
      return err({ code: 'no_owner' });
    }

    private async createWith(
      owner: string,
      tenantId: string,
      members: readonly WatchableUser[],
    ): Promise<Result<GraphSubscription, SubscriptionApiError>> {
      const clientState = newClientState();
      const resource = presenceResource(members.map((m) => m.aadObjectId));
      const input = {
        resource,
        notificationUrl: deps.notificationUrl,
        lifecycleNotificationUrl: deps.lifecycleNotificationUrl,
        clientState: clientState.value,
        expiresAt: deps.now() + lifetimeMs,
      };
      let created = await deps.api.create(owner, input);
      if (!created.ok && created.error.code === 'conflict') {
        // The owner already has one: left over from a crash between Graph's answer and our write.
        await this.deleteStray(owner);
        created = await deps.api.create(owner, input);
      }
      if (!created.ok) return throwIfThrottled(created);
      let recorded: Awaited<ReturnType<typeof repo.create>>;
      try {
        recorded = await repo.create({
          id: created.value.id,
          tenantId,
          ownerUserId: owner,
          resource: resourceSummary(members.length),
          memberUserIds: members.map((m) => m.userId),
          clientStateHash: clientState.hash,
          expiresAt: created.value.expiresAt,
        });
      } catch (error) {
        // Nothing unrecorded may stay subscribed at Graph.
        await deps.api.delete(owner, created.value.id);
        throw error;
      }
      if (!recorded.ok) {
        // The owner was deleted meanwhile: undo at Graph so nothing unrecorded stays subscribed.
        await deps.api.delete(owner, created.value.id);
        return err({ code: 'owner_unusable', detail: recorded.error.code });
      }
      this.owners.add(owner);
      this.liveIds.add(created.value.id);
      authorizedUntil.set(created.value.id, created.value.authorizedUntil);
      log.info(
        { subscriptionId: created.value.id, ownerUserId: owner, members: members.length },
        'presence subscription created',
      );
      return ok(recorded.value);
    }

    private async deleteStray(owner: string): Promise<void> {
      const own = await deps.api.listOwn(owner);
      if (!own.ok) return void throwIfThrottled(own);
      for (const remote of own.value) {
        if (!/communications\/presences/i.test(remote.resource) || (await repo.get(remote.id)) !== undefined)
          continue;
        log.warn(
          { subscriptionId: remote.id, ownerUserId: owner },
          'deleting an unrecorded presence subscription',
        );
        throwIfThrottled(await deps.api.delete(owner, remote.id));
      }
    }

    private async replace(
      row: GraphSubscription,
      members: readonly WatchableUser[],
      reason: 'members' | 'owner' | 'removed',
    ): Promise<Result<void, StepError>> {
      if (members.length === 0) return this.remove(row);
      const ownerOk = this.ownerUsable(row.ownerUserId);
      if (reason === 'removed') {
        // Graph already dropped it, which frees its owner's one subscription.
        await this.forget(row);
        return this.track(await this.create(row.tenantId, members, ownerOk ? row.ownerUserId : undefined));
      }
      if (ownerOk) {
        const spare = this.pickOwner(row.tenantId, undefined, new Set([row.ownerUserId]));
        if (spare === undefined) {
          // Break before make: the owner's one subscription must go before they can make another.
          const removed = await this.remove(row);
          if (!removed.ok) return removed;
          return this.track(await this.create(row.tenantId, members, row.ownerUserId));
        }
      }
      const made = await this.create(row.tenantId, members, undefined);
      if (!made.ok) return made;
      log.info(
        {
          from: row.id,
          to: made.value.id,
          reason,
          fromOwner: row.ownerUserId,
          toOwner: made.value.ownerUserId,
        },
        'presence subscription replaced',
      );
      return this.remove(row);
    }

    /** Deletes at Graph (unless the owner's sign-in is known dead: then it just expires) and then the row. */
    private async remove(row: GraphSubscription): Promise<Result<void, StepError>> {
      // An owner who turned sync off can still delete; only a known-dead sign-in is not tried.
      if (row.status !== 'removed' && !quarantined.has(row.ownerUserId)) {
        const deleted = await deps.api.delete(row.ownerUserId, row.id);
        if (!deleted.ok) {
          throwIfThrottled(deleted);
          if (deleted.error.code === 'owner_unusable') {
            this.quarantine(row.ownerUserId, deleted.error.detail);
          } else {
            return deleted;
          }
        }
      }
      await this.forget(row);
      return ok(undefined);
    }

    private async forget(row: GraphSubscription): Promise<void> {
      await repo.delete(row.id);
      this.liveIds.delete(row.id);
      authorizedUntil.delete(row.id);
      this.owners.delete(row.ownerUserId);
    }

    private async renew(row: GraphSubscription): Promise<Result<void, StepError>> {
      const renewed = await deps.api.renew(row.ownerUserId, row.id, deps.now() + lifetimeMs);
      if (!renewed.ok) return this.afterFailure(row, throwIfThrottled(renewed));
      authorizedUntil.set(row.id, renewed.value.authorizedUntil);
      await updateRow(row, { expiresAt: renewed.value.expiresAt, status: 'active' });
      return ok(undefined);
    }

    private async reauthorize(row: GraphSubscription): Promise<Result<void, StepError>> {
      const done = await deps.api.reauthorize(row.ownerUserId, row.id);
      if (!done.ok) return this.afterFailure(row, throwIfThrottled(done));
      authorizedUntil.set(row.id, done.value.authorizedUntil);
      await updateRow(row, { status: 'active' });
      return ok(undefined);
    }

    /** A renewal or reauthorization failed: a gone subscription or owner means a replacement now. */
    private async afterFailure(
      row: GraphSubscription,
      failure: Result<unknown, SubscriptionApiError>,
    ): Promise<Result<void, StepError>> {
      if (failure.ok) return ok(undefined);
      const members = row.memberUserIds
        .map((id) => this.byUserId.get(id))
        .filter((w): w is WatchableUser => w !== undefined);
      if (failure.error.code === 'not_found') {
        return this.replace({ ...row, status: 'removed' }, members, 'removed');
      }
      if (failure.error.code === 'owner_unusable') {
        this.quarantine(row.ownerUserId, failure.error.detail);
        return this.replace(row, members, 'owner');
      }
      return failure;
    }

    private pickOwner(
      tenantId: string,
      preferred: string | undefined,
      exclude: ReadonlySet<string>,
    ): string | undefined {
      if (preferred !== undefined && !exclude.has(preferred) && this.ownerUsable(preferred)) return preferred;
      const spare = this.watched.find(
        (w) =>
          w.tenantId === tenantId &&
          !exclude.has(w.userId) &&
          !this.owners.has(w.userId) &&
          this.ownerUsable(w.userId),
      );
      return spare?.userId;
    }

    private quarantine(userId: string, detail: string): void {
      quarantined.set(userId, deps.now());
      log.warn(
        { ownerUserId: userId, detail },
        'subscription owner can no longer act; moving their subscription',
      );
    }
  }

  async function updateRow(
    row: GraphSubscription,
    patch: { expiresAt?: number; status: 'active' },
  ): Promise<void> {
    let current: GraphSubscription | undefined = row;
    for (let attempt = 0; attempt < 3 && current !== undefined; attempt += 1) {
      const updated = await repo.update(current.id, current.version, patch);
      if (updated.ok || updated.error.code === 'not_found') return;
      current = await repo.get(row.id);
    }
  }

  return {
    async run(signal) {
      return run(signal);
    },
    ownerRecovered(userId) {
      quarantined.delete(userId);
    },
  };
}

/**
 * What the row records as `resource`: the full filter (up to 650 ids, ~26 KB) is rebuilt from the
 * members whenever it is needed, so the row keeps a bounded summary.
 */
export function resourceSummary(members: number): string {
  return `/communications/presences?$filter=id in (${String(members)} ids)`;
}

/** Throttling ends the pass (caught in `run`); any other failure is handed back. */
function throwIfThrottled<T>(result: Result<T, SubscriptionApiError>): Result<T, SubscriptionApiError> {
  if (!result.ok && result.error.code === 'throttled') throw new Throttled(result.error.retryAfterMs);
  return result;
}

/** Replacements and creations first (they restore coverage), deletions of merged ones, renewals last. */
function order(actions: readonly UpkeepAction[]): UpkeepAction[] {
  const rank: Record<UpkeepAction['kind'], number> = {
    replace: 0,
    create: 1,
    delete: 2,
    reauthorize: 3,
    renew: 4,
  };
  return [...actions].sort((a, b) => rank[a.kind] - rank[b.kind]);
}

function countKey(action: UpkeepAction): 'created' | 'replaced' | 'deleted' | 'renewed' | 'reauthorized' {
  switch (action.kind) {
    case 'create':
      return 'created';
    case 'replace':
      return 'replaced';
    case 'delete':
      return 'deleted';
    case 'renew':
      return 'renewed';
    case 'reauthorize':
      return 'reauthorized';
  }
}

function emptyCounts(): {
  watched: number;
  subscriptions: number;
  created: number;
  replaced: number;
  deleted: number;
  renewed: number;
  reauthorized: number;
  failed: number;
} {
  return {
    watched: 0,
    subscriptions: 0,
    created: 0,
    replaced: 0,
    deleted: 0,
    renewed: 0,
    reauthorized: 0,
    failed: 0,
  };
}

async function readAll<T>(list: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await list({ limit: PAGE, cursor });
    all.push(...page.items);
    cursor = page.next;
  } while (cursor !== null);
  return all;
}
