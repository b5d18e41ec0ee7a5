import type { DemoChat, DemoTeam, DemoUser } from '../seed/org.js';
import { requirePermission, signedInUser, type PermissionRule } from './auth.js';
import type { Directory } from './directory.js';
import { GraphError, notFound } from './errors.js';
import { odata, type GraphRequest, type GraphRoute } from './route.js';

/**
 * Chat members (`/chats/{id}/members`, `/me/chats/{id}/members`, `/users/{id}/chats/{id}/members`)
 * and channel members (`/teams/{id}/channels/{id}/members`) as aadUserConversationMember items.
 * Delegated callers must themselves be members; membership ids are opaque.
 */

const CHAT_MEMBERS: PermissionRule = {
  delegated: ['ChatMember.Read', 'ChatMember.ReadWrite', 'Chat.ReadBasic', 'Chat.Read', 'Chat.ReadWrite'],
  application: [
    'ChatMember.Read.All',
    'ChatMember.ReadWrite.All',
    'Chat.ReadBasic.All',
    'Chat.Read.All',
    'Chat.ReadWrite.All',
  ],
};
const CHANNEL_MEMBERS: PermissionRule = {
  delegated: ['ChannelMember.Read.All', 'ChannelMember.ReadWrite.All'],
  application: ['ChannelMember.Read.All', 'ChannelMember.ReadWrite.All'],
};
/** Visible history start Graph reports when the whole history is shared. */
const ALL_HISTORY = '0001-01-01T00:00:00Z';

/** An opaque membership id, stable for a (thread, user) pair, shaped like Graph's base64 ids. */
function membershipId(tenantId: string, threadId: string, userId: string): string {
  return Buffer.from(`0##${tenantId}##${threadId}##${userId}`).toString('base64');
}

function memberJson(
  user: DemoUser,
  roles: readonly string[],
  tenantId: string,
  threadId: string,
): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.aadUserConversationMember',
    id: membershipId(tenantId, threadId, user.id),
    roles: [...roles],
    displayName: user.displayName,
    visibleHistoryStartDateTime: ALL_HISTORY,
    userId: user.id,
    email: user.mail,
    tenantId,
  };
}

export function memberRoutes(directory: Directory): GraphRoute[] {
  const { org } = directory;
  const users = (ids: readonly string[]): DemoUser[] =>
    ids.map((id) => directory.find(id)).filter((u): u is DemoUser => u !== undefined);

  const chatMembers = (r: GraphRequest): ReturnType<typeof odata> => {
    requirePermission(r.caller, CHAT_MEMBERS, 'teams');
    if (r.params.userId !== undefined) {
      // The users/{id} form names whose chat it is; delegated callers may only name themselves.
      const user = directory.require(r.params.userId, 'teams');
      if (r.caller.kind === 'delegated' && user.id !== r.caller.userId) {
        throw new GraphError(
          403,
          'Forbidden',
          'The signed-in user can only list members of their own chats.',
        );
      }
    }
    const chat = findChat(org.chats, r.params.chatId ?? '');
    if (r.caller.kind === 'delegated' || r.path.includes('/me/')) {
      const caller = signedInUser(r.caller);
      if (!chat.memberIds.includes(caller)) {
        throw new GraphError(403, 'Forbidden', 'The signed-in user is not a member of this chat.');
      }
    }
    const value = users(chat.memberIds).map((u) => memberJson(u, ['owner'], org.tenantId, chat.id));
    return odata(200, {
      '@odata.context': `${r.serviceRoot}/$metadata#chats('${encodeURIComponent(chat.id)}')/members`,
      '@odata.count': value.length,
      value,
    });
  };

  const channelMembers = (r: GraphRequest): ReturnType<typeof odata> => {
    requirePermission(r.caller, CHANNEL_MEMBERS, 'teams');
    const team = findTeam(org.teams, r.params.teamId ?? '');
    const channel = team.channels.find((c) => c.id === r.params.channelId);
    if (channel === undefined) throw notFound('teams', 'Channel');
    if (r.caller.kind === 'delegated' && !channel.memberIds.includes(signedInUser(r.caller))) {
      throw new GraphError(403, 'Forbidden', 'The signed-in user is not a member of this channel.');
    }
    // The team's first member stands in as its owner.
    const owner = team.memberIds[0];
    const value = users(channel.memberIds).map((u) =>
      memberJson(u, u.id === owner ? ['owner'] : [], org.tenantId, channel.id),
    );
    return odata(200, {
      '@odata.context': `${r.serviceRoot}/$metadata#teams('${team.id}')/channels('${encodeURIComponent(channel.id)}')/members`,
      '@odata.count': value.length,
      value,
    });
  };

  return [
    { method: 'GET', template: '/chats/:chatId/members', family: 'members', handler: chatMembers },
    { method: 'GET', template: '/me/chats/:chatId/members', family: 'members', handler: chatMembers },
    {
      method: 'GET',
      template: '/users/:userId/chats/:chatId/members',
      family: 'members',
      handler: chatMembers,
    },
    {
      method: 'GET',
      template: '/teams/:teamId/channels/:channelId/members',
      family: 'members',
      handler: channelMembers,
    },
  ];
}

function findChat(chats: readonly DemoChat[], id: string): DemoChat {
  const chat = chats.find((c) => c.id === id);
  if (chat === undefined) throw notFound('teams', 'Chat');
  return chat;
}

function findTeam(teams: readonly DemoTeam[], id: string): DemoTeam {
  const team = teams.find((t) => t.id === id);
  if (team === undefined) throw notFound('teams', 'Team');
  return team;
}
