import { z } from 'zod';
import { scrub, type Logger } from '../../observability/logger.js';
import { err, ok, type Result } from '../../shared/result.js';
import {
  resolvePolicy,
  type HttpPolicy,
  type HttpPolicyOptions,
  type UpstreamError,
} from '../http-policy.js';

/**
 * A thin typed Webex REST client (plain fetch under the shared HttpPolicy), one instance per
 * identity: `getAccessToken` is called once per logical request. Only the calls CallBridge uses
 * are here. Webex's error envelope `{ message, errors: [{ description }], trackingId }` becomes a
 * typed `WebexError`; nothing carries the token or a header.
 */

export interface WebexClientOptions {
  /** `config.webex.baseUrl` (`https://webexapis.com` or the stand-in); the API is under `/v1`. */
  readonly baseUrl: string;
  readonly getAccessToken: () => Promise<string>;
  readonly policy?: HttpPolicy | HttpPolicyOptions;
  readonly fetch?: typeof fetch;
  readonly logger?: Logger;
}

export type WebexErrorCode =
  /** The user has no Webex Calling licence (call control, voicemail, calling DND). */
  | 'not_calling_enabled'
  | 'invalid_destination'
  /** Missing, expired or revoked token: refresh or ask the user to reconnect Webex. */
  | 'unauthorized'
  /** Missing scopes or roles. */
  | 'forbidden'
  | 'not_found'
  | 'bad_request'
  | 'throttled'
  | 'timeout'
  | 'unavailable'
  | 'network'
  | 'aborted'
  | 'http_error'
  | 'token_unavailable'
  | 'invalid_response';

export interface WebexError {
  readonly service: 'webex';
  readonly code: WebexErrorCode;
  readonly status?: number;
  /** Webex's `message`, scrubbed. */
  readonly message: string;
  /** Webex's `errors[].description`, scrubbed. */
  readonly descriptions: readonly string[];
  readonly trackingId?: string;
  readonly retryAfterMs?: number;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
}

const person = z.looseObject({
  id: z.string(),
  emails: z.array(z.string()).default([]),
  displayName: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  orgId: z.string().optional(),
  extension: z.string().optional(),
  phoneNumbers: z.array(z.looseObject({ type: z.string(), value: z.string() })).optional(),
  /** Presence (`active`, `call`, `meeting`, `presenting`, `DoNotDisturb`…); absent when hidden. */
  status: z.string().optional(),
});
export type WebexPerson = z.infer<typeof person>;

const dialed = z.looseObject({ callId: z.string().min(1), callSessionId: z.string().min(1) });
export type DialResult = z.infer<typeof dialed>;

const call = z.looseObject({
  id: z.string(),
  callSessionId: z.string().optional(),
  personality: z.string().optional(),
  state: z.string(),
  remoteParty: z
    .looseObject({
      name: z.string().optional(),
      number: z.string().optional(),
      callType: z.string().optional(),
    })
    .optional(),
  created: z.string().optional(),
  answered: z.string().optional(),
  disconnected: z.string().optional(),
});
export type WebexCall = z.infer<typeof call>;

const historyRecord = z.looseObject({
  type: z.string(),
  name: z.string().optional(),
  number: z.string().optional(),
  privacyEnabled: z.boolean().optional(),
  time: z.string(),
});
export type CallHistoryRecord = z.infer<typeof historyRecord>;

const voiceMessage = z.looseObject({
  id: z.string(),
  duration: z.number().optional(),
  callingParty: z.looseObject({ name: z.string().optional(), number: z.string().optional() }).optional(),
  urgent: z.boolean().optional(),
  read: z.boolean(),
  created: z.string(),
});
export type VoiceMessage = z.infer<typeof voiceMessage>;

const webhook = z.looseObject({
  id: z.string(),
  name: z.string(),
  targetUrl: z.string(),
  resource: z.string(),
  event: z.string(),
  filter: z.string().optional(),
  secret: z.string().optional(),
  status: z.string(),
  created: z.string().optional(),
});
export type Webhook = z.infer<typeof webhook>;

const dnd = z.looseObject({
  enabled: z.boolean(),
  ringSplashEnabled: z.boolean().optional(),
  webexGoOverrideEnabled: z.boolean().optional(),
});
export type DndSettings = z.infer<typeof dnd>;

const itemsOf = <T extends z.ZodType>(item: T) => z.looseObject({ items: z.array(item) });

export interface CreateWebhook {
  readonly name: string;
  readonly targetUrl: string;
  readonly resource: string;
  readonly event: string;
  readonly filter?: string;
  readonly secret?: string;
}

export interface UpdateWebhook {
  readonly name: string;
  readonly targetUrl: string;
  readonly secret?: string;
  /** Only `active` can be set: it re-enables a webhook Webex disabled after failed deliveries. */
  readonly status?: 'active';
}

interface Send {
  readonly operation: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: unknown;
  readonly idempotent?: boolean;
  readonly signal?: AbortSignal | undefined;
}

export class WebexClient {
  readonly policy: HttpPolicy;
  private readonly root: string;
  private readonly fetchImpl: typeof fetch;
  private readonly getAccessToken: () => Promise<string>;

  constructor(options: WebexClientOptions) {
    const base = new URL(options.baseUrl);
    this.root = `${base.origin}${base.pathname.replace(/\/+$/, '')}/v1`;
    this.policy = resolvePolicy(options.policy, options.logger);
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.getAccessToken = options.getAccessToken;
  }

  getMe(options: CallOptions = {}): Promise<Result<WebexPerson, WebexError>> {
    return this.json('GET', '/people/me', person, { operation: 'people.me', signal: options.signal });
  }

  /**
   * Click to Dial: rings the user's own devices (or `endpointId`); the call is placed when they
   * answer. Never retried after a timeout or network error (it could ring twice).
   */
  dial(
    destination: string,
    endpointId?: string,
    options: CallOptions = {},
  ): Promise<Result<DialResult, WebexError>> {
    return this.json('POST', '/telephony/calls/dial', dialed, {
      operation: 'calls.dial',
      body: { destination, ...(endpointId === undefined ? {} : { endpointId }) },
      signal: options.signal,
    });
  }

  async listCalls(options: CallOptions = {}): Promise<Result<WebexCall[], WebexError>> {
    const got = await this.json('GET', '/telephony/calls', itemsOf(call), {
      operation: 'calls.list',
      signal: options.signal,
    });
    return got.ok ? ok(got.value.items) : got;
  }

  getCall(callId: string, options: CallOptions = {}): Promise<Result<WebexCall, WebexError>> {
    return this.json('GET', `/telephony/calls/${segment(callId)}`, call, {
      operation: 'calls.get',
      signal: options.signal,
    });
  }

  hangup(callId: string, options: CallOptions = {}): Promise<Result<void, WebexError>> {
    return this.empty('POST', '/telephony/calls/hangup', {
      operation: 'calls.hangup',
      body: { callId },
      signal: options.signal,
    });
  }

  async callHistory(
    options: CallOptions & { readonly type?: 'placed' | 'received' | 'missed' } = {},
  ): Promise<Result<CallHistoryRecord[], WebexError>> {
    const got = await this.json('GET', '/telephony/calls/history', itemsOf(historyRecord), {
      operation: 'calls.history',
      query: { type: options.type },
      signal: options.signal,
    });
    return got.ok ? ok(got.value.items) : got;
  }

  async listVoiceMessages(
    options: CallOptions & { readonly max?: number } = {},
  ): Promise<Result<VoiceMessage[], WebexError>> {
    const got = await this.json('GET', '/telephony/voiceMessages', itemsOf(voiceMessage), {
      operation: 'voicemail.list',
      query: { max: options.max },
      signal: options.signal,
    });
    return got.ok ? ok(got.value.items) : got;
  }

  markVoiceMessageRead(messageId: string, options: CallOptions = {}): Promise<Result<void, WebexError>> {
    return this.empty('POST', '/telephony/voiceMessages/markAsRead', {
      operation: 'voicemail.markRead',
      body: { messageId },
      // Marking read twice leaves the same state.
      idempotent: true,
      signal: options.signal,
    });
  }

  async listWebhooks(
    options: CallOptions & { readonly max?: number } = {},
  ): Promise<Result<Webhook[], WebexError>> {
    const got = await this.json('GET', '/webhooks', itemsOf(webhook), {
      operation: 'webhooks.list',
      query: { max: options.max },
      signal: options.signal,
    });
    return got.ok ? ok(got.value.items) : got;
  }

  getWebhook(id: string, options: CallOptions = {}): Promise<Result<Webhook, WebexError>> {
    return this.json('GET', `/webhooks/${segment(id)}`, webhook, {
      operation: 'webhooks.get',
      signal: options.signal,
    });
  }

  createWebhook(input: CreateWebhook, options: CallOptions = {}): Promise<Result<Webhook, WebexError>> {
    return this.json('POST', '/webhooks', webhook, {
      operation: 'webhooks.create',
      body: input,
      signal: options.signal,
    });
  }

  updateWebhook(
    id: string,
    input: UpdateWebhook,
    options: CallOptions = {},
  ): Promise<Result<Webhook, WebexError>> {
    return this.json('PUT', `/webhooks/${segment(id)}`, webhook, {
      operation: 'webhooks.update',
      body: input,
      signal: options.signal,
    });
  }

  deleteWebhook(id: string, options: CallOptions = {}): Promise<Result<void, WebexError>> {
    return this.empty('DELETE', `/webhooks/${segment(id)}`, {
      operation: 'webhooks.delete',
      signal: options.signal,
    });
  }

  /**
   * Webex Calling Do Not Disturb: the signed-in user's own (`spark:telephony_config_read`), or a
   * person's (`personId`: the person themself with `spark:people_read`, or an admin).
   */
  getDnd(
    options: CallOptions & { readonly personId?: string } = {},
  ): Promise<Result<DndSettings, WebexError>> {
    return this.json('GET', dndPath(options.personId), dnd, { operation: 'dnd.get', signal: options.signal });
  }

  /**
   * Changes DND. The user-level endpoint wants `webexGoOverrideEnabled` in every PUT; when the
   * caller leaves it out, the current value is read first and sent back unchanged.
   */
  async setDnd(
    patch: {
      readonly enabled: boolean;
      readonly ringSplashEnabled?: boolean;
      readonly webexGoOverrideEnabled?: boolean;
    },
    options: CallOptions & { readonly personId?: string } = {},
  ): Promise<Result<void, WebexError>> {
    let body: Record<string, boolean> = { ...patch };
    if (options.personId === undefined && patch.webexGoOverrideEnabled === undefined) {
      const current = await this.getDnd(options.signal === undefined ? {} : { signal: options.signal });
      if (!current.ok) return current;
      body = { webexGoOverrideEnabled: current.value.webexGoOverrideEnabled ?? false, ...body };
    }
    return this.empty('PUT', dndPath(options.personId), {
      operation: 'dnd.set',
      body,
      signal: options.signal,
    });
  }

  private async json<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    send: Send,
  ): Promise<Result<z.infer<S>, WebexError>> {
    const sent = await this.send(method, path, send);
    if (!sent.ok) return sent;
    const parsed = schema.safeParse(sent.value);
    return parsed.success ? ok(parsed.data) : err(invalidResponse(send.operation));
  }

  private async empty(method: string, path: string, send: Send): Promise<Result<void, WebexError>> {
    const sent = await this.send(method, path, send);
    return sent.ok ? ok(undefined) : sent;
  }

  private async send(method: string, path: string, send: Send): Promise<Result<unknown, WebexError>> {
    let token: string;
    try {
      token = await this.getAccessToken();
    } catch {
      // The token source's error text is not ours to repeat.
      return err({
        service: 'webex',
        code: 'token_unavailable',
        message: 'no Webex access token',
        descriptions: [],
      });
    }
    const url = `${this.root}${path}${query(send.query)}`;
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (send.body !== undefined) headers['content-type'] = 'application/json';
    const body = send.body === undefined ? undefined : JSON.stringify(send.body);
    const outcome = await this.policy.execute(
      (signal) => this.fetchImpl(url, { method, headers, signal, ...(body === undefined ? {} : { body }) }),
      {
        service: 'webex',
        operation: send.operation,
        method,
        idempotent: send.idempotent,
        signal: send.signal,
      },
    );
    if (!outcome.ok) return err(webexErrorFrom(outcome.error));
    const text = await outcome.value.text();
    if (text === '') return ok(undefined);
    try {
      return ok(JSON.parse(text) as unknown);
    } catch {
      return err(invalidResponse(send.operation));
    }
  }
}

function dndPath(personId: string | undefined): string {
  return personId === undefined
    ? '/telephony/config/people/me/settings/doNotDisturb'
    : `/people/${segment(personId)}/features/doNotDisturb`;
}

function segment(value: string): string {
  if (value === '') throw new Error('empty path segment');
  const encoded = encodeURIComponent(value);
  return encoded === '.' || encoded === '..' ? encoded.replace(/\./g, '%2E') : encoded;
}

function query(params: Readonly<Record<string, string | number | undefined>> | undefined): string {
  if (params === undefined) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

function invalidResponse(operation: string): WebexError {
  return {
    service: 'webex',
    code: 'invalid_response',
    message: `unreadable Webex answer to ${operation}`,
    descriptions: [],
  };
}

const NOT_CALLING =
  /not licensed for webex calling|not a webex calling user|webex calling licen[cs]e|not (?:calling[- ])?enabled for (?:webex )?calling/i;

/** Maps the policy's error and Webex's envelope to a typed WebexError. */
export function webexErrorFrom(upstream: UpstreamError): WebexError {
  const body =
    typeof upstream.body === 'object' && upstream.body !== null
      ? (upstream.body as Record<string, unknown>)
      : {};
  const message = typeof body.message === 'string' ? body.message : upstream.message;
  const descriptions = Array.isArray(body.errors)
    ? (body.errors as unknown[])
        .map((e) =>
          typeof e === 'object' && e !== null ? (e as Record<string, unknown>).description : undefined,
        )
        .filter((d): d is string => typeof d === 'string')
    : [];
  const text = [message, ...descriptions].join(' | ');
  const status = upstream.status;
  let code: WebexErrorCode = upstream.code;
  if (upstream.code === 'http_error' && status !== undefined) {
    if (status === 401) code = 'unauthorized';
    else if (status === 403) code = NOT_CALLING.test(text) ? 'not_calling_enabled' : 'forbidden';
    else if (status === 404) code = NOT_CALLING.test(text) ? 'not_calling_enabled' : 'not_found';
    else if (status === 400) code = /destination/i.test(text) ? 'invalid_destination' : 'bad_request';
  }
  return {
    service: 'webex',
    code,
    ...(status === undefined ? {} : { status }),
    message: scrub(message),
    descriptions: descriptions.map(scrub),
    ...(typeof body.trackingId === 'string' ? { trackingId: body.trackingId } : {}),
    ...(upstream.retryAfterMs === undefined ? {} : { retryAfterMs: upstream.retryAfterMs }),
  };
}
