import type { SsoValidator } from '../auth/sso-validator.js';
import type { HttpPolicy } from '../integrations/http-policy.js';
import type { Logger } from '../observability/logger.js';
import type { PopupFlow } from '../oauth-popup/index.js';
import type { Store } from '../store/store.js';
import type { LinkStateSealer } from './link-state.js';
import type { WebexTokenService } from './token-service.js';
import type { WebexOAuthClient } from './webex-oauth.js';

/**
 * Least privilege for what CallBridge does with a linked account: who the person is and their
 * status (`spark:people_read`), call control and call events (`spark:calls_read`,
 * `spark:calls_write`), and, for presence sync, reading and setting the user's own Webex Calling
 * Do Not Disturb (`spark:telephony_config_read`, `spark:telephony_config_write`).
 */
export const WEBEX_LINK_SCOPES = [
  'spark:people_read',
  'spark:calls_read',
  'spark:calls_write',
  'spark:telephony_config_read',
  'spark:telephony_config_write',
] as const;

/** Start, callback, assets and the binding cookie live under this path. */
export const WEBEX_FLOW_BASE_PATH = '/auth/webex';
export const WEBEX_CALLBACK_PATH = '/auth/webex/callback';

/** Prefix of the single-use leases (link attempts, OAuth states); unchanged so flows in progress survive a deploy. */
export const WEBEX_LINK_LEASES = 'webex-link';
export const WEBEX_START_PATH = '/auth/webex/start';
/** Browser-binding cookie: set by start, required by the callback (login-CSRF defence). */
export const BINDING_COOKIE = 'cb_webex_link';

/** What the link routes share; built once by {@link createWebexLinking}. */
export interface WebexLinkDeps {
  readonly store: Pick<Store, 'users' | 'tokens' | 'leases'>;
  readonly validator: SsoValidator;
  /** The shared SSO-bound popup flow (attempt, start, callback, pages). */
  readonly flow: PopupFlow;
  /** `flow.sealer`. */
  readonly states: LinkStateSealer;
  readonly tokens: WebexTokenService;
  readonly oauth: Pick<WebexOAuthClient, 'exchangeCode'>;
  readonly webex: { readonly baseUrl: string; readonly clientId: string };
  /** `config.http.publicBaseUrl`, no trailing slash. */
  readonly publicBaseUrl: string;
  readonly scopes: readonly string[];
  readonly logger: Logger;
  readonly now: () => number;
  readonly policy: HttpPolicy;
  readonly fetch?: typeof fetch;
}
