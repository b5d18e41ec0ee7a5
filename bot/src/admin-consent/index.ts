import type { SsoValidator } from '../auth/sso-validator.js';
import type { Config } from '../config/env.js';
import type { Route } from '../http/route.js';
import { getAdminConsent } from '../http/routes/getAdminConsent.js';
import { getAdminConsentCallback } from '../http/routes/getAdminConsentCallback.js';
import { getAdminConsentStatus } from '../http/routes/getAdminConsentStatus.js';
import type { HttpPolicy, HttpPolicyOptions } from '../integrations/http-policy.js';
import type { Logger } from '../observability/logger.js';
import { err, ok, type Result } from '../shared/result.js';
import type { Store } from '../store/store.js';
import { createConsentStateSigner } from './consent-state.js';
import type { AdminConsentDeps } from './deps.js';

/**
 * Tenant admin consent: `GET /adminconsent` (explains the permissions, links to Entra's v2.0
 * admin consent endpoint with a signed single-use state), `GET /adminconsent/callback` (checks
 * with Graph what was actually granted, records it, shows the result) and
 * `GET /api/admin/consent` (Teams SSO: `{ granted, grantedAt?, missing }`).
 *
 * Off (an error value naming why) without `AAD_APP_CLIENT_SECRET`: the check needs an app-only
 * Graph token.
 */
export interface AdminConsentOptions {
  readonly config: Config;
  readonly store: Pick<Store, 'tenantConsents' | 'leases' | 'users'>;
  readonly validator: SsoValidator;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly policy?: HttpPolicy | HttpPolicyOptions;
  readonly fetch?: typeof fetch;
}

export interface AdminConsent {
  readonly routes: Route[];
}

export function createAdminConsent(options: AdminConsentOptions): Result<AdminConsent, string> {
  const { config } = options;
  const clientSecret = config.entra.clientSecret;
  if (clientSecret === undefined) return err('AAD_APP_CLIENT_SECRET is not set');
  const now = options.now ?? Date.now;
  const deps: AdminConsentDeps = {
    publicBaseUrl: config.http.publicBaseUrl,
    authorityHost: config.entra.authorityHost,
    tenantId: config.entra.tenantId,
    clientId: config.entra.clientId,
    clientSecret,
    graphBaseUrl: config.graph.baseUrl,
    store: options.store,
    validator: options.validator,
    states: createConsentStateSigner(config.tokenVault, now),
    logger: options.logger,
    now,
    ...(options.policy === undefined ? {} : { policy: options.policy }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  };
  return ok({ routes: adminConsentRoutes(deps) });
}

export function adminConsentRoutes(deps: AdminConsentDeps): Route[] {
  return [getAdminConsent(deps), getAdminConsentCallback(deps), getAdminConsentStatus(deps)];
}

export {
  REQUIRED_GRAPH_PERMISSIONS,
  GRANT_CHECK_PERMISSION,
  missingPermissions,
} from './required-permissions.js';
export type { AdminConsentDeps } from './deps.js';
