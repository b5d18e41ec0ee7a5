import { randomUUID } from 'node:crypto';
import type { DemoUser } from '../seed/org.js';
import {
  CHANNEL_ID,
  botAccountId,
  personalConversationId,
  teamThreadId,
  teamsUserId,
  userTimeZone,
  type OrgDirectory,
} from './identities.js';

/**
 * Activities as Microsoft Teams sends them to a bot (Bot Framework activity schema plus Teams'
 * `channelData`), following the payload examples in Microsoft's Teams documentation:
 * "Conversation events in your Teams bot", "Respond to search command" and the message
 * examples. Only fields Teams really sends are set.
 */

export type ConversationType = 'personal' | 'groupChat' | 'channel';

export interface ChannelAccount {
  readonly id: string;
  readonly name?: string;
  readonly aadObjectId?: string;
}

export interface TeamsActivity {
  readonly type: string;
  readonly id: string;
  readonly timestamp: string;
  readonly localTimestamp?: string;
  readonly serviceUrl: string;
  readonly channelId: string;
  readonly from: ChannelAccount;
  readonly recipient: ChannelAccount;
  readonly conversation: {
    readonly id: string;
    readonly conversationType: ConversationType;
    readonly tenantId: string;
    readonly isGroup?: boolean;
    readonly name?: string;
  };
  readonly channelData: Record<string, unknown>;
  readonly locale?: string;
  readonly localTimezone?: string;
  readonly entities?: readonly Record<string, unknown>[];
  readonly [extra: string]: unknown;
}

/** Where a user is acting: their 1:1 with the bot (or with a colleague), a group chat, a channel. */
export interface ConversationScope {
  readonly conversationType: ConversationType;
  /** groupChat: the chat; personal: a 1:1 chat with a colleague (absent: the chat with the bot). */
  readonly chatId?: string;
  /** channel: the team (Graph id or Teams thread id) and channel. */
  readonly teamId?: string;
  readonly channelId?: string;
}

/** A request the channel cannot turn into an activity (unknown user, not a member, …). */
export class BotChannelError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'BotChannelError';
  }
}

export interface ActivityContext {
  readonly directory: OrgDirectory;
  readonly serviceUrl: string;
  readonly botAppId: string;
  readonly botName: string;
  readonly tenantId: string;
  readonly now?: () => Date;
}

const LOCALE = 'en-US';

let lastActivityId = 0;

/** Teams message ids are millisecond timestamps; keep them unique and increasing. */
export function nextActivityId(now: Date = new Date()): string {
  lastActivityId = Math.max(lastActivityId + 1, now.getTime());
  return String(lastActivityId);
}

function userOf(ctx: ActivityContext, userId: string): DemoUser {
  const user = ctx.directory.user(userId);
  if (user === undefined) throw new BotChannelError(`no demo user "${userId}"`, 404);
  return user;
}

/** Local time with its UTC offset, as Teams clients report it in `localTimestamp`. */
function localTimestamp(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'longOffset',
  }).formatToParts(date);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '00';
  const offsetName = get('timeZoneName').replace('GMT', '');
  const offset = offsetName === '' ? '+00:00' : offsetName;
  const millis = String(date.getUTCMilliseconds()).padStart(3, '0');
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}.${millis}${offset}`;
}

function resolveScope(
  ctx: ActivityContext,
  user: DemoUser,
  scope: ConversationScope,
): Pick<TeamsActivity, 'conversation' | 'channelData'> {
  const tenant = { id: ctx.tenantId };
  switch (scope.conversationType) {
    case 'personal': {
      if (scope.chatId === undefined) {
        return {
          conversation: {
            conversationType: 'personal',
            tenantId: ctx.tenantId,
            id: personalConversationId(user.id, ctx.botAppId),
          },
          channelData: { tenant },
        };
      }
      const chat = ctx.directory.org.chats.find((c) => c.id === scope.chatId && c.chatType === 'oneOnOne');
      if (chat === undefined) throw new BotChannelError('unknown 1:1 chat');
      if (!chat.memberIds.includes(user.id))
        throw new BotChannelError('the user is not a member of that chat', 403);
      return {
        conversation: { conversationType: 'personal', tenantId: ctx.tenantId, id: chat.id },
        channelData: { tenant },
      };
    }
    case 'groupChat': {
      const chat = ctx.directory.org.chats.find((c) => c.id === scope.chatId && c.chatType === 'group');
      if (chat === undefined) throw new BotChannelError('groupChat needs the chatId of a group chat');
      if (!chat.memberIds.includes(user.id))
        throw new BotChannelError('the user is not a member of that chat', 403);
      return {
        conversation: {
          isGroup: true,
          conversationType: 'groupChat',
          tenantId: ctx.tenantId,
          id: chat.id,
          ...(chat.topic === null ? {} : { name: chat.topic }),
        },
        channelData: { tenant },
      };
    }
    case 'channel': {
      const team = scope.teamId === undefined ? undefined : ctx.directory.team(scope.teamId);
      const channel = team?.channels.find((c) => c.id === scope.channelId);
      if (team === undefined || channel === undefined)
        throw new BotChannelError('channel needs a known teamId and channelId');
      if (!channel.memberIds.includes(user.id))
        throw new BotChannelError('the user is not a member of that channel', 403);
      return {
        conversation: {
          isGroup: true,
          conversationType: 'channel',
          tenantId: ctx.tenantId,
          id: channel.id,
          name: channel.displayName,
        },
        channelData: {
          team: { id: teamThreadId(team), name: team.displayName, aadGroupId: team.id },
          channel: { id: channel.id, name: channel.displayName },
          tenant,
        },
      };
    }
  }
}

function envelope(
  ctx: ActivityContext,
  user: DemoUser,
  type: string,
  scope: ConversationScope,
): TeamsActivity {
  const now = (ctx.now ?? (() => new Date()))();
  const timeZone = userTimeZone(user);
  return {
    type,
    id: nextActivityId(now),
    timestamp: now.toISOString(),
    localTimestamp: localTimestamp(now, timeZone),
    serviceUrl: ctx.serviceUrl,
    channelId: CHANNEL_ID,
    from: { id: teamsUserId(user.id), name: user.displayName, aadObjectId: user.id },
    recipient: { id: botAccountId(ctx.botAppId), name: ctx.botName },
    ...resolveScope(ctx, user, scope),
    entities: [{ type: 'clientInfo', locale: LOCALE, country: 'US', platform: 'Web', timezone: timeZone }],
    locale: LOCALE,
    localTimezone: timeZone,
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A message the user typed in their chat with the bot (Teams adds the HTML rendering as an attachment). */
export function personalMessage(ctx: ActivityContext, userId: string, text: string): TeamsActivity {
  const user = userOf(ctx, userId);
  return {
    ...envelope(ctx, user, 'message', { conversationType: 'personal' }),
    text,
    textFormat: 'plain',
    attachments: [{ contentType: 'text/html', content: `<p>${escapeHtml(text)}</p>` }],
  };
}

/** The app (and its bot) was installed or removed in the user's personal scope. */
export function personalInstallationUpdate(
  ctx: ActivityContext,
  userId: string,
  action: 'add' | 'remove',
): TeamsActivity {
  const user = userOf(ctx, userId);
  return { ...envelope(ctx, user, 'installationUpdate', { conversationType: 'personal' }), action };
}

export interface ConversationUpdateRequest extends ConversationScope {
  /** Who caused the update (the installing user, the user who added members, …). */
  readonly userId: string;
  /** Entra object ids of users, or `'bot'` for the bot itself. */
  readonly membersAdded?: readonly string[];
  readonly membersRemoved?: readonly string[];
  /** Teams' `channelData.eventType` (teamMemberAdded, channelCreated, …) where Teams sets one. */
  readonly eventType?: string;
}

/** `conversationUpdate`: members added/removed (including the bot on installation), channel and team events. */
export function conversationUpdate(ctx: ActivityContext, request: ConversationUpdateRequest): TeamsActivity {
  const user = userOf(ctx, request.userId);
  const base = envelope(ctx, user, 'conversationUpdate', request);
  const account = (id: string): ChannelAccount => {
    if (id === 'bot') return { id: botAccountId(ctx.botAppId) };
    const member = userOf(ctx, id);
    return { id: teamsUserId(member.id), aadObjectId: member.id };
  };
  return {
    ...base,
    ...(request.membersAdded === undefined ? {} : { membersAdded: request.membersAdded.map(account) }),
    ...(request.membersRemoved === undefined ? {} : { membersRemoved: request.membersRemoved.map(account) }),
    channelData: {
      ...base.channelData,
      ...(request.eventType === undefined ? {} : { eventType: request.eventType }),
    },
  };
}

export interface ComposeQueryRequest extends ConversationScope {
  readonly userId: string;
  readonly commandId: string;
  readonly parameters: readonly { readonly name: string; readonly value: string }[];
  readonly queryOptions?: { readonly skip: number; readonly count: number };
  /** Set when the user finished a sign-in the extension asked for with an `auth` response. */
  readonly state?: string;
  /** The Teams SSO token Teams attaches after the bot answered `silentAuth`. */
  readonly ssoToken?: string;
  /** `authentication.connectionName`; empty when the extension uses Teams SSO without an OAuth connection. */
  readonly connectionName?: string;
}

/** The `composeExtension/query` invoke Teams sends as the user types in a search command. */
export function composeExtensionQuery(ctx: ActivityContext, request: ComposeQueryRequest): TeamsActivity {
  const user = userOf(ctx, request.userId);
  const base = envelope(ctx, user, 'invoke', request);
  return {
    ...base,
    name: 'composeExtension/query',
    value: {
      commandId: request.commandId,
      parameters: request.parameters.map((p) => ({ name: p.name, value: p.value })),
      queryOptions: request.queryOptions ?? { skip: 0, count: 25 },
      ...(request.state === undefined ? {} : { state: request.state }),
      ...(request.ssoToken === undefined
        ? {}
        : {
            authentication: {
              id: randomUUID(),
              connectionName: request.connectionName ?? '',
              token: request.ssoToken,
            },
          }),
    },
    channelData: { ...base.channelData, source: { name: 'compose' } },
  };
}

export interface CardActionRequest extends ConversationScope {
  readonly userId: string;
  /** `verb` of the card's Action.Execute. */
  readonly verb: string;
  /** `data` of the card's Action.Execute, as the card carries it. */
  readonly data?: unknown;
  /** `manual` when the user pressed a button, `automatic` for a card's `refresh`; default `manual`. */
  readonly trigger?: 'manual' | 'automatic';
  /** The id of the message that holds the card. */
  readonly replyToId?: string;
}

/**
 * The `adaptiveCard/action` invoke Teams sends when a user presses an `Action.Execute` button (or
 * a card refreshes itself), as "Universal Actions for Adaptive Cards" documents it.
 */
export function adaptiveCardAction(ctx: ActivityContext, request: CardActionRequest): TeamsActivity {
  const user = userOf(ctx, request.userId);
  const base = envelope(ctx, user, 'invoke', request);
  return {
    ...base,
    name: 'adaptiveCard/action',
    ...(request.replyToId === undefined ? {} : { replyToId: request.replyToId }),
    value: {
      action: {
        type: 'Action.Execute',
        id: randomUUID(),
        verb: request.verb,
        ...(request.data === undefined ? {} : { data: request.data }),
      },
      trigger: request.trigger ?? 'manual',
    },
    channelData: { ...base.channelData, source: { name: 'message' } },
  };
}
