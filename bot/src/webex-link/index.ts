import type { TokenKeyRing } from '../auth/key-ring.js';
import type { SsoValidator } from '../auth/sso-validator.js';
import type { TokenVault } from '../auth/token-vault.js';
import type { Config } from '../config/env.js';
import { deleteWebexLink } from '../http/routes/deleteWebexLink.js';
import { getWebexLinkStatus } from '../http/routes/getWebexLinkStatus.js';
import type { Route } from '../http/route.js';
import { createPopupFlow } from '../oauth-popup/index.js';
import { resolvePolicy, type HttpPolicy, type HttpPolicyOptions } from '../integrations/http-policy.js';
import type { Logger } from '../observability/logger.js';
import { err, ok, type Result } from '../shared/result.js';
import type { Store } from '../store/store.js';
import type { DaemonSpec } from '../workers/daemon.js';
import {
  BINDING_COOKIE,
  WEBEX_FLOW_BASE_PATH,
  WEBEX_LINK_LEASES,
  WEBEX_LINK_SCOPES,
  type WebexLinkDeps,
} from './deps.js';
import { START_AGAIN } from '../oauth-popup/index.js';
import { webexLinkCallbackRoute, webexLinkStartRoute } from './link-routes.js';
import { WEBEX_LINK_STATE_LABEL } from './link-state.js';
import { postWebexLink } from './postWebexLink.js';
import { webexTokenRefreshDaemon } from './refresh-daemon.js';
import { WebexTokenService } from './token-service.js';
import { WebexOAuthClient } from './webex-oauth.js';

export { WEBEX_LINK_SCOPES } from './deps.js';
export type { WebexLinkStatus, WebexTokenError } from './token-service.js';
export { WebexTokenService } from './token-service.js';

export interface WebexLinkingOptions {
  readonly config: {
    readonly webex: Pick<Config['webex'], 'baseUrl' | 'clientId' | 'clientSecret'>;
    readonly http: Pick<Config['http'], 'publicBaseUrl'>;
    /** Link-flow state keys are derived from these (own HKDF label); no extra secret needed. */
    readonly tokenVault: TokenKeyRing;
  };
  readonly store: Pick<Store, 'users' | 'tokens' | 'leases'>;
  readonly validator: SsoValidator;
  readonly vault: TokenVault;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly policy?: HttpPolicy | HttpPolicyOptions;
  readonly fetch?: typeof fetch;
  /** Refresh when the access token expires within this long (default 3 days). */
  readonly refreshWithinMs?: number;
  readonly refreshIntervalMs?: number;
}

export interface WebexLinking {
  /** POST/GET/DELETE /api/webex/link, GET /auth/webex/start, /auth/webex/callback, /auth/webex/assets/*. */
  readonly routes: readonly Route[];
  /** `webex-token-refresh`, singleton. */
  readonly daemon: DaemonSpec;
  /** For every feature that calls Webex for a user: `getAccessToken(userId)`. */
  readonly tokens: WebexTokenService;
}

/** Builds the Webex account linking feature; `err` names what configuration is missing. */
export function createWebexLinking(options: WebexLinkingOptions): Result<WebexLinking, string> {
  const { webex, http, tokenVault } = options.config;
  if (webex.clientId === undefined || webex.clientSecret === undefined) {
    return err('WEBEX_CLIENT_ID and WEBEX_CLIENT_SECRET must be set to link Webex accounts');
  }
  const now = options.now ?? Date.now;
  const policy = resolvePolicy(options.policy, options.logger);
  const oauth = new WebexOAuthClient({
    baseUrl: webex.baseUrl,
    clientId: webex.clientId,
    clientSecret: webex.clientSecret,
    policy,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const tokens = new WebexTokenService({
    store: options.store,
    vault: options.vault,
    oauth,
    logger: options.logger,
    now,
    ...(options.refreshWithinMs === undefined ? {} : { refreshWithinMs: options.refreshWithinMs }),
  });
  const flow = createPopupFlow({
    name: WEBEX_LINK_LEASES,
    stateLabel: WEBEX_LINK_STATE_LABEL,
    basePath: WEBEX_FLOW_BASE_PATH,
    cookieName: BINDING_COOKIE,
    keyRing: tokenVault,
    leases: options.store.leases,
    publicBaseUrl: http.publicBaseUrl,
    logger: options.logger,
    now,
    text: { request: 'link request', provider: 'Webex', startAgain: START_AGAIN },
  });
  const deps: WebexLinkDeps = {
    store: options.store,
    validator: options.validator,
    flow,
    states: flow.sealer,
    tokens,
    oauth,
    webex: { baseUrl: webex.baseUrl.replace(/\/+$/, ''), clientId: webex.clientId },
    publicBaseUrl: http.publicBaseUrl.replace(/\/+$/, ''),
    scopes: WEBEX_LINK_SCOPES,
    logger: options.logger,
    now,
    policy,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  };
  return ok({
    routes: [
      postWebexLink(deps),
      getWebexLinkStatus(deps),
      deleteWebexLink(deps),
      webexLinkStartRoute(deps),
      webexLinkCallbackRoute(deps),
      ...flow.assetRoutes(),
    ],
    daemon: webexTokenRefreshDaemon({
      store: options.store,
      tokens,
      logger: options.logger,
      ...(options.refreshIntervalMs === undefined ? {} : { intervalMs: options.refreshIntervalMs }),
    }),
    tokens,
  });
}
