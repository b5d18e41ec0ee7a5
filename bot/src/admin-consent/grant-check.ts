import type { GraphClient, GraphError } from '../integrations/graph/graph.client.js';
import { equals, pathSegment, queryString } from '../integrations/graph/odata.js';
import { err, ok, type Result } from '../shared/result.js';
import {
  GRANT_CHECK_PERMISSION,
  GRANT_CHECK_PERMISSION_ID,
  MICROSOFT_GRAPH_APP_ID,
  REQUIRED_GRAPH_PERMISSIONS,
  type GrantedPermissions,
} from './required-permissions.js';

/**
 * Which Microsoft Graph permissions an admin has ACTUALLY granted CallBridge in the tenant, read
 * with an app-only Graph client (needs Directory.Read.All):
 *
 * 1. `GET /servicePrincipals(appId='{clientId}')` and the same for Microsoft Graph: the object
 *    ids the grants reference. No CallBridge service principal: nothing is granted.
 * 2. `GET /oauth2PermissionGrants?$filter=clientId eq '{spId}'`: the `AllPrincipals` grants on
 *    Graph give the delegated scopes (user-by-user `Principal` grants are not admin consent).
 * 3. `GET /servicePrincipals/{spId}/appRoleAssignments`: assignments on Graph give the application
 *    permissions, by `appRoleId` (matched with the ids of the required-permission constant).
 */

export type GrantCheckError =
  | { readonly code: 'forbidden'; readonly status: number }
  | { readonly code: 'unavailable'; readonly status?: number; readonly graphCode: string };

const MAX_PAGES = 10;

export async function checkGraphGrants(
  graph: Pick<GraphClient, 'send'>,
  clientId: string,
): Promise<Result<GrantedPermissions, GrantCheckError>> {
  const client = await servicePrincipalId(graph, clientId);
  if (!client.ok) return client;
  if (client.value === undefined) return ok({ scopes: [], roles: [] });
  const resource = await servicePrincipalId(graph, MICROSOFT_GRAPH_APP_ID);
  if (!resource.ok) return resource;
  if (resource.value === undefined) return ok({ scopes: [], roles: [] });
  const graphSp = resource.value.toLowerCase();

  const grants = await list(
    graph,
    `/oauth2PermissionGrants${queryString({ $filter: equals('clientId', client.value) })}`,
    'consent.grants',
  );
  if (!grants.ok) return grants;
  const scopes = new Set<string>();
  for (const g of grants.value) {
    if (g.consentType !== 'AllPrincipals' || String(g.resourceId).toLowerCase() !== graphSp) continue;
    if (typeof g.scope !== 'string') continue;
    for (const s of g.scope.split(' ')) if (s !== '') scopes.add(s);
  }

  const assignments = await list(
    graph,
    `/servicePrincipals/${pathSegment(client.value)}/appRoleAssignments`,
    'consent.appRoles',
  );
  if (!assignments.ok) return assignments;
  const roleNames = new Map([
    ...REQUIRED_GRAPH_PERMISSIONS.filter((p) => p.type === 'Role').map((p): [string, string] => [
      p.id.toLowerCase(),
      p.name,
    ]),
    [GRANT_CHECK_PERMISSION_ID, GRANT_CHECK_PERMISSION],
  ]);
  const roles = new Set<string>();
  for (const a of assignments.value) {
    if (String(a.resourceId).toLowerCase() !== graphSp || typeof a.appRoleId !== 'string') continue;
    // Roles we do not require are kept by id: they are granted, just not ours to name.
    roles.add(roleNames.get(a.appRoleId.toLowerCase()) ?? a.appRoleId);
  }
  return ok({ scopes: [...scopes].sort(), roles: [...roles].sort() });
}

async function servicePrincipalId(
  graph: Pick<GraphClient, 'send'>,
  appId: string,
): Promise<Result<string | undefined, GrantCheckError>> {
  // The alternate key is `appId='…'`: an OData literal, then percent-encoded like any segment.
  const path = `/servicePrincipals(appId=${encodeURIComponent(`'${appId.replace(/'/g, "''")}'`)})${queryString({ $select: 'id,appId' })}`;
  const sent = await graph.send('GET', path, { operation: 'consent.servicePrincipal', idempotent: true });
  if (!sent.ok) return sent.error.status === 404 ? ok(undefined) : err(checkError(sent.error));
  const body = sent.value.body as Record<string, unknown> | undefined;
  return typeof body?.id === 'string'
    ? ok(body.id)
    : err({ code: 'unavailable', graphCode: 'invalid_response' });
}

async function list(
  graph: Pick<GraphClient, 'send'>,
  path: string,
  operation: string,
): Promise<Result<Record<string, unknown>[], GrantCheckError>> {
  const items: Record<string, unknown>[] = [];
  let next: string | undefined = path;
  for (let page = 0; next !== undefined && page < MAX_PAGES; page += 1) {
    const sent = await graph.send('GET', next, { operation, idempotent: true });
    if (!sent.ok) return err(checkError(sent.error));
    const body = sent.value.body as Record<string, unknown> | undefined;
    if (!Array.isArray(body?.value)) return err({ code: 'unavailable', graphCode: 'invalid_response' });
    for (const item of body.value as unknown[]) {
      if (typeof item === 'object' && item !== null) items.push(item as Record<string, unknown>);
    }
    const link = body['@odata.nextLink'];
    next = typeof link === 'string' ? link : undefined;
  }
  return ok(items);
}

function checkError(error: GraphError): GrantCheckError {
  if (error.status === 403 || error.status === 401) return { code: 'forbidden', status: error.status };
  return {
    code: 'unavailable',
    ...(error.status === undefined ? {} : { status: error.status }),
    graphCode: error.code,
  };
}
