import type { EntraTokenClient } from '../obo/entra-token-client.js';
import type { Config } from '../../config/env.js';
import { getAuthConsentCallback } from '../../http/routes/getAuthConsentCallback.js';
import { getAuthConsentStart } from '../../http/routes/getAuthConsentStart.js';
import { postAuthConsent } from '../../http/routes/postAuthConsent.js';
import type { Route } from '../../http/route.js';
import type { Logger } from '../../observability/logger.js';
import { createPopupFlow } from '../../oauth-popup/index.js';
import type { Store } from '../../store/store.js';
import type { TokenKeyRing } from '../key-ring.js';
import type { GraphTokenAdoption } from '../obo/graph-token-service.js';
import type { SsoValidator } from '../sso-validator.js';
import {
  CONSENT_BINDING_COOKIE,
  CONSENT_FLOW_BASE_PATH,
  CONSENT_SCOPE,
  CONSENT_STATE_LABEL,
  START_AGAIN,
  type ConsentDeps,
} from './deps.js';

export { CONSENT_SCOPE } from './deps.js';

export interface UserConsentOptions {
  readonly config: {
    readonly entra: Pick<Config['entra'], 'authorityHost' | 'clientId'>;
    readonly http: Pick<Config['http'], 'publicBaseUrl'>;
    /** Flow state keys are derived from these (own HKDF label); no extra secret needed. */
    readonly tokenVault: TokenKeyRing;
  };
  readonly store: Pick<Store, 'users' | 'leases'>;
  readonly validator: SsoValidator;
  /** The service from createGraphTokenService (its `adoptTokens`). */
  readonly graphTokens: GraphTokenAdoption;
  readonly logger: Logger;
  readonly now?: () => number;
  /** The service's Entra token client (the one the Graph token service uses). */
  readonly tokens: Pick<EntraTokenClient, 'redeemCode'>;
}

export interface UserConsent {
  /** POST /api/auth/consent, GET /auth/consent/start, /auth/consent/callback, /auth/consent/assets/*. */
  readonly routes: readonly Route[];
}

/**
 * The interactive Microsoft sign-in the Call tab opens when `POST /api/auth/token` answers 403
 * `consent_required` or `interaction_required`: an authorization-code + PKCE sign-in in the
 * Teams auth popup, bound to the SSO caller, whose tokens then serve background Graph access.
 */
export function createUserConsent(options: UserConsentOptions): UserConsent {
  const { entra, http, tokenVault } = options.config;
  const now = options.now ?? Date.now;
  const flow = createPopupFlow({
    name: 'auth-consent',
    stateLabel: CONSENT_STATE_LABEL,
    basePath: CONSENT_FLOW_BASE_PATH,
    cookieName: CONSENT_BINDING_COOKIE,
    keyRing: tokenVault,
    leases: options.store.leases,
    publicBaseUrl: http.publicBaseUrl,
    logger: options.logger,
    now,
    text: { request: 'sign-in request', provider: 'Microsoft', startAgain: START_AGAIN },
  });
  const deps: ConsentDeps = {
    store: options.store,
    validator: options.validator,
    flow,
    graphTokens: options.graphTokens,
    entra: {
      authorityHost: entra.authorityHost.replace(/\/+$/, ''),
      clientId: entra.clientId,
    },
    tokens: options.tokens,
    scope: CONSENT_SCOPE,
    logger: options.logger.child({ component: 'auth-consent' }),
    now,
  };
  return {
    routes: [
      postAuthConsent(deps),
      getAuthConsentStart(deps),
      getAuthConsentCallback(deps),
      ...flow.assetRoutes(),
    ],
  };
}
