import { stableGuid, type DemoDirectoryRole, type DemoOrg, type DemoUser } from '../seed/org.js';
import {
  BOT_FRAMEWORK,
  MICROSOFT_GRAPH,
  findAppRole,
  findScope,
  isOidcScope,
  type DelegatedScope,
  type ResourceApp,
} from './resources.js';

/**
 * The tenant as Entra sees it: its users (from the demo org), the confidential clients
 * registered for the sandbox, and the resources tokens can be issued for.
 */

/** Permissions an app declares it needs from one resource (the manifest's requiredResourceAccess). */
export interface RequiredResourceAccess {
  /** The resource's identifier URI (e.g. `https://graph.microsoft.com`) or app id. */
  readonly resource: string;
  /** Delegated permissions (manifest type `Scope`). */
  readonly scopes?: readonly string[];
  /** Application permissions (manifest type `Role`). */
  readonly roles?: readonly string[];
}

/** A confidential client registered in the sandbox tenant. */
export interface EntraAppRegistration {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly displayName: string;
  /** Web redirect URIs; authorize and admin consent only redirect to these, matched exactly. */
  readonly redirectUris: readonly string[];
  /** When set, the app exposes an API under this URI (e.g. `api://host/botid-<id>`). */
  readonly applicationIdUri?: string;
  /** Delegated scopes the exposed API offers; defaults to `access_as_user`. */
  readonly exposedScopes?: readonly string[];
  /** Token format the exposed API accepts (`accessTokenAcceptedVersion`); defaults to 2. */
  readonly accessTokenVersion?: 1 | 2;
  /** What `/.default` and the admin consent page ask for. */
  readonly requiredResourceAccess?: readonly RequiredResourceAccess[];
  /**
   * The manifest's `groupMembershipClaims`: with `DirectoryRole` (or `All`) tokens for the app's
   * API carry the user's directory role template ids as `wids`. Group claims are not modelled.
   */
  readonly groupMembershipClaims?: GroupMembershipClaims;
}

/** The values Entra's app manifest accepts for `groupMembershipClaims`. */
export type GroupMembershipClaims = 'None' | 'SecurityGroup' | 'DirectoryRole' | 'ApplicationGroup' | 'All';

/** A required permission resolved against the tenant's resources. */
export interface ResolvedPermission {
  readonly resource: ResourceApp;
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
}

export interface RegisteredApp {
  readonly registration: EntraAppRegistration;
  readonly clientId: string;
  readonly displayName: string;
  readonly servicePrincipalId: string;
  /** The app as a resource, when it exposes an API. */
  readonly api: ResourceApp | undefined;
  readonly requiredPermissions: readonly ResolvedPermission[];
}

/** How a `{tenant}` path segment addresses the directory. */
export type TenantRef = 'tenant' | 'common' | 'organizations';

export class Directory {
  readonly tenantId: string;
  readonly domain: string;
  /** The demo org's first user, who holds the Global Administrator role. */
  readonly admin: DemoUser;
  private readonly users: readonly DemoUser[];
  private readonly directoryRoles: readonly DemoDirectoryRole[];
  private readonly apps = new Map<string, RegisteredApp>();
  private readonly resources: ResourceApp[] = [MICROSOFT_GRAPH, BOT_FRAMEWORK];

  constructor(org: DemoOrg, registrations: readonly EntraAppRegistration[]) {
    const admin = org.users[0];
    if (admin === undefined) throw new Error('the Entra stand-in needs a demo org with at least one user');
    this.tenantId = org.tenantId;
    this.domain = org.domain;
    this.admin = admin;
    this.users = org.users;
    this.directoryRoles = org.directoryRoles;
    // Two passes: an app may require permissions on another registered app's API.
    for (const registration of registrations) {
      const api = registration.applicationIdUri === undefined ? undefined : exposedApi(registration);
      if (api !== undefined) this.resources.push(api);
    }
    for (const registration of registrations) {
      const key = registration.clientId.toLowerCase();
      if (this.apps.has(key)) throw new Error(`app ${registration.clientId} is registered twice`);
      this.apps.set(key, {
        registration,
        clientId: registration.clientId,
        displayName: registration.displayName,
        servicePrincipalId: stableGuid(`service-principal:${key}`),
        api: this.resources.find((r) => r.appId.toLowerCase() === key),
        requiredPermissions: (registration.requiredResourceAccess ?? []).map((access) =>
          this.resolvePermission(registration.clientId, access),
        ),
      });
    }
  }

  /** Resolves the `{tenant}` path segment: the tenant id or domain, `common` or `organizations`. */
  resolveTenant(segment: string): TenantRef | undefined {
    const lower = segment.toLowerCase();
    if (lower === this.tenantId.toLowerCase() || lower === this.domain.toLowerCase()) return 'tenant';
    if (lower === 'common') return 'common';
    if (lower === 'organizations') return 'organizations';
    return undefined;
  }

  /** A user by object id or user principal name (case-insensitive). */
  user(idOrUpn: string): DemoUser | undefined {
    const lower = idOrUpn.toLowerCase();
    return this.users.find(
      (u) => u.id.toLowerCase() === lower || u.userPrincipalName.toLowerCase() === lower,
    );
  }

  get allUsers(): readonly DemoUser[] {
    return this.users;
  }

  isAdmin(userId: string): boolean {
    return userId.toLowerCase() === this.admin.id.toLowerCase();
  }

  /**
   * The `wids` claim of a user's token for `resource`: the template ids of the directory roles
   * the user holds, when the resource's app registration asks for directory role claims.
   * Entra leaves the claim out otherwise, and for a user with no role.
   */
  widsFor(resource: ResourceApp, userId: string): readonly string[] | undefined {
    if (resource.directoryRoleClaims !== true) return undefined;
    const lower = userId.toLowerCase();
    const wids = this.directoryRoles
      .filter((role) => role.memberIds.some((id) => id.toLowerCase() === lower))
      .map((role) => role.roleTemplateId);
    return wids.length > 0 ? wids : undefined;
  }

  client(clientId: string): RegisteredApp | undefined {
    return this.apps.get(clientId.toLowerCase());
  }

  get clients(): readonly RegisteredApp[] {
    return [...this.apps.values()];
  }

  /** A resource by app id or any identifier URI; case and a trailing slash don't matter. */
  resource(identifier: string): ResourceApp | undefined {
    const wanted = normalizeIdentifier(identifier);
    return this.resources.find(
      (r) =>
        r.appId.toLowerCase() === wanted ||
        r.identifierUris.some((uri) => normalizeIdentifier(uri) === wanted),
    );
  }

  private resolvePermission(clientId: string, access: RequiredResourceAccess): ResolvedPermission {
    const resource = this.resource(access.resource);
    if (resource === undefined) {
      throw new Error(`app ${clientId} requires access to unknown resource ${access.resource}`);
    }
    // Sign-in scopes (openid, offline_access, …) come with every sign-in; they are not grants.
    const scopes = (access.scopes ?? [])
      .filter((name) => !isOidcScope(name))
      .map((name) => {
        const found = findScope(resource, name);
        if (found === undefined)
          throw new Error(`app ${clientId}: ${resource.displayName} has no scope ${name}`);
        return found.value;
      });
    const roles = (access.roles ?? []).map((name) => {
      const found = findAppRole(resource, name);
      if (found === undefined)
        throw new Error(`app ${clientId}: ${resource.displayName} has no app role ${name}`);
      return found;
    });
    return { resource, scopes, roles };
  }
}

function exposedApi(registration: EntraAppRegistration): ResourceApp {
  const uri = registration.applicationIdUri ?? `api://${registration.clientId}`;
  const scopes: DelegatedScope[] = (registration.exposedScopes ?? ['access_as_user']).map((value) => ({
    value,
    adminConsentRequired: false,
    description: `Access ${registration.displayName} as you`,
  }));
  return {
    appId: registration.clientId,
    displayName: registration.displayName,
    servicePrincipalId: stableGuid(`service-principal:${registration.clientId.toLowerCase()}`),
    identifierUris:
      uri === `api://${registration.clientId}` ? [uri] : [uri, `api://${registration.clientId}`],
    accessTokenVersion: registration.accessTokenVersion ?? 2,
    directoryRoleClaims:
      registration.groupMembershipClaims === 'DirectoryRole' || registration.groupMembershipClaims === 'All',
    scopes,
    appRoles: [],
  };
}

function normalizeIdentifier(identifier: string): string {
  return identifier.trim().replace(/\/+$/, '').toLowerCase();
}
