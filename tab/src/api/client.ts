import type { TokenOutcome } from '../app/TeamsHost.js';

/**
 * The tab's client for CallBridge's own API. Every call carries the Teams SSO token, and every
 * expected failure comes back as a typed {@link ApiError} value, never as an exception, so the UI
 * has to decide what each one looks like.
 */

export type ApiResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiError };

export type ApiError =
  /** Teams could not give us an SSO token (the user isn't signed in to Teams, the app isn't set up). */
  | { readonly kind: 'no_token'; readonly reason: string }
  /** The user (or an admin) has not consented to what CallBridge reads from Microsoft Graph. */
  | { readonly kind: 'consent_required'; readonly message: string }
  /** Entra wants the user to sign in interactively (MFA, conditional access), with these claims. */
  | { readonly kind: 'interaction_required'; readonly message: string; readonly claims?: string }
  /** The SSO token was refused, even after one retry with a new one. */
  | { readonly kind: 'unauthorized'; readonly message: string }
  /** The server or something it depends on is down for now (502/503/504); worth a retry. */
  | { readonly kind: 'unavailable'; readonly retryAfterSeconds?: number }
  /** No answer at all: offline, DNS, connection reset, CORS. */
  | { readonly kind: 'network' }
  /** The route does not exist on this server (e.g. an older deployment). */
  | { readonly kind: 'not_found' }
  /** Any other error status, with the server's `{ code, message }` when it sent one. */
  | { readonly kind: 'http'; readonly status: number; readonly code?: string; readonly message?: string }
  /** A success status whose body is not what the contract says. */
  | { readonly kind: 'bad_response'; readonly status: number };

export interface WebexLinkStatus {
  readonly linked: boolean;
  readonly personId?: string;
  readonly linkedAt?: number;
  readonly expiresAt?: number;
  readonly needsRelink?: boolean;
}

export interface AuthUrl {
  /** Open with `authentication.authenticate`; same origin as the tab. */
  readonly url: string;
}

export interface ApiClient {
  /** `POST /api/auth/token`: enrol or renew the server-side Graph session. */
  signIn(): Promise<ApiResult<void>>;
  /** `POST /api/auth/consent`: the URL of the consent popup, with Entra's `claims` when it asked for them. */
  startConsent(claims?: string): Promise<ApiResult<AuthUrl>>;
  /** `GET /api/webex/link`. */
  webexLinkStatus(): Promise<ApiResult<WebexLinkStatus>>;
  /** `POST /api/webex/link`: the URL of the Webex sign-in popup. */
  startWebexLink(): Promise<ApiResult<AuthUrl>>;
  /** `DELETE /api/webex/link`; idempotent. */
  unlinkWebex(): Promise<ApiResult<void>>;
}

export interface ApiClientOptions {
  /** `TeamsHost.getAuthToken`; called per request (Teams caches and renews the token). */
  readonly getToken: () => Promise<TokenOutcome>;
  /** Defaults to the global fetch; injected by tests. */
  readonly fetch?: typeof fetch;
  /** Prefix for the API paths; empty (same origin as the tab) unless given. */
  readonly baseUrl?: string;
}

/** A parsed body in a box, so `void` results can be told from a body that did not parse. */
type Parse<T> = (body: unknown) => { readonly value: T } | undefined;

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl ?? '';
  // Read at call time, not creation, so a test (or polyfill) replacing fetch later still applies.
  const doFetch: typeof fetch = (input, init) => (options.fetch ?? globalThis.fetch)(input, init);

  async function attempt(method: string, path: string, body: unknown): Promise<Response | ApiError> {
    const token = await options.getToken();
    if (!token.ok) return { kind: 'no_token', reason: token.reason };
    const headers: Record<string, string> = {
      authorization: `Bearer ${token.token}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await doFetch(`${baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch {
      return { kind: 'network' };
    }
  }

  async function request<T>(
    method: string,
    path: string,
    parse: Parse<T>,
    body?: unknown,
  ): Promise<ApiResult<T>> {
    let response = await attempt(method, path, body);
    // One retry on 401 with whatever token Teams hands out now: the first may have expired in
    // flight, or the server may have rotated keys. A second 401 is real.
    if (response instanceof Response && response.status === 401) {
      await discardBody(response);
      response = await attempt(method, path, body);
    }
    if (!(response instanceof Response)) return { ok: false, error: response };
    const json = await readJson(response);
    if (response.ok) {
      const parsed = parse(json);
      return parsed === undefined
        ? { ok: false, error: { kind: 'bad_response', status: response.status } }
        : { ok: true, value: parsed.value };
    }
    return { ok: false, error: errorFor(response, json) };
  }

  return {
    signIn: () => request('POST', '/api/auth/token', (b) => when(field(b, 'status') === 'signed_in')),
    startConsent: (claims) =>
      request('POST', '/api/auth/consent', parseAuthUrl, claims === undefined ? undefined : { claims }),
    webexLinkStatus: () => request('GET', '/api/webex/link', parseWebexStatus),
    startWebexLink: () => request('POST', '/api/webex/link', parseAuthUrl),
    unlinkWebex: () => request('DELETE', '/api/webex/link', (b) => when(field(b, 'linked') === false)),
  };
}

function when(matches: boolean): { readonly value: undefined } | undefined {
  return matches ? { value: undefined } : undefined;
}

function errorFor(response: Response, json: unknown): ApiError {
  const status = response.status;
  const code = stringField(json, 'code');
  const message = stringField(json, 'message');
  if (status === 403 && code === 'consent_required') {
    return { kind: 'consent_required', message: message ?? '' };
  }
  if (status === 403 && code === 'interaction_required') {
    const claims = stringField(json, 'claims');
    return {
      kind: 'interaction_required',
      message: message ?? '',
      ...(claims === undefined ? {} : { claims }),
    };
  }
  if (status === 401) return { kind: 'unauthorized', message: message ?? '' };
  if (status === 404) return { kind: 'not_found' };
  if (status === 502 || status === 503 || status === 504) {
    const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));
    return { kind: 'unavailable', ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }) };
  }
  return {
    kind: 'http',
    status,
    ...(code === undefined ? {} : { code }),
    ...(message === undefined ? {} : { message }),
  };
}

function parseAuthUrl(body: unknown): { readonly value: AuthUrl } | undefined {
  const url = stringField(body, 'url');
  // http(s) or a same-origin path (teams-js qualifies it): javascript: or data: must never
  // reach the popup, nor a protocol-relative `//elsewhere`.
  const safe = url !== undefined && (/^https?:\/\//i.test(url) || /^\/(?!\/)/.test(url));
  return safe ? { value: { url } } : undefined;
}

function parseWebexStatus(body: unknown): { readonly value: WebexLinkStatus } | undefined {
  const linked = field(body, 'linked');
  if (typeof linked !== 'boolean') return undefined;
  const personId = stringField(body, 'personId');
  const linkedAt = numberField(body, 'linkedAt');
  const expiresAt = numberField(body, 'expiresAt');
  const needsRelink = field(body, 'needsRelink');
  return {
    value: {
      linked,
      ...(personId === undefined ? {} : { personId }),
      ...(linkedAt === undefined ? {} : { linkedAt }),
      ...(expiresAt === undefined ? {} : { expiresAt }),
      ...(typeof needsRelink === 'boolean' ? { needsRelink } : {}),
    },
  };
}

/** Seconds form only; the HTTP-date form is not worth parsing for a hint. */
function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim());
}

async function readJson(response: Response): Promise<unknown> {
  try {
    const text = await response.text();
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

async function discardBody(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Nothing to free.
  }
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

function stringField(body: unknown, name: string): string | undefined {
  const value = field(body, name);
  return typeof value === 'string' ? value : undefined;
}

function numberField(body: unknown, name: string): number | undefined {
  const value = field(body, name);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
