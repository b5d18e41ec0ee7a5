import type { CallState } from '../calls/call-state.js';
import type { Result } from '../shared/result.js';
import type { SingletonGuard } from '../workers/daemon.js';

/**
 * Everything CallBridge persists, behind one interface with two implementations (embedded
 * SQLite for one instance, PostgreSQL for several). Both pass the same contract suite
 * (tests/bot/store/store.contract.ts), so callers never branch on `kind`.
 *
 * Conventions:
 * - Times are epoch milliseconds (UTC) taken from the store's clock, never the database's, so
 *   both dialects behave alike and tests can run on a fake clock. Instances must keep their
 *   clocks in sync (NTP) for leases to mean the same thing everywhere.
 * - Expected failures (a lost compare-and-swap, a missing row a caller asked to change) are
 *   `Result` values. Invalid arguments (an empty id, a page limit of 0) are caller bugs and throw.
 * - Reads of rows that do not exist resolve to `undefined`.
 */
export interface Store {
  readonly kind: StoreKind;
  readonly users: UserRepo;
  readonly tokens: TokenRepo;
  readonly graphSubscriptions: GraphSubscriptionRepo;
  readonly webexWebhooks: WebexWebhookRepo;
  readonly presence: PresenceSyncRepo;
  readonly inbox: InboxRepo;
  readonly conversations: ConversationRepo;
  readonly leases: LeaseRepo;
  readonly tenantConsents: TenantConsentRepo;
  readonly placedCalls: PlacedCallRepo;
  /** PostgreSQL: advisory lock per name across instances. SQLite: one run per name in this process. */
  readonly guard: SingletonGuard;
  /** Readiness: resolves `false` (never rejects) when the database does not answer. */
  ping(): Promise<boolean>;
  /** Waits for work in progress, then releases the database. Safe to call twice. */
  close(): Promise<void>;
}

export type StoreKind = 'sqlite' | 'postgres';

/** Epoch milliseconds, UTC. */
export type EpochMs = number;

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;
export type JsonObject = { readonly [key: string]: JsonValue };

// ---------------------------------------------------------------------------------------------
// Errors returned as values

export interface Conflict {
  /** Someone else wrote (or deleted) the row since the version the caller read: re-read and retry. */
  readonly code: 'conflict';
}
export interface NotFound {
  readonly code: 'not_found';
}
export interface AlreadyExists {
  readonly code: 'already_exists';
}
export interface UserNotFound {
  /** The referenced user does not exist, or exists in a different tenant. */
  readonly code: 'user_not_found';
}
export interface WebexAlreadyLinked {
  /** The Webex person is linked to another CallBridge user; unlink it there first. */
  readonly code: 'webex_already_linked';
}
export interface LeaseLost {
  /** The caller no longer holds the inbox lease (it expired and was reclaimed, or was never held). */
  readonly code: 'lease_lost';
}

/** Why the store could not start; `message` tells the operator what to fix and never holds a password. */
export class StoreOpenError extends Error {
  constructor(
    readonly code: StoreOpenErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreOpenError';
  }
}

export type StoreOpenErrorCode =
  | 'invalid_url'
  | 'unreachable'
  | 'auth_failed'
  | 'database_missing'
  | 'permission_denied'
  | 'tls_failed'
  | 'data_dir_unusable'
  | 'file_unusable'
  | 'migration_failed';

// ---------------------------------------------------------------------------------------------
// Paging

/**
 * Keyset paging: pass `cursor: page.next` until `next` is `null`. Rows written during a sweep
 * after the cursor's position are seen; rows before it are not, which is what sweeps want.
 */
export interface PageRequest {
  /** 1..1000. */
  readonly limit: number;
  /** `null`/absent for the first page; otherwise a `next` from a previous page of the same list. */
  readonly cursor?: string | null;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Opaque; `null` when this is the last page. */
  readonly next: string | null;
}

// ---------------------------------------------------------------------------------------------
// Users

export type UserStatus = 'active' | 'needs_sign_in';

export interface WebexLink {
  readonly personId: string;
  readonly orgId: string;
  readonly linkedAt: EpochMs;
}

export interface User {
  /** Internal opaque id (UUID); the only user id other tables reference. */
  readonly id: string;
  readonly tenantId: string;
  /** Entra object id; unique per tenant. */
  readonly aadObjectId: string;
  readonly status: UserStatus;
  readonly webex: WebexLink | null;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}

export interface UserRepo {
  /**
   * Finds or creates the user for (tenantId, aadObjectId). A new user starts as `status` or
   * `'needs_sign_in'`; for an existing one `status` (when given) replaces the stored one.
   */
  upsert(input: {
    readonly tenantId: string;
    readonly aadObjectId: string;
    readonly status?: UserStatus;
  }): Promise<User>;
  get(id: string): Promise<User | undefined>;
  getByAadObjectId(tenantId: string, aadObjectId: string): Promise<User | undefined>;
  /** A Webex person links to at most one user, so this is a lookup, not a search. */
  getByWebexPersonId(webexPersonId: string): Promise<User | undefined>;
  setStatus(id: string, status: UserStatus): Promise<Result<User, NotFound>>;
  linkWebex(
    id: string,
    link: { readonly personId: string; readonly orgId: string },
  ): Promise<Result<User, NotFound | WebexAlreadyLinked>>;
  unlinkWebex(id: string): Promise<Result<User, NotFound>>;
  /**
   * Deletes the user with their tokens, presence state, Webex webhook rows and Graph
   * subscription rows. Remove the remote webhooks/subscriptions first: their rows are the only
   * record of them.
   */
  delete(id: string): Promise<boolean>;
  /** Ids in a stable order, for sweeps. */
  listIds(page: PageRequest): Promise<Page<string>>;
  count(): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// Tokens

/**
 * Output of the token vault's AEAD (e.g. AES-256-GCM). The store never looks inside; `keyId`
 * names the key that sealed it so rotation can find what to re-seal.
 */
export interface SealedSecret {
  readonly keyId: string;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
}

export type TokenKind = 'graph_refresh' | 'graph_access' | 'webex_refresh' | 'webex_access';

export interface TokenKey {
  readonly tenantId: string;
  readonly userId: string;
  readonly kind: TokenKind;
}

export interface TokenRecord extends TokenKey {
  readonly sealed: SealedSecret;
  /** When the token itself expires, if the issuer said. */
  readonly expiresAt: EpochMs | null;
  /** Starts at 1, +1 on every write: the compare-and-swap handle. */
  readonly version: number;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}

export interface TokenPut extends TokenKey {
  readonly sealed: SealedSecret;
  readonly expiresAt: EpochMs | null;
  /**
   * `null`: create, fails with `conflict` if a record exists. A number: replace, fails with
   * `conflict` unless the stored version is exactly that. Two workers refreshing at once both
   * read version n; only the first write of n+1 lands, so the newest refresh token is never lost.
   */
  readonly expectedVersion: number | null;
}

export interface TokenRepo {
  get(key: TokenKey): Promise<TokenRecord | undefined>;
  put(input: TokenPut): Promise<Result<TokenRecord, Conflict | UserNotFound>>;
  /** With `expectedVersion`, deletes only that version (so a concurrent refresh is not undone). */
  delete(key: TokenKey, expectedVersion?: number): Promise<boolean>;
  /** Sign-out: every token of the user. Returns how many were deleted. */
  deleteAllForUser(tenantId: string, userId: string): Promise<number>;
  /** All records, for key rotation; `keyIdOtherThan` skips those already sealed with the current key. */
  list(page: PageRequest & { readonly keyIdOtherThan?: string }): Promise<Page<TokenRecord>>;
}

// ---------------------------------------------------------------------------------------------
// Graph change-notification subscriptions

/** Graph caps a presence subscription's `id in (...)` filter at 650 users. */
export const GRAPH_SUBSCRIPTION_MAX_MEMBERS = 650;

export type GraphSubscriptionStatus = 'active' | 'reauthorization_required' | 'removed';

export interface GraphSubscription {
  /** Graph's subscription id. */
  readonly id: string;
  readonly tenantId: string;
  /** The user whose delegated token created (and renews) the subscription. */
  readonly ownerUserId: string;
  readonly resource: string;
  /** Internal user ids (`User.id`) whose presence the subscription watches, at most 650. */
  readonly memberUserIds: readonly string[];
  /** Hash of the clientState sent to Graph; notifications are checked against it. */
  readonly clientStateHash: string;
  readonly expiresAt: EpochMs;
  readonly status: GraphSubscriptionStatus;
  /** +1 on every update: member lists are read-modify-write, so updates compare-and-swap. */
  readonly version: number;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}

export interface NewGraphSubscription {
  readonly id: string;
  readonly tenantId: string;
  readonly ownerUserId: string;
  readonly resource: string;
  readonly memberUserIds: readonly string[];
  readonly clientStateHash: string;
  readonly expiresAt: EpochMs;
  readonly status?: GraphSubscriptionStatus;
}

export interface GraphSubscriptionPatch {
  readonly resource?: string;
  readonly memberUserIds?: readonly string[];
  readonly clientStateHash?: string;
  readonly expiresAt?: EpochMs;
  readonly status?: GraphSubscriptionStatus;
}

export interface GraphSubscriptionRepo {
  create(input: NewGraphSubscription): Promise<Result<GraphSubscription, AlreadyExists | UserNotFound>>;
  get(id: string): Promise<GraphSubscription | undefined>;
  update(
    id: string,
    expectedVersion: number,
    patch: GraphSubscriptionPatch,
  ): Promise<Result<GraphSubscription, NotFound | Conflict>>;
  delete(id: string): Promise<boolean>;
  /** Not-removed subscriptions expiring before `before`, soonest first: the renewal sweep. */
  listExpiringBefore(before: EpochMs, limit: number): Promise<readonly GraphSubscription[]>;
  listByOwner(ownerUserId: string): Promise<readonly GraphSubscription[]>;
  /** Every subscription row (removed ones too), by id: the upkeep pass reads them all. */
  list(page: PageRequest): Promise<Page<GraphSubscription>>;
  /**
   * Users with presence sync enabled, with what a subscription needs of them (tenant, Entra
   * object id, sign-in status), by user id: who must be watched and who can own a subscription.
   */
  listWatchable(page: PageRequest): Promise<Page<WatchableUser>>;
}

/** A user with presence sync enabled, as the Graph subscription upkeep sees them. */
export interface WatchableUser {
  readonly userId: string;
  readonly tenantId: string;
  readonly aadObjectId: string;
  /** `active` users have a usable delegated Graph sign-in and may own subscriptions. */
  readonly status: UserStatus;
}

// ---------------------------------------------------------------------------------------------
// Webex webhooks

export type WebexWebhookStatus = 'active' | 'disabled';

export interface WebexWebhook {
  /** Webex's webhook id. */
  readonly id: string;
  readonly userId: string;
  readonly resource: string;
  readonly event: string;
  readonly targetUrl: string;
  /** The HMAC secret Webex signs deliveries with, sealed like tokens. */
  readonly secret: SealedSecret;
  readonly status: WebexWebhookStatus;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}

export interface NewWebexWebhook {
  readonly id: string;
  readonly userId: string;
  readonly resource: string;
  readonly event: string;
  readonly targetUrl: string;
  readonly secret: SealedSecret;
  readonly status?: WebexWebhookStatus;
}

export interface WebexWebhookPatch {
  readonly targetUrl?: string;
  readonly secret?: SealedSecret;
  readonly status?: WebexWebhookStatus;
}

export interface WebexWebhookRepo {
  create(input: NewWebexWebhook): Promise<Result<WebexWebhook, AlreadyExists | UserNotFound>>;
  get(id: string): Promise<WebexWebhook | undefined>;
  update(id: string, patch: WebexWebhookPatch): Promise<Result<WebexWebhook, NotFound>>;
  delete(id: string): Promise<boolean>;
  listByUser(userId: string): Promise<readonly WebexWebhook[]>;
  list(page: PageRequest): Promise<Page<WebexWebhook>>;
}

// ---------------------------------------------------------------------------------------------
// Presence sync state

export type PresenceSyncRule = 'always' | 'meetings_only' | 'never';

export interface PresenceSyncState {
  readonly userId: string;
  readonly enabled: boolean;
  readonly rule: PresenceSyncRule;
  readonly lastSyncedAt: EpochMs | null;
  /** Machine-readable code of the last failure, cleared on success. */
  readonly lastErrorCode: string | null;
  /** What would fix it (e.g. which sign-in is needed), for the tab to show. */
  readonly lastErrorAction: string | null;
  /** Last presence seen on each side, as the sync feature shapes it. */
  readonly teamsState: JsonValue;
  readonly webexState: JsonValue;
  /** Starts at 1, +1 on every write. */
  readonly version: number;
  readonly updatedAt: EpochMs;
}

export interface PresenceSyncPut {
  readonly userId: string;
  readonly enabled: boolean;
  readonly rule: PresenceSyncRule;
  readonly lastSyncedAt: EpochMs | null;
  readonly lastErrorCode: string | null;
  readonly lastErrorAction: string | null;
  readonly teamsState: JsonValue;
  readonly webexState: JsonValue;
  /** `null` to create; otherwise the version read. Same semantics as {@link TokenPut.expectedVersion}. */
  readonly expectedVersion: number | null;
}

export interface PresenceSyncRepo {
  get(userId: string): Promise<PresenceSyncState | undefined>;
  upsert(input: PresenceSyncPut): Promise<Result<PresenceSyncState, Conflict | UserNotFound>>;
  listEnabled(page: PageRequest): Promise<Page<PresenceSyncState>>;
}

// ---------------------------------------------------------------------------------------------
// Durable inbox

export type InboxSource = 'graph' | 'webex';
/** `dead`: gave up after too many attempts; kept for inspection, never pruned. */
export type InboxStatus = 'pending' | 'leased' | 'done' | 'dead';

export interface InboxItem {
  /** Increasing in arrival order. */
  readonly id: number;
  readonly source: InboxSource;
  readonly dedupeKey: string;
  /** Usually the user id: at most one worker holds a partition at a time. */
  readonly partitionKey: string;
  /** The notification as received (JSON text); parsing and validation are the consumer's. */
  readonly payload: string;
  readonly receivedAt: EpochMs;
  readonly status: InboxStatus;
  /** Claims so far, including the current one. */
  readonly attempts: number;
  readonly availableAt: EpochMs;
  readonly leaseOwner: string | null;
  readonly leaseUntil: EpochMs | null;
  readonly lastError: string | null;
  readonly completedAt: EpochMs | null;
}

export interface NewInboxItem {
  readonly source: InboxSource;
  /** Unique per source (e.g. Graph's subscriptionId+changeType+resource+time, Webex's event id). */
  readonly dedupeKey: string;
  readonly partitionKey: string;
  readonly payload: string;
  /** Defaults to now. */
  readonly receivedAt?: EpochMs;
  /** Defaults to now; later to delay processing. */
  readonly availableAt?: EpochMs;
}

export interface InboxClaim {
  /** Unique per worker (e.g. instance id + worker name); fences complete/fail. */
  readonly owner: string;
  /** 1..1000 rows. */
  readonly limit: number;
  readonly leaseMs: number;
}

export interface InboxFailure {
  /** A short code for operators, not a message that may carry user data. Truncated to 500 chars. */
  readonly error: string;
  /** Overrides the exponential backoff (e.g. from a Retry-After header). */
  readonly retryAfterMs?: number;
  /** Default {@link INBOX_MAX_ATTEMPTS}. */
  readonly maxAttempts?: number;
}

export type InboxFailOutcome =
  { readonly status: 'pending'; readonly availableAt: EpochMs } | { readonly status: 'dead' };

/** With the backoff, ten attempts ride out about eight and a half minutes of failures. */
export const INBOX_MAX_ATTEMPTS = 10;

export interface InboxRepo {
  /**
   * Idempotent on (source, dedupeKey): a redelivery stores nothing and resolves
   * `{ inserted: false }`. Resolves only once the row is durable, so the HTTP 2xx can follow.
   * Dedupe lasts as long as the row: after `prune` removes a done row its key may be stored again.
   */
  enqueue(item: NewInboxItem): Promise<{ readonly inserted: boolean }>;
  /**
   * Stores every item in one transaction (one commit: one fsync on SQLite), for the notification
   * intake's group commit. Idempotent per item like {@link enqueue}: `inserted[i]` says whether
   * `items[i]` was stored (`false` for a duplicate, also of an earlier item of the same call).
   * Resolves only once all rows are durable; rejects (storing none) when the store fails.
   */
  enqueueMany(items: readonly NewInboxItem[]): Promise<{ readonly inserted: readonly boolean[] }>;
  /**
   * Leases up to `limit` due pending rows, oldest first, returned in arrival order. A partition
   * with a live lease is skipped, so one worker at a time handles a user's notifications and
   * can coalesce them; all due rows of a partition tend to come in the same batch. Claiming
   * never deletes: a worker that dies leaves a lease that `reclaimExpired` returns to pending.
   */
  claim(request: InboxClaim): Promise<readonly InboxItem[]>;
  complete(id: number, owner: string): Promise<Result<void, LeaseLost>>;
  /** Back to pending after an exponential backoff (1 s doubling, 5 min cap), or `dead` after `maxAttempts`. */
  fail(id: number, owner: string, failure: InboxFailure): Promise<Result<InboxFailOutcome, LeaseLost>>;
  /**
   * Leases that ran out go back to pending (or to dead once they used `maxAttempts`, so a
   * message that crashes its worker cannot loop forever). Returns how many rows changed.
   */
  reclaimExpired(maxAttempts?: number): Promise<number>;
  /** Deletes done rows completed before `before`; never touches pending, leased or dead rows. */
  prune(before: EpochMs): Promise<number>;
  get(id: number): Promise<InboxItem | undefined>;
  /** Rows waiting to be claimed (status pending, due or not): the backlog gauge. */
  countPending(): Promise<number>;
  countByStatus(): Promise<Readonly<Record<InboxStatus, number>>>;
}

// ---------------------------------------------------------------------------------------------
// Bot conversation references

export interface ConversationRef {
  readonly tenantId: string;
  readonly aadObjectId: string;
  /** Bot Framework ConversationReference, as JSON. */
  readonly reference: JsonObject;
  readonly updatedAt: EpochMs;
}

export interface ConversationRepo {
  upsert(tenantId: string, aadObjectId: string, reference: JsonObject): Promise<ConversationRef>;
  get(tenantId: string, aadObjectId: string): Promise<ConversationRef | undefined>;
  delete(tenantId: string, aadObjectId: string): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// Leases with fencing tokens

export interface LeaseRepo {
  /**
   * Takes the named lease if it is free, expired, or already held by `owner`. Resolves the
   * fencing token, which grows with every successful acquisition of that name (also across
   * releases), or `null` when someone else holds it. Hand the token to whatever the holder
   * writes so a stale holder's late writes can be refused.
   */
  tryAcquire(name: string, owner: string, ttlMs: number): Promise<number | null>;
  /** Extends the lease to now + ttlMs; `false` if another acquisition happened since `token`. */
  renew(name: string, owner: string, token: number, ttlMs: number): Promise<boolean>;
  release(name: string, owner: string, token: number): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// Tenant-wide (admin) consent

/** What an admin's consent granted CallBridge in a tenant, as last checked with Graph. */
export interface TenantConsent {
  readonly tenantId: string;
  /** The consenting admin's Entra object id, or `'unknown'` (the consent redirect does not say). */
  readonly grantedBy: string;
  readonly grantedAt: EpochMs;
  /** Delegated Microsoft Graph permissions granted for all users (names, sorted, unique). */
  readonly scopes: readonly string[];
  /** Application permissions (names, sorted, unique). */
  readonly roles: readonly string[];
  readonly updatedAt: EpochMs;
}

export interface TenantConsentRepo {
  /** Creates or replaces the tenant's record (a later check supersedes an earlier one). */
  record(input: {
    readonly tenantId: string;
    readonly grantedBy: string;
    readonly grantedAt: EpochMs;
    readonly scopes: readonly string[];
    readonly roles: readonly string[];
  }): Promise<TenantConsent>;
  get(tenantId: string): Promise<TenantConsent | undefined>;
}

// ---------------------------------------------------------------------------------------------
// Calls placed through CallBridge

/** The Call tab's call states. */
export type PlacedCallState = CallState;

/**
 * A Click to Dial call a user placed, kept after Webex forgets it (Webex lists only live calls)
 * so any instance can still answer "ended" for it. Owned by the user: only they can read it.
 */
export interface PlacedCallRecord {
  readonly userId: string;
  /** Webex's call id. */
  readonly callId: string;
  /**
   * What was dialled (E.164, extension or SIP address), because a call's view carries it: the
   * only personal datum kept, and only until the row is pruned or the user deleted.
   */
  readonly destination: string;
  readonly state: PlacedCallState;
  /** Someone answered at some point; once true it stays true (an unanswered end is reported as such). */
  readonly answered: boolean;
  readonly startedAt: EpochMs;
  /** Last time CallBridge recorded a sighting of the call; pruning goes by this. */
  readonly seenAt: EpochMs;
}

export interface PlacedCallRepo {
  /** Records a call just placed (startedAt = seenAt = now, not answered); the same id again replaces it. */
  put(input: {
    readonly userId: string;
    readonly callId: string;
    readonly destination: string;
    readonly state: PlacedCallState;
  }): Promise<Result<PlacedCallRecord, UserNotFound>>;
  /** `undefined` for another user's call, as for one never placed. */
  get(userId: string, callId: string): Promise<PlacedCallRecord | undefined>;
  /**
   * Records a sighting: the state, `answered` ORed into the stored flag, seenAt = now. Resolves
   * the updated record, or `undefined` when the user has no such call.
   */
  observe(
    userId: string,
    callId: string,
    sighting: { readonly state: PlacedCallState; readonly answered: boolean },
  ): Promise<PlacedCallRecord | undefined>;
  /** Deletes calls last seen before `before`. Returns how many. */
  prune(before: EpochMs): Promise<number>;
}

/** Options both implementations take. */
export interface StoreOptions {
  /** The clock every timestamp and lease uses; tests pass a fake one. */
  readonly now?: () => EpochMs;
}
