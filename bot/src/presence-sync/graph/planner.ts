import type { GraphSubscription, WatchableUser } from '../../store/store.js';

/**
 * What the upkeep must do to make the stored subscriptions match the users to watch: a pure
 * function of both lists, so the packing rules are tested without Graph.
 *
 * Rules, per tenant (a subscription's owner and members share one tenant):
 * - N watched users need exactly ⌈N / maxMembers⌉ subscriptions. Existing ones are kept where
 *   possible (Graph cannot change a subscription's resource, so any membership change means a
 *   replacement), surplus ones are merged away (smallest first), new users fill the subscriptions
 *   that are being replaced anyway before any other, and only then new subscriptions are made.
 * - A subscription whose owner cannot act any more, or that Graph removed, is replaced with the
 *   same members; one flagged for reauthorization is reauthorized; one expiring soon is renewed.
 * - A user appears in one subscription only.
 */

export type UpkeepAction =
  | { readonly kind: 'create'; readonly tenantId: string; readonly members: readonly WatchableUser[] }
  | {
      readonly kind: 'replace';
      readonly row: GraphSubscription;
      readonly members: readonly WatchableUser[];
      readonly reason: 'members' | 'owner' | 'removed';
    }
  | { readonly kind: 'delete'; readonly row: GraphSubscription; readonly reason: 'empty' | 'merged' }
  | { readonly kind: 'reauthorize'; readonly row: GraphSubscription }
  | { readonly kind: 'renew'; readonly row: GraphSubscription };

export interface PlanInput {
  readonly watched: readonly WatchableUser[];
  readonly rows: readonly GraphSubscription[];
  readonly maxMembers: number;
  /** Whether the user may own a subscription (signed in, not recently refused). */
  readonly ownerUsable: (userId: string) => boolean;
  /** Whether the subscription is due for renewal (expiry or authorization running out). */
  readonly renewalDue: (row: GraphSubscription) => boolean;
}

interface Entry {
  readonly row: GraphSubscription;
  members: WatchableUser[];
  dirty: boolean;
  reason: 'members' | 'owner' | 'removed';
}

export function planUpkeep(input: PlanInput): UpkeepAction[] {
  if (!Number.isInteger(input.maxMembers) || input.maxMembers < 1)
    throw new RangeError('maxMembers must be ≥ 1');
  const watchedByTenant = groupBy(input.watched, (w) => w.tenantId);
  const rowsByTenant = groupBy(input.rows, (r) => r.tenantId);
  const tenants = [...new Set([...watchedByTenant.keys(), ...rowsByTenant.keys()])].sort();
  return tenants.flatMap((tenantId) =>
    planTenant(tenantId, watchedByTenant.get(tenantId) ?? [], rowsByTenant.get(tenantId) ?? [], input),
  );
}

function planTenant(
  tenantId: string,
  watched: readonly WatchableUser[],
  rows: readonly GraphSubscription[],
  input: PlanInput,
): UpkeepAction[] {
  const actions: UpkeepAction[] = [];
  const byId = new Map(watched.map((w) => [w.userId, w]));
  const assigned = new Set<string>();
  // Newest first: after an interrupted replacement both old and new hold the same users, and
  // the new one keeping them lets the old one be deleted as empty.
  const ordered = [...rows].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
  const entries: Entry[] = ordered.map((row) => {
    const members: WatchableUser[] = [];
    for (const id of row.memberUserIds) {
      const user = byId.get(id);
      if (user === undefined || assigned.has(id)) continue;
      assigned.add(id);
      members.push(user);
    }
    const removed = row.status === 'removed';
    const ownerGone = !input.ownerUsable(row.ownerUserId);
    return {
      row,
      members,
      dirty: removed || ownerGone || members.length !== row.memberUserIds.length,
      reason: removed ? 'removed' : ownerGone ? 'owner' : 'members',
    };
  });
  const unassigned = watched.filter((w) => !assigned.has(w.userId));

  // Merge: keep at most the target number, dropping the emptiest (dirty ones first on a tie).
  const target = Math.ceil(watched.length / input.maxMembers);
  const keep = [...entries].sort(
    (a, b) => b.members.length - a.members.length || Number(a.dirty) - Number(b.dirty),
  );
  for (const surplus of keep.splice(target)) {
    unassigned.unshift(...surplus.members);
    actions.push({
      kind: 'delete',
      row: surplus.row,
      reason: surplus.members.length === 0 ? 'empty' : 'merged',
    });
  }

  // Fill: subscriptions being replaced anyway first, then those with the most room.
  const fillOrder = [...keep].sort(
    (a, b) => Number(b.dirty) - Number(a.dirty) || a.members.length - b.members.length,
  );
  for (const entry of fillOrder) {
    const room = input.maxMembers - entry.members.length;
    if (room <= 0 || unassigned.length === 0) continue;
    entry.members.push(...unassigned.splice(0, room));
    if (!entry.dirty) {
      entry.dirty = true;
      entry.reason = 'members';
    }
  }

  for (const entry of keep) {
    if (entry.dirty) {
      actions.push({ kind: 'replace', row: entry.row, members: entry.members, reason: entry.reason });
    } else if (entry.row.status === 'reauthorization_required') {
      actions.push({ kind: 'reauthorize', row: entry.row });
    } else if (input.renewalDue(entry.row)) {
      actions.push({ kind: 'renew', row: entry.row });
    }
  }
  while (unassigned.length > 0) {
    actions.push({ kind: 'create', tenantId, members: unassigned.splice(0, input.maxMembers) });
  }
  return actions;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return groups;
}
