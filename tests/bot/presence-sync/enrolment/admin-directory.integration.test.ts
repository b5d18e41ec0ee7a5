import assert from 'node:assert/strict';
import { GraphClient } from '../../../../bot/src/integrations/graph/graph.client.js';
import {
  graphAdminDirectory,
  type AdminDirectory,
} from '../../../../bot/src/presence-sync/enrolment/index.js';
import { err, ok } from '../../../../bot/src/shared/result.js';
import type { Store } from '../../../../bot/src/store/store.js';
import type { EntraStandIn } from '../../../../sandbox/src/entra/index.js';
import { stableGuid } from '../../../../sandbox/src/seed/org.js';
import { ADMIN, org, sandboxTls, startTestEntra } from '../../../sandbox/entra/fixture.js';
import { startHarness, type Harness } from '../../../sandbox/graph/support/harness.js';
import { startEnrolmentApp, type EnrolmentApp } from './support.js';

/**
 * `graphAdminDirectory` against the Graph stand-in over HTTPS (real JWTs, real paging), and
 * `PUT /api/admin/presence-sync` end to end with Teams SSO tokens from the Entra stand-in, whose
 * `wids` claim says who is an admin. The delegated Graph token is the only port: each test
 * chooses the scopes it carries, as admin consent would; none can read directory roles.
 */

const SALES = stableGuid('group:sales');
/** The Sales group's users, nested groups flattened (see sandbox/src/seed/org.ts). */
const SALES_USERS = [6, 12, 18, 24, 42, 30, 36].map((i) => org.users[i]!.id);
const TEAMS_ADMIN = org.users[2]!;
const USER_ADMIN = org.users[3]!;
/** What CallBridge's delegated Graph token carries: no permission to read directory roles. */
const BASE_SCOPES = 'User.Read User.Read.All';

describe('admin presence sync through the Graph directory (integration)', function () {
  this.timeout(30_000);
  let entra: EntraStandIn;
  let graph: Harness;
  let scopes: string;
  let store: Store;
  let app: EnrolmentApp;
  let directory: AdminDirectory;

  before(async () => {
    entra = await startTestEntra();
    graph = await startHarness({ tls: await sandboxTls() });
  });
  after(async () => {
    await graph.close();
    await entra.close();
  });

  beforeEach(async () => {
    scopes = BASE_SCOPES;
    app = await startEnrolmentApp(entra, (opened) => {
      directory = graphAdminDirectory(async (userId) => {
        const user = await opened.users.get(userId);
        const demo = org.users.find((u) => u.id === user?.aadObjectId);
        if (demo === undefined) return err('sign_in_required');
        return ok(
          new GraphClient({
            baseUrl: graph.graph.url,
            getAccessToken: () => graph.delegated(demo, scopes),
            policy: { maxRetries: 0 },
          }),
        );
      });
      return {
        webexLink: { status: () => Promise.resolve({ linked: false }) },
        graphSession: () => Promise.resolve(false),
        directory,
        hooks: { onEnabled: () => Promise.resolve(), onDisabled: () => Promise.resolve() },
      };
    });
    store = app.store;
  });
  afterEach(async () => {
    await app.close();
  });

  async function put(who: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    return app.call('PUT', '/api/admin/presence-sync', who, body);
  }
  const storeId = async (aadObjectId: string): Promise<string> =>
    (await store.users.upsert({ tenantId: org.tenantId, aadObjectId })).id;

  it('lets Global and Teams administrators in by the SSO token, and tells everyone else which roles qualify', async function () {
    for (const who of [ADMIN, TEAMS_ADMIN]) {
      const done = await put(who.id, { scope: 'all', enabled: false });
      assert.equal(done.status, 200, JSON.stringify(done.body));
    }
    for (const who of [USER_ADMIN, org.users[5]!]) {
      const refused = await put(who.id, { scope: 'all', enabled: true });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.code, 'not_admin');
      assert.match(
        String(refused.body.message),
        /Global Administrator, Teams Administrator, or Teams Communications Administrator/,
      );
    }
  });

  it('walks a nested group and hands over each user member once', async function () {
    scopes = `${BASE_SCOPES} GroupMember.Read.All`;
    const seen: string[][] = [];
    const walked = await directory.forEachGroupMember(await storeId(ADMIN.id), SALES, (ids) => {
      seen.push([...ids]);
      return Promise.resolve();
    });
    assert.ok(walked.ok);
    assert.deepEqual(seen.flat(), SALES_USERS);
  });

  it('enrols the transitive members of a group for a real admin, and refuses others precisely', async function () {
    scopes = `${BASE_SCOPES} GroupMember.Read.All`;
    const done = await put(ADMIN.id, { scope: { groupId: SALES }, enabled: true });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.matched, SALES_USERS.length);
    assert.equal(done.body.changed, SALES_USERS.length);
    for (const member of SALES_USERS) {
      const user = await store.users.getByAadObjectId(org.tenantId, member);
      assert.ok(user !== undefined, 'enrolled before opening CallBridge');
      assert.equal((await store.presence.get(user.id))?.enabled, true);
    }
    const outsider = await store.users.getByAadObjectId(org.tenantId, org.users[1]!.id);
    assert.equal(outsider, undefined, 'nobody outside the group is touched');

    const byTeamsAdmin = await put(TEAMS_ADMIN.id, { scope: { groupId: SALES }, enabled: true });
    assert.equal(byTeamsAdmin.status, 200);
    assert.equal(byTeamsAdmin.body.unchanged, SALES_USERS.length);

    const notAdmin = await put(USER_ADMIN.id, { scope: { groupId: SALES }, enabled: true });
    assert.equal(notAdmin.status, 403);
    assert.equal(notAdmin.body.code, 'not_admin');

    const unknown = await put(ADMIN.id, { scope: { groupId: stableGuid('group:none') }, enabled: true });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'group_not_found');
    const malformed = await put(ADMIN.id, { scope: { groupId: 'sales' }, enabled: true });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.code, 'invalid_group_id');
  });

  it('answers 403 naming the permission to grant when Graph refuses to read the group', async function () {
    const refused = await put(ADMIN.id, { scope: { groupId: SALES }, enabled: true });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'graph_permission_required');
    assert.match(String(refused.body.message), /GroupMember\.Read\.All/);
    for (const member of SALES_USERS) {
      assert.equal(await store.users.getByAadObjectId(org.tenantId, member), undefined, 'nothing changed');
    }
  });
});
