import type { EntraTokenClient } from '../auth/obo/entra-token-client.js';
import type { SsoValidator } from '../auth/sso-validator.js';
import type { Config } from '../config/env.js';
import type { Route } from '../http/route.js';
import { getAdminConsent } from '../http/routes/getAdminConsent.js';
import { getAdminConsentCallback } from '../http/routes/getAdminConsentCallback.js';
import { getAdminConsentStatus } from '../http/routes/getAdminConsentStatus.js';
import type { Logger } from '../observability/logger.js';
import type { Store } from '../store/store.js';
import { createConsentStateSigner } from './consent-state.js';
import type { AdminConsentDeps } from './deps.js';

/**
 * Tenant admin consent: `GET /adminconsent` (explains the permissions, links to Entra's v2.0
 * admin consent endpoint with a signed single-use state), `GET /adminconsent/callback` (checks
 * what was granted from what Entra tells CallBridge — the `roles` of an app-only Graph token and
 * the redirect's `scope`, see grant-check.ts — records it, shows the result) and
 * `GET /api/admin/consent` (Teams SSO: `{ granted, grantedAt?, missing }`). No permission beyond
 * the product's own: nothing reads the directory.

 */
export interface AdminConsentOptions {
  readonly config: Config;
  readonly store: Pick<Store, 'tenantConsents' | 'leases' | 'users'>;
  readonly validator: SsoValidator;
  readonly logger: Logger;
  readonly now?: () => number;
  /** The service's Entra token client (needs the client secret: the check is app-only). */
  readonly tokens: Pick<EntraTokenClient, 'clientCredentials'>;
}

export interface AdminConsent {
  readonly routes: Route[];
}

export function createAdminConsent(options: AdminConsentOptions): AdminConsent {
  const { config } = options;
  const now = options.now ?? Date.now;
  const deps: AdminConsentDeps = {
    publicBaseUrl: config.http.publicBaseUrl,
    authorityHost: config.entra.authorityHost,
    tenantId: config.entra.tenantId,
    clientId: config.entra.clientId,
    tokens: options.tokens,
    store: options.store,
    validator: options.validator,
    states: createConsentStateSigner(config.tokenVault, now),
    logger: options.logger,
    now,
  };
  return { routes: adminConsentRoutes(deps) };
}

export function adminConsentRoutes(deps: AdminConsentDeps): Route[] {
  return [getAdminConsent(deps), getAdminConsentCallback(deps), getAdminConsentStatus(deps)];
}

export { REQUIRED_GRAPH_PERMISSIONS, missingPermissions } from './required-permissions.js';
export type { AdminConsentDeps } from './deps.js';
