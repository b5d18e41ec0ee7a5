import type { DemoOrg } from '../seed/org.js';

/**
 * The compose box's server half: checks what the page asked for against the demo org (Teams
 * only offers conversations the user is in) and sends the messaging-extension query through
 * the Bot Framework channel stand-in's control API, which builds and signs the invoke activity
 * and returns the bot's invoke response.
 */

export type ComposeContext =
  | { readonly kind: 'personal' }
  | { readonly kind: 'groupChat'; readonly chatId: string }
  | { readonly kind: 'channel'; readonly teamId: string; readonly channelId: string };

export interface ComposeRequest {
  readonly userId: string;
  readonly context: ComposeContext;
  readonly commandId: string;
  readonly query: string;
  /** The first query Teams sends when the extension opens (manifest `initialRun: true`). */
  readonly initialRun: boolean;
  readonly sso: boolean;
  /** The magic code an `auth`/`config` popup returned; Teams sends the query again with it. */
  readonly state: string | undefined;
}

export interface InvokeResult {
  /** HTTP status of the bot's invoke response (200, 412, 401, …). */
  readonly status: number;
  readonly body: unknown;
}

type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export const DEFAULT_COMMAND_ID = 'searchPeople';

export function parseComposeRequest(body: unknown, org: DemoOrg): Parsed<ComposeRequest> {
  if (typeof body !== 'object' || body === null) return { ok: false, error: 'expected a JSON object' };
  const b = body as Record<string, unknown>;
  const userId = typeof b.userId === 'string' ? b.userId : '';
  if (!org.users.some((u) => u.id === userId)) return { ok: false, error: `no demo user "${userId}"` };
  const rawContext = (typeof b.context === 'object' && b.context !== null ? b.context : {}) as Record<
    string,
    unknown
  >;
  let context: ComposeContext;
  switch (rawContext.kind) {
    case 'personal':
      context = { kind: 'personal' };
      break;
    case 'groupChat': {
      const chat = org.chats.find((c) => c.id === rawContext.chatId);
      if (chat === undefined) return { ok: false, error: 'unknown chat' };
      if (!chat.memberIds.includes(userId))
        return { ok: false, error: 'the user is not a member of that chat' };
      context = { kind: 'groupChat', chatId: chat.id };
      break;
    }
    case 'channel': {
      const team = org.teams.find((t) => t.id === rawContext.teamId);
      const channel = team?.channels.find((c) => c.id === rawContext.channelId);
      if (team === undefined || channel === undefined) return { ok: false, error: 'unknown team or channel' };
      if (!channel.memberIds.includes(userId))
        return { ok: false, error: 'the user is not a member of that channel' };
      context = { kind: 'channel', teamId: team.id, channelId: channel.id };
      break;
    }
    default:
      return { ok: false, error: 'context.kind must be personal, groupChat or channel' };
  }
  const query = typeof b.query === 'string' ? b.query : '';
  if (query.length > 500) return { ok: false, error: 'query is too long' };
  return {
    ok: true,
    value: {
      userId,
      context,
      commandId: typeof b.commandId === 'string' && b.commandId !== '' ? b.commandId : DEFAULT_COMMAND_ID,
      query,
      initialRun: b.initialRun === true,
      sso: b.sso === true,
      state: typeof b.state === 'string' && b.state !== '' ? b.state.slice(0, 4096) : undefined,
    },
  };
}

/**
 * The `value` of a `composeExtension/query` invoke as Teams sends it: the search box text in
 * the `query` parameter (or `initialRun` when the extension just opened), paging, and, after the
 * bot asked for `silentAuth`, the SSO token in `authentication.token`.
 */
export function composeQueryValue(
  request: ComposeRequest,
  token: string | undefined,
): Record<string, unknown> {
  return {
    commandId: request.commandId,
    parameters: [
      request.initialRun ? { name: 'initialRun', value: 'true' } : { name: 'query', value: request.query },
    ],
    queryOptions: { skip: 0, count: 25 },
    ...(token === undefined ? {} : { authentication: { id: 'sso', token } }),
    ...(request.state === undefined ? {} : { state: request.state }),
  };
}

export async function sendComposeQuery(
  botChannelUrl: string,
  request: ComposeRequest,
  token: string | undefined,
): Promise<Parsed<InvokeResult>> {
  const url = new URL('/_sandbox/botchannel/compose-query', botChannelUrl);
  const body = {
    userId: request.userId,
    conversation: request.context,
    value: composeQueryValue(request, token),
  };
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
  } catch (error) {
    return {
      ok: false,
      error: `the Bot Framework channel stand-in at ${botChannelUrl} did not answer: ${describe(error)}`,
    };
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    parsed = text;
  }
  if (!response.ok) {
    return {
      ok: false,
      error: `the Bot Framework channel stand-in answered ${response.status}: ${errorText(parsed)}`,
    };
  }
  return { ok: true, value: invokeResultOf(parsed) };
}

function invokeResultOf(parsed: unknown): InvokeResult {
  if (
    typeof parsed === 'object' &&
    parsed !== null &&
    'status' in parsed &&
    typeof parsed.status === 'number'
  ) {
    return { status: parsed.status, body: 'body' in parsed ? parsed.body : undefined };
  }
  return { status: 200, body: parsed };
}

function errorText(body: unknown): string {
  if (typeof body === 'string') return body;
  const error =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>).error : undefined;
  if (typeof error === 'string') return error;
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as Record<string, unknown>).message === 'string'
  ) {
    return String((error as Record<string, unknown>).message);
  }
  return JSON.stringify(body);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause;
    if (cause instanceof Error && 'code' in cause && typeof cause.code === 'string') return cause.code;
    return error.message;
  }
  return String(error);
}
