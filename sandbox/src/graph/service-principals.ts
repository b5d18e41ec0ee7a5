import { createHash } from 'node:crypto';
import { stableGuid } from '../seed/org.js';
import { json, type Router, type SandboxRequest, type SandboxResponse } from '../shared/http.js';
import { requirePermission, type Caller, type PermissionRule } from './auth.js';
import { badRequest, GraphError, notFound } from './errors.js';
import { evaluateFilter, filterUsages, parseFilter, propertyPath, type FilterNode } from './odata-filter.js';
import { odata, type GraphRequest, type GraphRoute } from './route.js';
import { VERSIONS, type GraphPipeline } from './server.js';

/**
 * Service principals and the tenant-wide grants to them, as an app checks what an admin consented
 * to (docs: "Get servicePrincipal", "List servicePrincipals", "List oauth2PermissionGrants",
 * "List appRoleAssignments granted to a service principal"):
 *
 * - `GET /servicePrincipals(appId='{appId}')`, `GET /servicePrincipals/{id}`,
 *   `GET /servicePrincipals?$filter=appId eq '{appId}'`
 * - `GET /oauth2PermissionGrants?$filter=clientId eq '{spObjectId}'`: delegated grants
 *   (`consentType` `AllPrincipals`, `scope` space-separated)
 * - `GET /servicePrincipals/{id}/appRoleAssignments`: application permissions (`appRoleId` GUIDs)
 *
 * The data comes from an injected provider (the Entra stand-in's `tenantGrants()`), so consent
 * given on Entra's admin consent page shows up here at once (real Entra replicates with a delay).
 * Service principals exist for Microsoft Graph and for every client or resource some grant
 * names; any other app id is 404, as for a multi-tenant app nobody has consented to yet.
 */

/** One tenant-wide grant, shaped like the Entra stand-in's `TenantGrant`. */
export interface GraphTenantGrant {
  readonly clientId: string;
  readonly clientServicePrincipalId: string;
  /** Shown as the client service principal's display name; defaults to the client id. */
  readonly clientDisplayName?: string;
  readonly resourceAppId: string;
  readonly resourceDisplayName: string;
  readonly resourceServicePrincipalId: string;
  readonly delegatedScopes: readonly string[];
  readonly appRoles: readonly string[];
  /** ISO 8601. */
  readonly grantedAt: string;
}

export type TenantGrantsProvider = () => readonly GraphTenantGrant[];

export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
/** The same id the Entra stand-in gives Microsoft Graph's service principal. */
export const MICROSOFT_GRAPH_SP_ID = stableGuid('service-principal:microsoft-graph');
/** Microsoft's own tenant, the owner organisation of first-party apps such as Graph. */
const MICROSOFT_TENANT_ID = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';

/**
 * Microsoft Graph application permission (app role) ids from the permissions reference, for the
 * roles the Entra stand-in can grant. Unknown names get a stable made-up id.
 */
export const GRAPH_APP_ROLE_IDS: Readonly<Record<string, string>> = {
  'User.Read.All': 'df021288-bdef-4463-88db-98f22de89214',
  'User.ReadWrite.All': '741f803b-c850-494e-b5df-cde7c675a1ca',
  'Contacts.Read': '089fe4d0-434a-44c5-8827-41ba8a0b17f5',
  'Presence.Read.All': 'a70e0c2d-e793-494c-94c4-118fa0a67f42',
  'Presence.ReadWrite.All': '83cded22-8297-4ff6-a7fa-e97e9545a259',
  'Chat.Read.All': '6b7d71aa-70aa-4810-a8d9-5d9fb2830017',
  'ChatMember.Read.All': 'a3410be2-8e48-4f32-8454-c29a7465209d',
  'ChannelMember.Read.All': '3b55498e-47ec-484f-8136-9013221c06a9',
  'TeamMember.Read.All': '660b7406-55f1-41ca-a0ed-0b035e182f3e',
  'CallRecords.Read.All': '45bbb07e-7321-4fd7-a8f6-3ff27e6a81c8',
  'TeamsAppInstallation.ReadWriteSelfForUser.All': '908de74d-f8b2-4d6b-a9ed-2a17b3b78179',
  'TeamsAppInstallation.ReadWriteForUser.All': '74ef0291-ca83-4d02-8c7e-d2391e6a444f',
  'Directory.Read.All': '7ab1d382-f21e-4acd-a863-ba3e13f7da61',
};

export function graphAppRoleId(name: string): string {
  return GRAPH_APP_ROLE_IDS[name] ?? stableGuid(`app-role:${name}`);
}

/** Least privileged first, as on each API page; Directory.Read.All reads all three. */
const READ_SERVICE_PRINCIPALS: PermissionRule = {
  delegated: [
    'Application.Read.All',
    'Application.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  application: [
    'Application.Read.All',
    'Application.ReadWrite.OwnedBy',
    'Application.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
};
const READ_PERMISSION_GRANTS: PermissionRule = {
  delegated: ['Directory.Read.All', 'DelegatedPermissionGrant.ReadWrite.All', 'Directory.ReadWrite.All'],
  application: ['Directory.Read.All', 'DelegatedPermissionGrant.ReadWrite.All', 'Directory.ReadWrite.All'],
};

/** Properties `$filter` accepts (eq only, as documented for these collections). */
const SP_FILTERABLE = new Set(['appId', 'id', 'displayName', 'servicePrincipalType']);
const GRANT_FILTERABLE = new Set(['clientId', 'consentType', 'principalId', 'resourceId']);

interface ServicePrincipal {
  readonly id: string;
  readonly appId: string;
  readonly displayName: string;
  readonly owner: string;
  readonly isGraph: boolean;
}

export interface ServicePrincipalDeps {
  readonly tenantId: string;
  readonly grants: TenantGrantsProvider;
}

export function servicePrincipalRoutes(deps: ServicePrincipalDeps): GraphRoute[] {
  return [
    {
      method: 'GET',
      template: '/servicePrincipals',
      family: 'users',
      handler: (r) => listServicePrincipals(deps, r),
    },
    {
      method: 'GET',
      template: '/servicePrincipals/:spId',
      family: 'users',
      handler: (r) => getServicePrincipal(deps, r),
    },
    {
      method: 'GET',
      template: '/servicePrincipals/:spId/appRoleAssignments',
      family: 'users',
      handler: (r) => listAppRoleAssignments(deps, r),
    },
    {
      method: 'GET',
      template: '/oauth2PermissionGrants',
      family: 'users',
      handler: (r) => listPermissionGrants(deps, r),
    },
  ];
}

/** Internal header that carries the alternate key from the key-segment route to the handler. */
const ALTERNATE_KEY_HEADER = 'x-sandbox-graph-alternate-key';
const APP_ID_KEY = /^servicePrincipals\(appId='((?:[^']|'')*)'\)$/;

/**
 * `servicePrincipals(appId='…')` is one path segment, which `:param` templates cannot match, so
 * this catch-all for two-segment paths (registered after every other route) rewrites it to the
 * `/servicePrincipals/{id}` route and sends every other path to `fallback` (the stand-in's usual
 * not-found answer).
 */
export function addServicePrincipalAlternateKey(
  router: Router,
  pipeline: GraphPipeline,
  fallback: (req: SandboxRequest) => SandboxResponse,
): void {
  // The methods `GraphPipeline.mount` registers, so other methods keep their old answers.
  for (const method of ['GET', 'POST', 'PATCH', 'DELETE', 'PUT']) {
    router.add(method, '/:version/:segment', (req) => {
      const version = req.params.version ?? '';
      const key = APP_ID_KEY.exec(req.params.segment ?? '');
      if (key?.[1] === undefined || !(VERSIONS as readonly string[]).includes(version)) return fallback(req);
      const appId = key[1].replace(/''/g, "'");
      return pipeline.dispatch({
        method: req.method,
        url: `/${version}/servicePrincipals/${encodeURIComponent(appId)}${req.url.search}`,
        headers: { ...req.headers, [ALTERNATE_KEY_HEADER]: 'appId' },
        body: req.body,
      });
    });
  }
}

function servicePrincipals(deps: ServicePrincipalDeps): ServicePrincipal[] {
  const byId = new Map<string, ServicePrincipal>();
  const add = (sp: ServicePrincipal): void => {
    if (!byId.has(sp.id.toLowerCase())) byId.set(sp.id.toLowerCase(), sp);
  };
  add({
    id: MICROSOFT_GRAPH_SP_ID,
    appId: MICROSOFT_GRAPH_APP_ID,
    displayName: 'Microsoft Graph',
    owner: MICROSOFT_TENANT_ID,
    isGraph: true,
  });
  for (const g of deps.grants()) {
    add({
      id: g.clientServicePrincipalId,
      appId: g.clientId,
      displayName: g.clientDisplayName ?? g.clientId,
      owner: deps.tenantId,
      isGraph: false,
    });
    add({
      id: g.resourceServicePrincipalId,
      appId: g.resourceAppId,
      displayName: g.resourceDisplayName,
      owner: g.resourceAppId === MICROSOFT_GRAPH_APP_ID ? MICROSOFT_TENANT_ID : deps.tenantId,
      isGraph: g.resourceAppId === MICROSOFT_GRAPH_APP_ID,
    });
  }
  return [...byId.values()];
}

function servicePrincipalJson(sp: ServicePrincipal): Record<string, unknown> {
  return {
    id: sp.id,
    deletedDateTime: null,
    accountEnabled: true,
    appDisplayName: sp.displayName,
    appId: sp.appId,
    appOwnerOrganizationId: sp.owner,
    appRoleAssignmentRequired: false,
    displayName: sp.displayName,
    servicePrincipalNames: [sp.appId],
    servicePrincipalType: 'Application',
    signInAudience: sp.isGraph ? 'AzureADMultipleOrgs' : 'AzureADMyOrg',
    tags: [],
    appRoles: sp.isGraph
      ? Object.entries(GRAPH_APP_ROLE_IDS).map(([value, id]) => ({
          allowedMemberTypes: ['Application'],
          description: value,
          displayName: value,
          id,
          isEnabled: true,
          origin: 'Application',
          value,
        }))
      : [],
  };
}

/** Self-read: "A service principal can retrieve its own … service principal details without being granted any application permissions." */
function requireSpRead(caller: Caller, sp: ServicePrincipal | undefined): void {
  if (
    caller.kind === 'application' &&
    sp !== undefined &&
    sp.appId.toLowerCase() === caller.appId.toLowerCase()
  )
    return;
  requirePermission(caller, READ_SERVICE_PRINCIPALS, 'directory');
}

function getServicePrincipal(deps: ServicePrincipalDeps, r: GraphRequest): SandboxResponse {
  const key = r.params.spId ?? '';
  const byAppId = r.headers[ALTERNATE_KEY_HEADER] === 'appId';
  const sp = servicePrincipals(deps).find(
    (candidate) => (byAppId ? candidate.appId : candidate.id).toLowerCase() === key.toLowerCase(),
  );
  requireSpRead(r.caller, sp);
  if (sp === undefined) {
    throw notFound('directory', byAppId ? `servicePrincipals(appId='${key}')` : key);
  }
  return odata(200, {
    '@odata.context': `${r.serviceRoot}/$metadata#servicePrincipals/$entity`,
    ...servicePrincipalJson(sp),
  });
}

function listServicePrincipals(deps: ServicePrincipalDeps, r: GraphRequest): SandboxResponse {
  requirePermission(r.caller, READ_SERVICE_PRINCIPALS, 'directory');
  const filter = readFilter(r.query, SP_FILTERABLE);
  const value = servicePrincipals(deps)
    .map(servicePrincipalJson)
    .filter((sp) => filter === undefined || evaluateFilter(filter, (p) => propertyPath(sp, p)));
  return odata(200, { '@odata.context': `${r.serviceRoot}/$metadata#servicePrincipals`, value });
}

function listPermissionGrants(deps: ServicePrincipalDeps, r: GraphRequest): SandboxResponse {
  requirePermission(r.caller, READ_PERMISSION_GRANTS, 'directory');
  const filter = readFilter(r.query, GRANT_FILTERABLE);
  const value = deps
    .grants()
    .filter((g) => g.delegatedScopes.length > 0)
    .map((g) => ({
      clientId: g.clientServicePrincipalId,
      consentType: 'AllPrincipals',
      id: permissionGrantId(g.clientServicePrincipalId, g.resourceServicePrincipalId),
      principalId: null,
      resourceId: g.resourceServicePrincipalId,
      scope: g.delegatedScopes.join(' '),
    }))
    .filter((g) => filter === undefined || evaluateFilter(filter, (p) => propertyPath(g, p)));
  return odata(200, { '@odata.context': `${r.serviceRoot}/$metadata#oauth2PermissionGrants`, value });
}

function listAppRoleAssignments(deps: ServicePrincipalDeps, r: GraphRequest): SandboxResponse {
  requirePermission(r.caller, READ_SERVICE_PRINCIPALS, 'directory');
  const spId = r.params.spId ?? '';
  const sp = servicePrincipals(deps).find((candidate) => candidate.id.toLowerCase() === spId.toLowerCase());
  if (sp === undefined) throw notFound('directory', spId);
  const value = deps
    .grants()
    .filter((g) => g.clientServicePrincipalId.toLowerCase() === sp.id.toLowerCase())
    .flatMap((g) =>
      g.appRoles.map((role) => {
        const appRoleId =
          g.resourceAppId === MICROSOFT_GRAPH_APP_ID
            ? graphAppRoleId(role)
            : stableGuid(`app-role:${g.resourceAppId}:${role}`);
        return {
          id: appRoleAssignmentId(sp.id, g.resourceServicePrincipalId, appRoleId),
          deletedDateTime: null,
          appRoleId,
          createdDateTime: g.grantedAt.replace(/\.\d{3}Z$/, 'Z'),
          principalDisplayName: sp.displayName,
          principalId: sp.id,
          principalType: 'ServicePrincipal',
          resourceDisplayName: g.resourceDisplayName,
          resourceId: g.resourceServicePrincipalId,
        };
      }),
    );
  return odata(200, {
    '@odata.context': `${r.serviceRoot}/$metadata#servicePrincipals('${sp.id}')/appRoleAssignments`,
    value,
  });
}

function readFilter(query: URLSearchParams, allowed: ReadonlySet<string>): FilterNode | undefined {
  const text = query.get('$filter');
  if (text === null) return undefined;
  const filter = parseFilter(text);
  for (const usage of filterUsages(filter)) {
    if (usage.op !== 'eq' || !allowed.has(usage.path)) {
      throw new GraphError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
    }
  }
  return filter;
}

/** Graph's grant ids are base64url of the client and resource service principal ids' bytes. */
function permissionGrantId(clientSpId: string, resourceSpId: string): string {
  return Buffer.concat([guidBytes(clientSpId), guidBytes(resourceSpId)]).toString('base64url');
}

function appRoleAssignmentId(principalId: string, resourceId: string, appRoleId: string): string {
  return createHash('sha256')
    .update(`${principalId}|${resourceId}|${appRoleId}`)
    .digest()
    .subarray(0, 24)
    .toString('base64url');
}

function guidBytes(guid: string): Buffer {
  const hex = guid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw badRequest(`Invalid object identifier '${guid}'.`);
  return Buffer.from(hex, 'hex');
}

/** For the catch-all: the answer the stand-in gives a path nobody serves. */
export function sandboxNotFound(pipeline: GraphPipeline): (req: SandboxRequest) => SandboxResponse {
  return (req) =>
    req.path.startsWith('/_sandbox/')
      ? json(404, { error: `no control at ${req.path}` })
      : pipeline.notFound(req);
}
