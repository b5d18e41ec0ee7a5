import { json, type Router, type SandboxRequest, type SandboxResponse } from '../shared/http.js';
import type { Issuer } from '../shared/issuer.js';
import type { EntraContext } from './context.js';
import type { TenantRef } from './directory.js';
import { Aadsts, errorBody } from './errors.js';
import { errorContextFor } from './responses.js';

/**
 * OpenID Connect discovery as Entra publishes it: the v2.0 metadata document and the JWKS,
 * per tenant and for the multi-tenant `common` / `organizations` forms (whose issuer is the
 * `{tenantid}` template, since the real issuer depends on the user's tenant).
 */
export function addDiscovery(router: Router, ctx: EntraContext, issuer: Issuer): void {
  router.add('GET', '/:tenant/v2.0/.well-known/openid-configuration', (req) =>
    withTenant(ctx, req, (tenant, segment) =>
      json(200, openIdConfiguration(ctx, tenant, segment), DISCOVERY_HEADERS),
    ),
  );
  router.add('GET', '/:tenant/discovery/v2.0/keys', (req) =>
    withTenant(ctx, req, (tenant) => json(200, keySet(ctx, issuer, tenant), DISCOVERY_HEADERS)),
  );
}

/** Metadata is cacheable and readable cross-origin (MSAL.js fetches it from browsers). */
const DISCOVERY_HEADERS = {
  'cache-control': 'max-age=86400, private',
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, OPTIONS',
};

function withTenant(
  ctx: EntraContext,
  req: SandboxRequest,
  answer: (tenant: TenantRef, segment: string) => SandboxResponse,
): SandboxResponse {
  const segment = req.params.tenant ?? '';
  const tenant = ctx.directory.resolveTenant(segment);
  if (tenant !== undefined)
    return answer(tenant, tenant === 'tenant' ? ctx.directory.tenantId : segment.toLowerCase());
  // The discovery endpoints name this failure `invalid_tenant` (the token endpoint says invalid_request).
  const body = errorBody(Aadsts.tenantNotFound(segment), errorContextFor(req, ctx));
  return json(400, { ...body, error: 'invalid_tenant' }, DISCOVERY_HEADERS);
}

/** The issuer a document or key names: the tenant's, or Entra's `{tenantid}` template. */
function issuerFor(ctx: EntraContext, tenant: TenantRef): string {
  return tenant === 'tenant' ? ctx.endpoints.issuerV2() : ctx.endpoints.issuerV2('{tenantid}');
}

/**
 * The v2.0 metadata document. Endpoints are served by this stand-in; `userinfo_endpoint` and
 * the cloud host names keep Entra's real values, which clients only display or forward.
 */
export function openIdConfiguration(
  ctx: EntraContext,
  tenant: TenantRef,
  segment: string,
): Record<string, unknown> {
  const e = ctx.endpoints;
  const authority = e.authority(segment);
  return {
    token_endpoint: e.token(segment),
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: e.jwks(segment),
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: issuerFor(ctx, tenant),
    request_uri_parameter_supported: false,
    userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
    authorization_endpoint: e.authorize(segment),
    device_authorization_endpoint: `${authority}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
    claims_supported: [
      'sub',
      'iss',
      'cloud_instance_name',
      'cloud_instance_host_name',
      'cloud_graph_host_name',
      'msgraph_host',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'acr',
      'nonce',
      'preferred_username',
      'name',
      'tid',
      'ver',
      'at_hash',
      'c_hash',
      'email',
    ],
    kerberos_endpoint: `${authority}/kerberos`,
    tenant_region_scope: tenant === 'tenant' ? 'WW' : null,
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

/**
 * Entra's key set: RSA signing keys selected by `kid` (which equals `x5t`), each stating the
 * issuer it signs for. Entra lists no `alg`. Entra also publishes `x5c` certificate chains;
 * the sandbox's keys have no certificates, so validators must use `n`/`e` (all current ones do).
 */
export function keySet(ctx: EntraContext, issuer: Issuer, tenant: TenantRef): { keys: EntraSigningKey[] } {
  const keyIssuer = issuerFor(ctx, tenant);
  return {
    keys: issuer.jwks().keys.map((key) => ({
      kty: 'RSA',
      use: 'sig',
      kid: key.kid ?? '',
      x5t: key.kid ?? '',
      n: key.n ?? '',
      e: key.e ?? '',
      issuer: keyIssuer,
    })),
  };
}

/** One entry of Entra's JWKS. */
export interface EntraSigningKey {
  readonly kty: 'RSA';
  readonly use: 'sig';
  readonly kid: string;
  readonly x5t: string;
  readonly n: string;
  readonly e: string;
  readonly issuer: string;
}
