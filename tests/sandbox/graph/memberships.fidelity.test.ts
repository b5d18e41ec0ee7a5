import assert from 'node:assert/strict';
import { ROLE_TEMPLATE_IDS, stableGuid } from '../../../sandbox/src/seed/org.js';
import { graphError, items, startHarness, type Harness } from './support/harness.js';

/**
 * Directory memberships as Graph v1.0 documents them: `memberOf` with the directoryRole and group
 * casts, `transitiveMembers` flattening nested groups with the user cast and `$top` paging, the
 * limited view of objects a token may not read, and the directory's 400/403/404 answers.
 */

const SALES = stableGuid('group:sales');

describe('Graph stand-in: memberships (fidelity)', function () {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it("lists the signed-in admin's directory roles with roleTemplateId through the cast", async function () {
    const token = await h.delegated(h.user(0), 'User.Read RoleManagement.Read.Directory');
    const res = await h.call('GET', '/me/memberOf/microsoft.graph.directoryRole?$select=id,roleTemplateId', {
      token,
    });
    assert.equal(res.status, 200);
    assert.match(String(res.json['@odata.context']), /\$metadata#directoryRoles\(id,roleTemplateId\)$/);
    const roles = items(res);
    assert.deepEqual(
      roles.map((r) => r.roleTemplateId),
      [ROLE_TEMPLATE_IDS.globalAdministrator],
    );
    assert.equal(typeof roles[0]?.id, 'string');
    assert.notEqual(roles[0]?.id, ROLE_TEMPLATE_IDS.globalAdministrator, 'object id is not the template id');

    const teamsAdmin = await h.call('GET', '/me/memberOf/microsoft.graph.directoryRole', {
      token: await h.delegated(h.user(2), 'Directory.Read.All'),
    });
    assert.deepEqual(
      items(teamsAdmin).map((r) => [r.displayName, r.roleTemplateId]),
      [['Teams Administrator', ROLE_TEMPLATE_IDS.teamsAdministrator]],
    );
    const nobody = await h.call('GET', '/me/memberOf/microsoft.graph.directoryRole', {
      token: await h.delegated(h.user(5), 'User.Read'),
    });
    assert.deepEqual(items(nobody), []);
  });

  it('returns roles with only @odata.type and id when the token cannot read directory roles', async function () {
    const res = await h.call('GET', '/me/memberOf', { token: await h.delegated(h.user(0), 'User.Read') });
    assert.equal(res.status, 200);
    const role = items(res)[0];
    assert.ok(role !== undefined);
    assert.equal(role['@odata.type'], '#microsoft.graph.directoryRole');
    assert.equal(typeof role.id, 'string');
    assert.equal(role.roleTemplateId, null);
    assert.equal(role.displayName, null);
  });

  it('tags mixed memberOf items with @odata.type and answers /users/{id}/memberOf by permission', async function () {
    const member = h.user(12);
    const token = await h.delegated(h.user(0), 'User.Read.All GroupMember.Read.All');
    const res = await h.call('GET', `/users/${member.id}/memberOf`, { token });
    assert.equal(res.status, 200);
    assert.deepEqual(
      items(res).map((g) => [g['@odata.type'], g.displayName]),
      [
        ['#microsoft.graph.group', 'Sales'],
        ['#microsoft.graph.group', 'Sales EMEA'],
      ],
    );
    const denied = await h.call('GET', `/users/${member.id}/memberOf`, {
      token: await h.delegated(h.user(0), 'User.Read'),
    });
    assert.equal(denied.status, 403);
    assert.equal(graphError(denied).code, 'Authorization_RequestDenied');
    const app = await h.call('GET', '/me/memberOf', { token: await h.app(['Directory.Read.All']) });
    assert.equal(app.status, 400, '/me needs a signed-in user');
  });

  it('flattens nested groups in transitiveMembers, each member once, and pages with $top', async function () {
    const token = await h.delegated(h.user(0), 'GroupMember.Read.All User.ReadBasic.All');
    const all = await h.call('GET', `/groups/${SALES}/transitiveMembers`, { token });
    assert.equal(all.status, 200);
    const types = items(all).map((m) => m['@odata.type']);
    assert.equal(types.filter((t) => t === '#microsoft.graph.group').length, 3, 'EMEA, APAC, Dublin');
    const expectedUsers = [6, 12, 18, 24, 42, 30, 36].map((i) => h.user(i).id);

    const ids: string[] = [];
    let next: string | undefined =
      `/groups/${SALES}/transitiveMembers/microsoft.graph.user?$select=id&$top=3`;
    let pages = 0;
    while (next !== undefined) {
      const page = await h.call('GET', next.replace(h.root, ''), { token });
      assert.equal(page.status, 200, page.text);
      const value = items(page);
      assert.ok(value.length <= 3);
      for (const u of value) {
        assert.deepEqual(Object.keys(u).sort(), ['id']);
        ids.push(String(u.id));
      }
      const link = page.json['@odata.nextLink'];
      next = typeof link === 'string' ? link : undefined;
      if (next !== undefined) assert.ok(next.startsWith(`${h.root}/groups/${SALES}/transitiveMembers`));
      pages += 1;
    }
    assert.equal(pages, 3);
    assert.deepEqual(ids, expectedUsers);
  });

  it('refuses transitiveMembers without a group permission, and answers unknown or malformed ids', async function () {
    const weak = await h.call('GET', `/groups/${SALES}/transitiveMembers`, {
      token: await h.delegated(h.user(0), 'User.Read User.Read.All'),
    });
    assert.equal(weak.status, 403);
    assert.equal(graphError(weak).code, 'Authorization_RequestDenied');

    const token = await h.delegated(h.user(0), 'GroupMember.Read.All');
    const unknown = await h.call('GET', `/groups/${stableGuid('group:none')}/transitiveMembers`, { token });
    assert.equal(unknown.status, 404);
    assert.equal(graphError(unknown).code, 'Request_ResourceNotFound');
    const malformed = await h.call('GET', '/groups/sales/transitiveMembers', { token });
    assert.equal(malformed.status, 400);
    assert.equal(graphError(malformed).code, 'Request_BadRequest');
    const badTop = await h.call('GET', `/groups/${SALES}/transitiveMembers?$top=1000`, { token });
    assert.equal(badTop.status, 400);
    const badCast = await h.call('GET', `/groups/${SALES}/transitiveMembers/microsoft.graph.device`, {
      token,
    });
    assert.equal(badCast.status, 400);
  });

  it('gives users inside a group collection as limited objects without a user-read permission', async function () {
    const res = await h.call('GET', `/groups/${SALES}/transitiveMembers/microsoft.graph.user`, {
      token: await h.delegated(h.user(0), 'GroupMember.Read.All'),
    });
    const first = items(res)[0];
    assert.ok(first !== undefined);
    assert.equal(first.id, h.user(6).id);
    assert.equal(first.displayName, null);
  });
});
