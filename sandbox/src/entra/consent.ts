import type { ResourceApp } from './resources.js';

/**
 * Who has consented to what, plus the per-user conditions the sandbox console can force
 * (consent revoked, MFA required). Tenant-wide (admin) grants are shaped so a Graph
 * emulation can serve them as `oauth2PermissionGrants` (consentType AllPrincipals) and
 * `appRoleAssignments`.
 */

/** A tenant-wide grant an admin made for one client on one resource. */
export interface TenantGrant {
  readonly clientId: string;
  readonly clientServicePrincipalId: string;
  readonly resourceAppId: string;
  readonly resourceDisplayName: string;
  readonly resourceServicePrincipalId: string;
  /** Delegated permissions for all users (an `AllPrincipals` oauth2PermissionGrant). */
  readonly delegatedScopes: readonly string[];
  /** Application permissions (appRoleAssignments to the client's service principal). */
  readonly appRoles: readonly string[];
  /** Object id of the admin who consented. */
  readonly grantedBy: string;
  /** ISO 8601 time of the latest consent. */
  readonly grantedAt: string;
}

/** One user's own consent for one client on one resource (a `Principal` oauth2PermissionGrant). */
export interface UserConsent {
  readonly userId: string;
  readonly clientId: string;
  readonly resourceAppId: string;
  readonly resourceServicePrincipalId: string;
  readonly scopes: readonly string[];
  readonly grantedAt: string;
}

export interface ClientRef {
  readonly clientId: string;
  readonly servicePrincipalId: string;
}

/** The sandbox-forced conditions on one user. */
export interface UserConditions {
  /** Clients whose consent this user has revoked (`*` for every client). */
  readonly consentRevokedFor: readonly string[];
  readonly mfaRequired: boolean;
}

const ALL_CLIENTS = '*';

export class ConsentLedger {
  private readonly tenantGrants = new Map<string, TenantGrant>();
  private readonly userGrants = new Map<string, UserConsent>();
  private readonly revoked = new Map<string, Set<string>>();
  private readonly mfa = new Set<string>();

  constructor(private readonly now: () => number) {}

  /** Adds to a client's tenant-wide grant on a resource (consent only ever widens it). */
  grantTenantWide(
    client: ClientRef,
    resource: ResourceApp,
    grant: { scopes: readonly string[]; roles: readonly string[]; grantedBy: string },
  ): TenantGrant {
    const key = grantKey(client.clientId, resource.appId);
    const previous = this.tenantGrants.get(key);
    const next: TenantGrant = {
      clientId: client.clientId,
      clientServicePrincipalId: client.servicePrincipalId,
      resourceAppId: resource.appId,
      resourceDisplayName: resource.displayName,
      resourceServicePrincipalId: resource.servicePrincipalId,
      delegatedScopes: union(previous?.delegatedScopes ?? [], grant.scopes),
      appRoles: union(previous?.appRoles ?? [], grant.roles),
      grantedBy: grant.grantedBy,
      grantedAt: new Date(this.now()).toISOString(),
    };
    this.tenantGrants.set(key, next);
    return next;
  }

  /**
   * Records a user's consent. Consenting again is how a user recovers from a revocation, so it
   * lifts the revocation for that client, and a revoke-all as well.
   */
  grantForUser(userId: string, clientId: string, resource: ResourceApp, scopes: readonly string[]): void {
    const key = userKey(userId, clientId, resource.appId);
    const previous = this.userGrants.get(key);
    this.userGrants.set(key, {
      userId,
      clientId,
      resourceAppId: resource.appId,
      resourceServicePrincipalId: resource.servicePrincipalId,
      scopes: union(previous?.scopes ?? [], scopes),
      grantedAt: new Date(this.now()).toISOString(),
    });
    this.restoreConsent(userId, clientId);
  }

  /** Delegated scopes the user may use through the client: their own consent plus the admin's. */
  delegatedScopes(userId: string, clientId: string, resourceAppId: string): ReadonlySet<string> {
    if (this.isConsentRevoked(userId, clientId)) return new Set();
    const own = this.userGrants.get(userKey(userId, clientId, resourceAppId))?.scopes ?? [];
    const tenant = this.tenantGrants.get(grantKey(clientId, resourceAppId))?.delegatedScopes ?? [];
    return new Set([...own, ...tenant]);
  }

  /** Delegated scopes the admin granted the client for everyone, whatever any user revoked. */
  tenantDelegatedScopes(clientId: string, resourceAppId: string): readonly string[] {
    return this.tenantGrants.get(grantKey(clientId, resourceAppId))?.delegatedScopes ?? [];
  }

  appRoles(clientId: string, resourceAppId: string): readonly string[] {
    return this.tenantGrants.get(grantKey(clientId, resourceAppId))?.appRoles ?? [];
  }

  /** The user withdraws consent for one client (or all): their grants go, admin grants stop applying to them. */
  revokeConsent(userId: string, clientId: string = ALL_CLIENTS): void {
    const set = this.revoked.get(lower(userId)) ?? new Set<string>();
    set.add(lower(clientId));
    this.revoked.set(lower(userId), set);
    for (const [key, consent] of this.userGrants) {
      if (
        lower(consent.userId) === lower(userId) &&
        (clientId === ALL_CLIENTS || lower(consent.clientId) === lower(clientId))
      ) {
        this.userGrants.delete(key);
      }
    }
  }

  isConsentRevoked(userId: string, clientId: string): boolean {
    const set = this.revoked.get(lower(userId));
    return set !== undefined && (set.has(ALL_CLIENTS) || set.has(lower(clientId)));
  }

  requireMfa(userId: string, required: boolean): void {
    if (required) this.mfa.add(lower(userId));
    else this.mfa.delete(lower(userId));
  }

  isMfaRequired(userId: string): boolean {
    return this.mfa.has(lower(userId));
  }

  conditions(userId: string): UserConditions {
    return {
      consentRevokedFor: [...(this.revoked.get(lower(userId)) ?? [])],
      mfaRequired: this.isMfaRequired(userId),
    };
  }

  get allTenantGrants(): readonly TenantGrant[] {
    return [...this.tenantGrants.values()];
  }

  get allUserConsents(): readonly UserConsent[] {
    return [...this.userGrants.values()];
  }

  /** Lifts a revocation: the user signed in and consented to the client again. */
  restoreConsent(userId: string, clientId: string): void {
    const set = this.revoked.get(lower(userId));
    if (set === undefined) return;
    set.delete(lower(clientId));
    set.delete(ALL_CLIENTS);
    if (set.size === 0) this.revoked.delete(lower(userId));
  }
}

function lower(value: string): string {
  return value.toLowerCase();
}

function grantKey(clientId: string, resourceAppId: string): string {
  return `${lower(clientId)}|${lower(resourceAppId)}`;
}

function userKey(userId: string, clientId: string, resourceAppId: string): string {
  return `${lower(userId)}|${grantKey(clientId, resourceAppId)}`;
}

function union(a: readonly string[], b: readonly string[]): readonly string[] {
  return [...new Set([...a, ...b])];
}
