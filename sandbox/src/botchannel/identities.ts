import { createHash } from 'node:crypto';
import type { DemoChannel, DemoChat, DemoOrg, DemoTeam, DemoUser } from '../seed/org.js';

/**
 * Teams' ids as a bot sees them, derived deterministically from the demo org: users are
 * `29:…` (opaque, per bot in reality), the bot is `28:<app id>`, the bot's 1:1 chat with a user
 * is `a:1…`, group chats `19:…@thread.v2`, channels `19:…@thread.tacv2`.
 */

export const CHANNEL_ID = 'msteams';
/** `iss` of every token the channel signs, and the audience/scope of bot → channel tokens. */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
export const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com';

function opaque(label: string, length: number): string {
  return createHash('sha256').update(`callbridge-botchannel:${label}`).digest('base64url').slice(0, length);
}

export function teamsUserId(aadObjectId: string): string {
  return `29:1${opaque(`user:${aadObjectId}`, 60)}`;
}

export function botAccountId(botAppId: string): string {
  return `28:${botAppId}`;
}

/** The bot's personal (1:1) conversation with a user: stable for the pair, like Teams'. */
export function personalConversationId(aadObjectId: string, botAppId: string): string {
  return `a:1${opaque(`personal:${aadObjectId}:${botAppId}`, 70)}`;
}

/** Teams uses the team's General channel thread id as `channelData.team.id`. */
export function teamThreadId(team: DemoTeam): string {
  return team.channels[0]?.id ?? `19:${opaque(`team:${team.id}`, 32)}@thread.tacv2`;
}

/** What a conversation id in a connector URL refers to. */
export type KnownConversation =
  | { readonly kind: 'personal'; readonly id: string; readonly user: DemoUser }
  | { readonly kind: 'oneOnOneChat'; readonly id: string; readonly chat: DemoChat }
  | { readonly kind: 'groupChat'; readonly id: string; readonly chat: DemoChat }
  | { readonly kind: 'channel'; readonly id: string; readonly team: DemoTeam; readonly channel: DemoChannel };

/** Lookups between the demo org and Teams ids, built once per channel stand-in. */
export class OrgDirectory {
  private readonly usersByAny = new Map<string, DemoUser>();
  private readonly conversations = new Map<string, KnownConversation>();

  constructor(
    readonly org: DemoOrg,
    readonly botAppId: string,
  ) {
    for (const user of org.users) {
      this.usersByAny.set(user.id, user);
      this.usersByAny.set(teamsUserId(user.id), user);
      const id = personalConversationId(user.id, botAppId);
      this.conversations.set(id, { kind: 'personal', id, user });
    }
    for (const chat of org.chats) {
      this.conversations.set(
        chat.id,
        chat.chatType === 'group'
          ? { kind: 'groupChat', id: chat.id, chat }
          : { kind: 'oneOnOneChat', id: chat.id, chat },
      );
    }
    for (const team of org.teams) {
      for (const channel of team.channels)
        this.conversations.set(channel.id, { kind: 'channel', id: channel.id, team, channel });
    }
  }

  /** A user by Entra object id or Teams `29:` id. */
  user(id: string): DemoUser | undefined {
    return this.usersByAny.get(id);
  }

  /** A conversation by id; a channel reply-chain id (`…;messageid=…`) resolves to its channel. */
  conversation(id: string): KnownConversation | undefined {
    return this.conversations.get(id) ?? this.conversations.get(id.split(';')[0] ?? id);
  }

  /** A team by its Graph id (`aadGroupId`) or its Teams thread id. */
  team(id: string): DemoTeam | undefined {
    return this.org.teams.find((t) => t.id === id || teamThreadId(t) === id);
  }

  /** Members as the connector's roster APIs list them (the bot itself is not listed). */
  memberIds(conversation: KnownConversation): readonly string[] {
    switch (conversation.kind) {
      case 'personal':
        return [conversation.user.id];
      case 'oneOnOneChat':
      case 'groupChat':
        return conversation.chat.memberIds;
      case 'channel':
        // A channel's roster API lists the team's members.
        return conversation.team.memberIds;
    }
  }
}

/** The `TeamsChannelAccount` shape of the roster APIs. */
export function teamsChannelAccount(user: DemoUser, tenantId: string): Record<string, unknown> {
  return {
    id: teamsUserId(user.id),
    name: user.displayName,
    aadObjectId: user.id,
    givenName: user.givenName,
    surname: user.surname,
    email: user.mail,
    userPrincipalName: user.userPrincipalName,
    tenantId,
    userRole: 'user',
  };
}

const OFFICE_TIME_ZONES: readonly (readonly [string, string])[] = [
  ['Seattle', 'America/Los_Angeles'],
  ['Dublin', 'Europe/Dublin'],
  ['Berlin', 'Europe/Berlin'],
  ['Singapore', 'Asia/Singapore'],
];

/** The IANA time zone a user's Teams client would report. */
export function userTimeZone(user: DemoUser): string {
  return OFFICE_TIME_ZONES.find(([office]) => user.officeLocation.startsWith(office))?.[1] ?? 'Etc/UTC';
}
