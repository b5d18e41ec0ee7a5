import { AuthenticationHandler, Client, ResponseType } from '@microsoft/microsoft-graph-client';
import type {
  AadUserConversationMember,
  Contact,
  OpenTypeExtension,
  Presence,
  User,
} from '@microsoft/microsoft-graph-types';
import { scrub, type Logger } from '../../observability/logger.js';
import { err, ok, type Result } from '../../shared/result.js';
import {
  resolvePolicy,
  type HttpPolicy,
  type HttpPolicyOptions,
  type UpstreamError,
  type UpstreamErrorCode,
} from '../http-policy.js';
import { FetchMiddleware, GraphCallOptions, PolicyMiddleware } from './middleware.js';
import { anyOf, pathSegment, queryString, searchTerm, selectList, startsWith } from './odata.js';

/**
 * A thin typed Microsoft Graph client over `@microsoft/microsoft-graph-client`, one instance per
 * identity (a user's delegated token or the app's): `getAccessToken` is called once per request.
 * Only the calls CallBridge uses are here. Every method returns `Result<T, GraphError>`; a
 * GraphError carries Graph's `error.code`, the status and a scrubbed message, never a token or a
 * header. Every user-supplied value goes through ./odata.ts.
 */

export interface GraphClientOptions {
  /** `config.graph.baseUrl` (`https://graph.microsoft.com` or the stand-in); must be HTTPS. */
  readonly baseUrl: string;
  readonly getAccessToken: () => Promise<string>;
  /** The shared policy, or options for one of its own. */
  readonly policy?: HttpPolicy | HttpPolicyOptions;
  readonly version?: 'v1.0' | 'beta';
  readonly fetch?: typeof fetch;
  readonly logger?: Logger;
}

/** Why a Graph call failed: the policy's code, no token, or an answer we could not read. */
export type GraphErrorKind = UpstreamErrorCode | 'token_unavailable' | 'invalid_response';

export interface GraphError {
  readonly service: 'graph';
  readonly kind: GraphErrorKind;
  /** Graph's `error.code` (`Request_ResourceNotFound`, `TooManyRequests`…), else `kind`. */
  readonly code: string;
  readonly status?: number;
  readonly message: string;
  readonly retryAfterMs?: number;
  /** Graph's `request-id`, for support cases. */
  readonly requestId?: string;
}

export interface GraphResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON; undefined for an empty body. */
  readonly body: unknown;
}

export interface SendOptions {
  /** Stable operation name for logs and metrics. */
  readonly operation: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly idempotent?: boolean;
  readonly signal?: AbortSignal | undefined;
  readonly maxRetries?: number;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
}

export type ExtensionValue = string | number | boolean | readonly (string | number | boolean)[];

export interface PresenceSession {
  /** Must be the app's client id (Graph checks it). */
  readonly sessionId: string;
  readonly availability: 'Available' | 'Busy' | 'Away' | 'DoNotDisturb';
  readonly activity: 'Available' | 'InACall' | 'InAConferenceCall' | 'Away' | 'Presenting';
  /** ISO-8601 duration PT5M–PT4H; Graph's default is PT5M. */
  readonly expirationDuration?: string;
}

export const USER_SELECT = [
  'id',
  'displayName',
  'givenName',
  'surname',
  'mail',
  'userPrincipalName',
  'jobTitle',
  'department',
  'officeLocation',
  'businessPhones',
  'mobilePhone',
] as const;

export const CONTACT_SELECT = [
  'id',
  'displayName',
  'givenName',
  'surname',
  'companyName',
  'jobTitle',
  'emailAddresses',
  'businessPhones',
  'mobilePhone',
] as const;

/** Documented limit of `getPresencesByUserId`. */
export const MAX_PRESENCE_IDS = 650;
const MAX_TOP = 999;
const MAX_MEMBER_PAGES = 50;
const OPEN_EXTENSION_TYPE = 'microsoft.graph.openTypeExtension';

export class GraphClient {
  readonly policy: HttpPolicy;
  private readonly sdk: Client;
  private readonly origin: string;
  private readonly logger: Logger | undefined;

  constructor(options: GraphClientOptions) {
    const base = new URL(options.baseUrl);
    // The SDK attaches the token only to HTTPS URLs on Graph hosts or customHosts; over plain HTTP
    // every call would go out without one, which is a configuration bug worth failing on.
    if (base.protocol !== 'https:') throw new Error(`Graph base URL must be https, got ${base.protocol}`);
    this.origin = base.origin;
    this.policy = resolvePolicy(options.policy, options.logger);
    this.logger = options.logger;
    const auth = new AuthenticationHandler({ getAccessToken: () => options.getAccessToken() });
    const retry = new PolicyMiddleware(this.policy);
    const http = new FetchMiddleware(options.fetch ?? globalThis.fetch);
    auth.setNext(retry);
    retry.setNext(http);
    this.sdk = Client.initWithMiddleware({
      baseUrl: base.origin + base.pathname.replace(/\/+$/, ''),
      defaultVersion: options.version ?? 'v1.0',
      middleware: auth,
      // Hostnames only (the SDK compares without the port).
      customHosts: new Set([base.hostname]),
    });
  }

  getMe(
    select: readonly string[] = USER_SELECT,
    options: CallOptions = {},
  ): Promise<Result<User, GraphError>> {
    return this.getObject<User>(`/me${queryString({ $select: selectList(select) })}`, 'users.me', options);
  }

  /** A user by object id or userPrincipalName. */
  getUser(
    id: string,
    select: readonly string[] = USER_SELECT,
    options: CallOptions = {},
  ): Promise<Result<User, GraphError>> {
    return this.getObject<User>(
      `/users/${pathSegment(id)}${queryString({ $select: selectList(select) })}`,
      'users.get',
      options,
    );
  }

  /**
   * People search: `$search="displayName:q" OR "mail:q"` (an advanced query, `ConsistencyLevel:
   * eventual`); where the directory refuses it (400 `Request_UnsupportedQuery`, e.g. tenants or
   * callers without advanced queries) a `startswith` filter on the same two properties.
   */
  async searchUsers(
    query: string,
    options: CallOptions & { readonly top?: number; readonly select?: readonly string[] } = {},
  ): Promise<Result<User[], GraphError>> {
    const text = query.trim();
    if (text === '') return ok([]);
    const top = clampTop(options.top ?? 10);
    const select = selectList(options.select ?? USER_SELECT);
    const search = await this.getList<User>(
      `/users${queryString({
        $search: `${searchTerm('displayName', text)} OR ${searchTerm('mail', text)}`,
        $top: top,
        $select: select,
        $count: true,
      })}`,
      'users.search',
      { ...options, headers: { ConsistencyLevel: 'eventual' } },
    );
    if (search.ok || !(search.error.status === 400 && search.error.code === 'Request_UnsupportedQuery')) {
      return search;
    }
    this.logger?.debug(
      { upstream: 'graph', operation: 'users.search' },
      'directory refused $search; using startswith',
    );
    return this.getList<User>(
      `/users${queryString({
        $filter: anyOf([startsWith('displayName', text), startsWith('mail', text)]),
        $top: top,
        $select: select,
      })}`,
      'users.search.startswith',
      options,
    );
  }

  /** The signed-in user's Outlook contacts whose display name starts with `filterPrefix`. */
  listContacts(
    filterPrefix: string,
    top = 10,
    options: CallOptions = {},
  ): Promise<Result<Contact[], GraphError>> {
    const prefix = filterPrefix.trim();
    return this.getList<Contact>(
      `/me/contacts${queryString({
        $filter: prefix === '' ? undefined : startsWith('displayName', prefix),
        $top: clampTop(top),
        $select: selectList(CONTACT_SELECT),
      })}`,
      'contacts.list',
      options,
    );
  }

  /** Presence of many users: `getPresencesByUserId` in chunks of at most 650 ids, in input order. */
  async getPresence(
    ids: readonly string[],
    options: CallOptions = {},
  ): Promise<Result<Presence[], GraphError>> {
    const presences: Presence[] = [];
    for (let start = 0; start < ids.length; start += MAX_PRESENCE_IDS) {
      const chunk = ids.slice(start, start + MAX_PRESENCE_IDS);
      const sent = await this.send('POST', '/communications/getPresencesByUserId', {
        operation: 'presence.getMany',
        body: { ids: chunk },
        // A read, even though it is a POST.
        idempotent: true,
        signal: options.signal,
      });
      if (!sent.ok) return sent;
      const value = listValue(sent.value.body);
      if (value === undefined) return err(invalidResponse('presence.getMany'));
      presences.push(...(value as Presence[]));
    }
    return ok(presences);
  }

  /** Posts (or refreshes) the app's presence session for a user. */
  async setPresence(
    userId: string,
    session: PresenceSession,
    options: CallOptions = {},
  ): Promise<Result<void, GraphError>> {
    const sent = await this.send('POST', `/users/${pathSegment(userId)}/presence/setPresence`, {
      operation: 'presence.set',
      body: {
        sessionId: session.sessionId,
        availability: session.availability,
        activity: session.activity,
        ...(session.expirationDuration === undefined
          ? {}
          : { expirationDuration: session.expirationDuration }),
      },
      // Re-posting the same session state is the documented keep-alive.
      idempotent: true,
      signal: options.signal,
    });
    return sent.ok ? ok(undefined) : sent;
  }

  async clearPresence(
    userId: string,
    sessionId: string,
    options: CallOptions = {},
  ): Promise<Result<void, GraphError>> {
    const sent = await this.send('POST', `/users/${pathSegment(userId)}/presence/clearPresence`, {
      operation: 'presence.clear',
      body: { sessionId },
      idempotent: true,
      signal: options.signal,
    });
    return sent.ok ? ok(undefined) : sent;
  }

  /** An open extension of the signed-in user (or `userId`); `undefined` when it does not exist. */
  async getExtension(
    name: string,
    options: CallOptions & { readonly userId?: string } = {},
  ): Promise<Result<OpenTypeExtension | undefined, GraphError>> {
    const got = await this.getObject<OpenTypeExtension>(
      `${userPath(options.userId)}/extensions/${pathSegment(name)}`,
      'extensions.get',
      options,
    );
    if (!got.ok && got.error.status === 404) return ok(undefined);
    return got;
  }

  /**
   * Writes an open extension: POST to create; when that fails (Graph does not document the
   * duplicate error), PATCH with every property, since PATCH drops the ones left out.
   */
  async putExtension(
    name: string,
    properties: Readonly<Record<string, ExtensionValue>>,
    options: CallOptions & { readonly userId?: string } = {},
  ): Promise<Result<{ readonly created: boolean }, GraphError>> {
    const base = `${userPath(options.userId)}/extensions`;
    const created = await this.send('POST', base, {
      operation: 'extensions.create',
      body: { ...properties, '@odata.type': OPEN_EXTENSION_TYPE, extensionName: name },
      signal: options.signal,
    });
    if (created.ok) return ok({ created: true });
    const status = created.error.status;
    if (created.error.kind !== 'http_error' || status === undefined || status === 401 || status === 403)
      return created;
    const patched = await this.send('PATCH', `${base}/${pathSegment(name)}`, {
      operation: 'extensions.update',
      body: { ...properties, '@odata.type': OPEN_EXTENSION_TYPE },
      // PATCH replaces the whole property set: sending it twice gives the same state.
      idempotent: true,
      signal: options.signal,
    });
    if (patched.ok) return ok({ created: false });
    // Nothing to update: the POST's refusal (e.g. the two-per-app limit) is the real answer.
    return patched.error.status === 404 ? created : patched;
  }

  /** Members of a chat (as the signed-in user, or as `userId` with an application token). */
  listChatMembers(
    chatId: string,
    options: CallOptions & { readonly userId?: string } = {},
  ): Promise<Result<AadUserConversationMember[], GraphError>> {
    const path =
      options.userId === undefined
        ? `/chats/${pathSegment(chatId)}/members`
        : `/users/${pathSegment(options.userId)}/chats/${pathSegment(chatId)}/members`;
    return this.getAllPages<AadUserConversationMember>(path, 'members.chat', options);
  }

  listChannelMembers(
    teamId: string,
    channelId: string,
    options: CallOptions = {},
  ): Promise<Result<AadUserConversationMember[], GraphError>> {
    return this.getAllPages<AadUserConversationMember>(
      `/teams/${pathSegment(teamId)}/channels/${pathSegment(channelId)}/members`,
      'members.channel',
      options,
    );
  }

  /**
   * One request through the middleware chain. `path` is below the version root (`/me`, with an
   * already-encoded query) or an absolute URL on the configured origin (an `@odata.nextLink`).
   * Used by the typed methods and by the `$batch` helper.
   */
  async send(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    path: string,
    options: SendOptions,
  ): Promise<Result<GraphResponse, GraphError>> {
    const call = new GraphCallOptions({
      operation: options.operation,
      idempotent: options.idempotent,
      signal: options.signal,
      maxRetries: options.maxRetries,
    });
    let request = this.sdk.api(path).responseType(ResponseType.RAW).middlewareOptions([call]);
    if (options.headers !== undefined) request = request.headers({ ...options.headers });
    try {
      switch (method) {
        case 'GET':
          await request.get();
          break;
        case 'POST':
          await request.post(options.body ?? {});
          break;
        case 'PATCH':
          await request.patch(options.body ?? {});
          break;
        case 'PUT':
          await request.put(options.body ?? {});
          break;
        case 'DELETE':
          await request.delete();
          break;
      }
    } catch {
      // Only the step before the policy can throw here: getting the access token. Its error text
      // is not ours to repeat.
      if (call.outcome === undefined) {
        return err({
          service: 'graph',
          kind: 'token_unavailable',
          code: 'token_unavailable',
          message: 'no Graph access token',
        });
      }
    }
    const outcome = call.outcome;
    if (outcome === undefined) return err(invalidResponse(options.operation));
    if (!outcome.ok) return err(graphErrorFrom(outcome.error));
    const response = outcome.value;
    const text = await response.text();
    if (text === '') return ok({ status: response.status, headers: response.headers, body: undefined });
    try {
      return ok({ status: response.status, headers: response.headers, body: JSON.parse(text) as unknown });
    } catch {
      return err(invalidResponse(options.operation, response.status));
    }
  }

  private async getObject<T>(
    path: string,
    operation: string,
    options: CallOptions,
  ): Promise<Result<T, GraphError>> {
    const sent = await this.send('GET', path, { operation, signal: options.signal });
    if (!sent.ok) return sent;
    const body = sent.value.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return err(invalidResponse(operation));
    return ok(body as T);
  }

  private async getList<T>(
    path: string,
    operation: string,
    options: CallOptions & { readonly headers?: Readonly<Record<string, string>> },
  ): Promise<Result<T[], GraphError>> {
    const sent = await this.send('GET', path, {
      operation,
      signal: options.signal,
      ...(options.headers === undefined ? {} : { headers: options.headers }),
    });
    if (!sent.ok) return sent;
    const value = listValue(sent.value.body);
    return value === undefined ? err(invalidResponse(operation)) : ok(value as T[]);
  }

  /** Follows `@odata.nextLink` on our own origin only (never sends the token elsewhere). */
  private async getAllPages<T>(
    path: string,
    operation: string,
    options: CallOptions,
  ): Promise<Result<T[], GraphError>> {
    const items: T[] = [];
    let next: string | undefined = path;
    for (let page = 0; next !== undefined && page < MAX_MEMBER_PAGES; page += 1) {
      const sent: Result<GraphResponse, GraphError> = await this.send('GET', next, {
        operation,
        signal: options.signal,
      });
      if (!sent.ok) return sent;
      const value = listValue(sent.value.body);
      if (value === undefined) return err(invalidResponse(operation));
      items.push(...(value as T[]));
      next = this.sameOriginLink((sent.value.body as Record<string, unknown>)['@odata.nextLink']);
    }
    return ok(items);
  }

  private sameOriginLink(link: unknown): string | undefined {
    if (typeof link !== 'string') return undefined;
    try {
      return new URL(link).origin === this.origin ? link : undefined;
    } catch {
      return undefined;
    }
  }
}

function userPath(userId: string | undefined): string {
  return userId === undefined ? '/me' : `/users/${pathSegment(userId)}`;
}

function clampTop(top: number): number {
  return Math.min(MAX_TOP, Math.max(1, Math.floor(top)));
}

function listValue(body: unknown): unknown[] | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>).value;
  return Array.isArray(value) ? value : undefined;
}

function invalidResponse(operation: string, status?: number): GraphError {
  return {
    service: 'graph',
    kind: 'invalid_response',
    code: 'invalid_response',
    ...(status === undefined ? {} : { status }),
    message: `unreadable Graph answer to ${operation}`,
  };
}

/** Graph's error body `{ error: { code, message, innerError: { request-id } } }`, when present. */
export function graphErrorBody(body: unknown): { code?: string; message?: string; requestId?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const error = (body as Record<string, unknown>).error;
  if (typeof error !== 'object' || error === null) return {};
  const e = error as Record<string, unknown>;
  const inner = (e.innerError ?? e.innererror) as Record<string, unknown> | undefined;
  const requestId = inner?.['request-id'];
  return {
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.message === 'string' ? { message: e.message } : {}),
    ...(typeof requestId === 'string' ? { requestId } : {}),
  };
}

export function graphErrorFrom(upstream: UpstreamError): GraphError {
  const body = graphErrorBody(upstream.body);
  return {
    service: 'graph',
    kind: upstream.code,
    code: body.code ?? upstream.code,
    ...(upstream.status === undefined ? {} : { status: upstream.status }),
    message: scrub(body.message ?? upstream.message),
    ...(upstream.retryAfterMs === undefined ? {} : { retryAfterMs: upstream.retryAfterMs }),
    ...(body.requestId === undefined ? {} : { requestId: body.requestId }),
  };
}
