import assert from 'node:assert/strict';
import type {
  GraphSubscription,
  InboxItem,
  NewGraphSubscription,
  NewWebexWebhook,
  SealedSecret,
  Store,
  TokenPut,
  User,
} from '../../../bot/src/store/store.js';
import { GRAPH_SUBSCRIPTION_MAX_MEMBERS } from '../../../bot/src/store/store.js';
import { presencePut } from '../../support/presence-rows.js';

/**
 * The behaviour every Store implementation must have. Each dialect's integration test calls
 * `describeStoreContract` with a factory that returns a fresh, empty store on the given clock.
 */

export interface StoreHarness {
  readonly store: Store;
  /** Closes the store and removes whatever the factory created. */
  dispose(): Promise<void>;
}

export type StoreFactory = (now: () => number) => Promise<StoreHarness>;

/** A clock tests move by hand, so leases and backoff are tested without sleeping. */
export class FakeClock {
  constructor(public t = 1_700_000_000_000) {}
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export function sealedSecret(seed: string, keyId = 'key-1'): SealedSecret {
  return {
    keyId,
    iv: Buffer.from(`iv:${seed}`),
    tag: Buffer.from(`tag:${seed}`),
    // Bytes that are not valid UTF-8 and include NUL: must come back byte-exact.
    ciphertext: Buffer.concat([Buffer.from([0, 255, 254, 0]), Buffer.from(seed)]),
  };
}

export function assertOk<T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!result.ok) assert.fail(`expected ok, got ${JSON.stringify(result.error)}`);
  return result.value;
}

export function tokenPut(user: User, overrides: Partial<TokenPut> = {}): TokenPut {
  return {
    tenantId: user.tenantId,
    userId: user.id,
    kind: 'graph_refresh',
    sealed: sealedSecret('a'),
    expiresAt: null,
    expectedVersion: null,
    ...overrides,
  };
}

const TENANT = '11111111-1111-4111-8111-111111111111';
const OTHER_TENANT = '22222222-2222-4222-8222-222222222222';

export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, function () {
    let clock: FakeClock;
    let harness: StoreHarness | undefined;
    let store: Store;

    beforeEach(async function () {
      clock = new FakeClock();
      harness = await factory(clock.now);
      store = harness.store;
    });

    afterEach(async function () {
      await harness?.dispose();
      harness = undefined;
    });

    const user = (aad = 'aad-1', tenantId = TENANT): Promise<User> =>
      store.users.upsert({ tenantId, aadObjectId: aad });

    describe('users', function () {
      it('creates a user once per (tenant, aadObjectId) with an opaque id and clock timestamps', async function () {
        const first = await user('aad-1');
        clock.advance(10);
        const again = await user('aad-1');
        assert.match(first.id, /^[0-9a-f-]{36}$/);
        assert.equal(again.id, first.id);
        assert.deepEqual(first, {
          id: first.id,
          tenantId: TENANT,
          aadObjectId: 'aad-1',
          status: 'needs_sign_in',
          webex: null,
          createdAt: clock.t - 10,
          updatedAt: clock.t - 10,
        });
        assert.equal(again.updatedAt, first.updatedAt, 'an upsert that changes nothing keeps updatedAt');
        assert.equal(await store.users.count(), 1);
      });

      it('keeps users of different tenants apart', async function () {
        const a = await user('aad-1', TENANT);
        const b = await user('aad-1', OTHER_TENANT);
        assert.notEqual(a.id, b.id);
        assert.equal((await store.users.getByAadObjectId(OTHER_TENANT, 'aad-1'))?.id, b.id);
        assert.equal(await store.users.getByAadObjectId(OTHER_TENANT, 'aad-2'), undefined);
        assert.equal(await store.users.count(), 2);
      });

      it('upsert with a status sets it on create and replaces it on an existing user', async function () {
        const created = await store.users.upsert({ tenantId: TENANT, aadObjectId: 'a', status: 'active' });
        assert.equal(created.status, 'active');
        clock.advance(5);
        const kept = await store.users.upsert({ tenantId: TENANT, aadObjectId: 'a' });
        assert.equal(kept.status, 'active');
        const changed = await store.users.upsert({
          tenantId: TENANT,
          aadObjectId: 'a',
          status: 'needs_sign_in',
        });
        assert.equal(changed.status, 'needs_sign_in');
        assert.equal(changed.updatedAt, clock.t);
      });

      it('gets by id and returns undefined for unknown ids', async function () {
        const u = await user();
        assert.deepEqual(await store.users.get(u.id), u);
        assert.equal(await store.users.get('00000000-0000-4000-8000-000000000000'), undefined);
        assert.equal(await store.users.get('not-a-uuid'), undefined);
      });

      it('sets the status, or reports not_found', async function () {
        const u = await user();
        clock.advance(1);
        const updated = assertOk(await store.users.setStatus(u.id, 'active'));
        assert.equal(updated.status, 'active');
        assert.equal(updated.updatedAt, clock.t);
        assert.equal((await store.users.get(u.id))?.status, 'active');
        assert.deepEqual(await store.users.setStatus('missing', 'active'), {
          ok: false,
          error: { code: 'not_found' },
        });
      });

      it('links, finds by and unlinks a Webex person', async function () {
        const u = await user();
        clock.advance(1);
        const linked = assertOk(await store.users.linkWebex(u.id, { personId: 'p-1', orgId: 'o-1' }));
        assert.deepEqual(linked.webex, { personId: 'p-1', orgId: 'o-1', linkedAt: clock.t });
        assert.equal((await store.users.getByWebexPersonId('p-1'))?.id, u.id);

        clock.advance(1);
        const relinked = assertOk(await store.users.linkWebex(u.id, { personId: 'p-1', orgId: 'o-2' }));
        assert.equal(
          relinked.webex?.linkedAt,
          linked.webex.linkedAt,
          'relinking the same person keeps linkedAt',
        );
        assert.equal(relinked.webex.orgId, 'o-2');

        const unlinked = assertOk(await store.users.unlinkWebex(u.id));
        assert.equal(unlinked.webex, null);
        assert.equal(await store.users.getByWebexPersonId('p-1'), undefined);
      });

      it('refuses to link a Webex person that another user holds', async function () {
        const a = await user('a');
        const b = await user('b');
        assertOk(await store.users.linkWebex(a.id, { personId: 'p-1', orgId: 'o' }));
        assert.deepEqual(await store.users.linkWebex(b.id, { personId: 'p-1', orgId: 'o' }), {
          ok: false,
          error: { code: 'webex_already_linked' },
        });
        assert.equal((await store.users.get(b.id))?.webex, null);
        assert.deepEqual(await store.users.linkWebex('missing', { personId: 'p-2', orgId: 'o' }), {
          ok: false,
          error: { code: 'not_found' },
        });
        assert.deepEqual(await store.users.unlinkWebex('missing'), {
          ok: false,
          error: { code: 'not_found' },
        });
      });

      it('pages through every id once, in a stable order, without an empty last page', async function () {
        const created = new Set<string>();
        for (let i = 0; i < 7; i++) created.add((await user(`aad-${i}`)).id);
        const seen: string[] = [];
        const sizes: number[] = [];
        let cursor: string | null = null;
        do {
          const page: Awaited<ReturnType<Store['users']['listIds']>> = await store.users.listIds({
            limit: 3,
            cursor,
          });
          sizes.push(page.items.length);
          seen.push(...page.items);
          cursor = page.next;
        } while (cursor !== null);
        assert.deepEqual(sizes, [3, 3, 1]);
        assert.deepEqual(new Set(seen), created);
        assert.deepEqual(seen, [...seen].sort());

        const exact = await store.users.listIds({ limit: 7 });
        assert.equal(exact.items.length, 7);
        assert.equal(exact.next, null, 'a page that ends exactly at the last row says so');
      });

      it('rejects bad paging arguments as bugs', async function () {
        await assert.rejects(store.users.listIds({ limit: 0 }), RangeError);
        await assert.rejects(store.users.listIds({ limit: 1001 }), RangeError);
        await assert.rejects(store.users.listIds({ limit: 10, cursor: 'garbage' }), TypeError);
        await assert.rejects(store.users.upsert({ tenantId: '', aadObjectId: 'a' }), TypeError);
      });

      it('deletes a user together with their tokens, presence state, webhooks and subscriptions', async function () {
        const u = await user();
        const other = await user('other');
        assertOk(await store.tokens.put(tokenPut(u)));
        assertOk(await store.tokens.put(tokenPut(other)));
        assertOk(await store.presence.upsert(presencePut(u.id)));
        assertOk(await store.webexWebhooks.create(webhook(u.id, 'wh-1')));
        assertOk(await store.graphSubscriptions.create(subscription(u, 'sub-1')));

        assert.equal(await store.users.delete(u.id), true);
        assert.equal(await store.users.delete(u.id), false);
        assert.equal(await store.users.get(u.id), undefined);
        assert.equal(
          await store.tokens.get({ tenantId: TENANT, userId: u.id, kind: 'graph_refresh' }),
          undefined,
        );
        assert.equal(await store.presence.get(u.id), undefined);
        assert.equal(await store.webexWebhooks.get('wh-1'), undefined);
        assert.equal(await store.graphSubscriptions.get('sub-1'), undefined);
        assert.notEqual(
          await store.tokens.get({ tenantId: TENANT, userId: other.id, kind: 'graph_refresh' }),
          undefined,
        );
        assert.equal(await store.users.count(), 1);
      });
    });

    describe('tokens', function () {
      it('creates version 1 and reads the sealed bytes back exactly', async function () {
        const u = await user();
        const sealed = sealedSecret('secret', 'key-7');
        const created = assertOk(
          await store.tokens.put(tokenPut(u, { sealed, expiresAt: clock.t + 3_600_000 })),
        );
        assert.equal(created.version, 1);
        const read = await store.tokens.get({ tenantId: TENANT, userId: u.id, kind: 'graph_refresh' });
        assert.deepEqual(read, {
          tenantId: TENANT,
          userId: u.id,
          kind: 'graph_refresh',
          sealed,
          expiresAt: clock.t + 3_600_000,
          version: 1,
          createdAt: clock.t,
          updatedAt: clock.t,
        });
        assert.ok(Buffer.isBuffer(read.sealed.ciphertext));
      });

      it('keeps kinds apart and reads nothing across tenants', async function () {
        const u = await user();
        assertOk(await store.tokens.put(tokenPut(u, { kind: 'graph_refresh', sealed: sealedSecret('g') })));
        assertOk(await store.tokens.put(tokenPut(u, { kind: 'webex_refresh', sealed: sealedSecret('w') })));
        const webex = await store.tokens.get({ tenantId: TENANT, userId: u.id, kind: 'webex_refresh' });
        assert.deepEqual(webex?.sealed, sealedSecret('w'));
        assert.equal(
          await store.tokens.get({ tenantId: OTHER_TENANT, userId: u.id, kind: 'graph_refresh' }),
          undefined,
        );
        assert.equal(
          await store.tokens.get({ tenantId: TENANT, userId: u.id, kind: 'graph_access' }),
          undefined,
        );
      });

      it('refuses a second create with conflict and keeps the first value', async function () {
        const u = await user();
        assertOk(await store.tokens.put(tokenPut(u, { sealed: sealedSecret('first') })));
        const second = await store.tokens.put(tokenPut(u, { sealed: sealedSecret('second') }));
        assert.deepEqual(second, { ok: false, error: { code: 'conflict' } });
        const read = await store.tokens.get({ tenantId: TENANT, userId: u.id, kind: 'graph_refresh' });
        assert.deepEqual(read?.sealed, sealedSecret('first'));
      });

      it('replaces only the expected version and bumps it', async function () {
        const u = await user();
        assertOk(await store.tokens.put(tokenPut(u, { sealed: sealedSecret('v1') })));
        clock.advance(100);
        const v2 = assertOk(
          await store.tokens.put(
            tokenPut(u, { sealed: sealedSecret('v2', 'key-2'), expectedVersion: 1, expiresAt: 5 }),
          ),
        );
        assert.equal(v2.version, 2);
        assert.equal(v2.updatedAt, clock.t);
        assert.equal(v2.createdAt, clock.t - 100);
        assert.equal(v2.expiresAt, 5);

        const stale = await store.tokens.put(
          tokenPut(u, { sealed: sealedSecret('stale'), expectedVersion: 1 }),
        );
        assert.deepEqual(stale, { ok: false, error: { code: 'conflict' } });
        const read = await store.tokens.get({ tenantId: TENANT, userId: u.id, kind: 'graph_refresh' });
        assert.deepEqual(read?.sealed, sealedSecret('v2', 'key-2'));
        assert.equal(read.version, 2);
      });

      it('lets exactly one of two concurrent refreshes of the same version win', async function () {
        const u = await user();
        assertOk(await store.tokens.put(tokenPut(u)));
        const results = await Promise.all(
          ['x', 'y'].map((seed) =>
            store.tokens.put(tokenPut(u, { sealed: sealedSecret(seed), expectedVersion: 1 })),
          ),
        );
        const winners = results.filter((r) => r.ok);
        assert.equal(winners.length, 1);
        assert.deepEqual(
          results.find((r) => !r.ok),
          { ok: false, error: { code: 'conflict' } },
        );
        const read = await store.tokens.get({ tenantId: TENANT, userId: u.id, kind: 'graph_refresh' });
        assert.equal(read?.version, 2);
        assert.deepEqual(read, assertOk(winners[0]!));
      });

      it('treats an update of a missing record as a conflict', async function () {
        const u = await user();
        assert.deepEqual(await store.tokens.put(tokenPut(u, { expectedVersion: 3 })), {
          ok: false,
          error: { code: 'conflict' },
        });
      });

      it('reports user_not_found for an unknown user or a user of another tenant', async function () {
        const u = await user();
        const ghost = { ...u, id: 'missing' };
        assert.deepEqual(await store.tokens.put(tokenPut(ghost)), {
          ok: false,
          error: { code: 'user_not_found' },
        });
        const wrongTenant = { ...u, tenantId: OTHER_TENANT };
        assert.deepEqual(await store.tokens.put(tokenPut(wrongTenant)), {
          ok: false,
          error: { code: 'user_not_found' },
        });
      });

      it('deletes one record, optionally only at a version, or all of a user', async function () {
        const u = await user();
        const key = { tenantId: TENANT, userId: u.id, kind: 'graph_refresh' } as const;
        assertOk(await store.tokens.put(tokenPut(u)));
        assertOk(await store.tokens.put(tokenPut(u, { kind: 'graph_access' })));
        assertOk(await store.tokens.put(tokenPut(u, { kind: 'webex_access' })));
        assert.equal(await store.tokens.delete(key, 2), false, 'a stale version deletes nothing');
        assert.equal(await store.tokens.delete(key, 1), true);
        assert.equal(await store.tokens.delete(key), false);
        assert.equal(await store.tokens.get(key), undefined);
        assert.equal(await store.tokens.deleteAllForUser(OTHER_TENANT, u.id), 0);
        assert.equal(await store.tokens.deleteAllForUser(TENANT, u.id), 2);
        assert.equal(await store.tokens.get({ ...key, kind: 'graph_access' }), undefined);
      });

      it('lists every record page by page, optionally only those sealed with another key', async function () {
        const expected = new Set<string>();
        for (let i = 0; i < 4; i++) {
          const u = await user(`aad-${i}`, i % 2 === 0 ? TENANT : OTHER_TENANT);
          for (const kind of ['graph_refresh', 'webex_refresh'] as const) {
            const keyId = i === 0 ? 'key-new' : 'key-old';
            assertOk(
              await store.tokens.put(tokenPut(u, { kind, sealed: sealedSecret(`${i}${kind}`, keyId) })),
            );
            expected.add(`${u.tenantId}/${u.id}/${kind}`);
          }
        }
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page: Awaited<ReturnType<Store['tokens']['list']>> = await store.tokens.list({
            limit: 3,
            cursor,
          });
          seen.push(...page.items.map((t) => `${t.tenantId}/${t.userId}/${t.kind}`));
          cursor = page.next;
          pages += 1;
        } while (cursor !== null);
        assert.equal(pages, 3);
        assert.equal(seen.length, 8);
        assert.deepEqual(new Set(seen), expected);

        const stale = await store.tokens.list({ limit: 100, keyIdOtherThan: 'key-new' });
        assert.equal(stale.items.length, 6);
        assert.ok(stale.items.every((t) => t.sealed.keyId === 'key-old'));
      });
    });

    function subscription(
      owner: User,
      id: string,
      overrides: Partial<NewGraphSubscription> = {},
    ): NewGraphSubscription {
      return {
        id,
        tenantId: owner.tenantId,
        ownerUserId: owner.id,
        resource: "/communications/presences?$filter=id in ('a')",
        memberUserIds: [owner.id],
        clientStateHash: 'hash-1',
        expiresAt: clock.t + 3_600_000,
        ...overrides,
      };
    }

    describe('graph subscriptions', function () {
      it('creates and finds a subscription by id, keeping member order', async function () {
        const u = await user();
        const members = ['m-3', 'm-1', 'm-2'];
        const created = assertOk(
          await store.graphSubscriptions.create(subscription(u, 'sub-1', { memberUserIds: members })),
        );
        const expected: GraphSubscription = {
          id: 'sub-1',
          tenantId: TENANT,
          ownerUserId: u.id,
          resource: "/communications/presences?$filter=id in ('a')",
          memberUserIds: members,
          clientStateHash: 'hash-1',
          expiresAt: clock.t + 3_600_000,
          status: 'active',
          version: 1,
          createdAt: clock.t,
          updatedAt: clock.t,
        };
        assert.deepEqual(created, expected);
        assert.deepEqual(await store.graphSubscriptions.get('sub-1'), expected);
        assert.equal(await store.graphSubscriptions.get('sub-2'), undefined);
      });

      it('reports already_exists and user_not_found', async function () {
        const u = await user();
        assertOk(await store.graphSubscriptions.create(subscription(u, 'sub-1')));
        assert.deepEqual(await store.graphSubscriptions.create(subscription(u, 'sub-1')), {
          ok: false,
          error: { code: 'already_exists' },
        });
        assert.deepEqual(
          await store.graphSubscriptions.create(subscription({ ...u, id: 'ghost' }, 'sub-2')),
          {
            ok: false,
            error: { code: 'user_not_found' },
          },
        );
        assert.deepEqual(
          await store.graphSubscriptions.create(subscription({ ...u, tenantId: OTHER_TENANT }, 'sub-3')),
          { ok: false, error: { code: 'user_not_found' } },
        );
      });

      it('accepts 650 members and throws for 651', async function () {
        const u = await user();
        const members = Array.from({ length: GRAPH_SUBSCRIPTION_MAX_MEMBERS }, (_, i) => `user-${i}`);
        const created = assertOk(
          await store.graphSubscriptions.create(subscription(u, 's', { memberUserIds: members })),
        );
        assert.equal(created.memberUserIds.length, 650);
        await assert.rejects(
          store.graphSubscriptions.create(subscription(u, 't', { memberUserIds: [...members, 'one-more'] })),
          RangeError,
        );
        await assert.rejects(
          store.graphSubscriptions.update('s', 1, { memberUserIds: [...members, 'one-more'] }),
          RangeError,
        );
      });

      it('updates only the patched fields, compare-and-swap on version', async function () {
        const u = await user();
        assertOk(await store.graphSubscriptions.create(subscription(u, 'sub-1')));
        clock.advance(1000);
        const renewed = assertOk(
          await store.graphSubscriptions.update('sub-1', 1, {
            expiresAt: clock.t + 7_200_000,
            memberUserIds: ['x', 'y'],
          }),
        );
        assert.equal(renewed.version, 2);
        assert.equal(renewed.expiresAt, clock.t + 7_200_000);
        assert.deepEqual(renewed.memberUserIds, ['x', 'y']);
        assert.equal(renewed.clientStateHash, 'hash-1');
        assert.equal(renewed.status, 'active');
        assert.equal(renewed.updatedAt, clock.t);

        assert.deepEqual(await store.graphSubscriptions.update('sub-1', 1, { status: 'removed' }), {
          ok: false,
          error: { code: 'conflict' },
        });
        assert.deepEqual(await store.graphSubscriptions.update('nope', 1, { status: 'removed' }), {
          ok: false,
          error: { code: 'not_found' },
        });
        const flagged = assertOk(
          await store.graphSubscriptions.update('sub-1', 2, { status: 'reauthorization_required' }),
        );
        assert.equal(flagged.status, 'reauthorization_required');
        assert.deepEqual(flagged.memberUserIds, ['x', 'y']);
      });

      it('lists subscriptions expiring before a time, soonest first, skipping removed ones', async function () {
        const u = await user();
        const at = (minutes: number): number => clock.t + minutes * 60_000;
        assertOk(await store.graphSubscriptions.create(subscription(u, 'late', { expiresAt: at(90) })));
        assertOk(await store.graphSubscriptions.create(subscription(u, 'soon', { expiresAt: at(10) })));
        assertOk(await store.graphSubscriptions.create(subscription(u, 'sooner', { expiresAt: at(5) })));
        assertOk(
          await store.graphSubscriptions.create(
            subscription(u, 'gone', { expiresAt: at(1), status: 'removed' }),
          ),
        );
        assertOk(
          await store.graphSubscriptions.create(
            subscription(u, 'reauth', { expiresAt: at(20), status: 'reauthorization_required' }),
          ),
        );
        const expiring = await store.graphSubscriptions.listExpiringBefore(at(60), 10);
        assert.deepEqual(
          expiring.map((s) => s.id),
          ['sooner', 'soon', 'reauth'],
        );
        const limited = await store.graphSubscriptions.listExpiringBefore(at(60), 1);
        assert.deepEqual(
          limited.map((s) => s.id),
          ['sooner'],
        );
      });

      it('lists by owner and deletes', async function () {
        const a = await user('a');
        const b = await user('b');
        assertOk(await store.graphSubscriptions.create(subscription(a, 'a-1')));
        clock.advance(1);
        assertOk(await store.graphSubscriptions.create(subscription(a, 'a-2')));
        assertOk(await store.graphSubscriptions.create(subscription(b, 'b-1')));
        assert.deepEqual(
          (await store.graphSubscriptions.listByOwner(a.id)).map((s) => s.id),
          ['a-1', 'a-2'],
        );
        assert.equal(await store.graphSubscriptions.delete('a-1'), true);
        assert.equal(await store.graphSubscriptions.delete('a-1'), false);
        assert.deepEqual(
          (await store.graphSubscriptions.listByOwner(a.id)).map((s) => s.id),
          ['a-2'],
        );
      });

      it('lists every subscription by id in pages, removed ones included', async function () {
        const u = await user();
        for (const id of ['s-3', 's-1', 's-4', 's-2']) {
          assertOk(await store.graphSubscriptions.create(subscription(u, id)));
        }
        assertOk(await store.graphSubscriptions.update('s-4', 1, { status: 'removed' }));
        const first = await store.graphSubscriptions.list({ limit: 3 });
        assert.deepEqual(
          first.items.map((s) => s.id),
          ['s-1', 's-2', 's-3'],
        );
        const second = await store.graphSubscriptions.list({ limit: 3, cursor: first.next });
        assert.deepEqual(
          second.items.map((s) => [s.id, s.status]),
          [['s-4', 'removed']],
        );
        assert.equal(second.next, null);
      });

      it('lists the users with presence sync enabled with tenant, object id and sign-in status', async function () {
        const a = await user('aad-a');
        const b = await store.users.upsert({
          tenantId: OTHER_TENANT,
          aadObjectId: 'aad-b',
          status: 'active',
        });
        const off = await user('aad-off');
        await user('aad-never');
        assertOk(await store.presence.upsert(presencePut(a.id)));
        assertOk(await store.presence.upsert(presencePut(b.id)));
        assertOk(await store.presence.upsert(presencePut(off.id, { enabled: false })));
        const byId = [a, b].sort((x, y) => (x.id < y.id ? -1 : 1));
        const first = await store.graphSubscriptions.listWatchable({ limit: 1 });
        const second = await store.graphSubscriptions.listWatchable({ limit: 1, cursor: first.next });
        assert.equal(second.next, null);
        assert.deepEqual(
          [...first.items, ...second.items],
          byId.map((u) => ({
            userId: u.id,
            tenantId: u.tenantId,
            aadObjectId: u.aadObjectId,
            status: u.status,
          })),
        );
      });
    });

    function webhook(userId: string, id: string, overrides: Partial<NewWebexWebhook> = {}): NewWebexWebhook {
      return {
        id,
        userId,
        resource: 'telephony_calls',
        event: 'all',
        targetUrl: 'https://bot.example.com/api/webex/webhook',
        secret: sealedSecret(`hook-${id}`),
        ...overrides,
      };
    }

    describe('webex webhooks', function () {
      it('creates, reads back the sealed secret exactly, and finds by user', async function () {
        const u = await user();
        const created = assertOk(await store.webexWebhooks.create(webhook(u.id, 'wh-1')));
        assert.deepEqual(created, {
          id: 'wh-1',
          userId: u.id,
          resource: 'telephony_calls',
          event: 'all',
          targetUrl: 'https://bot.example.com/api/webex/webhook',
          secret: sealedSecret('hook-wh-1'),
          status: 'active',
          createdAt: clock.t,
          updatedAt: clock.t,
        });
        assert.deepEqual(await store.webexWebhooks.get('wh-1'), created);
        assertOk(await store.webexWebhooks.create(webhook(u.id, 'wh-2', { resource: 'presence' })));
        assert.deepEqual(
          (await store.webexWebhooks.listByUser(u.id)).map((w) => w.id),
          ['wh-1', 'wh-2'],
        );
        assert.deepEqual(await store.webexWebhooks.listByUser('someone-else'), []);
      });

      it('reports already_exists and user_not_found', async function () {
        const u = await user();
        assertOk(await store.webexWebhooks.create(webhook(u.id, 'wh-1')));
        assert.deepEqual(await store.webexWebhooks.create(webhook(u.id, 'wh-1')), {
          ok: false,
          error: { code: 'already_exists' },
        });
        assert.deepEqual(await store.webexWebhooks.create(webhook('ghost', 'wh-2')), {
          ok: false,
          error: { code: 'user_not_found' },
        });
      });

      it('patches status, secret and target separately', async function () {
        const u = await user();
        assertOk(await store.webexWebhooks.create(webhook(u.id, 'wh-1')));
        clock.advance(1);
        const disabled = assertOk(await store.webexWebhooks.update('wh-1', { status: 'disabled' }));
        assert.equal(disabled.status, 'disabled');
        assert.deepEqual(disabled.secret, sealedSecret('hook-wh-1'));
        assert.equal(disabled.updatedAt, clock.t);
        const rotated = assertOk(
          await store.webexWebhooks.update('wh-1', {
            secret: sealedSecret('new', 'key-2'),
            targetUrl: 'https://x.example/h',
          }),
        );
        assert.deepEqual(rotated.secret, sealedSecret('new', 'key-2'));
        assert.equal(rotated.targetUrl, 'https://x.example/h');
        assert.equal(rotated.status, 'disabled');
        assert.deepEqual(await store.webexWebhooks.update('nope', { status: 'active' }), {
          ok: false,
          error: { code: 'not_found' },
        });
        assert.equal(await store.webexWebhooks.delete('wh-1'), true);
        assert.equal(await store.webexWebhooks.delete('wh-1'), false);
      });

      it('lists all webhooks page by page', async function () {
        const u = await user();
        for (let i = 0; i < 5; i++) assertOk(await store.webexWebhooks.create(webhook(u.id, `wh-${i}`)));
        const first = await store.webexWebhooks.list({ limit: 2 });
        const second = await store.webexWebhooks.list({ limit: 2, cursor: first.next });
        const third = await store.webexWebhooks.list({ limit: 2, cursor: second.next });
        assert.deepEqual(
          [...first.items, ...second.items, ...third.items].map((w) => w.id),
          ['wh-0', 'wh-1', 'wh-2', 'wh-3', 'wh-4'],
        );
        assert.equal(third.next, null);
      });
    });

    describe('presence sync state', function () {
      it('creates, reads JSON state back, and updates with compare-and-swap', async function () {
        const u = await user();
        assert.equal(await store.presence.get(u.id), undefined);
        const teamsState = {
          availability: 'Busy',
          activity: 'InAMeeting',
          nested: { list: [1, 'two', null, true] },
        };
        const created = assertOk(
          await store.presence.upsert(
            presencePut(u.id, { teamsState, webexState: 'available', rule: 'meetings_only' }),
          ),
        );
        assert.deepEqual(created, {
          userId: u.id,
          enabled: true,
          rule: 'meetings_only',
          lastSyncedAt: null,
          lastErrorCode: null,
          lastErrorAction: null,
          teamsState,
          webexState: 'available',
          version: 1,
          updatedAt: clock.t,
        });
        assert.deepEqual(await store.presence.get(u.id), created);

        clock.advance(50);
        const failed = assertOk(
          await store.presence.upsert(
            presencePut(u.id, {
              enabled: false,
              lastSyncedAt: clock.t,
              lastErrorCode: 'webex_token_revoked',
              lastErrorAction: 'sign_in_webex',
              expectedVersion: 1,
            }),
          ),
        );
        assert.equal(failed.version, 2);
        assert.equal(failed.enabled, false);
        assert.equal(failed.lastErrorCode, 'webex_token_revoked');
        assert.equal(failed.teamsState, null);

        assert.deepEqual(await store.presence.upsert(presencePut(u.id, { expectedVersion: 1 })), {
          ok: false,
          error: { code: 'conflict' },
        });
        assert.deepEqual(await store.presence.upsert(presencePut(u.id)), {
          ok: false,
          error: { code: 'conflict' },
        });
        assert.deepEqual(await store.presence.upsert(presencePut('ghost')), {
          ok: false,
          error: { code: 'user_not_found' },
        });
      });

      it('lists only enabled users, page by page', async function () {
        const enabled = new Set<string>();
        for (let i = 0; i < 5; i++) {
          const u = await user(`aad-${i}`);
          assertOk(await store.presence.upsert(presencePut(u.id, { enabled: i !== 2 })));
          if (i !== 2) enabled.add(u.id);
        }
        const first = await store.presence.listEnabled({ limit: 3 });
        const second = await store.presence.listEnabled({ limit: 3, cursor: first.next });
        assert.equal(first.items.length, 3);
        assert.equal(second.next, null);
        const ids = [...first.items, ...second.items].map((p) => p.userId);
        assert.deepEqual(new Set(ids), enabled);
        assert.equal(ids.length, 4);
        assert.ok([...first.items, ...second.items].every((p) => p.enabled));
      });
    });

    describe('inbox', function () {
      const enqueue = (dedupeKey: string, partitionKey = 'user-a', extra: { availableAt?: number } = {}) =>
        store.inbox.enqueue({
          source: 'graph',
          dedupeKey,
          partitionKey,
          payload: JSON.stringify({ dedupeKey }),
          ...extra,
        });
      const ids = (items: readonly InboxItem[]): string[] => items.map((i) => i.dedupeKey);

      it('stores one row per (source, dedupeKey), also when the same key arrives concurrently', async function () {
        assert.deepEqual(await enqueue('n-1'), { inserted: true });
        assert.deepEqual(await enqueue('n-1'), { inserted: false });
        const concurrent = await Promise.all([enqueue('n-2'), enqueue('n-2'), enqueue('n-2')]);
        assert.equal(concurrent.filter((r) => r.inserted).length, 1);
        assert.deepEqual(
          await store.inbox.enqueue({ source: 'webex', dedupeKey: 'n-1', partitionKey: 'p', payload: '{}' }),
          { inserted: true },
          'the same key from another source is another notification',
        );
        assert.equal(await store.inbox.countPending(), 3);
      });

      it('enqueueMany stores a batch in one call, idempotent per item and in arrival order', async function () {
        await enqueue('m-0');
        const item = (dedupeKey: string, source: 'graph' | 'webex' = 'graph') => ({
          source,
          dedupeKey,
          partitionKey: `user-${dedupeKey}`,
          payload: JSON.stringify({ dedupeKey }),
        });
        const batch = [item('m-1'), item('m-0'), item('m-2'), item('m-1'), item('m-1', 'webex')];
        assert.deepEqual(await store.inbox.enqueueMany(batch), {
          inserted: [true, false, true, false, true],
        });
        assert.deepEqual(await store.inbox.enqueueMany([]), { inserted: [] });
        assert.deepEqual((await store.inbox.enqueueMany(batch)).inserted, [
          false,
          false,
          false,
          false,
          false,
        ]);
        const claimed = await store.inbox.claim({ owner: 'w', limit: 10, leaseMs: 1000 });
        assert.deepEqual(
          claimed.map((i) => `${i.source}:${i.dedupeKey}`),
          ['graph:m-0', 'graph:m-1', 'graph:m-2', 'webex:m-1'],
        );
      });

      it('enqueueMany stores batches larger than one statement', async function () {
        const items = Array.from({ length: 123 }, (_, i) => ({
          source: 'webex' as const,
          dedupeKey: `big-${String(i)}`,
          partitionKey: 'p',
          payload: '{}',
        }));
        const { inserted } = await store.inbox.enqueueMany([...items, items[0]!]);
        assert.equal(inserted.filter(Boolean).length, 123);
        assert.equal(inserted.at(-1), false);
        assert.equal(await store.inbox.countPending(), 123);
      });

      it('claims due rows in arrival order with a lease, and keeps the payload exact', async function () {
        const payload = '{"value":[{"resource":"communications/presences(\'x\')","ünïcødé":"✓"}]}';
        await store.inbox.enqueue({ source: 'graph', dedupeKey: 'a', partitionKey: 'p1', payload });
        await enqueue('b', 'p2');
        await enqueue('c', 'p1');
        const claimed = await store.inbox.claim({ owner: 'worker-1', limit: 10, leaseMs: 30_000 });
        assert.deepEqual(ids(claimed), ['a', 'b', 'c']);
        const first = claimed[0]!;
        assert.equal(first.payload, payload);
        assert.equal(first.status, 'leased');
        assert.equal(first.leaseOwner, 'worker-1');
        assert.equal(first.leaseUntil, clock.t + 30_000);
        assert.equal(first.attempts, 1);
        assert.equal(first.receivedAt, clock.t);
        assert.ok(claimed[1]!.id > first.id && claimed[2]!.id > claimed[1]!.id);
        assert.deepEqual(await store.inbox.claim({ owner: 'worker-2', limit: 10, leaseMs: 30_000 }), []);
        assert.deepEqual(await store.inbox.countByStatus(), { pending: 0, leased: 3, done: 0, dead: 0 });
      });

      it('claims at most limit rows, oldest first', async function () {
        for (const key of ['a', 'b', 'c', 'd']) {
          await enqueue(key, `p-${key}`);
          clock.advance(1);
        }
        assert.deepEqual(ids(await store.inbox.claim({ owner: 'w', limit: 3, leaseMs: 1000 })), [
          'a',
          'b',
          'c',
        ]);
        assert.deepEqual(ids(await store.inbox.claim({ owner: 'w', limit: 3, leaseMs: 1000 })), ['d']);
      });

      it('does not claim rows before availableAt', async function () {
        await enqueue('later', 'p', { availableAt: clock.t + 5_000 });
        assert.deepEqual(await store.inbox.claim({ owner: 'w', limit: 10, leaseMs: 1000 }), []);
        clock.advance(4_999);
        assert.deepEqual(await store.inbox.claim({ owner: 'w', limit: 10, leaseMs: 1000 }), []);
        clock.advance(1);
        assert.deepEqual(ids(await store.inbox.claim({ owner: 'w', limit: 10, leaseMs: 1000 })), ['later']);
      });

      it('hands a partition to one lease holder at a time', async function () {
        await enqueue('a1', 'user-a');
        const held = await store.inbox.claim({ owner: 'worker-1', limit: 10, leaseMs: 10_000 });
        assert.deepEqual(ids(held), ['a1']);
        await enqueue('a2', 'user-a');
        await enqueue('b1', 'user-b');
        assert.deepEqual(
          ids(await store.inbox.claim({ owner: 'worker-2', limit: 10, leaseMs: 10_000 })),
          ['b1'],
          'user-a is leased to worker-1',
        );
        assertOk(await store.inbox.complete(held[0]!.id, 'worker-1'));
        assert.deepEqual(ids(await store.inbox.claim({ owner: 'worker-2', limit: 10, leaseMs: 10_000 })), [
          'a2',
        ]);
      });

      it('frees a partition whose lease ran out, even before the reclaim sweep', async function () {
        await enqueue('a1', 'user-a');
        await store.inbox.claim({ owner: 'worker-1', limit: 10, leaseMs: 1_000 });
        await enqueue('a2', 'user-a');
        clock.advance(1_000);
        assert.deepEqual(ids(await store.inbox.claim({ owner: 'worker-2', limit: 10, leaseMs: 1_000 })), [
          'a2',
        ]);
      });

      it('never gives two concurrent claimers the same row or the same partition', async function () {
        for (let i = 0; i < 30; i++) await enqueue(`n-${i}`, `user-${i % 6}`);
        const batches = await Promise.all(
          ['w1', 'w2', 'w3'].map((owner) => store.inbox.claim({ owner, limit: 30, leaseMs: 60_000 })),
        );
        const all = batches.flat();
        assert.equal(new Set(all.map((i) => i.id)).size, all.length, 'no row twice');
        assert.equal(all.length, 30, 'every row went to someone');
        const owners = new Map<string, string>();
        for (const item of all) {
          const holder = owners.get(item.partitionKey) ?? item.leaseOwner!;
          assert.equal(item.leaseOwner, holder, `partition ${item.partitionKey} went to two owners`);
          owners.set(item.partitionKey, holder);
        }
      });

      it('completes only under the lease, never deleting the row', async function () {
        await enqueue('a');
        const [item] = await store.inbox.claim({ owner: 'w1', limit: 1, leaseMs: 1000 });
        assert.deepEqual(await store.inbox.complete(item!.id, 'w2'), {
          ok: false,
          error: { code: 'lease_lost' },
        });
        clock.advance(10);
        assertOk(await store.inbox.complete(item!.id, 'w1'));
        assert.deepEqual(await store.inbox.complete(item!.id, 'w1'), {
          ok: false,
          error: { code: 'lease_lost' },
        });
        const done = await store.inbox.get(item!.id);
        assert.equal(done?.status, 'done');
        assert.equal(done.completedAt, clock.t);
        assert.equal(done.leaseOwner, null);
        assert.deepEqual(await store.inbox.claim({ owner: 'w1', limit: 10, leaseMs: 1000 }), []);
        assert.deepEqual(await store.inbox.countByStatus(), { pending: 0, leased: 0, done: 1, dead: 0 });
      });

      it('retries a failed row after an exponential backoff', async function () {
        await enqueue('a');
        const claim = () => store.inbox.claim({ owner: 'w', limit: 1, leaseMs: 1000 });
        const [first] = await claim();
        const outcome = assertOk(await store.inbox.fail(first!.id, 'w', { error: 'graph_503' }));
        assert.deepEqual(outcome, { status: 'pending', availableAt: clock.t + 1_000 });
        const pending = await store.inbox.get(first!.id);
        assert.equal(pending?.status, 'pending');
        assert.equal(pending.lastError, 'graph_503');
        assert.equal(pending.leaseOwner, null);
        assert.equal(await store.inbox.countPending(), 1);

        clock.advance(999);
        assert.deepEqual(await claim(), []);
        clock.advance(1);
        const [second] = await claim();
        assert.equal(second?.attempts, 2);
        const again = assertOk(await store.inbox.fail(second.id, 'w', { error: 'graph_503' }));
        assert.deepEqual(again, { status: 'pending', availableAt: clock.t + 2_000 });

        clock.advance(2_000);
        const [third] = await claim();
        const told = assertOk(
          await store.inbox.fail(third!.id, 'w', { error: 'throttled', retryAfterMs: 30_000 }),
        );
        assert.deepEqual(told, { status: 'pending', availableAt: clock.t + 30_000 });
      });

      it('moves a row to dead after maxAttempts and keeps it', async function () {
        await enqueue('poison');
        let last: InboxItem | undefined;
        for (let attempt = 1; attempt <= 3; attempt++) {
          [last] = await store.inbox.claim({ owner: 'w', limit: 1, leaseMs: 1000 });
          assert.equal(last?.attempts, attempt);
          const outcome = assertOk(await store.inbox.fail(last.id, 'w', { error: 'bad', maxAttempts: 3 }));
          assert.equal(outcome.status, attempt < 3 ? 'pending' : 'dead');
          clock.advance(60_000);
        }
        assert.deepEqual(await store.inbox.claim({ owner: 'w', limit: 1, leaseMs: 1000 }), []);
        assert.equal((await store.inbox.get(last!.id))?.status, 'dead');
        assert.equal(await store.inbox.prune(clock.t + 1), 0);
        assert.deepEqual(await store.inbox.countByStatus(), { pending: 0, leased: 0, done: 0, dead: 1 });
      });

      it('refuses fail from a worker that does not hold the lease', async function () {
        await enqueue('a');
        const [item] = await store.inbox.claim({ owner: 'w1', limit: 1, leaseMs: 1000 });
        assert.deepEqual(await store.inbox.fail(item!.id, 'w2', { error: 'x' }), {
          ok: false,
          error: { code: 'lease_lost' },
        });
        assert.deepEqual(await store.inbox.fail(12345, 'w1', { error: 'x' }), {
          ok: false,
          error: { code: 'lease_lost' },
        });
        assert.equal((await store.inbox.get(item!.id))?.status, 'leased');
      });

      it('returns expired leases to pending, and dead once they used every attempt', async function () {
        await enqueue('a', 'p1');
        await enqueue('b', 'p2');
        const [a] = await store.inbox.claim({ owner: 'crashed', limit: 1, leaseMs: 1_000 });
        clock.advance(500);
        const [b] = await store.inbox.claim({ owner: 'alive', limit: 1, leaseMs: 1_000 });
        clock.advance(500);
        assert.equal(await store.inbox.reclaimExpired(), 1);
        const back = await store.inbox.get(a!.id);
        assert.equal(back?.status, 'pending');
        assert.equal(back.leaseOwner, null);
        assert.equal(back.lastError, 'lease_expired');
        assert.equal((await store.inbox.get(b!.id))?.status, 'leased');
        assert.deepEqual(await store.inbox.complete(a!.id, 'crashed'), {
          ok: false,
          error: { code: 'lease_lost' },
        });

        const [retried] = await store.inbox.claim({ owner: 'next', limit: 1, leaseMs: 1_000 });
        assert.equal(retried?.id, a!.id);
        assert.equal(retried.attempts, 2);
        clock.advance(1_000);
        assert.equal(await store.inbox.reclaimExpired(2), 2);
        assert.equal((await store.inbox.get(a!.id))?.status, 'dead');
        assert.equal((await store.inbox.get(b!.id))?.status, 'pending');
      });

      it('prunes only done rows completed before the cutoff; their keys may then arrive again', async function () {
        await enqueue('old', 'p1');
        await enqueue('new', 'p2');
        await enqueue('waiting', 'p3', { availableAt: clock.t + 1_000_000 });
        const [older, newer] = await store.inbox.claim({ owner: 'w', limit: 2, leaseMs: 1000 });
        assertOk(await store.inbox.complete(older!.id, 'w'));
        const cutoff = clock.t + 5;
        clock.advance(10);
        assertOk(await store.inbox.complete(newer!.id, 'w'));
        assert.equal(await store.inbox.prune(cutoff), 1);
        assert.equal(await store.inbox.get(older!.id), undefined);
        assert.equal((await store.inbox.get(newer!.id))?.status, 'done');
        assert.equal(await store.inbox.countPending(), 1);
        assert.deepEqual(await enqueue('old', 'p1'), { inserted: true });
        assert.deepEqual(await enqueue('new', 'p2'), { inserted: false });
      });
    });

    describe('conversation references', function () {
      it('upserts, reads, overwrites and deletes by (tenant, aadObjectId)', async function () {
        const reference = {
          bot: { id: '28:bot', name: 'CallBridge' },
          conversation: { id: 'a:1', tenantId: TENANT, conversationType: 'personal' },
          serviceUrl: 'https://smba.trafficmanager.net/emea/',
          channelId: 'msteams',
        };
        const saved = await store.conversations.upsert(TENANT, 'aad-1', reference);
        assert.deepEqual(saved, { tenantId: TENANT, aadObjectId: 'aad-1', reference, updatedAt: clock.t });
        assert.deepEqual(await store.conversations.get(TENANT, 'aad-1'), saved);
        assert.equal(await store.conversations.get(OTHER_TENANT, 'aad-1'), undefined);

        clock.advance(1);
        const replaced = await store.conversations.upsert(TENANT, 'aad-1', { serviceUrl: 'https://other/' });
        assert.deepEqual(replaced.reference, { serviceUrl: 'https://other/' });
        assert.equal(replaced.updatedAt, clock.t);
        assert.equal(await store.conversations.delete(TENANT, 'aad-1'), true);
        assert.equal(await store.conversations.delete(TENANT, 'aad-1'), false);
        assert.equal(await store.conversations.get(TENANT, 'aad-1'), undefined);
      });
    });

    describe('tenant consents', function () {
      it('records, reads and replaces one consent per tenant, names sorted and unique', async function () {
        assert.equal(await store.tenantConsents.get(TENANT), undefined);
        const saved = await store.tenantConsents.record({
          tenantId: TENANT,
          grantedBy: 'unknown',
          grantedAt: clock.t - 5,
          scopes: ['User.Read', 'Presence.Read.All', 'User.Read'],
          roles: ['Presence.ReadWrite.All'],
        });
        assert.deepEqual(saved, {
          tenantId: TENANT,
          grantedBy: 'unknown',
          grantedAt: clock.t - 5,
          scopes: ['Presence.Read.All', 'User.Read'],
          roles: ['Presence.ReadWrite.All'],
          updatedAt: clock.t,
        });
        assert.deepEqual(await store.tenantConsents.get(TENANT), saved);
        assert.equal(await store.tenantConsents.get(OTHER_TENANT), undefined);

        clock.advance(1_000);
        const replaced = await store.tenantConsents.record({
          tenantId: TENANT,
          grantedBy: 'aad-admin',
          grantedAt: clock.t,
          scopes: [],
          roles: [],
        });
        assert.deepEqual(replaced.scopes, []);
        assert.deepEqual(replaced.roles, []);
        assert.equal(replaced.grantedBy, 'aad-admin');
        assert.deepEqual(await store.tenantConsents.get(TENANT), replaced);
      });

      it('refuses invalid arguments as caller bugs', async function () {
        const base = { tenantId: TENANT, grantedBy: 'unknown', grantedAt: clock.t, scopes: [], roles: [] };
        await assert.rejects(store.tenantConsents.record({ ...base, tenantId: '' }));
        await assert.rejects(store.tenantConsents.record({ ...base, scopes: [''] }));
        await assert.rejects(store.tenantConsents.record({ ...base, grantedAt: -1 }));
      });
    });

    describe('placed calls', function () {
      const placed = (userId: string, callId = 'call-1') =>
        store.placedCalls.put({ userId, callId, destination: '+12065550142', state: 'ringing_devices' });

      it('records a placed call, follows its sightings, and keeps answered once seen', async function () {
        const owner = await user('aad-1');
        const saved = assertOk(await placed(owner.id));
        assert.deepEqual(saved, {
          userId: owner.id,
          callId: 'call-1',
          destination: '+12065550142',
          state: 'ringing_devices',
          answered: false,
          startedAt: clock.t,
          seenAt: clock.t,
        });
        assert.deepEqual(await store.placedCalls.get(owner.id, 'call-1'), saved);

        clock.advance(1_000);
        const connected = await store.placedCalls.observe(owner.id, 'call-1', {
          state: 'connected',
          answered: true,
        });
        assert.deepEqual(connected, { ...saved, state: 'connected', answered: true, seenAt: clock.t });
        clock.advance(1_000);
        const ended = await store.placedCalls.observe(owner.id, 'call-1', {
          state: 'ended',
          answered: false,
        });
        assert.deepEqual(ended, { ...saved, state: 'ended', answered: true, seenAt: clock.t });
        assert.deepEqual(await store.placedCalls.get(owner.id, 'call-1'), ended);
      });

      it("never shows one user another user's call", async function () {
        const owner = await user('aad-1');
        const other = await user('aad-2');
        assertOk(await placed(owner.id));
        assert.equal(await store.placedCalls.get(other.id, 'call-1'), undefined);
        assert.equal(
          await store.placedCalls.observe(other.id, 'call-1', { state: 'ended', answered: false }),
          undefined,
        );
        assert.equal((await store.placedCalls.get(owner.id, 'call-1'))?.state, 'ringing_devices');
        assert.equal(
          await store.placedCalls.observe(owner.id, 'no-such-call', { state: 'ended', answered: false }),
          undefined,
        );
      });

      it('replaces a call placed again under the same id, and refuses an unknown user', async function () {
        const owner = await user('aad-1');
        assertOk(await placed(owner.id));
        await store.placedCalls.observe(owner.id, 'call-1', { state: 'connected', answered: true });
        clock.advance(5);
        const again = assertOk(await placed(owner.id));
        assert.deepEqual(
          { state: again.state, answered: again.answered, startedAt: again.startedAt },
          {
            state: 'ringing_devices',
            answered: false,
            startedAt: clock.t,
          },
        );
        assert.deepEqual(await placed('no-such-user'), { ok: false, error: { code: 'user_not_found' } });
      });

      it('prunes calls last seen before the cutoff and goes with its user', async function () {
        const owner = await user('aad-1');
        const other = await user('aad-2');
        assertOk(await placed(owner.id, 'old'));
        clock.advance(10);
        assertOk(await placed(owner.id, 'fresh'));
        assertOk(await placed(other.id, 'theirs'));
        clock.advance(10);
        await store.placedCalls.observe(owner.id, 'old', { state: 'connected', answered: true });
        assertOk(await placed(owner.id, 'on-hold'));
        await store.placedCalls.observe(owner.id, 'on-hold', { state: 'held', answered: true });
        // A sighting renews: "old" was seen again after the cutoff, "fresh" was not.
        assert.equal(await store.placedCalls.prune(clock.t - 5), 2);
        assert.equal(await store.placedCalls.get(owner.id, 'fresh'), undefined);
        assert.equal(await store.placedCalls.get(other.id, 'theirs'), undefined);
        assert.notEqual(await store.placedCalls.get(owner.id, 'old'), undefined);
        assert.equal(await store.placedCalls.prune(clock.t - 5), 0);

        assert.equal(await store.users.delete(owner.id), true);
        assert.equal(await store.placedCalls.get(owner.id, 'old'), undefined);
        assert.equal(await store.placedCalls.prune(clock.t + 1), 0, "the user's calls went with them");
      });

      it('refuses invalid arguments as caller bugs', async function () {
        const owner = await user('aad-1');
        const base = { userId: owner.id, callId: 'c', destination: '100', state: 'connecting' as const };
        await assert.rejects(store.placedCalls.put({ ...base, callId: '' }));
        await assert.rejects(store.placedCalls.put({ ...base, destination: '' }));
        await assert.rejects(store.placedCalls.put({ ...base, state: 'gone' as 'ended' }));
        await assert.rejects(store.placedCalls.prune(-1));
      });
    });

    describe('leases', function () {
      it('gives a lease to one owner at a time until it expires, with growing fencing tokens', async function () {
        const first = await store.leases.tryAcquire('renewal', 'a', 1_000);
        assert.equal(typeof first, 'number');
        assert.equal(await store.leases.tryAcquire('renewal', 'b', 1_000), null);
        assert.notEqual(await store.leases.tryAcquire('other-lease', 'b', 1_000), null);
        clock.advance(999);
        assert.equal(await store.leases.tryAcquire('renewal', 'b', 1_000), null);
        clock.advance(1);
        const second = await store.leases.tryAcquire('renewal', 'b', 1_000);
        assert.ok(second !== null && first !== null && second > first);
        assert.equal(
          await store.leases.renew('renewal', 'a', first, 1_000),
          false,
          'a stale holder cannot renew',
        );
        assert.equal(await store.leases.release('renewal', 'a', first), false);
      });

      it('renews and releases for the holder; a release never lowers the token', async function () {
        const token = (await store.leases.tryAcquire('l', 'a', 1_000))!;
        clock.advance(900);
        assert.equal(await store.leases.renew('l', 'a', token, 1_000), true);
        clock.advance(900);
        assert.equal(await store.leases.tryAcquire('l', 'b', 1_000), null, 'renewed lease still held');
        assert.equal(await store.leases.release('l', 'a', token), true);
        const next = await store.leases.tryAcquire('l', 'b', 1_000);
        assert.ok(next !== null && next > token);
        const again = await store.leases.tryAcquire('l', 'b', 1_000);
        assert.ok(again !== null && again > next, 're-acquiring as the holder issues a new token');
      });

      it('lets only one of many concurrent acquirers win', async function () {
        const tokens = await Promise.all(
          Array.from({ length: 5 }, (_, i) => store.leases.tryAcquire('contended', `owner-${i}`, 10_000)),
        );
        assert.equal(tokens.filter((t) => t !== null).length, 1);
      });
    });

    describe('guard and lifecycle', function () {
      it('runs fn and returns its value, and rethrows its error without keeping the lock', async function () {
        assert.deepEqual(await store.guard.runExclusive('job', () => Promise.resolve(42)), {
          ran: true,
          value: 42,
        });
        await assert.rejects(
          store.guard.runExclusive('job', () => Promise.reject(new Error('tick failed'))),
          /tick failed/,
        );
        assert.deepEqual(await store.guard.runExclusive('job', () => Promise.resolve('again')), {
          ran: true,
          value: 'again',
        });
      });

      it('refuses a second concurrent run of the same name but not of another name', async function () {
        let release!: () => void;
        let started!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const running = new Promise<void>((resolve) => (started = resolve));
        const holding = store.guard.runExclusive('job', async () => {
          started();
          await gate;
          return 'first';
        });
        await running;
        assert.deepEqual(await store.guard.runExclusive('job', () => Promise.resolve('second')), {
          ran: false,
        });
        assert.deepEqual(await store.guard.runExclusive('other', () => Promise.resolve('other')), {
          ran: true,
          value: 'other',
        });
        release();
        assert.deepEqual(await holding, { ran: true, value: 'first' });
      });

      it('answers ping while open and not after close; close is idempotent', async function () {
        assert.equal(await store.ping(), true);
        await store.close();
        await store.close();
        assert.equal(await store.ping(), false);
      });
    });
  });
}
