import { CALL_STATES } from '../../calls/call-state.js';
import {
  GRAPH_SUBSCRIPTION_MAX_MEMBERS,
  type ConversationRef,
  type GraphSubscription,
  type GraphSubscriptionStatus,
  type InboxItem,
  type InboxSource,
  type InboxStatus,
  type PlacedCallRecord,
  type JsonObject,
  type JsonValue,
  type PresenceSyncRule,
  type PresenceSyncState,
  type SealedSecret,
  type TenantConsent,
  type TokenKind,
  type TokenRecord,
  type User,
  type UserStatus,
  type WatchableUser,
  type WebexWebhook,
  type WebexWebhookStatus,
} from '../store.js';
import type { SqlRow } from './driver.js';

/**
 * Dialect-independent row mapping and argument validation. Drivers hand back loosely typed
 * values (PostgreSQL BIGINT arrives as a string, SQLite booleans as 0/1), so every column is
 * read through a checker that accepts each dialect's spelling and throws on anything else: a
 * row that does not fit is corruption or a schema bug, not an expected failure.
 */

export const USER_STATUSES = ['active', 'needs_sign_in'] as const satisfies readonly UserStatus[];
export const TOKEN_KINDS = [
  'graph_refresh',
  'graph_access',
  'webex_refresh',
  'webex_access',
] as const satisfies readonly TokenKind[];
export const GRAPH_SUBSCRIPTION_STATUSES = [
  'active',
  'reauthorization_required',
  'removed',
] as const satisfies readonly GraphSubscriptionStatus[];
export const WEBEX_WEBHOOK_STATUSES = ['active', 'disabled'] as const satisfies readonly WebexWebhookStatus[];
export const PRESENCE_RULES = [
  'always',
  'meetings_only',
  'never',
] as const satisfies readonly PresenceSyncRule[];
export const INBOX_SOURCES = ['graph', 'webex'] as const satisfies readonly InboxSource[];
export const INBOX_STATUSES = ['pending', 'leased', 'done', 'dead'] as const satisfies readonly InboxStatus[];
export const PLACED_CALL_STATES = CALL_STATES;

// ---------------------------------------------------------------------------------------------
// Column readers

class RowShapeError extends Error {
  constructor(column: string, expected: string, got: unknown) {
    super(`store row column "${column}": expected ${expected}, got ${got === null ? 'null' : typeof got}`);
    this.name = 'RowShapeError';
  }
}

function column(row: SqlRow, name: string): unknown {
  if (!(name in row)) throw new RowShapeError(name, 'a column', undefined);
  return row[name];
}

export function text(row: SqlRow, name: string): string {
  const v = column(row, name);
  if (typeof v !== 'string') throw new RowShapeError(name, 'text', v);
  return v;
}

export function textOrNull(row: SqlRow, name: string): string | null {
  return column(row, name) === null ? null : text(row, name);
}

export function int(row: SqlRow, name: string): number {
  const v = column(row, name);
  // PostgreSQL BIGINT and COUNT(*) arrive as decimal strings; SQLite integers as numbers.
  const n = typeof v === 'number' ? v : typeof v === 'bigint' || typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new RowShapeError(name, 'a safe integer', v);
  return n;
}

export function intOrNull(row: SqlRow, name: string): number | null {
  return column(row, name) === null ? null : int(row, name);
}

function bool(row: SqlRow, name: string): boolean {
  const v = column(row, name);
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  throw new RowShapeError(name, 'a boolean', v);
}

function blob(row: SqlRow, name: string): Buffer {
  const v = column(row, name);
  if (!Buffer.isBuffer(v)) throw new RowShapeError(name, 'bytes', v);
  return v;
}

function json(row: SqlRow, name: string): JsonValue {
  return JSON.parse(text(row, name)) as JsonValue;
}

function oneOf<const T extends string>(row: SqlRow, name: string, values: readonly T[]): T {
  const v = text(row, name);
  const found = values.find((candidate) => candidate === v);
  if (found === undefined) throw new RowShapeError(name, values.join('|'), v);
  return found;
}

function sealed(row: SqlRow, prefix: string): SealedSecret {
  return {
    keyId: text(row, `${prefix}key_id`),
    iv: blob(row, `${prefix}iv`),
    tag: blob(row, `${prefix}tag`),
    ciphertext: blob(row, `${prefix}ciphertext`),
  };
}

// ---------------------------------------------------------------------------------------------
// Row -> entity

export function toUser(row: SqlRow): User {
  const personId = textOrNull(row, 'webex_person_id');
  return {
    id: text(row, 'id'),
    tenantId: text(row, 'tenant_id'),
    aadObjectId: text(row, 'aad_object_id'),
    status: oneOf(row, 'status', USER_STATUSES),
    webex:
      personId === null
        ? null
        : { personId, orgId: text(row, 'webex_org_id'), linkedAt: int(row, 'webex_linked_at') },
    createdAt: int(row, 'created_at'),
    updatedAt: int(row, 'updated_at'),
  };
}

export function toTokenRecord(row: SqlRow): TokenRecord {
  return {
    tenantId: text(row, 'tenant_id'),
    userId: text(row, 'user_id'),
    kind: oneOf(row, 'kind', TOKEN_KINDS),
    sealed: sealed(row, ''),
    expiresAt: intOrNull(row, 'expires_at'),
    version: int(row, 'version'),
    createdAt: int(row, 'created_at'),
    updatedAt: int(row, 'updated_at'),
  };
}

export function toGraphSubscription(row: SqlRow): GraphSubscription {
  const members = json(row, 'member_user_ids');
  if (!Array.isArray(members) || !members.every((m): m is string => typeof m === 'string')) {
    throw new RowShapeError('member_user_ids', 'a JSON array of strings', members);
  }
  return {
    id: text(row, 'id'),
    tenantId: text(row, 'tenant_id'),
    ownerUserId: text(row, 'owner_user_id'),
    resource: text(row, 'resource'),
    memberUserIds: members,
    clientStateHash: text(row, 'client_state_hash'),
    expiresAt: int(row, 'expires_at'),
    status: oneOf(row, 'status', GRAPH_SUBSCRIPTION_STATUSES),
    version: int(row, 'version'),
    createdAt: int(row, 'created_at'),
    updatedAt: int(row, 'updated_at'),
  };
}

export function toWatchableUser(row: SqlRow): WatchableUser {
  return {
    userId: text(row, 'user_id'),
    tenantId: text(row, 'tenant_id'),
    aadObjectId: text(row, 'aad_object_id'),
    status: oneOf(row, 'status', USER_STATUSES),
  };
}

export function toWebexWebhook(row: SqlRow): WebexWebhook {
  return {
    id: text(row, 'id'),
    userId: text(row, 'user_id'),
    resource: text(row, 'resource'),
    event: text(row, 'event'),
    targetUrl: text(row, 'target_url'),
    secret: sealed(row, 'secret_'),
    status: oneOf(row, 'status', WEBEX_WEBHOOK_STATUSES),
    createdAt: int(row, 'created_at'),
    updatedAt: int(row, 'updated_at'),
  };
}

export function toPresenceSyncState(row: SqlRow): PresenceSyncState {
  return {
    userId: text(row, 'user_id'),
    enabled: bool(row, 'enabled'),
    rule: oneOf(row, 'rule', PRESENCE_RULES),
    lastSyncedAt: intOrNull(row, 'last_synced_at'),
    lastErrorCode: textOrNull(row, 'last_error_code'),
    lastErrorAction: textOrNull(row, 'last_error_action'),
    teamsState: json(row, 'teams_state'),
    webexState: json(row, 'webex_state'),
    version: int(row, 'version'),
    updatedAt: int(row, 'updated_at'),
  };
}

export function toInboxItem(row: SqlRow): InboxItem {
  return {
    id: int(row, 'id'),
    source: oneOf(row, 'source', INBOX_SOURCES),
    dedupeKey: text(row, 'dedupe_key'),
    partitionKey: text(row, 'partition_key'),
    payload: text(row, 'payload'),
    receivedAt: int(row, 'received_at'),
    status: oneOf(row, 'status', INBOX_STATUSES),
    attempts: int(row, 'attempts'),
    availableAt: int(row, 'available_at'),
    leaseOwner: textOrNull(row, 'lease_owner'),
    leaseUntil: intOrNull(row, 'lease_until'),
    lastError: textOrNull(row, 'last_error'),
    completedAt: intOrNull(row, 'completed_at'),
  };
}

export function toConversationRef(row: SqlRow): ConversationRef {
  const reference = json(row, 'reference');
  if (!isJsonObject(reference)) throw new RowShapeError('reference', 'a JSON object', reference);
  return {
    tenantId: text(row, 'tenant_id'),
    aadObjectId: text(row, 'aad_object_id'),
    reference,
    updatedAt: int(row, 'updated_at'),
  };
}

export function toTenantConsent(row: SqlRow): TenantConsent {
  return {
    tenantId: text(row, 'tenant_id'),
    grantedBy: text(row, 'granted_by'),
    grantedAt: int(row, 'granted_at'),
    scopes: stringList(row, 'scopes'),
    roles: stringList(row, 'roles'),
    updatedAt: int(row, 'updated_at'),
  };
}

export function toPlacedCall(row: SqlRow): PlacedCallRecord {
  return {
    userId: text(row, 'user_id'),
    callId: text(row, 'call_id'),
    destination: text(row, 'destination'),
    state: oneOf(row, 'state', PLACED_CALL_STATES),
    answered: bool(row, 'answered'),
    startedAt: int(row, 'started_at'),
    seenAt: int(row, 'seen_at'),
  };
}

function stringList(row: SqlRow, name: string): readonly string[] {
  const value = json(row, name);
  if (!Array.isArray(value)) throw new RowShapeError(name, 'a JSON array of strings', value);
  const names: string[] = [];
  for (const v of value as readonly JsonValue[]) {
    if (typeof v !== 'string') throw new RowShapeError(name, 'a JSON array of strings', v);
    names.push(v);
  }
  return names;
}

/** Permission names as stored: trimmed, unique, sorted; each non-empty and at most 200 chars. */
export function requireNameList(values: readonly string[], name: string): string {
  const input: readonly unknown[] = Array.isArray(values) ? values : [null];
  const names = new Set<string>();
  for (const v of input) {
    if (typeof v !== 'string' || v.trim() === '' || v.length > 200) {
      throw new TypeError(`${name} must hold non-empty names of at most 200 characters`);
    }
    names.add(v.trim());
  }
  return JSON.stringify([...names].sort());
}

function isJsonObject(value: JsonValue): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Argument validation (caller bugs throw)

const MAX_ID_LENGTH = 1024;
export const MAX_PAGE_LIMIT = 1000;
export const MAX_ERROR_LENGTH = 500;

export function requireId(value: string, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) {
    throw new TypeError(`${what} must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
  }
  return value;
}

export function requireOneOf<const T extends string>(value: T, values: readonly T[], what: string): T {
  if (!values.includes(value)) throw new TypeError(`${what} must be one of ${values.join(', ')}`);
  return value;
}

export function requireTime(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be epoch milliseconds (a non-negative integer)`);
  }
  return value;
}

export function requireTimeOrNull(value: number | null, what: string): number | null {
  return value === null ? null : requireTime(value, what);
}

export function requirePositiveInt(value: number, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new RangeError(`${what} must be an integer from 1 to ${max}`);
  }
  return value;
}

export function requireLimit(limit: number): number {
  return requirePositiveInt(limit, 'limit', MAX_PAGE_LIMIT);
}

export function requireSealed(secret: SealedSecret, what: string): SealedSecret {
  requireId(secret.keyId, `${what}.keyId`);
  for (const part of ['iv', 'tag', 'ciphertext'] as const) {
    if (!Buffer.isBuffer(secret[part])) throw new TypeError(`${what}.${part} must be a Buffer`);
  }
  return secret;
}

export function requireMembers(members: readonly string[]): string {
  if (members.length > GRAPH_SUBSCRIPTION_MAX_MEMBERS) {
    throw new RangeError(
      `a Graph subscription watches at most ${GRAPH_SUBSCRIPTION_MAX_MEMBERS} users (got ${members.length})`,
    );
  }
  if (new Set(members).size !== members.length) throw new TypeError('memberUserIds must not repeat an id');
  for (const m of members) requireId(m, 'memberUserIds[]');
  return JSON.stringify(members);
}

export function requireJsonObject(value: JsonObject, what: string): string {
  if (Array.isArray(value)) throw new TypeError(`${what} must be a JSON object, not an array`);
  return JSON.stringify(value);
}

export function jsonText(value: JsonValue): string {
  return JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------
// Keyset cursors: the sort key of the last row, opaque to callers.

export function encodeCursor(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

/**
 * The sort key a cursor carries, or empty strings (which sort before every valid id) for the
 * first page, so one statement serves both without an `OR $1 IS NULL` that defeats indexes.
 */
export function decodeCursor(cursor: string | null | undefined, arity: number): string[] {
  if (cursor === undefined || cursor === null) return Array.from({ length: arity }, () => '');
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parts = undefined;
  }
  if (
    !Array.isArray(parts) ||
    parts.length !== arity ||
    !parts.every((p): p is string => typeof p === 'string' && p.length > 0)
  ) {
    throw new TypeError('cursor is not one this list returned');
  }
  return parts;
}

/** Builds a page from `limit + 1` fetched rows: the extra row only says whether more exist. */
export function toPage<T>(
  rows: readonly T[],
  limit: number,
  key: (item: T) => readonly string[],
): {
  items: T[];
  next: string | null;
} {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last !== undefined ? encodeCursor(key(last)) : null };
}
