import { randomUUID } from 'node:crypto';
import { err, ok, type Result } from '../../shared/result.js';
import type { SingletonGuard } from '../../workers/daemon.js';
import {
  INBOX_MAX_ATTEMPTS,
  type AlreadyExists,
  type Conflict,
  type ConversationRepo,
  type EpochMs,
  type GraphSubscriptionRepo,
  type InboxRepo,
  type InboxStatus,
  type LeaseLost,
  type LeaseRepo,
  type NewInboxItem,
  type NotFound,
  type PlacedCallRepo,
  type PresenceSyncRepo,
  type SealedSecret,
  type Store,
  type StoreKind,
  type TenantConsentRepo,
  type TokenKey,
  type TokenRepo,
  type UserNotFound,
  type UserRepo,
  type WebexAlreadyLinked,
  type WebexWebhookRepo,
} from '../store.js';
import type { ConstraintKind, SqlDriver, SqlParam, SqlRow } from './driver.js';
import { INBOX_INSERT_CHUNK, SQL, inboxInsertMany, type DialectSql } from './queries.js';
import {
  GRAPH_SUBSCRIPTION_STATUSES,
  INBOX_SOURCES,
  INBOX_STATUSES,
  MAX_ERROR_LENGTH,
  PLACED_CALL_STATES,
  PRESENCE_RULES,
  TOKEN_KINDS,
  USER_STATUSES,
  WEBEX_WEBHOOK_STATUSES,
  decodeCursor,
  int,
  jsonText,
  requireId,
  requireJsonObject,
  requireLimit,
  requireMembers,
  requireNameList,
  requireOneOf,
  requirePositiveInt,
  requireSealed,
  requireTime,
  requireTimeOrNull,
  text,
  toConversationRef,
  toGraphSubscription,
  toInboxItem,
  toPage,
  toPlacedCall,
  toPresenceSyncState,
  toTenantConsent,
  toTokenRecord,
  toUser,
  toWatchableUser,
  toWebexWebhook,
} from './rows.js';

/** What a dialect hands the shared store. */
export interface SqlStoreParts {
  readonly kind: StoreKind;
  readonly driver: SqlDriver;
  readonly dialect: DialectSql;
  readonly guard: SingletonGuard;
  readonly now: () => EpochMs;
}

const CONFLICT: Conflict = { code: 'conflict' };
const NOT_FOUND: NotFound = { code: 'not_found' };
const ALREADY_EXISTS: AlreadyExists = { code: 'already_exists' };
const USER_NOT_FOUND: UserNotFound = { code: 'user_not_found' };
const WEBEX_ALREADY_LINKED: WebexAlreadyLinked = { code: 'webex_already_linked' };
const LEASE_LOST: LeaseLost = { code: 'lease_lost' };

const PING_TIMEOUT_MS = 2_000;
const INBOX_BACKOFF_BASE_MS = 1_000;
const INBOX_BACKOFF_MAX_MS = 5 * 60_000;

/** Delay before retry `attempts + 1`: 1 s, 2 s, 4 s, ... capped at 5 min. */
function inboxBackoffMs(attempts: number): number {
  return Math.min(INBOX_BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1), INBOX_BACKOFF_MAX_MS);
}

/**
 * The one implementation of {@link Store}, over any {@link SqlDriver}. Holding the behaviour
 * here (CAS, paging, inbox state machine, error mapping) keeps the two dialects from drifting:
 * they differ only in driver, DDL and the claim statement.
 */
export function createSqlStore(parts: SqlStoreParts): Store {
  const { driver, dialect, now } = parts;

  const first = (rows: readonly SqlRow[]): SqlRow | undefined => rows[0];
  async function one<T>(
    sql: string,
    params: readonly SqlParam[],
    map: (row: SqlRow) => T,
  ): Promise<T | undefined> {
    const row = first(await driver.all(sql, params));
    return row === undefined ? undefined : map(row);
  }
  async function many<T>(sql: string, params: readonly SqlParam[], map: (row: SqlRow) => T): Promise<T[]> {
    return (await driver.all(sql, params)).map(map);
  }
  async function countOf(sql: string): Promise<number> {
    const row = first(await driver.all(sql, []));
    return row === undefined ? 0 : int(row, 'n');
  }
  /** Runs a write, turning the constraint violations a caller can cause into values. */
  async function guarded<T, E>(
    attempt: () => Promise<T>,
    outcomes: Partial<Record<ConstraintKind, E>>,
  ): Promise<Result<T, E>> {
    try {
      return ok(await attempt());
    } catch (error) {
      const violated = driver.constraintViolation(error);
      const outcome = violated === null ? undefined : outcomes[violated];
      if (outcome === undefined) throw error;
      return err(outcome);
    }
  }
  const sealedParams = (s: SealedSecret): SqlParam[] => [s.keyId, s.iv, s.tag, s.ciphertext];
  const tokenKey = (k: TokenKey): SqlParam[] => [
    requireId(k.tenantId, 'tenantId'),
    requireId(k.userId, 'userId'),
    requireOneOf(k.kind, TOKEN_KINDS, 'kind'),
  ];

  const users: UserRepo = {
    async upsert(input) {
      const override =
        input.status === undefined ? null : requireOneOf(input.status, USER_STATUSES, 'status');
      const row = first(
        await driver.all(SQL.userUpsert, [
          randomUUID(),
          requireId(input.tenantId, 'tenantId'),
          requireId(input.aadObjectId, 'aadObjectId'),
          override ?? 'needs_sign_in',
          now(),
          override,
        ]),
      );
      if (row === undefined) throw new Error('user upsert returned no row');
      return toUser(row);
    },
    get: (id) => one(SQL.userGet, [id], toUser),
    getByAadObjectId: (tenantId, aadObjectId) => one(SQL.userGetByAad, [tenantId, aadObjectId], toUser),
    getByWebexPersonId: (personId) => one(SQL.userGetByWebex, [personId], toUser),
    async setStatus(id, status) {
      const user = await one(
        SQL.userSetStatus,
        [id, requireOneOf(status, USER_STATUSES, 'status'), now()],
        toUser,
      );
      return user === undefined ? err(NOT_FOUND) : ok(user);
    },
    async linkWebex(id, link) {
      const params = [id, requireId(link.personId, 'personId'), requireId(link.orgId, 'orgId'), now()];
      const linked = await guarded(() => one(SQL.userLinkWebex, params, toUser), {
        unique: WEBEX_ALREADY_LINKED,
      });
      if (!linked.ok) return linked;
      return linked.value === undefined ? err(NOT_FOUND) : ok(linked.value);
    },
    async unlinkWebex(id) {
      const user = await one(SQL.userUnlinkWebex, [id, now()], toUser);
      return user === undefined ? err(NOT_FOUND) : ok(user);
    },
    delete: async (id) => (await driver.run(SQL.userDelete, [id])) > 0,
    async listIds(page) {
      const limit = requireLimit(page.limit);
      const [after] = decodeCursor(page.cursor, 1);
      const ids = await many(SQL.userListIds, [after ?? '', limit + 1], (row) => text(row, 'id'));
      return toPage(ids, limit, (id) => [id]);
    },
    count: () => countOf(SQL.userCount),
  };

  const tokens: TokenRepo = {
    async get(key) {
      const params = tokenKey(key);
      return await one(SQL.tokenGet, params, toTokenRecord);
    },
    async put(input) {
      const params = [
        ...tokenKey(input),
        ...sealedParams(requireSealed(input.sealed, 'sealed')),
        requireTimeOrNull(input.expiresAt, 'expiresAt'),
        now(),
      ];
      if (input.expectedVersion === null) {
        const created = await guarded(() => one(SQL.tokenInsert, params, toTokenRecord), {
          foreign_key: USER_NOT_FOUND,
        });
        if (!created.ok) return created;
        return created.value === undefined ? err(CONFLICT) : ok(created.value);
      }
      const expected = requirePositiveInt(input.expectedVersion, 'expectedVersion');
      const updated = await one(SQL.tokenUpdate, [...params, expected], toTokenRecord);
      return updated === undefined ? err(CONFLICT) : ok(updated);
    },
    async delete(key, expectedVersion) {
      const changed =
        expectedVersion === undefined
          ? await driver.run(SQL.tokenDelete, tokenKey(key))
          : await driver.run(SQL.tokenDeleteVersion, [...tokenKey(key), expectedVersion]);
      return changed > 0;
    },
    deleteAllForUser: (tenantId, userId) => driver.run(SQL.tokenDeleteUser, [tenantId, userId]),
    async list(page) {
      const limit = requireLimit(page.limit);
      const [tenantId, userId, kind] = decodeCursor(page.cursor, 3);
      const skipKey =
        page.keyIdOtherThan === undefined ? '' : requireId(page.keyIdOtherThan, 'keyIdOtherThan');
      const rows = await many(
        SQL.tokenList,
        [tenantId ?? '', userId ?? '', kind ?? '', skipKey, limit + 1],
        toTokenRecord,
      );
      return toPage(rows, limit, (t) => [t.tenantId, t.userId, t.kind]);
    },
  };

  const graphSubscriptions: GraphSubscriptionRepo = {
    async create(input) {
      const params = [
        requireId(input.id, 'id'),
        requireId(input.tenantId, 'tenantId'),
        requireId(input.ownerUserId, 'ownerUserId'),
        requireId(input.resource, 'resource'),
        requireMembers(input.memberUserIds),
        requireId(input.clientStateHash, 'clientStateHash'),
        requireTime(input.expiresAt, 'expiresAt'),
        requireOneOf(input.status ?? 'active', GRAPH_SUBSCRIPTION_STATUSES, 'status'),
        now(),
      ];
      return await insertOrExists(() => one(SQL.graphSubInsert, params, toGraphSubscription));
    },
    get: (id) => one(SQL.graphSubGet, [id], toGraphSubscription),
    async update(id, expectedVersion, patch) {
      const updated = await one(
        SQL.graphSubUpdate,
        [
          id,
          requirePositiveInt(expectedVersion, 'expectedVersion'),
          patch.resource === undefined ? null : requireId(patch.resource, 'resource'),
          patch.memberUserIds === undefined ? null : requireMembers(patch.memberUserIds),
          patch.clientStateHash === undefined ? null : requireId(patch.clientStateHash, 'clientStateHash'),
          patch.expiresAt === undefined ? null : requireTime(patch.expiresAt, 'expiresAt'),
          patch.status === undefined
            ? null
            : requireOneOf(patch.status, GRAPH_SUBSCRIPTION_STATUSES, 'status'),
          now(),
        ],
        toGraphSubscription,
      );
      if (updated !== undefined) return ok(updated);
      // Only the failure path pays for telling "gone" from "changed".
      return (await one(SQL.graphSubGet, [id], toGraphSubscription)) === undefined
        ? err(NOT_FOUND)
        : err(CONFLICT);
    },
    delete: async (id) => (await driver.run(SQL.graphSubDelete, [id])) > 0,
    async listExpiringBefore(before, limit) {
      const params = [requireTime(before, 'before'), requireLimit(limit)];
      return await many(SQL.graphSubExpiring, params, toGraphSubscription);
    },
    listByOwner: (ownerUserId) => many(SQL.graphSubByOwner, [ownerUserId], toGraphSubscription),
    async list(page) {
      const limit = requireLimit(page.limit);
      const [after] = decodeCursor(page.cursor, 1);
      const rows = await many(SQL.graphSubList, [after ?? '', limit + 1], toGraphSubscription);
      return toPage(rows, limit, (s) => [s.id]);
    },
    async listWatchable(page) {
      const limit = requireLimit(page.limit);
      const [after] = decodeCursor(page.cursor, 1);
      const rows = await many(SQL.graphSubWatchable, [after ?? '', limit + 1], toWatchableUser);
      return toPage(rows, limit, (w) => [w.userId]);
    },
  };

  const webexWebhooks: WebexWebhookRepo = {
    async create(input) {
      const params = [
        requireId(input.id, 'id'),
        requireId(input.userId, 'userId'),
        requireId(input.resource, 'resource'),
        requireId(input.event, 'event'),
        requireId(input.targetUrl, 'targetUrl'),
        ...sealedParams(requireSealed(input.secret, 'secret')),
        requireOneOf(input.status ?? 'active', WEBEX_WEBHOOK_STATUSES, 'status'),
        now(),
      ];
      return await insertOrExists(() => one(SQL.webhookInsert, params, toWebexWebhook));
    },
    get: (id) => one(SQL.webhookGet, [id], toWebexWebhook),
    async update(id, patch) {
      const secret =
        patch.secret === undefined
          ? [null, null, null, null]
          : sealedParams(requireSealed(patch.secret, 'secret'));
      const updated = await one(
        SQL.webhookUpdate,
        [
          id,
          patch.targetUrl === undefined ? null : requireId(patch.targetUrl, 'targetUrl'),
          ...secret,
          patch.status === undefined ? null : requireOneOf(patch.status, WEBEX_WEBHOOK_STATUSES, 'status'),
          now(),
        ],
        toWebexWebhook,
      );
      return updated === undefined ? err(NOT_FOUND) : ok(updated);
    },
    delete: async (id) => (await driver.run(SQL.webhookDelete, [id])) > 0,
    listByUser: (userId) => many(SQL.webhookByUser, [userId], toWebexWebhook),
    async list(page) {
      const limit = requireLimit(page.limit);
      const [after] = decodeCursor(page.cursor, 1);
      const rows = await many(SQL.webhookList, [after ?? '', limit + 1], toWebexWebhook);
      return toPage(rows, limit, (w) => [w.id]);
    },
  };

  async function insertOrExists<T>(
    attempt: () => Promise<T | undefined>,
  ): Promise<Result<T, AlreadyExists | UserNotFound>> {
    const created = await guarded<T | undefined, UserNotFound>(attempt, { foreign_key: USER_NOT_FOUND });
    if (!created.ok) return created;
    return created.value === undefined ? err(ALREADY_EXISTS) : ok(created.value);
  }

  const presence: PresenceSyncRepo = {
    get: (userId) => one(SQL.presenceGet, [userId], toPresenceSyncState),
    async upsert(input) {
      const params = [
        requireId(input.userId, 'userId'),
        input.enabled,
        requireOneOf(input.rule, PRESENCE_RULES, 'rule'),
        requireTimeOrNull(input.lastSyncedAt, 'lastSyncedAt'),
        input.lastErrorCode,
        input.lastErrorAction,
        jsonText(input.teamsState),
        jsonText(input.webexState),
        now(),
      ];
      if (input.expectedVersion === null) {
        const created = await guarded(() => one(SQL.presenceInsert, params, toPresenceSyncState), {
          foreign_key: USER_NOT_FOUND,
        });
        if (!created.ok) return created;
        return created.value === undefined ? err(CONFLICT) : ok(created.value);
      }
      const expected = requirePositiveInt(input.expectedVersion, 'expectedVersion');
      const updated = await one(SQL.presenceUpdate, [...params, expected], toPresenceSyncState);
      return updated === undefined ? err(CONFLICT) : ok(updated);
    },
    async listEnabled(page) {
      const limit = requireLimit(page.limit);
      const [after] = decodeCursor(page.cursor, 1);
      const rows = await many(SQL.presenceListEnabled, [after ?? '', limit + 1], toPresenceSyncState);
      return toPage(rows, limit, (p) => [p.userId]);
    },
  };

  const inboxParams = (item: NewInboxItem, t: EpochMs): SqlParam[] => [
    requireOneOf(item.source, INBOX_SOURCES, 'source'),
    requireId(item.dedupeKey, 'dedupeKey'),
    requireId(item.partitionKey, 'partitionKey'),
    item.payload,
    requireTime(item.receivedAt ?? t, 'receivedAt'),
    requireTime(item.availableAt ?? t, 'availableAt'),
  ];

  const inbox: InboxRepo = {
    async enqueue(item) {
      const changed = await driver.run(SQL.inboxInsert, inboxParams(item, now()));
      return { inserted: changed > 0 };
    },
    async enqueueMany(items) {
      if (items.length === 0) return { inserted: [] };
      const t = now();
      const params = items.map((item) => inboxParams(item, t));
      const stored = await driver.transaction(async (tx) => {
        const keys = new Set<string>();
        for (let start = 0; start < params.length; start += INBOX_INSERT_CHUNK) {
          const chunk = params.slice(start, start + INBOX_INSERT_CHUNK);
          const rows = await tx.all(inboxInsertMany(chunk.length), chunk.flat());
          for (const row of rows) keys.add(`${text(row, 'source')}\u0000${text(row, 'dedupe_key')}`);
        }
        return keys;
      });
      // Only the first item with a stored key was the one stored; later copies were duplicates.
      const inserted = items.map((item) => stored.delete(`${item.source}\u0000${item.dedupeKey}`));
      return { inserted };
    },
    async claim(request) {
      const owner = requireId(request.owner, 'owner');
      const limit = requireLimit(request.limit);
      const leaseMs = requirePositiveInt(request.leaseMs, 'leaseMs');
      const rows = await driver.transaction(async (tx) => {
        if (dialect.inboxClaimLock !== null) await tx.all(dialect.inboxClaimLock, []);
        const t = now();
        return tx.all(dialect.inboxClaim, [owner, t + leaseMs, t, limit]);
      });
      // RETURNING order is unspecified in both engines; consumers want arrival order.
      return rows.map(toInboxItem).sort((a, b) => a.id - b.id);
    },
    async complete(id, owner) {
      const changed = await driver.run(SQL.inboxComplete, [id, owner, now()]);
      return changed > 0 ? ok(undefined) : err(LEASE_LOST);
    },
    async fail(id, owner, failure) {
      const maxAttempts = requirePositiveInt(failure.maxAttempts ?? INBOX_MAX_ATTEMPTS, 'maxAttempts');
      const retryAfterMs = failure.retryAfterMs;
      if (retryAfterMs !== undefined) requireTime(retryAfterMs, 'retryAfterMs');
      const held = first(await driver.all(SQL.inboxLeasedBy, [id, owner]));
      if (held === undefined) return err(LEASE_LOST);
      const attempts = int(held, 'attempts');
      const t = now();
      const dead = attempts >= maxAttempts;
      const availableAt = dead ? t : t + (retryAfterMs ?? inboxBackoffMs(attempts));
      const changed = await driver.run(SQL.inboxFail, [
        id,
        owner,
        attempts,
        dead ? 'dead' : 'pending',
        availableAt,
        failure.error.slice(0, MAX_ERROR_LENGTH),
      ]);
      if (changed === 0) return err(LEASE_LOST);
      return ok(dead ? { status: 'dead' } : { status: 'pending', availableAt });
    },
    async reclaimExpired(maxAttempts = INBOX_MAX_ATTEMPTS) {
      const max = requirePositiveInt(maxAttempts, 'maxAttempts');
      return await driver.run(SQL.inboxReclaim, [now(), max]);
    },
    async prune(before) {
      const cutoff = requireTime(before, 'before');
      return await driver.run(SQL.inboxPrune, [cutoff]);
    },
    get: (id) => one(SQL.inboxGet, [id], toInboxItem),
    countPending: () => countOf(SQL.inboxCountPending),
    async countByStatus() {
      const counts: Record<InboxStatus, number> = { pending: 0, leased: 0, done: 0, dead: 0 };
      for (const row of await driver.all(SQL.inboxCountByStatus, [])) {
        const status = INBOX_STATUSES.find((s) => s === text(row, 'status'));
        if (status !== undefined) counts[status] = int(row, 'n');
      }
      return counts;
    },
  };

  const conversations: ConversationRepo = {
    async upsert(tenantId, aadObjectId, reference) {
      const row = first(
        await driver.all(SQL.conversationUpsert, [
          requireId(tenantId, 'tenantId'),
          requireId(aadObjectId, 'aadObjectId'),
          requireJsonObject(reference, 'reference'),
          now(),
        ]),
      );
      if (row === undefined) throw new Error('conversation upsert returned no row');
      return toConversationRef(row);
    },
    get: (tenantId, aadObjectId) => one(SQL.conversationGet, [tenantId, aadObjectId], toConversationRef),
    delete: async (tenantId, aadObjectId) =>
      (await driver.run(SQL.conversationDelete, [tenantId, aadObjectId])) > 0,
  };

  const leases: LeaseRepo = {
    async tryAcquire(name, owner, ttlMs) {
      const t = now();
      const ttl = requirePositiveInt(ttlMs, 'ttlMs');
      const params = [requireId(name, 'name'), requireId(owner, 'owner'), t + ttl, t];
      return (await one(SQL.leaseAcquire, params, (row) => int(row, 'token'))) ?? null;
    },
    async renew(name, owner, token, ttlMs) {
      const expiresAt = now() + requirePositiveInt(ttlMs, 'ttlMs');
      return (await driver.run(SQL.leaseRenew, [name, owner, token, expiresAt])) > 0;
    },
    release: async (name, owner, token) => (await driver.run(SQL.leaseRelease, [name, owner, token])) > 0,
  };

  const tenantConsents: TenantConsentRepo = {
    async record(input) {
      const row = first(
        await driver.all(SQL.tenantConsentUpsert, [
          requireId(input.tenantId, 'tenantId'),
          requireId(input.grantedBy, 'grantedBy'),
          requireTime(input.grantedAt, 'grantedAt'),
          requireNameList(input.scopes, 'scopes'),
          requireNameList(input.roles, 'roles'),
          now(),
        ]),
      );
      if (row === undefined) throw new Error('tenant consent upsert returned no row');
      return toTenantConsent(row);
    },
    get: (tenantId) => one(SQL.tenantConsentGet, [tenantId], toTenantConsent),
  };

  const placedCalls: PlacedCallRepo = {
    async put(input) {
      const params = [
        requireId(input.userId, 'userId'),
        requireId(input.callId, 'callId'),
        requireId(input.destination, 'destination'),
        requireOneOf(input.state, PLACED_CALL_STATES, 'state'),
        now(),
      ];
      const stored = await guarded(() => one(SQL.placedCallPut, params, toPlacedCall), {
        foreign_key: USER_NOT_FOUND,
      });
      if (!stored.ok) return stored;
      if (stored.value === undefined) throw new Error('placed call upsert returned no row');
      return ok(stored.value);
    },
    get: (userId, callId) => one(SQL.placedCallGet, [userId, callId], toPlacedCall),
    observe: (userId, callId, sighting) =>
      one(
        SQL.placedCallObserve,
        [userId, callId, requireOneOf(sighting.state, PLACED_CALL_STATES, 'state'), sighting.answered, now()],
        toPlacedCall,
      ),
    prune: async (before) => await driver.run(SQL.placedCallPrune, [requireTime(before, 'before')]),
  };

  let closing: Promise<void> | undefined;
  return {
    kind: parts.kind,
    users,
    tokens,
    graphSubscriptions,
    webexWebhooks,
    presence,
    inbox,
    conversations,
    leases,
    tenantConsents,
    placedCalls,
    guard: parts.guard,
    async ping() {
      if (closing !== undefined) return false;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => (timer = setTimeout(resolve, PING_TIMEOUT_MS, false)));
      try {
        return await Promise.race([driver.all(SQL.ping, []).then(() => true), timeout]);
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      closing ??= driver.close();
      return closing;
    },
  };
}
