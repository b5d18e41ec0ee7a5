import type { TokenOutcome } from '../app/TeamsHost.js';
import {
  parseBootstrap,
  parseCallView,
  parsePeople,
  parsePlacedCall,
  parseRecentCalls,
  parseSavedSpeedDials,
  parseSpeedDials,
  parseSpeedDialsFull,
  parseSyncRefusal,
  parseSyncStatus,
  parseVoicemail,
  parseWebexStatus,
  type Bootstrap,
  type CallView,
  type PeopleResult,
  type PlacedCall,
  type RecentCalls,
  type SaveSpeedDialsOutcome,
  type SpeedDial,
  type SpeedDials,
  type SyncRule,
  type SyncStatus,
  type SyncUpdateOutcome,
  type Voicemail,
  type WebexLinkStatus,
} from './contract.js';
import { boxed, field, numberField, stringField, type Parse } from './json.js';

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
  | {
      readonly kind: 'http';
      readonly status: number;
      readonly code?: string;
      readonly message?: string;
      readonly retryAfterSeconds?: number;
    }
  /** A success status whose body is not what the contract says. */
  | { readonly kind: 'bad_response'; readonly status: number };

export type { WebexLinkStatus } from './contract.js';

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
  /** `GET /api/bootstrap`: everything the first paint needs, sections that failed null. */
  bootstrap(): Promise<ApiResult<Bootstrap>>;
  /** `GET /api/speed-dials`. */
  speedDials(): Promise<ApiResult<SpeedDials>>;
  /** `PUT /api/speed-dials`: the whole set, with what we last read so the server can merge. */
  saveSpeedDials(
    entries: readonly SpeedDial[],
    base: { readonly version: string; readonly entries: readonly SpeedDial[] },
  ): Promise<ApiResult<SaveSpeedDialsOutcome>>;
  /** `GET /api/people`. */
  searchPeople(query: string, top?: number): Promise<ApiResult<PeopleResult>>;
  /** `POST /api/calls`: a Webex click-to-dial, or deep links when Webex isn't linked. */
  placeCall(destination: string, displayName?: string): Promise<ApiResult<PlacedCall>>;
  /** `GET /api/calls/{id}`. */
  call(id: string): Promise<ApiResult<CallView>>;
  /** `DELETE /api/calls/{id}`: cancels or hangs up the call; the call `ended`, again on a repeat. */
  hangUp(id: string): Promise<ApiResult<CallView>>;
  /** `GET /api/calls/recent`. */
  recentCalls(): Promise<ApiResult<RecentCalls>>;
  /** `GET /api/voicemail`. */
  voicemail(): Promise<ApiResult<Voicemail>>;
  /** `POST /api/voicemail/{id}/read`. */
  markVoicemailRead(id: string): Promise<ApiResult<void>>;
  /** `GET /api/presence-sync`. */
  presenceSync(): Promise<ApiResult<SyncStatus>>;
  /** `PUT /api/presence-sync`: the new status, or why it can't be turned on. */
  setPresenceSync(enabled: boolean, rule?: SyncRule): Promise<ApiResult<SyncUpdateOutcome>>;
}

export interface ApiClientOptions {
  /** `TeamsHost.getAuthToken`; called per request (Teams caches and renews the token). */
  readonly getToken: () => Promise<TokenOutcome>;
  /** Defaults to the global fetch; injected by tests. */
  readonly fetch?: typeof fetch;
  /** Prefix for the API paths; empty (same origin as the tab) unless given. */
  readonly baseUrl?: string;
}

/**
 * An error status that is an expected outcome of one route (413 "full", 409 "refused"), turned
 * into a success value so callers handle it next to the other outcomes.
 */
type Expected<T> = (status: number, body: unknown) => T | undefined;

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
    expected?: Expected<T>,
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
    const outcome = expected?.(response.status, json);
    if (outcome !== undefined) return { ok: true, value: outcome };
    return { ok: false, error: errorFor(response, json) };
  }

  const get = <T>(path: string, parse: Parse<T>) => request('GET', path, parse);

  return {
    signIn: () => request('POST', '/api/auth/token', (b) => when(field(b, 'status') === 'signed_in')),
    startConsent: (claims) =>
      request('POST', '/api/auth/consent', parseAuthUrl, claims === undefined ? undefined : { claims }),
    webexLinkStatus: () => get('/api/webex/link', (b) => boxed(parseWebexStatus(b))),
    startWebexLink: () => request('POST', '/api/webex/link', parseAuthUrl),
    unlinkWebex: () => request('DELETE', '/api/webex/link', (b) => when(field(b, 'linked') === false)),
    bootstrap: () => get('/api/bootstrap', (b) => boxed(parseBootstrap(b))),
    speedDials: () => get('/api/speed-dials', (b) => boxed(parseSpeedDials(b))),
    saveSpeedDials: (entries, base) =>
      request(
        'PUT',
        '/api/speed-dials',
        parseSavedSpeedDials,
        { entries, base: { version: base.version, entries: base.entries } },
        (status, b) => (status === 413 ? parseSpeedDialsFull(b) : undefined),
      ),
    searchPeople: (query, top) =>
      get(
        `/api/people?${new URLSearchParams({ q: query, ...(top === undefined ? {} : { top: String(top) }) }).toString()}`,
        parsePeople,
      ),
    placeCall: (destination, displayName) =>
      request('POST', '/api/calls', parsePlacedCall, {
        destination,
        ...(displayName === undefined ? {} : { displayName }),
      }),
    call: (id) => get(`/api/calls/${encodeURIComponent(id)}`, (b) => boxed(parseCallView(b))),
    hangUp: (id) => request('DELETE', `/api/calls/${encodeURIComponent(id)}`, (b) => boxed(parseCallView(b))),
    recentCalls: () => get('/api/calls/recent', parseRecentCalls),
    voicemail: () => get('/api/voicemail', parseVoicemail),
    markVoicemailRead: (id) =>
      request('POST', `/api/voicemail/${encodeURIComponent(id)}/read`, () => ({ value: undefined })),
    presenceSync: () => get('/api/presence-sync', (b) => boxed(parseSyncStatus(b))),
    setPresenceSync: (enabled, rule) =>
      request(
        'PUT',
        '/api/presence-sync',
        (b) => boxed(mapStatus(parseSyncStatus(b))),
        { enabled, ...(rule === undefined ? {} : { rule }) },
        (status, b) => (status === 409 ? parseSyncRefusal(b) : undefined),
      ),
  };
}

function mapStatus(status: SyncStatus | undefined): SyncUpdateOutcome | undefined {
  return status === undefined ? undefined : { kind: 'updated', status };
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
  const retryAfter =
    retryAfterSeconds(response.headers.get('retry-after')) ?? numberField(json, 'retryAfterSeconds');
  const retry = retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter };
  if (status === 502 || status === 503 || status === 504) {
    return { kind: 'unavailable', ...retry };
  }
  return {
    kind: 'http',
    status,
    ...(code === undefined ? {} : { code }),
    ...(message === undefined ? {} : { message }),
    ...retry,
  };
}

function parseAuthUrl(body: unknown): { readonly value: AuthUrl } | undefined {
  const url = stringField(body, 'url');
  // http(s) or a same-origin path (teams-js qualifies it): javascript: or data: must never
  // reach the popup, nor a protocol-relative `//elsewhere`.
  const safe = url !== undefined && (/^https?:\/\//i.test(url) || /^\/(?!\/)/.test(url));
  return safe ? { value: { url } } : undefined;
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
