import { z } from 'zod';
import { json, type Router, type SandboxRequest, type SandboxResponse } from '../shared/http.js';
import { BotChannelError, type ComposeQueryRequest, type TeamsActivity } from './activities.js';
import { personalConversationId, teamsUserId, type OrgDirectory } from './identities.js';
import type { BotActivityRecorder, RecordedBotActivity } from './recorder.js';

/**
 * The sandbox's JSON control API under `/_sandbox/botchannel`: act as a Teams user (send a
 * message, install the app, type in a search command) and read what the bot sent. The Teams
 * host page and the console reach it through the host's proxy.
 */

interface DeliveryLike {
  readonly activity: TeamsActivity;
  readonly status: number;
  readonly body: unknown;
  readonly durationMs: number;
  readonly timedOut: boolean;
  readonly replies: readonly RecordedBotActivity[];
}

export interface ChannelControl {
  readonly recorder: BotActivityRecorder;
  sendMessage(userId: string, text: string): Promise<DeliveryLike>;
  sendInstallationUpdate(userId: string, action: 'add' | 'remove'): Promise<DeliveryLike>;
  invokeComposeExtensionQuery(request: ComposeQueryRequest): Promise<{ status: number; body: unknown }>;
}

export interface ControlsOptions {
  readonly channel: ChannelControl;
  readonly directory: OrgDirectory;
  readonly botEndpoint: () => string;
  readonly serviceUrl: () => string;
}

const PREFIX = '/_sandbox/botchannel';

const messageInput = z.object({ userId: z.string().min(1), text: z.string().min(1).max(28_000) });
const installationInput = z.object({ userId: z.string().min(1), action: z.enum(['add', 'remove']) });
const parameter = z.object({ name: z.string().min(1), value: z.string() });
const queryOptions = z.object({ skip: z.number().int().min(0), count: z.number().int().min(1).max(100) });
const scopeFields = {
  chatId: z.string().min(1).optional(),
  teamId: z.string().min(1).optional(),
  channelId: z.string().min(1).optional(),
};
/** Flat form: `{ userId, conversationType, chatId?, teamId?, channelId?, commandId, parameters, … }`. */
const flatComposeInput = z.object({
  userId: z.string().min(1),
  conversationType: z.enum(['personal', 'groupChat', 'channel']),
  ...scopeFields,
  commandId: z.string().min(1),
  parameters: z.array(parameter).min(1).max(5),
  queryOptions: queryOptions.optional(),
  state: z.string().optional(),
  ssoToken: z.string().min(1).optional(),
  connectionName: z.string().optional(),
});
/** The Teams host's form: `{ userId, conversation: { kind, … }, value: <invoke value> }`. */
const hostComposeInput = z.object({
  userId: z.string().min(1),
  conversation: z.object({ kind: z.enum(['personal', 'groupChat', 'channel']), ...scopeFields }),
  value: z.object({
    commandId: z.string().min(1),
    parameters: z.array(parameter).min(1).max(5),
    queryOptions: queryOptions.optional(),
    state: z.string().optional(),
    authentication: z
      .object({ id: z.string().optional(), connectionName: z.string().optional(), token: z.string().min(1) })
      .optional(),
  }),
});

function badRequest(message: string, status = 400): SandboxResponse {
  return json(status, { error: { code: status === 404 ? 'not_found' : 'invalid_request', message } });
}

function parse<T>(
  schema: z.ZodType<T>,
  req: SandboxRequest,
): { ok: true; value: T } | { ok: false; response: SandboxResponse } {
  const result = schema.safeParse(req.body);
  if (result.success) return { ok: true, value: result.data };
  const detail = result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
  return { ok: false, response: badRequest(detail) };
}

function composeRequestOf(body: unknown): ComposeQueryRequest | string {
  const host = hostComposeInput.safeParse(body);
  if (host.success) {
    const { userId, conversation, value } = host.data;
    return {
      userId,
      conversationType: conversation.kind,
      ...(conversation.chatId === undefined ? {} : { chatId: conversation.chatId }),
      ...(conversation.teamId === undefined ? {} : { teamId: conversation.teamId }),
      ...(conversation.channelId === undefined ? {} : { channelId: conversation.channelId }),
      commandId: value.commandId,
      parameters: value.parameters,
      ...(value.queryOptions === undefined ? {} : { queryOptions: value.queryOptions }),
      ...(value.state === undefined ? {} : { state: value.state }),
      ...(value.authentication === undefined ? {} : { ssoToken: value.authentication.token }),
      ...(value.authentication?.connectionName === undefined
        ? {}
        : { connectionName: value.authentication.connectionName }),
    };
  }
  const flat = flatComposeInput.safeParse(body);
  if (flat.success) {
    const {
      ssoToken,
      connectionName,
      queryOptions: options,
      state,
      chatId,
      teamId,
      channelId,
      ...rest
    } = flat.data;
    return {
      ...rest,
      ...(chatId === undefined ? {} : { chatId }),
      ...(teamId === undefined ? {} : { teamId }),
      ...(channelId === undefined ? {} : { channelId }),
      ...(options === undefined ? {} : { queryOptions: options }),
      ...(state === undefined ? {} : { state }),
      ...(ssoToken === undefined ? {} : { ssoToken }),
      ...(connectionName === undefined ? {} : { connectionName }),
    };
  }
  return flat.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
}

/** What the console shows of a recorded bot activity. */
function view(a: RecordedBotActivity): Record<string, unknown> {
  return {
    sequence: a.sequence,
    conversationId: a.conversationId,
    activityId: a.activityId,
    replyToId: a.replyToId,
    type: a.type,
    text: a.text,
    attachments: a.attachments,
    receivedAt: a.receivedAt,
    updatedAt: a.updatedAt,
    deleted: a.deleted,
  };
}

async function guard(work: () => Promise<SandboxResponse>): Promise<SandboxResponse> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BotChannelError) return badRequest(error.message, error.status);
    const reason =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : 'unknown error';
    return json(502, { error: { code: 'bot_unreachable', message: `The bot did not answer: ${reason}` } });
  }
}

export function mountControls(router: Router, options: ControlsOptions): void {
  const { channel, directory } = options;

  router.add('GET', PREFIX, () =>
    json(200, {
      botEndpoint: options.botEndpoint(),
      serviceUrl: options.serviceUrl(),
      botAppId: directory.botAppId,
      tenantId: directory.org.tenantId,
    }),
  );

  router.add('GET', `${PREFIX}/users`, () =>
    json(
      200,
      directory.org.users.map((u) => ({
        id: u.id,
        displayName: u.displayName,
        teamsUserId: teamsUserId(u.id),
        personalConversationId: personalConversationId(u.id, directory.botAppId),
      })),
    ),
  );

  router.add('POST', `${PREFIX}/messages`, (req) =>
    guard(async () => {
      const input = parse(messageInput, req);
      if (!input.ok) return input.response;
      const delivery = await channel.sendMessage(input.value.userId, input.value.text);
      return json(200, {
        status: delivery.status,
        conversationId: delivery.activity.conversation.id,
        activityId: delivery.activity.id,
        timedOut: delivery.timedOut,
        replies: delivery.replies.map(view),
      });
    }),
  );

  router.add('POST', `${PREFIX}/installations`, (req) =>
    guard(async () => {
      const input = parse(installationInput, req);
      if (!input.ok) return input.response;
      const delivery = await channel.sendInstallationUpdate(input.value.userId, input.value.action);
      return json(200, {
        status: delivery.status,
        conversationId: delivery.activity.conversation.id,
        replies: delivery.replies.map(view),
      });
    }),
  );

  router.add('POST', `${PREFIX}/compose-query`, (req) =>
    guard(async () => {
      const request = composeRequestOf(req.body);
      if (typeof request === 'string') return badRequest(request);
      const response = await channel.invokeComposeExtensionQuery(request);
      return json(200, { status: response.status, body: response.body });
    }),
  );

  router.add('GET', `${PREFIX}/conversations`, () => json(200, channel.recorder.conversations()));

  router.add('GET', `${PREFIX}/conversations/:conversationId/messages`, (req) =>
    json(200, channel.recorder.list(req.params.conversationId ?? '').map(view)),
  );
}
