import type { DemoUser } from '../seed/org.js';
import type { ConsentLedger, TenantGrant } from './consent.js';
import type { RegisteredApp, ResolvedPermission } from './directory.js';
import type { ResourceApp } from './resources.js';
import type { ScopeRequest } from './scopes.js';

/**
 * What a consent would grant. `<resource>/.default` stands for the app's statically configured
 * permissions: on the admin consent endpoint ALL of them (delegated and application, every
 * resource, like the v1.0 admin consent), on the authorize endpoint the delegated ones of that
 * resource. Explicit scopes are delegated permissions only.
 */

export function planAdminConsent(
  client: RegisteredApp,
  request: ScopeRequest,
): readonly ResolvedPermission[] {
  const plan = new Map<string, { resource: ResourceApp; scopes: Set<string>; roles: Set<string> }>();
  const add = (resource: ResourceApp, scopes: readonly string[], roles: readonly string[]): void => {
    const entry = plan.get(resource.appId) ?? {
      resource,
      scopes: new Set<string>(),
      roles: new Set<string>(),
    };
    for (const s of scopes) entry.scopes.add(s);
    for (const r of roles) entry.roles.add(r);
    plan.set(resource.appId, entry);
  };
  for (const asked of request.resources) {
    if (asked.isDefault) {
      for (const required of client.requiredPermissions)
        add(required.resource, required.scopes, required.roles);
    } else {
      add(asked.resource, asked.names, []);
    }
  }
  return [...plan.values()].map((entry) => ({
    resource: entry.resource,
    scopes: [...entry.scopes],
    roles: [...entry.roles],
  }));
}

/** The delegated scopes a user consents to for one requested resource. */
export function userConsentScopes(
  client: RegisteredApp,
  resource: ResourceApp,
  isDefault: boolean,
  names: readonly string[],
): readonly string[] {
  if (!isDefault) return names;
  return client.requiredPermissions.find((p) => p.resource.appId === resource.appId)?.scopes ?? [];
}

/** Records an admin's consent for a plan, as the admin consent page's Accept does. */
export function grantAdminConsent(
  ledger: ConsentLedger,
  client: RegisteredApp,
  plan: readonly ResolvedPermission[],
  admin: DemoUser,
): readonly TenantGrant[] {
  return plan.map((permission) =>
    ledger.grantTenantWide(client, permission.resource, {
      scopes: permission.scopes,
      roles: permission.roles,
      grantedBy: admin.id,
    }),
  );
}

/** The plan as the space-separated, resource-qualified list the consent redirect reports. */
export function grantedScopeList(plan: readonly ResolvedPermission[]): string {
  return plan
    .flatMap((p) =>
      [...p.scopes, ...p.roles].map((name) => `${p.resource.identifierUris[0] ?? p.resource.appId}/${name}`),
    )
    .join(' ');
}
