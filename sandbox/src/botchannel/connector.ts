import type { JWTPayload } from 'jose';
import { bearer, json, type Router, type SandboxRequest, type SandboxResponse } from '../shared/http.js';
import { nextActivityId } from './activities.js';
import {
  BOT_FRAMEWORK_SCOPE,
  personalConversationId,
  teamsChannelAccount,
  type KnownConversation,
  type OrgDirectory,
} from './identities.js';
import type { BotActivityRecorder } from './recorder.js';

/**
 * The Bot Connector REST API (v3) as far as CallBridge uses it, on the channel's `serviceUrl`:
 * send and reply, update and delete activities, create a 1:1 conversation (proactive message),
 * and the roster (`members`, `pagedmembers`, one member). Every call needs the bot's bearer
 * token, checked like the real connector: a valid token whose audience is the Bot Framework
 * and whose app id is the bot's.
 */

export type BotTokenVerifier = (token: string) => Promise<JWTPayload | undefined>;

export interface ConnectorOptions {
  /** Path prefix of the serviceUrl, e.g. `/amer` (no trailing slash). */
  readonly prefix: string;
  readonly botAppId: string;
  readonly tenantId: string;
  readonly directory: OrgDirectory;
  readonly recorder: BotActivityRecorder;
  readonly verifyBotToken: BotTokenVerifier;
  readonly now?: () => Date;
}

const PAGE_SIZE = { min: 50, default: 200, max: 500 } as const;

function connectorError(status: number, code: string, message: string): SandboxResponse {
  return json(status, { error: { code, message } });
}

const DENIED = json(401, { message: 'Authorization has been denied for this request.' });

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function mountConnector(router: Router, options: ConnectorOptions): void {
  const now = options.now ?? (() => new Date());
  const base = `${options.prefix}/v3/conversations`;

  /** The caller's app id when its bearer token is acceptable, else undefined. */
  const authenticate = async (req: SandboxRequest): Promise<string | undefined> => {
    const token = bearer(req);
    if (token === undefined) return undefined;
    const claims = await options.verifyBotToken(token);
    if (claims === undefined) return undefined;
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.some((aud) => aud === BOT_FRAMEWORK_SCOPE || aud === `${BOT_FRAMEWORK_SCOPE}/`))
      return undefined;
    const appId =
      typeof claims.appid === 'string'
        ? claims.appid
        : typeof claims.azp === 'string'
          ? claims.azp
          : undefined;
    return appId === options.botAppId ? appId : undefined;
  };

  const guarded =
    (handler: (req: SandboxRequest, appId: string) => Promise<SandboxResponse> | SandboxResponse) =>
    async (req: SandboxRequest): Promise<SandboxResponse> => {
      const appId = await authenticate(req);
      return appId === undefined ? DENIED : handler(req, appId);
    };

  const conversationOf = (req: SandboxRequest): KnownConversation | undefined =>
    options.directory.conversation(req.params.conversationId ?? '');

  const notFound = (): SandboxResponse =>
    connectorError(404, 'ConversationNotFound', 'Conversation not found.');

  const send = (req: SandboxRequest, appId: string): SandboxResponse => {
    const conversation = conversationOf(req);
    if (conversation === undefined) return notFound();
    if (!isObject(req.body) || typeof req.body.type !== 'string' || req.body.type === '') {
      return connectorError(400, 'BadArgument', 'The activity must be a JSON object with a type.');
    }
    const activityId = nextActivityId(now());
    const replyToId =
      req.params.activityId ?? (typeof req.body.replyToId === 'string' ? req.body.replyToId : undefined);
    options.recorder.record({
      conversationId: req.params.conversationId ?? conversation.id,
      activityId,
      replyToId,
      type: req.body.type,
      text: typeof req.body.text === 'string' ? req.body.text : undefined,
      attachments: Array.isArray(req.body.attachments) ? (req.body.attachments as unknown[]) : [],
      activity: req.body,
      receivedAt: now().toISOString(),
      senderAppId: appId,
    });
    return json(201, { id: activityId });
  };

  const members = (conversation: KnownConversation): Record<string, unknown>[] =>
    options.directory
      .memberIds(conversation)
      .map((id) => options.directory.user(id))
      .filter((u) => u !== undefined)
      .map((u) => teamsChannelAccount(u, options.tenantId));

  router.add('POST', `${base}/:conversationId/activities`, guarded(send));
  router.add('POST', `${base}/:conversationId/activities/:activityId`, guarded(send));

  router.add(
    'PUT',
    `${base}/:conversationId/activities/:activityId`,
    guarded((req) => {
      if (conversationOf(req) === undefined) return notFound();
      if (!isObject(req.body))
        return connectorError(400, 'BadArgument', 'The activity must be a JSON object.');
      const updated = options.recorder.update(
        req.params.conversationId ?? '',
        req.params.activityId ?? '',
        req.body,
        now().toISOString(),
      );
      if (updated === undefined) return connectorError(404, 'ActivityNotFound', 'Activity not found.');
      return json(200, { id: updated.activityId });
    }),
  );

  router.add(
    'DELETE',
    `${base}/:conversationId/activities/:activityId`,
    guarded((req) => {
      if (conversationOf(req) === undefined) return notFound();
      const deleted = options.recorder.markDeleted(
        req.params.conversationId ?? '',
        req.params.activityId ?? '',
        now().toISOString(),
      );
      if (deleted === undefined) return connectorError(404, 'ActivityNotFound', 'Activity not found.');
      return { status: 200 };
    }),
  );

  router.add(
    'POST',
    base,
    guarded((req, appId) => {
      if (!isObject(req.body))
        return connectorError(400, 'BadArgument', 'Conversation parameters must be a JSON object.');
      const body = req.body;
      const channelData = isObject(body.channelData) ? body.channelData : {};
      const tenant =
        isObject(channelData.tenant) && typeof channelData.tenant.id === 'string'
          ? channelData.tenant.id
          : body.tenantId;
      if (tenant !== options.tenantId)
        return connectorError(400, 'BadArgument', 'A valid tenant id is required.');
      const activity = isObject(body.activity) ? body.activity : undefined;
      let conversationId: string;
      const channel =
        isObject(channelData.channel) && typeof channelData.channel.id === 'string'
          ? channelData.channel.id
          : undefined;
      if (channel !== undefined) {
        // A new thread in a channel: Teams answers with the channel id plus the root message id.
        if (options.directory.conversation(channel)?.kind !== 'channel')
          return connectorError(404, 'ConversationNotFound', 'Channel not found.');
        if (activity === undefined)
          return connectorError(400, 'BadArgument', 'A new channel thread needs an activity.');
        conversationId = channel;
      } else {
        const list = Array.isArray(body.members) ? body.members : [];
        const first: unknown = list[0];
        if (body.isGroup === true || list.length !== 1 || !isObject(first)) {
          return connectorError(
            400,
            'BadArgument',
            'Bots can only create 1:1 conversations with exactly one member.',
          );
        }
        const key =
          typeof first.id === 'string'
            ? first.id
            : typeof first.aadObjectId === 'string'
              ? first.aadObjectId
              : '';
        const user = options.directory.user(key);
        if (user === undefined)
          return connectorError(404, 'MemberNotFound', 'The member is not a user of this tenant.');
        conversationId = personalConversationId(user.id, options.botAppId);
      }
      if (activity === undefined) return json(201, { id: conversationId });
      const activityId = nextActivityId(now());
      const recordedId = channel === undefined ? conversationId : `${conversationId};messageid=${activityId}`;
      options.recorder.record({
        conversationId: recordedId,
        activityId,
        replyToId: undefined,
        type: typeof activity.type === 'string' ? activity.type : 'message',
        text: typeof activity.text === 'string' ? activity.text : undefined,
        attachments: Array.isArray(activity.attachments) ? (activity.attachments as unknown[]) : [],
        activity,
        receivedAt: now().toISOString(),
        senderAppId: appId,
      });
      return json(201, { id: recordedId, activityId });
    }),
  );

  router.add(
    'GET',
    `${base}/:conversationId/members`,
    guarded((req) => {
      const conversation = conversationOf(req);
      return conversation === undefined ? notFound() : json(200, members(conversation));
    }),
  );

  router.add(
    'GET',
    `${base}/:conversationId/members/:memberId`,
    guarded((req) => {
      const conversation = conversationOf(req);
      if (conversation === undefined) return notFound();
      const user = options.directory.user(req.params.memberId ?? '');
      if (user === undefined || !options.directory.memberIds(conversation).includes(user.id)) {
        return connectorError(
          404,
          'MemberNotFoundInConversation',
          'The member is not part of this conversation.',
        );
      }
      return json(200, teamsChannelAccount(user, options.tenantId));
    }),
  );

  router.add(
    'GET',
    `${base}/:conversationId/pagedmembers`,
    guarded((req) => {
      const conversation = conversationOf(req);
      if (conversation === undefined) return notFound();
      const all = members(conversation);
      // Chats return the whole roster; teams and channels page (min 50, default 200, max 500).
      if (conversation.kind !== 'channel') return json(200, { members: all });
      const requested = Number(req.url.searchParams.get('pageSize') ?? PAGE_SIZE.default);
      const pageSize = Math.min(
        PAGE_SIZE.max,
        Math.max(PAGE_SIZE.min, Number.isFinite(requested) ? Math.floor(requested) : PAGE_SIZE.default),
      );
      const token = req.url.searchParams.get('continuationToken');
      const offset =
        token === null || token === '' ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
      if (!Number.isInteger(offset) || offset < 0 || offset > all.length) {
        return connectorError(400, 'BadArgument', 'Invalid continuation token.');
      }
      const page = all.slice(offset, offset + pageSize);
      const next = offset + pageSize;
      return json(200, {
        members: page,
        ...(next < all.length ? { continuationToken: Buffer.from(String(next)).toString('base64url') } : {}),
      });
    }),
  );
}
