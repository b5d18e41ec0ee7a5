/**
 * The Microsoft Graph permissions CallBridge requests, mirroring `requiredResourceAccess` in
 * infra/aad.manifest.json (a unit test keeps the two in step). Admin consent is complete when
 * every one of them is granted tenant-wide: `Scope` entries as delegated permissions for all
 * users, `Role` entries as application permissions (see grant-check.ts for how each is read).
 */

export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

export interface RequiredPermission {
  /** The permission's value, e.g. `User.Read`. */
  readonly name: string;
  /** Graph's permission id (the manifest's `resourceAccess[].id`). */
  readonly id: string;
  /** `Scope`: delegated; `Role`: application. */
  readonly type: 'Scope' | 'Role';
}

export const REQUIRED_GRAPH_PERMISSIONS: readonly RequiredPermission[] = [
  { name: 'offline_access', id: '7427e0e9-2fba-42fe-b0c0-848c9e6a8182', type: 'Scope' },
  { name: 'User.Read', id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', type: 'Scope' },
  { name: 'User.ReadWrite', id: 'b4e74841-8e56-480b-be8b-910348b18b4c', type: 'Scope' },
  { name: 'User.Read.All', id: 'a154be20-db9c-4678-8ab7-66f6cc099a59', type: 'Scope' },
  { name: 'Contacts.Read', id: 'ff74d97f-43af-4b68-9f2a-b77ee6968c5d', type: 'Scope' },
  { name: 'Presence.Read.All', id: '9c7a330d-35b3-4aa1-963d-cb2b9f927841', type: 'Scope' },
  { name: 'ChannelMember.Read.All', id: '2eadaff8-0bce-4198-a6b9-2cfc35a30075', type: 'Scope' },
  { name: 'Chat.ReadBasic', id: '9547fcb5-d03f-419d-9948-5928bbf71b0f', type: 'Scope' },
  { name: 'Presence.ReadWrite.All', id: '83cded22-8297-4ff6-a7fa-e97e9545a259', type: 'Role' },
];

/**
 * OpenID Connect sign-in scopes: any user consents to them at sign-in, they need no admin, and
 * Entra need not list them in the tenant-wide grant, so they never count as missing.
 */
export const SIGN_IN_SCOPES: ReadonlySet<string> = new Set(['openid', 'profile', 'email', 'offline_access']);

export interface GrantedPermissions {
  /** Delegated permission names granted for all users. */
  readonly scopes: readonly string[];
  /** Application permission names granted. */
  readonly roles: readonly string[];
}

/** Names of the required permissions (sign-in scopes aside) not in `granted`, in manifest order. */
export function missingPermissions(
  granted: GrantedPermissions,
  required: readonly RequiredPermission[] = REQUIRED_GRAPH_PERMISSIONS,
): string[] {
  const scopes = new Set(granted.scopes.map((s) => s.toLowerCase()));
  const roles = new Set(granted.roles.map((r) => r.toLowerCase()));
  return required
    .filter((p) => !(p.type === 'Scope' && SIGN_IN_SCOPES.has(p.name.toLowerCase())))
    .filter((p) => !(p.type === 'Scope' ? scopes : roles).has(p.name.toLowerCase()))
    .map((p) => p.name);
}
