import { decodeJwt } from 'jose';
import { err, ok, type Result } from '../shared/result.js';
import type { EntraTokenClient } from '../auth/obo/entra-token-client.js';
import {
  MICROSOFT_GRAPH_APP_ID,
  REQUIRED_GRAPH_PERMISSIONS,
  type GrantedPermissions,
} from './required-permissions.js';

/**
 * Which Microsoft Graph permissions an admin has granted CallBridge in the tenant, from what
 * Entra itself tells CallBridge — no directory read, so no permission beyond the ones the product
 * uses (infra/aad.manifest.json):
 *
 * - Application permissions: the `roles` claim of an app-only Graph token (client credentials,
 *   `https://graph.microsoft.com/.default`). Entra puts exactly the application permissions
 *   granted on Graph there, and leaves the claim out when there are none.
 * - Delegated permissions: the `scope` of Entra's v2.0 admin consent redirect ("the set of
 *   permissions that were granted", resource-qualified: `https://graph.microsoft.com/User.Read`).
 *   The redirect is a URL, not proof, but it reaches this check only with our signed, single-use
 *   state, and each user's sign-in confirms the delegated grants anyway: the `scp` of the
 *   on-behalf-of token GraphTokenService obtains for every user lists exactly the delegated
 *   permissions that user's token carries, and a scope the admin did not grant fails there
 *   (consent_required), whatever was recorded here.
 */

export interface GrantCheckError {
  /** The token endpoint's OAuth error code, `unavailable`, or `invalid_token` (unreadable token). */
  readonly code: string;
  readonly status?: number;
}

const GRAPH_RESOURCES = ['https://graph.microsoft.com', MICROSOFT_GRAPH_APP_ID];

export async function checkGrants(
  tokens: Pick<EntraTokenClient, 'clientCredentials'>,
  tenantId: string,
  /** The admin consent redirect's `scope`, or null when Entra sent none. */
  redirectScope: string | null,
): Promise<Result<GrantedPermissions, GrantCheckError>> {
  // A fresh app-only token per check: checks are rare, and the roles must be current.
  const issued = await tokens.clientCredentials('https://graph.microsoft.com/.default', tenantId);
  if (!issued.ok) {
    const failure = issued.error;
    return err(
      failure.kind === 'oauth'
        ? { code: failure.error, status: failure.status }
        : { code: 'unavailable', ...(failure.status === undefined ? {} : { status: failure.status }) },
    );
  }
  const roles = appRolesOf(issued.value.accessToken);
  if (roles === undefined) return err({ code: 'invalid_token' });
  return ok({ scopes: delegatedScopesOf(redirectScope, roles), roles });
}

/**
 * The `roles` claim of an app-only token, sorted; `[]` without the claim; `undefined` when the
 * token is not a readable JWT. The signature is not checked: the token comes straight from
 * Entra's token endpoint over TLS, in answer to our own authenticated request, which OpenID
 * Connect Core (3.1.3.7, 3.2.2.11) allows for tokens received directly from the token endpoint.
 * The claim is only read to report what was granted; nothing is authorized with it.
 */
export function appRolesOf(accessToken: string): string[] | undefined {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(accessToken);
  } catch {
    return undefined;
  }
  const roles = claims.roles;
  if (roles === undefined) return [];
  if (!Array.isArray(roles) || !roles.every((r): r is string => typeof r === 'string')) return undefined;
  return [...new Set(roles)].sort();
}

/**
 * The Microsoft Graph delegated permissions in the consent redirect's `scope`, sorted. Items
 * name their resource (`https://graph.microsoft.com/User.Read`, or by app id); a bare name is a
 * Graph permission, as Entra reads it. The list can carry the application permissions too, so a
 * name the app-only token holds as a role is left out unless CallBridge needs it delegated.
 */
export function delegatedScopesOf(redirectScope: string | null, roles: readonly string[]): string[] {
  if (redirectScope === null) return [];
  const delegatedNeeded = new Set(
    REQUIRED_GRAPH_PERMISSIONS.filter((p) => p.type === 'Scope').map((p) => p.name.toLowerCase()),
  );
  const asRoles = new Set(roles.map((r) => r.toLowerCase()));
  const scopes = new Set<string>();
  for (const item of redirectScope.split(/\s+/)) {
    const name = graphPermissionName(item);
    if (name === undefined) continue;
    if (asRoles.has(name.toLowerCase()) && !delegatedNeeded.has(name.toLowerCase())) continue;
    scopes.add(name);
  }
  return [...scopes].sort();
}

function graphPermissionName(item: string): string | undefined {
  if (item === '') return undefined;
  const slash = item.lastIndexOf('/');
  if (slash === -1) return item;
  const resource = item.slice(0, slash).replace(/\/+$/, '').toLowerCase();
  const name = item.slice(slash + 1);
  if (name === '' || name === '.default') return undefined;
  return GRAPH_RESOURCES.includes(resource) ? name : undefined;
}
