import type { SsoValidator } from '../auth/sso-validator.js';
import type { HttpPolicy, HttpPolicyOptions } from '../integrations/http-policy.js';
import type { Logger } from '../observability/logger.js';
import type { Store } from '../store/store.js';
import type { ConsentStateSigner } from './consent-state.js';

export const ADMIN_CONSENT_PATH = '/adminconsent';
export const ADMIN_CONSENT_CALLBACK_PATH = '/adminconsent/callback';
export const ADMIN_CONSENT_STATUS_PATH = '/api/admin/consent';

/** What the admin consent routes need; built by {@link createAdminConsent}. */
export interface AdminConsentDeps {
  /** The service's public origin; the redirect URI is `<publicBaseUrl>/adminconsent/callback`. */
  readonly publicBaseUrl: string;
  /** Entra's authority host (`https://login.microsoftonline.com` or the stand-in). */
  readonly authorityHost: string;
  /** The tenant CallBridge is registered in (single-tenant app): the one consent is asked for. */
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** `config.graph.baseUrl`. */
  readonly graphBaseUrl: string;
  readonly store: Pick<Store, 'tenantConsents' | 'leases' | 'users'>;
  readonly validator: SsoValidator;
  readonly states: ConsentStateSigner;
  readonly logger: Logger;
  readonly now: () => number;
  readonly policy?: HttpPolicy | HttpPolicyOptions;
  readonly fetch?: typeof fetch;
}

export function redirectUri(deps: Pick<AdminConsentDeps, 'publicBaseUrl'>): string {
  return `${deps.publicBaseUrl.replace(/\/+$/, '')}${ADMIN_CONSENT_CALLBACK_PATH}`;
}
