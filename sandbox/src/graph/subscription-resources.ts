import type { PermissionRule } from './auth.js';
import { MINUTE_MS } from './clock.js';
import { GraphError } from './errors.js';
import { evaluateFilter, filterUsages, parseFilter, type FilterNode } from './odata-filter.js';

/**
 * The resources the stand-in accepts subscriptions on, with each one's documented rules:
 *
 * | resource | change types | token | permission | max lifetime |
 * |---|---|---|---|---|
 * | `communications/presences/{id}`, `communications/presences?$filter=id in (…)` (≤ 650 ids) | updated | delegated only | Presence.Read.All | 60 min |
 * | `communications/callRecords` (optionally `?$filter=participants/any(p:p/id eq '…')`) | created, updated | application only | CallRecords.Read.All | 4,230 min |
 */

export type SubscriptionTarget =
  | { readonly kind: 'presence'; readonly userIds: ReadonlySet<string>; readonly single: boolean }
  | { readonly kind: 'callRecords'; readonly participantFilter: FilterNode | undefined };

export interface ResourceRules {
  readonly changeTypes: ReadonlySet<string>;
  readonly permission: PermissionRule;
  readonly maxLifetimeMs: number;
}

const MAX_PRESENCE_IDS = 650;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const RULES: Readonly<Record<SubscriptionTarget['kind'], ResourceRules>> = {
  presence: {
    changeTypes: new Set(['updated']),
    permission: { delegated: ['Presence.Read.All'], application: [] },
    maxLifetimeMs: 60 * MINUTE_MS,
  },
  callRecords: {
    changeTypes: new Set(['created', 'updated']),
    permission: { delegated: [], application: ['CallRecords.Read.All'] },
    maxLifetimeMs: 4230 * MINUTE_MS,
  },
};

function invalid(message: string): GraphError {
  return new GraphError(400, 'InvalidRequest', message);
}

/** Parses a subscription `resource`; throws 400 for resources the stand-in does not serve. */
export function parseResource(resource: string): SubscriptionTarget {
  const trimmed = resource.replace(/^\//, '');
  const [path, query] = splitOnce(trimmed, '?');
  const filter = query === undefined ? undefined : (new URLSearchParams(query).get('$filter') ?? undefined);
  const single = /^communications\/presences\/([^/?]+)$/i.exec(path);
  if (single?.[1] !== undefined) {
    const id = decodeURIComponent(single[1]);
    if (!GUID.test(id)) throw invalid(`Invalid user id '${id}' in resource '${resource}'.`);
    return { kind: 'presence', userIds: new Set([id.toLowerCase()]), single: true };
  }
  if (/^communications\/presences$/i.test(path)) {
    if (filter === undefined)
      throw invalid(`Resource '${resource}' needs a $filter of the form id in ('{id}', …).`);
    return { kind: 'presence', userIds: presenceIds(filter, resource), single: false };
  }
  if (/^communications\/callRecords$/i.test(path)) {
    return {
      kind: 'callRecords',
      participantFilter: filter === undefined ? undefined : participantFilter(filter, resource),
    };
  }
  throw invalid(`Resource '${resource}' is not supported for subscriptions.`);
}

function presenceIds(filter: string, resource: string): ReadonlySet<string> {
  const node = parseFilter(filter);
  const values =
    node.kind === 'in' && node.path === 'id'
      ? node.values
      : node.kind === 'compare' && node.op === 'eq' && node.path === 'id'
        ? [node.value]
        : undefined;
  if (values === undefined || !values.every((v): v is string => typeof v === 'string' && GUID.test(v))) {
    throw invalid(
      `Resource '${resource}' needs a $filter of the form id in ('{id}', …) with user object ids.`,
    );
  }
  if (values.length > MAX_PRESENCE_IDS) {
    throw invalid(
      `A presence subscription can cover at most ${MAX_PRESENCE_IDS} users; '${resource}' names ${values.length}.`,
    );
  }
  return new Set(values.map((v) => v.toLowerCase()));
}

function participantFilter(filter: string, resource: string): FilterNode {
  const node = parseFilter(filter);
  // Documented: participant object ids with eq, in and or (inside participants/any(...)).
  const supported = filterUsages(node).every(
    (u) => (u.op === 'any:eq' || u.op === 'any:in') && u.path === 'participants/id',
  );
  if (!supported) throw invalid(`Unsupported filter in resource '${resource}'.`);
  return node;
}

/** True when a call record with these participant ids matches the subscription's filter. */
export function matchesParticipants(
  filter: FilterNode | undefined,
  participantIds: readonly string[],
): boolean {
  if (filter === undefined) return true;
  return evaluateFilter(filter, (p) =>
    p === 'participants' ? participantIds.map((id) => ({ id })) : undefined,
  );
}

/** The `resource` Graph reports in a presence notification for one user. */
export function presenceNotificationResource(
  target: Extract<SubscriptionTarget, { kind: 'presence' }>,
  userId: string,
): string {
  // Documented examples: the single-user form repeats the path; the bulk form names the one user
  // that changed, URL-encoded as in Graph's published payload.
  return target.single
    ? `communications/presences/${userId}`
    : `communications/presences?$filter=id+in+(%27${userId}%27)`;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const i = text.indexOf(separator);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
}
