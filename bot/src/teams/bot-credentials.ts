import { ServiceClientCredentialsFactory, type ServiceClientCredentials } from 'botframework-connector';
import { createEntraTokenClient, type EntraTokenClient } from '../auth/obo/entra-token-client.js';

/**
 * Outbound Bot Framework credentials: the bot → channel access token from the OAuth 2.0
 * client-credentials grant at `${authorityHost}/${tenant}/oauth2/v2.0/token`, through the
 * service's one Entra token client.
 *
 * botbuilder's own password credentials go through MSAL, which refuses authorities that are not
 * HTTPS or not Microsoft's unless every one is listed in `knownAuthorities`; this small client
 * works the same against Entra ID, the sandbox's HTTPS Entra stand-in and a plain-HTTP test
 * endpoint, and never sends the secret anywhere but the configured token endpoint.
 */

/** `signRequest` receives a core-http-compat WebResource; only its headers matter here. */
type WebResource = Parameters<ServiceClientCredentials['signRequest']>[0];

export interface BotTokenClientOptions {
  readonly appId: string;
  readonly appPassword: string;
  /** Tenant whose token endpoint issues the token: the bot's tenant, or `botframework.com` for legacy multi-tenant bots. */
  readonly tenantId: string;
  /** `https://login.microsoftonline.com`, or a stand-in's base URL. No trailing slash needed. */
  readonly authorityHost: string;
  /** Per token request; default 10 s. */
  readonly timeoutMs?: number;
  /** How long before expiry a cached token is replaced; default 5 minutes (at most half the lifetime). */
  readonly refreshSkewMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

/** A token request that failed; carries the endpoint's error code, never the secret or a token. */
export class BotTokenError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BotTokenError';
  }
}

interface CachedToken {
  readonly accessToken: string;
  readonly refreshAt: number;
}

const DEFAULT_REFRESH_SKEW_MS = 5 * 60_000;

/**
 * Credentials for one audience (scope). Caches the token until shortly before it expires and
 * shares one in-flight request between concurrent callers.
 */
export class BotTokenCredentials implements ServiceClientCredentials {
  readonly appId: string;
  /** The resource the token is for, e.g. `https://api.botframework.com`. */
  readonly oAuthScope: string;
  private readonly tokenEndpoint: string;
  private readonly client: Pick<EntraTokenClient, 'clientCredentials'>;
  private cached: CachedToken | undefined;
  private pending: Promise<CachedToken> | undefined;

  constructor(
    private readonly options: BotTokenClientOptions,
    oAuthScope: string,
  ) {
    this.appId = options.appId;
    this.oAuthScope = oAuthScope.replace(/\/+$/, '');
    const host = options.authorityHost.replace(/\/+$/, '');
    this.tokenEndpoint = `${host}/${encodeURIComponent(options.tenantId)}/oauth2/v2.0/token`;
    this.client = createEntraTokenClient({
      authorityHost: host,
      tenantId: options.tenantId,
      clientId: options.appId,
      clientSecret: options.appPassword,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
  }

  /** Returns a valid access token, from the cache when it is not about to expire. */
  async getToken(forceRefresh = false): Promise<string> {
    const now = (this.options.now ?? Date.now)();
    if (!forceRefresh && this.cached !== undefined && now < this.cached.refreshAt)
      return this.cached.accessToken;
    this.pending ??= this.requestToken().finally(() => {
      this.pending = undefined;
    });
    const token = await this.pending;
    this.cached = token;
    return token.accessToken;
  }

  async signRequest(webResource: WebResource): Promise<WebResource> {
    const token = await this.getToken();
    webResource.headers.set('authorization', `Bearer ${token}`);
    return webResource;
  }

  /** Keeps the secret out of `JSON.stringify` and log serializers. */
  toJSON(): Record<string, string> {
    return {
      name: 'BotTokenCredentials',
      appId: this.appId,
      oAuthScope: this.oAuthScope,
      tokenEndpoint: this.tokenEndpoint,
    };
  }

  /** botbuilder expects credentials to throw, so the token client's error values become a {@link BotTokenError}. */
  private async requestToken(): Promise<CachedToken> {
    const started = (this.options.now ?? Date.now)();
    const result = await this.client.clientCredentials(`${this.oAuthScope}/.default`);
    if (!result.ok) {
      const failure = result.error;
      if (failure.kind === 'oauth') {
        const aadsts = failure.codes[0];
        throw new BotTokenError(
          `Bot token request was refused (${failure.status} ${failure.error}${aadsts === undefined ? '' : `, AADSTS${aadsts}`})`,
          failure.error,
          failure.status,
        );
      }
      const code = {
        timeout: 'timeout',
        network: 'network_error',
        http: 'http_error',
        invalid_response: 'invalid_response',
      }[failure.reason];
      throw new BotTokenError(`Bot token request failed: ${failure.message}`, code, failure.status);
    }
    const lifetimeMs = result.value.expiresInSeconds * 1000;
    if (lifetimeMs <= 0) {
      throw new BotTokenError('Bot token response has no usable expires_in', 'invalid_response', undefined);
    }
    const skew = Math.min(this.options.refreshSkewMs ?? DEFAULT_REFRESH_SKEW_MS, lifetimeMs / 2);
    return { accessToken: result.value.accessToken, refreshAt: started + lifetimeMs - skew };
  }
}

/**
 * The `ServiceClientCredentialsFactory` botbuilder asks for outbound credentials (and, through
 * `isValidAppId`, for the inbound audience check). One credentials object per audience, so the
 * token cache lives as long as the factory.
 */
export class BotCredentialsFactory extends ServiceClientCredentialsFactory {
  private readonly byScope = new Map<string, BotTokenCredentials>();

  constructor(private readonly options: BotTokenClientOptions) {
    super();
    if (options.appId === '' || options.appPassword === '') {
      throw new Error('BotCredentialsFactory needs the bot app id and password (BOT_ID, BOT_PASSWORD)');
    }
  }

  isValidAppId(appId: string): Promise<boolean> {
    return Promise.resolve(appId === this.options.appId);
  }

  /** Never: unauthenticated traffic is a separate, explicit sandbox switch in the adapter. */
  isAuthenticationDisabled(): Promise<boolean> {
    return Promise.resolve(false);
  }

  createCredentials(appId: string, audience: string | undefined): Promise<ServiceClientCredentials> {
    if (appId !== this.options.appId) {
      return Promise.reject(new Error('Outbound credentials requested for an app id this bot does not own'));
    }
    if (audience === undefined || audience === '') {
      return Promise.reject(new Error('Outbound credentials requested without an audience'));
    }
    let credentials = this.byScope.get(audience);
    if (credentials === undefined) {
      credentials = new BotTokenCredentials(this.options, audience);
      this.byScope.set(audience, credentials);
    }
    return Promise.resolve(credentials);
  }

  toJSON(): Record<string, string> {
    return { name: 'BotCredentialsFactory', appId: this.options.appId };
  }
}
