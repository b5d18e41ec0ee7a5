import type { EntraTokenClient } from '../auth/obo/entra-token-client.js';
import type { SsoValidator } from '../auth/sso-validator.js';
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
  /** The service's Entra token client: the check asks it for an app-only Graph token. */
  readonly tokens: Pick<EntraTokenClient, 'clientCredentials'>;
  readonly store: Pick<Store, 'tenantConsents' | 'leases' | 'users'>;
  readonly validator: SsoValidator;
  readonly states: ConsentStateSigner;
  readonly logger: Logger;
  readonly now: () => number;
}

export function redirectUri(deps: Pick<AdminConsentDeps, 'publicBaseUrl'>): string {
  return `${deps.publicBaseUrl.replace(/\/+$/, '')}${ADMIN_CONSENT_CALLBACK_PATH}`;
}
