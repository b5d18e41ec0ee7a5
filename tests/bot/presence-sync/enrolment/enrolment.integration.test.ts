import assert from 'node:assert/strict';
import { REQUIRED_GRAPH_PERMISSIONS } from '../../../../bot/src/admin-consent/required-permissions.js';
import type { AdminDirectory } from '../../../../bot/src/presence-sync/enrolment/index.js';
import { ok } from '../../../../bot/src/shared/result.js';
import type { Store } from '../../../../bot/src/store/store.js';
import type { WebexLinkStatus } from '../../../../bot/src/webex-link/token-service.js';
import type { EntraStandIn } from '../../../../sandbox/src/entra/index.js';
import { ADMIN, org, startTestEntra } from '../../../sandbox/entra/fixture.js';
import { startEnrolmentApp, type EnrolmentApp } from './support.js';

/**
 * Enrolment routes with real Teams SSO tokens (Entra stand-in), a real service and SQLite store.
 * Webex link status, Graph sign-in and the Graph directory are the module's ports, set per test.
 */

const USER = org.users[3]!;
const GROUP = 'group-sales';
const GROUP_MEMBERS = [org.users[4]!.id, org.users[5]!.id, org.users[6]!.id];

describe('presence sync enrolment (integration)', function () {
  this.timeout(20_000);
  let entra: EntraStandIn;
  let store: Store;
  let app: EnrolmentApp;
  let linked: Set<string>;
  let signedIn: Set<string>;
  let hooks: string[];

  before(async () => {
    entra = await startTestEntra();
  });
  after(async () => {
    await entra.close();
  });

  beforeEach(async () => {
    linked = new Set();
    signedIn = new Set();
    hooks = [];
    const directory: AdminDirectory = {
      async forEachGroupMember(_userId, groupId, onPage) {
        if (groupId !== GROUP) return { ok: false, error: { code: 'Request_ResourceNotFound' } };
        // Two pages, as Graph pages large groups.
        await onPage(GROUP_MEMBERS.slice(0, 2));
        await onPage(GROUP_MEMBERS.slice(2));
        return ok({ pages: 2 });
      },
    };
    app = await startEnrolmentApp(entra, () => ({
      webexLink: {
        status: async (userId): Promise<WebexLinkStatus> => {
          const user = await store.users.get(userId);
          return { linked: user !== undefined && linked.has(user.aadObjectId) };
        },
      },
      graphSession: async (userId) => signedIn.has((await store.users.get(userId))?.aadObjectId ?? ''),
      directory,
      hooks: {
        onEnabled: (userId) => {
          hooks.push(`on:${userId}`);
          return Promise.resolve();
        },
        onDisabled: (userId) => {
          hooks.push(`off:${userId}`);
          return Promise.resolve();
        },
      },
    }));
    store = app.store;
  });
  afterEach(async () => {
    await app.close();
  });

  const call: EnrolmentApp['call'] = (...args) => app.call(...args);
  const consent = () =>
    store.tenantConsents.record({
      tenantId: org.tenantId,
      grantedBy: ADMIN.id,
      grantedAt: Date.now(),
      scopes: REQUIRED_GRAPH_PERMISSIONS.filter((p) => p.type === 'Scope').map((p) => p.name),
      roles: REQUIRED_GRAPH_PERMISSIONS.filter((p) => p.type === 'Role').map((p) => p.name),
    });

  it('needs a Teams SSO token', async function () {
    assert.equal((await call('GET', '/api/presence-sync', undefined)).status, 401);
  });

  it('refuses to turn on with 409 and the one action that fixes it, in order', async function () {
    const off = await call('GET', '/api/presence-sync', USER.id);
    assert.deepEqual(off, {
      status: 200,
      body: { enabled: false, rule: 'always', lastSyncedAt: null, blocked: null },
    });
    const put = () => call('PUT', '/api/presence-sync', USER.id, { enabled: true, rule: 'meetings_only' });
    let refused = await put();
    assert.equal(refused.status, 409);
    assert.equal(refused.body.action, 'link_webex');
    assert.equal(typeof refused.body.message, 'string');
    linked.add(USER.id);
    refused = await put();
    assert.equal(refused.body.action, 'sign_in');
    signedIn.add(USER.id);
    refused = await put();
    assert.equal(refused.body.action, 'admin_consent');
    assert.deepEqual(hooks, [], 'nothing watched while blocked');
    await consent();

    const on = await put();
    assert.equal(on.status, 200);
    assert.deepEqual(on.body, { enabled: true, rule: 'meetings_only', lastSyncedAt: null, blocked: null });
    const user = await store.users.getByAadObjectId(org.tenantId, USER.id);
    assert.deepEqual(hooks, [`on:${String(user?.id)}`]);
    assert.equal((await put()).status, 200);
    assert.equal(hooks.length, 1, 'turning on twice watches once');

    // Later the Graph sign-in dies: status says so, with the action.
    signedIn.delete(USER.id);
    const blocked = await call('GET', '/api/presence-sync', USER.id);
    assert.equal((blocked.body.blocked as { action: string } | null)?.action, 'sign_in');

    const offAgain = await call('PUT', '/api/presence-sync', USER.id, { enabled: false });
    assert.equal(offAgain.status, 200);
    assert.equal(offAgain.body.enabled, false);
    assert.deepEqual(hooks, [`on:${String(user?.id)}`, `off:${String(user?.id)}`]);
  });

  it('rejects a bad body with 400', async function () {
    const bad = await call('PUT', '/api/presence-sync', USER.id, { enabled: 'yes' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'invalid_request');
  });

  it('lets only an admin turn sync on for a group, enrolling members page by page with counts', async function () {
    const notAdmin = await call('PUT', '/api/admin/presence-sync', USER.id, {
      scope: { groupId: GROUP },
      enabled: true,
    });
    assert.equal(notAdmin.status, 403);
    assert.equal(notAdmin.body.code, 'not_admin');

    await consent();
    const ready = GROUP_MEMBERS[0]!;
    linked.add(ready);
    signedIn.add(ready);
    linked.add(GROUP_MEMBERS[1]!);
    const done = await call('PUT', '/api/admin/presence-sync', ADMIN.id, {
      scope: { groupId: GROUP },
      enabled: true,
    });
    assert.equal(done.status, 200);
    assert.deepEqual(done.body, {
      matched: 3,
      changed: 3,
      unchanged: 0,
      blocked: { link_webex: 1, sign_in: 1, admin_consent: 0 },
      failed: 0,
    });
    const readyUser = await store.users.getByAadObjectId(org.tenantId, ready);
    assert.deepEqual(hooks, [`on:${String(readyUser?.id)}`], 'only the member who can sync is watched now');
    for (const member of GROUP_MEMBERS) {
      const user = await store.users.getByAadObjectId(org.tenantId, member);
      assert.ok(user !== undefined, 'members are enrolled before they open CallBridge');
      assert.equal((await store.presence.get(user.id))?.enabled, true);
    }
    // A blocked member sees what to do.
    const waiting = await call('GET', '/api/presence-sync', GROUP_MEMBERS[2]);
    assert.equal(waiting.body.enabled, true);
    assert.equal((waiting.body.blocked as { action: string } | null)?.action, 'link_webex');

    const again = await call('PUT', '/api/admin/presence-sync', ADMIN.id, {
      scope: { groupId: GROUP },
      enabled: true,
    });
    assert.equal(again.body.changed, 0);
    assert.equal(again.body.unchanged, 3);

    const all = await call('PUT', '/api/admin/presence-sync', ADMIN.id, { scope: 'all', enabled: false });
    assert.equal(all.status, 200);
    assert.equal(all.body.changed, 3, 'every enabled user of the tenant turned off');

    const unknown = await call('PUT', '/api/admin/presence-sync', ADMIN.id, {
      scope: { groupId: 'nope' },
      enabled: true,
    });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'group_not_found');
  });
});
