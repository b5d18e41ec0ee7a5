import type { EntraTokenClient } from '../obo/entra-token-client.js';
import type { Logger } from '../../observability/logger.js';
import type { PopupFlow } from '../../oauth-popup/index.js';
import type { Store } from '../../store/store.js';
import type { GraphTokenAdoption } from '../obo/graph-token-service.js';
import type { SsoValidator } from '../sso-validator.js';

/** Everything Graph access needs, plus sign-in (who signed in: the ID token) and offline access. */
export const CONSENT_SCOPE = 'https://graph.microsoft.com/.default offline_access openid profile';
export const CONSENT_FLOW_BASE_PATH = '/auth/consent';
/** Browser-binding cookie: set by the start route, required by the callback (login-CSRF defence). */
export const CONSENT_BINDING_COOKIE = 'cb_consent';
export const CONSENT_STATE_LABEL = 'callbridge/consent-state/v1';
export { START_AGAIN } from '../../oauth-popup/index.js';

/** Extras carried from the attempt to the state (see bot/src/oauth-popup/sealer.ts). */
export const EXTRA = { prompt: 'prompt', claims: 'claims', loginHint: 'hint' } as const;

/** What the consent routes share; built once by {@link createUserConsent}. */
export interface ConsentDeps {
  readonly store: Pick<Store, 'users' | 'leases'>;
  readonly validator: SsoValidator;
  readonly flow: PopupFlow;
  readonly graphTokens: GraphTokenAdoption;
  readonly entra: {
    /** No trailing slash. */
    readonly authorityHost: string;
    readonly clientId: string;
  };
  readonly tokens: Pick<EntraTokenClient, 'redeemCode'>;
  readonly scope: string;
  readonly logger: Logger;
  readonly now: () => number;
}
