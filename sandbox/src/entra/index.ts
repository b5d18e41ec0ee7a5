/**
 * The Microsoft Entra ID stand-in: OpenID Connect discovery, the v2.0 token endpoint, the
 * authorize and admin consent pages, and the controls the sandbox console and tests use.
 */
export { startEntra, EntraStandIn, type EntraOptions } from './entra.js';
export type { EntraAppRegistration, GroupMembershipClaims, RequiredResourceAccess } from './directory.js';
export type { SsoTokenOptions, MintAccessTokenOptions } from './controls.js';
export type { TenantGrant, UserConsent, UserConditions } from './consent.js';
export type { EntraErrorBody } from './errors.js';
export type { TokenResponseBody } from './grants/delegated.js';
export {
  BOT_FRAMEWORK_RESOURCE_URI,
  GRAPH_APP_ID,
  GRAPH_RESOURCE_URI,
  TEAMS_CLIENT_ID,
} from './resources.js';
