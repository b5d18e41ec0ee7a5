import type { Logger } from '../../observability/logger.js';
import type { Result } from '../../shared/result.js';
import type { PresenceSyncState, Store } from '../../store/store.js';
import {
  afterTeamsClear,
  decide,
  recordWebexWrite,
  withTeamsSession,
  type CallEvent,
  type Decision,
  type EngineConfig,
} from './decide.js';
import { mapsMeetings, type TeamsPresence } from './mapping.js';
import { memoryJson, readMemory, type SyncMemory } from './memory.js';
import type { PresenceMetrics } from './metrics.js';
import type { PortError, PresencePorts, TeamsUserRef } from './ports.js';
import type { TenantRateLimiter } from './rate-limit.js';

/**
 * One round for one user: read what this round needs, decide, write, remember. The caller (the
 * inbox processor) holds the user's inbox partition, so rounds of one user never overlap; the
 * row's compare-and-swap only has to cope with enrolment changing `enabled`/`rule` meanwhile.
 */

export interface SyncDeps {
  readonly store: Store;
  readonly ports: PresencePorts;
  readonly config: EngineConfig;
  readonly limiter: TenantRateLimiter;
  readonly now: () => number;
  readonly logger: Logger;
  readonly metrics?: PresenceMetrics;
}

export interface SyncRequest {
  readonly readTeams: boolean;
  readonly readWebex: boolean;
  /**
   * Poll the user's Webex `Person.status` for meetings (recheck rounds the sweeps schedule; at most
   * one read per round, and only when the mapping maps meetings and no status port reports them).
   */
  readonly readStatus?: boolean;
  readonly callEvents: readonly CallEvent[];
  /** When the oldest notification of this round reached the service (propagation metric). */
  readonly receivedAt?: number;
}

export type SyncOutcome =
  | { readonly kind: 'done'; readonly decision?: Decision }
  /** Try again later: throttled, an upstream outage, or a write held back by damping. */
  | { readonly kind: 'retry'; readonly code: string; readonly retryAfterMs?: number };

const SAVE_ATTEMPTS = 4;

export async function syncUser(deps: SyncDeps, userId: string, request: SyncRequest): Promise<SyncOutcome> {
  const { store, ports, config, limiter, logger } = deps;
  let row = await store.presence.get(userId);
  if (row === undefined) return { kind: 'done' };
  let memory = readMemory(row.teamsState, row.webexState);
  if (!row.enabled && !holdsAnything(memory)) return { kind: 'done' };

  const user = await userRef(store, memory, userId);
  if (user === undefined) return { kind: 'done' };
  memory = { ...memory, teams: { ...memory.teams, aad: user.aadObjectId, tenant: user.tenantId } };

  const now = deps.now();
  const failures: PortError[] = [];
  let teams: TeamsPresence | undefined;
  let webex: { id: string; state: string }[] | undefined;
  let meeting: { inMeeting: boolean; presenting: boolean } | undefined;
  let personStatus: string | undefined;
  if (request.readTeams) {
    const slot = take(limiter, user.tenantId);
    if (slot !== undefined) return slot;
    const read = await ports.teams.read(user);
    if (read.ok) teams = read.value;
    else failures.push(throttleAware(limiter, user.tenantId, read.error));
  }
  if (request.readWebex && row.enabled) {
    const read = await ports.webexCalls.list(userId);
    if (read.ok) webex = [...read.value];
    else failures.push(read.error);
    if (ports.webexStatus?.meeting !== undefined) {
      const status = await ports.webexStatus.meeting(userId);
      if (status.ok) meeting = status.value;
      else failures.push(status.error);
    } else if (
      request.readStatus === true &&
      ports.webexPeople !== undefined &&
      mapsMeetings(config.mapping)
    ) {
      const status = await ports.webexPeople.status(userId);
      if (status.ok) personStatus = status.value;
      else failures.push(status.error);
    }
  }

  const decision = decide({
    now,
    config,
    rule: row.rule,
    enabled: row.enabled,
    memory,
    ...(teams === undefined ? {} : { teams }),
    ...(webex === undefined ? {} : { webex: { calls: webex } }),
    ...(meeting === undefined ? {} : { meeting }),
    ...(personStatus === undefined ? {} : { personStatus }),
    callEvents: request.callEvents,
    statusPort: ports.webexStatus !== undefined,
  });
  memory = decision.memory;
  if (decision.echoSuppressed) {
    deps.metrics?.echoSuppressed.inc();
    logger.debug({ userId }, 'Teams presence is our own session: not mirrored');
  }
  const wrote = (target: string, direction: 'webex_to_teams' | 'teams_to_webex' | undefined): void => {
    deps.metrics?.writes.inc({ target });
    if (direction !== undefined && request.receivedAt !== undefined)
      deps.metrics?.propagation.observe({ direction }, Math.max(0, deps.now() - request.receivedAt) / 1000);
  };

  const save = async (next: SyncMemory, outcome?: readonly PortError[]): Promise<void> => {
    row = await saveRow(store, row as PresenceSyncState, next, now, outcome);
  };

  // Write-ahead, just before each write: if the process dies mid-write, the next round still
  // knows what may be ours.
  if (decision.teams?.kind === 'set')
    await save({
      ...memory,
      teams: withTeamsSession(memory.teams, decision.teams.state, now, config, 'intended'),
    });

  if (decision.teams !== undefined) {
    const slot = take(limiter, user.tenantId);
    if (slot !== undefined)
      failures.push({ code: slot.code, transient: true, retryAfterMs: slot.retryAfterMs ?? 0 });
    else if (decision.teams.kind === 'set') {
      const set = await ports.teams.setSession(user, decision.teams.state, config.sessionMs);
      if (set.ok) {
        const keepAlive = decision.teams.reason === 'keep_alive';
        wrote(keepAlive ? 'teams.keepalive' : 'teams.set', keepAlive ? undefined : 'webex_to_teams');
        memory = {
          ...memory,
          teams: withTeamsSession(memory.teams, decision.teams.state, now, config, 'confirmed'),
        };
      } else failures.push(throttleAware(limiter, user.tenantId, set.error));
    } else {
      const cleared = await ports.teams.clearSession(user);
      if (cleared.ok) {
        wrote('teams.clear', 'webex_to_teams');
        memory = { ...memory, teams: afterTeamsClear(memory.teams, now, config) };
      } else failures.push(throttleAware(limiter, user.tenantId, cleared.error));
    }
  }

  if (decision.webexDnd !== undefined) {
    const inFlight = memory;
    const written = await applyDnd(ports, userId, decision.webexDnd, memory.webex.dnd, (pending) =>
      save({ ...inFlight, webex: { ...inFlight.webex, dnd: pending } }),
    );
    if (written.ok) {
      if (written.value.wrote) wrote(`webex.dnd.${decision.webexDnd}`, 'teams_to_webex');
      memory = {
        ...memory,
        webex: {
          ...(written.value.wrote ? recordWebexWrite(memory.webex, now) : memory.webex),
          dnd: written.value.dnd,
        },
      };
    } else {
      failures.push(written.error);
    }
  }

  if (decision.webexStatus !== undefined && ports.webexStatus !== undefined) {
    if (decision.webexStatus === 'dnd') {
      const set = await ports.webexStatus.setDnd(userId, Math.round(config.statusTtlMs / 1000));
      if (set.ok && set.value === 'set') {
        wrote('webex.status.dnd', 'teams_to_webex');
        memory = {
          ...memory,
          webex: {
            ...recordWebexWrite(memory.webex, now),
            status: { setAt: now, expiresAt: now + config.statusTtlMs },
          },
        };
      } else if (!set.ok) failures.push(set.error);
    } else {
      const cleared = await ports.webexStatus.clearDnd(userId);
      if (cleared.ok) {
        wrote('webex.status.clear', 'teams_to_webex');
        const { status: _s, ...rest } = recordWebexWrite(memory.webex, now);
        memory = { ...memory, webex: { ...rest } };
      } else failures.push(cleared.error);
    }
  }

  await save(memory, failures);
  const transient = failures.find((f) => f.transient);
  const deferredBy = transient?.code ?? (decision.deferUntil === undefined ? undefined : 'damped');
  if (deferredBy !== undefined) deps.metrics?.deferred.inc({ reason: deferredBy });
  if (transient !== undefined) {
    return {
      kind: 'retry',
      code: transient.code,
      ...(transient.retryAfterMs === undefined ? {} : { retryAfterMs: transient.retryAfterMs }),
    };
  }
  if (decision.deferUntil !== undefined) {
    return { kind: 'retry', code: 'damped', retryAfterMs: Math.max(0, decision.deferUntil - now) };
  }
  return { kind: 'done', decision };
}

/** Whether we still hold something on the user's behalf that must be undone. */
export function holdsAnything(memory: SyncMemory): boolean {
  return (
    memory.teams.session !== undefined || memory.webex.dnd !== 'none' || memory.webex.status !== undefined
  );
}

async function userRef(store: Store, memory: SyncMemory, userId: string): Promise<TeamsUserRef | undefined> {
  if (memory.teams.aad !== undefined && memory.teams.tenant !== undefined)
    return { tenantId: memory.teams.tenant, aadObjectId: memory.teams.aad };
  const user = await store.users.get(userId);
  return user === undefined ? undefined : { tenantId: user.tenantId, aadObjectId: user.aadObjectId };
}

function take(
  limiter: TenantRateLimiter,
  tenantId: string,
): Extract<SyncOutcome, { kind: 'retry' }> | undefined {
  const slot = limiter.tryTake(tenantId);
  return slot.ok ? undefined : { kind: 'retry', code: 'tenant_rate_limited', retryAfterMs: slot.waitMs };
}

function throttleAware(limiter: TenantRateLimiter, tenantId: string, error: PortError): PortError {
  if (error.code === 'throttled' && error.retryAfterMs !== undefined)
    limiter.block(tenantId, error.retryAfterMs);
  return error;
}

/**
 * Webex Calling DND, read before written: turning it on when it is already on means the user
 * did it, so it is theirs and we never turn it off; turning ours off when the user already did
 * is just forgotten. `pending_*` is saved right before the write, so after a crash the write most
 * likely went through (the window before the call is tiny next to waiting for its answer), and a
 * state that differs from it is the user's doing and is left alone.
 */
async function applyDnd(
  ports: PresencePorts,
  userId: string,
  want: 'on' | 'off',
  before: SyncMemory['webex']['dnd'],
  beforeWrite: (pending: 'pending_on' | 'pending_off') => Promise<void>,
): Promise<Result<{ dnd: SyncMemory['webex']['dnd']; wrote: boolean }, PortError>> {
  const current = await ports.webexDnd.get(userId);
  if (!current.ok) return current;
  const done = (
    dnd: SyncMemory['webex']['dnd'],
  ): Result<{ dnd: SyncMemory['webex']['dnd']; wrote: boolean }, PortError> => ({
    ok: true,
    value: { dnd, wrote: false },
  });
  if (before === 'pending_on') {
    if (!current.value) return done(want === 'on' ? 'user' : 'none');
    if (want === 'on') return done('ours');
  }
  if (before === 'pending_off' && current.value) return done('user');
  if (want === 'on') {
    if (current.value) return done('user');
    await beforeWrite('pending_on');
    const set = await ports.webexDnd.set(userId, true);
    return set.ok ? { ok: true, value: { dnd: 'ours', wrote: true } } : set;
  }
  if (!current.value) return done('none');
  await beforeWrite('pending_off');
  const set = await ports.webexDnd.set(userId, false);
  return set.ok ? { ok: true, value: { dnd: 'none', wrote: true } } : set;
}

async function saveRow(
  store: Store,
  row: PresenceSyncState,
  memory: SyncMemory,
  now: number,
  failures: readonly PortError[] | undefined,
): Promise<PresenceSyncState> {
  let current = row;
  const permanent = failures?.find((f) => !f.transient);
  for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt += 1) {
    const saved = await store.presence.upsert({
      userId: current.userId,
      enabled: current.enabled,
      rule: current.rule,
      lastSyncedAt: failures === undefined || failures.length > 0 ? current.lastSyncedAt : now,
      lastErrorCode:
        failures === undefined
          ? current.lastErrorCode
          : (permanent?.code ?? (failures.length > 0 ? current.lastErrorCode : null)),
      lastErrorAction:
        failures === undefined
          ? current.lastErrorAction
          : (permanent?.action ?? (failures.length > 0 ? current.lastErrorAction : null)),
      ...memoryJson(memory),
      expectedVersion: current.version,
    });
    if (saved.ok) return saved.value;
    if (saved.error.code === 'user_not_found') return current;
    // Enrolment changed the row (rule, on/off) meanwhile: keep its fields, write our memory again.
    const fresh = await store.presence.get(current.userId);
    if (fresh === undefined) return current;
    current = fresh;
  }
  throw new Error(
    `presence row of ${row.userId} kept changing; gave up saving after ${SAVE_ATTEMPTS} attempts`,
  );
}
