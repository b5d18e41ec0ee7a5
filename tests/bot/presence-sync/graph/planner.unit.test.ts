import assert from 'node:assert/strict';
import {
  planUpkeep,
  type PlanInput,
  type UpkeepAction,
} from '../../../../bot/src/presence-sync/graph/planner.js';
import type { GraphSubscription, WatchableUser } from '../../../../bot/src/store/store.js';

/** The packing rules of the subscription upkeep, without Graph. */

const T1 = 'tenant-1';
const T2 = 'tenant-2';

function users(count: number, tenantId = T1, from = 0): WatchableUser[] {
  return Array.from({ length: count }, (_, i) => ({
    userId: `${tenantId}-u${String(from + i).padStart(5, '0')}`,
    tenantId,
    aadObjectId: `aad-${tenantId}-${String(from + i)}`,
    status: 'active' as const,
  }));
}

let seq = 0;
function row(
  members: readonly WatchableUser[],
  overrides: Partial<GraphSubscription> = {},
): GraphSubscription {
  seq += 1;
  const first = members[0];
  return {
    id: `sub-${String(seq)}`,
    tenantId: first?.tenantId ?? T1,
    ownerUserId: first?.userId ?? 'owner',
    resource: 'r',
    memberUserIds: members.map((m) => m.userId),
    clientStateHash: 'h',
    expiresAt: 10_000_000,
    status: 'active',
    version: 1,
    createdAt: seq,
    updatedAt: seq,
    ...overrides,
  };
}

function plan(input: Partial<PlanInput> & Pick<PlanInput, 'watched' | 'rows'>): UpkeepAction[] {
  return planUpkeep({ maxMembers: 650, ownerUsable: () => true, renewalDue: () => false, ...input });
}

/** Members of every subscription after the plan: kept rows, replacements and creations. */
function coverage(rows: readonly GraphSubscription[], actions: readonly UpkeepAction[]): string[][] {
  const touched = new Set(
    actions.flatMap((a) => (a.kind === 'replace' || a.kind === 'delete' ? [a.row.id] : [])),
  );
  return [
    ...rows.filter((r) => !touched.has(r.id)).map((r) => [...r.memberUserIds]),
    ...actions.flatMap((a) =>
      a.kind === 'replace' || a.kind === 'create' ? [a.members.map((m) => m.userId)] : [],
    ),
  ];
}

function assertPacked(groups: readonly string[][], watched: readonly WatchableUser[], max = 650): void {
  assert.equal(groups.length, Math.ceil(watched.length / max));
  assert.ok(groups.every((g) => g.length > 0 && g.length <= max));
  const all = groups.flat();
  assert.equal(new Set(all).size, all.length, 'nobody twice');
  assert.deepEqual(all.sort(), watched.map((w) => w.userId).sort());
}

describe('planUpkeep: presence subscription packing', function () {
  it('needs exactly ⌈2000/650⌉ = 4 subscriptions for 2,000 users', function () {
    const watched = users(2000);
    const actions = plan({ watched, rows: [] });
    assert.deepEqual(
      actions.map((a) => (a.kind === 'create' ? a.members.length : a.kind)),
      [650, 650, 650, 50],
    );
    assertPacked(coverage([], actions), watched);
  });

  it('leaves matching subscriptions alone and renews only the ones due', function () {
    const watched = users(700);
    const rows = [row(watched.slice(0, 650)), row(watched.slice(650))];
    assert.deepEqual(plan({ watched, rows }), []);
    const due = rows[1]!;
    assert.deepEqual(plan({ watched, rows, renewalDue: (r) => r.id === due.id }), [
      { kind: 'renew', row: due },
    ]);
  });

  it('fills the subscription being replaced anyway before touching a full one, and creates only past capacity', function () {
    const watched = users(1300);
    const full = row(watched.slice(0, 650));
    const partial = row(watched.slice(650, 1000));
    const newcomers = users(10, T1, 5000);
    const actions = plan({ watched: [...watched, ...newcomers], rows: [full, partial] });
    assert.deepEqual(
      actions.map((a) => a.kind),
      ['replace', 'create'],
    );
    const replaced = actions[0];
    assert.ok(replaced?.kind === 'replace' && replaced.row.id === partial.id);
    assert.equal(replaced.members.length, 650);
    assertPacked(coverage([full, partial], actions), [...watched, ...newcomers]);
  });

  it('merges away surplus subscriptions when users leave (smallest first)', function () {
    const watched = users(2000);
    const rows = [
      row(watched.slice(0, 650)),
      row(watched.slice(650, 1300)),
      row(watched.slice(1300, 1950)),
      row(watched.slice(1950)),
    ];
    const remaining = [...watched.slice(0, 300), ...watched.slice(1000)];
    const actions = plan({ watched: remaining, rows });
    assert.equal(actions.filter((a) => a.kind === 'delete').length, 2);
    assert.ok(
      actions.some((a) => a.kind === 'delete' && a.row.id === rows[3]!.id),
      'the 50-member one goes',
    );
    assertPacked(coverage(rows, actions), remaining);

    const none = plan({ watched: [], rows });
    assert.deepEqual(
      none.map((a) => (a.kind === 'delete' ? a.reason : a.kind)),
      ['empty', 'empty', 'empty', 'empty'],
    );
  });

  it('replaces subscriptions whose owner cannot act or that Graph removed, and reauthorizes flagged ones', function () {
    const watched = users(30);
    const deadOwner = row(watched.slice(0, 10));
    const removed = row(watched.slice(10, 20), { status: 'removed' });
    const flagged = row(watched.slice(20), { status: 'reauthorization_required' });
    const actions = plan({
      watched,
      rows: [deadOwner, removed, flagged],
      maxMembers: 10,
      ownerUsable: (id) => id !== deadOwner.ownerUserId,
    });
    const summary = actions.map(
      (a) => `${a.kind}:${a.kind === 'create' ? '' : a.row.id}:${a.kind === 'replace' ? a.reason : ''}`,
    );
    assert.deepEqual(
      summary.sort(),
      [`reauthorize:${flagged.id}:`, `replace:${deadOwner.id}:owner`, `replace:${removed.id}:removed`].sort(),
    );
    for (const a of actions) {
      if (a.kind === 'replace')
        assert.deepEqual(
          a.members.map((m) => m.userId),
          a.row.memberUserIds,
        );
    }
  });

  it('after an interrupted replacement keeps the newer subscription and deletes the older duplicate', function () {
    const watched = users(5);
    const older = row(watched);
    const newer = row(watched);
    const actions = plan({ watched, rows: [older, newer] });
    assert.deepEqual(actions, [{ kind: 'delete', row: older, reason: 'empty' }]);
  });

  it('plans each tenant on its own', function () {
    const a = users(651, T1);
    const b = users(3, T2);
    const actions = plan({ watched: [...a, ...b], rows: [] });
    const byTenant = actions.map((x) => (x.kind === 'create' ? [x.tenantId, x.members.length] : x.kind));
    assert.deepEqual(byTenant, [
      [T1, 650],
      [T1, 1],
      [T2, 3],
    ]);
    assert.ok(actions.every((x) => x.kind !== 'create' || x.members.every((m) => m.tenantId === x.tenantId)));
  });
});
