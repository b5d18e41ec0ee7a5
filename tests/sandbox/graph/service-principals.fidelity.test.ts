import assert from 'node:assert/strict';
import type { GraphTenantGrant } from '../../../sandbox/src/graph/index.js';
import {
  GRAPH_APP_ROLE_IDS,
  MICROSOFT_GRAPH_APP_ID,
  MICROSOFT_GRAPH_SP_ID,
} from '../../../sandbox/src/graph/service-principals.js';
import { APP_ID, graphError, items, startHarness, type Harness } from './support/harness.js';

/**
 * Service principals and consent grants, from "Get servicePrincipal" (`/servicePrincipals/{id}`
 * and `/servicePrincipals(appId='{appId}')`, Application.Read.All least, a service principal may
 * read itself with no permission), "List servicePrincipals" (`$filter=appId eq`), "List
 * oauth2PermissionGrants" (Directory.Read.All least; `clientId`, `consentType`, `principalId`,
 * `resourceId`, space-separated `scope`) and "List appRoleAssignments granted to a service
 * principal" (Application.Read.All least; `appRoleId`, `principalId`, `resourceId`, …).
 */
describe('graph stand-in: service principals and consent grants (fidelity)', () => {
  const CLIENT_SP = '0f0f0f0f-1111-4222-8333-444444444444';
  const OTHER_CLIENT = 'abababab-1111-4222-8333-444444444444';
  let grants: GraphTenantGrant[];
  let h: Harness;

  const grant = (overrides: Partial<GraphTenantGrant> = {}): GraphTenantGrant => ({
    clientId: APP_ID,
    clientServicePrincipalId: CLIENT_SP,
    clientDisplayName: 'CallBridge',
    resourceAppId: MICROSOFT_GRAPH_APP_ID,
    resourceDisplayName: 'Microsoft Graph',
    resourceServicePrincipalId: MICROSOFT_GRAPH_SP_ID,
    delegatedScopes: ['User.Read', 'Presence.Read.All'],
    appRoles: ['Presence.ReadWrite.All'],
    grantedAt: '2025-01-02T03:04:05.678Z',
    ...overrides,
  });

  before(async () => {
    h = await startHarness({ grants: () => grants });
  });
  beforeEach(() => {
    grants = [grant()];
  });
  after(async () => {
    await h.close();
  });

  it('gets a service principal by appId with the alternate-key segment (quotes plain or percent-encoded)', async () => {
    const token = await h.app(['Application.Read.All']);
    for (const path of [
      `/servicePrincipals(appId='${APP_ID}')`,
      `/servicePrincipals(appId=%27${APP_ID}%27)`,
    ]) {
      const res = await h.call('GET', path, { token });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json['@odata.context'], `${h.root}/$metadata#servicePrincipals/$entity`);
      assert.equal(res.json.id, CLIENT_SP);
      assert.equal(res.json.appId, APP_ID);
      assert.equal(res.json.displayName, 'CallBridge');
      assert.equal(res.json.servicePrincipalType, 'Application');
      assert.equal(res.json.appOwnerOrganizationId, h.org.tenantId);
    }
    const byId = await h.call('GET', `/servicePrincipals/${CLIENT_SP}`, { token });
    assert.equal(byId.status, 200);
    assert.equal(byId.json.appId, APP_ID);
  });

  it('always knows Microsoft Graph, whose appRoles carry the permission ids', async () => {
    const res = await h.call('GET', `/servicePrincipals(appId='${MICROSOFT_GRAPH_APP_ID}')`, {
      token: await h.app(['Directory.Read.All']),
    });
    assert.equal(res.status, 200);
    assert.equal(res.json.id, MICROSOFT_GRAPH_SP_ID);
    const roles = res.json.appRoles as { id: string; value: string; allowedMemberTypes: string[] }[];
    const presence = roles.find((r) => r.value === 'Presence.ReadWrite.All');
    assert.equal(presence?.id, '83cded22-8297-4ff6-a7fa-e97e9545a259');
    assert.deepEqual(presence.allowedMemberTypes, ['Application']);
  });

  it('lets an app read its own service principal with no permission, and nobody else', async () => {
    const self = await h.call('GET', `/servicePrincipals(appId='${APP_ID}')`, { token: await h.app([]) });
    assert.equal(self.status, 200);
    const other = await h.call('GET', `/servicePrincipals(appId='${MICROSOFT_GRAPH_APP_ID}')`, {
      token: await h.app([]),
    });
    assert.equal(other.status, 403);
    assert.equal(graphError(other).code, 'Authorization_RequestDenied');
  });

  it('answers 404 Request_ResourceNotFound for an app with no service principal', async () => {
    const res = await h.call('GET', `/servicePrincipals(appId='${OTHER_CLIENT}')`, {
      token: await h.app(['Application.Read.All']),
    });
    assert.equal(res.status, 404);
    assert.equal(graphError(res).code, 'Request_ResourceNotFound');
  });

  it("lists service principals with $filter=appId eq '…'", async () => {
    const token = await h.app(['Application.Read.All']);
    const res = await h.call(
      'GET',
      `/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${APP_ID}'`)}`,
      {
        token,
      },
    );
    assert.equal(res.status, 200);
    assert.equal(res.json['@odata.context'], `${h.root}/$metadata#servicePrincipals`);
    assert.deepEqual(
      items(res).map((sp) => sp.id),
      [CLIENT_SP],
    );
    const unsupported = await h.call(
      'GET',
      `/servicePrincipals?$filter=${encodeURIComponent("startswith(appId,'0')")}`,
      {
        token,
      },
    );
    assert.equal(unsupported.status, 400);
    assert.equal(graphError(unsupported).code, 'Request_UnsupportedQuery');
  });

  it('lists the delegated AllPrincipals grant for a client with Directory.Read.All only', async () => {
    const filter = encodeURIComponent(`clientId eq '${CLIENT_SP}'`);
    const res = await h.call('GET', `/oauth2PermissionGrants?$filter=${filter}`, {
      token: await h.app(['Directory.Read.All']),
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json['@odata.context'], `${h.root}/$metadata#oauth2PermissionGrants`);
    assert.equal(items(res).length, 1);
    const only = items(res)[0] ?? {};
    assert.deepEqual(Object.keys(only).sort(), [
      'clientId',
      'consentType',
      'id',
      'principalId',
      'resourceId',
      'scope',
    ]);
    assert.equal(only.clientId, CLIENT_SP);
    assert.equal(only.consentType, 'AllPrincipals');
    assert.equal(only.principalId, null);
    assert.equal(only.resourceId, MICROSOFT_GRAPH_SP_ID);
    assert.equal(only.scope, 'User.Read Presence.Read.All');

    const denied = await h.call('GET', `/oauth2PermissionGrants?$filter=${filter}`, {
      token: await h.app(['Application.Read.All']),
    });
    assert.equal(denied.status, 403, 'Application.Read.All does not cover permission grants');
    assert.equal(graphError(denied).code, 'Authorization_RequestDenied');

    const none = await h.call(
      'GET',
      `/oauth2PermissionGrants?$filter=${encodeURIComponent(`clientId eq '${OTHER_CLIENT}'`)}`,
      { token: await h.app(['Directory.Read.All']) },
    );
    assert.deepEqual(items(none), []);
  });

  it('lists app role assignments with Graph permission ids', async () => {
    grants = [grant({ appRoles: ['Presence.ReadWrite.All', 'Directory.Read.All'] })];
    const res = await h.call('GET', `/servicePrincipals/${CLIENT_SP}/appRoleAssignments`, {
      token: await h.app(['Application.Read.All']),
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(
      res.json['@odata.context'],
      `${h.root}/$metadata#servicePrincipals('${CLIENT_SP}')/appRoleAssignments`,
    );
    const list = items(res);
    assert.deepEqual(
      list.map((a) => a.appRoleId),
      [GRAPH_APP_ROLE_IDS['Presence.ReadWrite.All'], GRAPH_APP_ROLE_IDS['Directory.Read.All']],
    );
    const first = list[0] ?? {};
    assert.deepEqual(Object.keys(first), [
      'id',
      'deletedDateTime',
      'appRoleId',
      'createdDateTime',
      'principalDisplayName',
      'principalId',
      'principalType',
      'resourceDisplayName',
      'resourceId',
    ]);
    assert.equal(first.principalId, CLIENT_SP);
    assert.equal(first.principalType, 'ServicePrincipal');
    assert.equal(first.resourceId, MICROSOFT_GRAPH_SP_ID);
    assert.equal(first.resourceDisplayName, 'Microsoft Graph');
    assert.equal(first.createdDateTime, '2025-01-02T03:04:05Z');
    assert.notEqual(list[0]?.id, list[1]?.id);

    const missing = await h.call('GET', `/servicePrincipals/${OTHER_CLIENT}/appRoleAssignments`, {
      token: await h.app(['Application.Read.All']),
    });
    assert.equal(missing.status, 404);
    const denied = await h.call('GET', `/servicePrincipals/${CLIENT_SP}/appRoleAssignments`, {
      token: await h.app(['User.Read.All']),
    });
    assert.equal(denied.status, 403);
  });

  it('reflects grants as the provider changes them (consent only widens)', async () => {
    grants = [];
    const token = await h.app(['Directory.Read.All']);
    const before = await h.call('GET', `/servicePrincipals(appId='${APP_ID}')`, { token });
    assert.equal(before.status, 404);
    grants = [grant({ delegatedScopes: ['User.Read'], appRoles: [] })];
    const after = await h.call('GET', `/servicePrincipals/${CLIENT_SP}/appRoleAssignments`, { token });
    assert.deepEqual(items(after), []);
  });

  it('keeps other paths answering as before, and works inside $batch', async () => {
    const token = await h.app(['Application.Read.All']);
    const unknown = await h.call('GET', '/nothingHere', { token });
    assert.equal(unknown.status, 400);
    assert.match(graphError(unknown).message, /segment 'nothingHere'/);
    const noAuth = await h.call('GET', `/servicePrincipals(appId='${APP_ID}')`);
    assert.equal(noAuth.status, 401);
    const batch = await h.call('POST', '/$batch', {
      token,
      body: { requests: [{ id: '1', method: 'GET', url: `/servicePrincipals(appId='${APP_ID}')` }] },
    });
    assert.equal(batch.status, 200, batch.text);
    const responses = batch.json.responses as { id: string; status: number; body: { id: string } }[];
    const first = responses[0];
    assert.equal(first?.status, 200);
    assert.equal(first.body.id, CLIENT_SP);
  });
});
