import { err, ok, type Result } from '../../shared/result.js';

/**
 * The service's one confidential-client OAuth 2.0 client for Entra's v2.0 token endpoint, with
 * the grants CallBridge uses: on-behalf-of (jwt-bearer) and refresh_token for background Graph
 * access, authorization_code + PKCE for the consent popup, and client_credentials for app-only
 * calls. It is raw on purpose: MSAL Node keeps refresh tokens inside its cache and never returns
 * them from `acquireTokenOnBehalfOf` (docs/decisions/obo-offline-access.md).
 *
 * Nothing here logs, and no error value ever holds a token or Entra's `error_description`
 * (which can name the user); only the OAuth `error`, `suberror`, AADSTS numbers, the claims
 * challenge (not secret) and the trace/correlation ids.
 */

export interface EntraTokenClientOptions {
  /** e.g. `https://login.microsoftonline.com`; the sandbox's Entra stand-in in tests. */
  readonly authorityHost: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Per-request timeout (default 10 s). */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/** A successful token response, parsed. Credentials: never log this object. */
export interface TokenGrant {
  readonly accessToken: string;
  /** Absent when the request did not ask for (or was not granted) `offline_access`. */
  readonly refreshToken: string | undefined;
  readonly expiresInSeconds: number;
  readonly scope: string | undefined;
  /** Present when `openid` was requested (authorization code): who signed in. */
  readonly idToken: string | undefined;
}

/** Why the token endpoint did not issue tokens. */
export type TokenEndpointError =
  | {
      /** Entra answered with an OAuth error body. */
      readonly kind: 'oauth';
      readonly status: number;
      /** `invalid_grant`, `interaction_required`, `invalid_client`, … */
      readonly error: string;
      readonly suberror: string | undefined;
      /** AADSTS numbers (without the prefix). */
      readonly codes: readonly number[];
      /** A claims challenge for an interactive request (MFA / Conditional Access). Not a secret. */
      readonly claims: string | undefined;
      readonly traceId: string | undefined;
      readonly correlationId: string | undefined;
    }
  | {
      /** Network failure, timeout, 5xx/429, or a body that is not Entra's: try again later. */
      readonly kind: 'unavailable';
      readonly reason: 'timeout' | 'network' | 'http' | 'invalid_response';
      readonly status: number | undefined;
      readonly retryAfterMs: number | undefined;
      readonly message: string;
    };

export interface EntraTokenClient {
  /** Exchanges the user's token for this API (the Teams SSO token) for tokens to `scope`. */
  onBehalfOf(assertion: string, scope: string): Promise<Result<TokenGrant, TokenEndpointError>>;
  /** Redeems a refresh token; Entra answers with a new (rotated) refresh token. */
  refresh(refreshToken: string, scope: string): Promise<Result<TokenGrant, TokenEndpointError>>;
  /** Redeems an authorization code with its PKCE verifier, in the tenant the sign-in went to. */
  redeemCode(request: {
    readonly tenantId: string;
    readonly code: string;
    readonly codeVerifier: string;
    readonly redirectUri: string;
    readonly scope: string;
  }): Promise<Result<TokenGrant, TokenEndpointError>>;
  /** An app-only token (`<resource>/.default`), in the configured tenant unless another is named. */
  clientCredentials(scope: string, tenantId?: string): Promise<Result<TokenGrant, TokenEndpointError>>;
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const DEFAULT_TIMEOUT_MS = 10_000;

export function createEntraTokenClient(options: EntraTokenClientOptions): EntraTokenClient {
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const endpointFor = (tenantId: string): string =>
    `${options.authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;

  async function post(
    form: Record<string, string>,
    tenantId = options.tenantId,
  ): Promise<Result<TokenGrant, TokenEndpointError>> {
    const body = new URLSearchParams({
      ...form,
      client_id: options.clientId,
      client_secret: options.clientSecret,
    }).toString();
    let response: Response;
    let text: string;
    try {
      response = await doFetch(endpointFor(tenantId), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'manual',
      });
      text = await response.text();
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      return err({
        kind: 'unavailable',
        reason: timedOut ? 'timeout' : 'network',
        status: undefined,
        retryAfterMs: undefined,
        message: timedOut
          ? `token endpoint did not answer within ${timeoutMs} ms`
          : 'token endpoint unreachable',
      });
    }
    const json = parseJson(text);
    if (response.ok) {
      const grant = parseGrant(json);
      if (grant !== undefined) return ok(grant);
      return err(
        unavailable(
          response,
          'token endpoint answered 2xx without a usable token response',
          'invalid_response',
        ),
      );
    }
    if (response.status >= 500 || response.status === 429) {
      return err(unavailable(response, `token endpoint answered ${response.status}`));
    }
    const oauth = parseOAuthError(json, response.status);
    if (oauth !== undefined) return err(oauth);
    return err(
      unavailable(
        response,
        `token endpoint answered ${response.status} without an OAuth error body`,
        'invalid_response',
      ),
    );
  }

  return {
    onBehalfOf(assertion, scope) {
      return post({ grant_type: JWT_BEARER, requested_token_use: 'on_behalf_of', assertion, scope });
    },
    refresh(refreshToken, scope) {
      return post({ grant_type: 'refresh_token', refresh_token: refreshToken, scope });
    },
    redeemCode(request) {
      return post(
        {
          grant_type: 'authorization_code',
          code: request.code,
          code_verifier: request.codeVerifier,
          redirect_uri: request.redirectUri,
          scope: request.scope,
        },
        request.tenantId,
      );
    },
    clientCredentials(scope, tenantId) {
      return post({ grant_type: 'client_credentials', scope }, tenantId);
    },
  };
}

function unavailable(
  response: Response,
  message: string,
  reason: 'http' | 'invalid_response' = 'http',
): TokenEndpointError {
  return {
    kind: 'unavailable',
    reason,
    status: response.status,
    retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
    message,
  };
}

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function parseGrant(json: unknown): TokenGrant | undefined {
  if (!isRecord(json)) return undefined;
  const accessToken = optionalString(json.access_token);
  const expiresIn = typeof json.expires_in === 'string' ? Number(json.expires_in) : json.expires_in;
  if (accessToken === undefined || typeof expiresIn !== 'number' || !Number.isFinite(expiresIn))
    return undefined;
  return {
    accessToken,
    refreshToken: optionalString(json.refresh_token),
    expiresInSeconds: expiresIn,
    scope: optionalString(json.scope),
    idToken: optionalString(json.id_token),
  };
}

function parseOAuthError(json: unknown, status: number): TokenEndpointError | undefined {
  if (!isRecord(json)) return undefined;
  const error = optionalString(json.error);
  if (error === undefined) return undefined;
  const codes = Array.isArray(json.error_codes)
    ? json.error_codes.filter((c): c is number => typeof c === 'number' && Number.isInteger(c))
    : aadstsFrom(json.error_description);
  return {
    kind: 'oauth',
    status,
    error,
    suberror: optionalString(json.suberror),
    codes,
    claims: optionalString(json.claims),
    traceId: optionalString(json.trace_id),
    correlationId: optionalString(json.correlation_id),
  };
}

/** Falls back to the `AADSTS<n>:` prefix of the description when `error_codes` is missing. */
function aadstsFrom(description: unknown): number[] {
  if (typeof description !== 'string') return [];
  const match = /^AADSTS(\d+)/.exec(description);
  return match?.[1] === undefined ? [] : [Number(match[1])];
}
