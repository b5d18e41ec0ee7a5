import assert from 'node:assert/strict';
import { graphError, items, startHarness, type Harness } from './support/harness.js';

/**
 * Chat and channel members, from "List members of a chat" (aadUserConversationMember items with
 * `@odata.type`, opaque `id`, `roles`, `displayName`, `visibleHistoryStartDateTime`, `userId`,
 * `email`, `tenantId`; `@odata.count`) and "List members of a channel" (ChannelMember.Read.All).
 */
describe('graph stand-in: chat and channel members (fidelity)', () => {
  let h: Harness;
  const launchCrew = '19:launch-crew-chat@thread.v2';

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('lists chat members in the documented shape', async () => {
    const token = await h.delegated(h.user(0), 'ChatMember.Read');
    const res = await h.call('GET', `/chats/${encodeURIComponent(launchCrew)}/members`, { token });
    assert.equal(res.status, 200);
    assert.equal(
      res.json['@odata.context'],
      `${h.root}/$metadata#chats('19%3Alaunch-crew-chat%40thread.v2')/members`,
    );
    assert.equal(res.json['@odata.count'], 5);
    const first = items(res)[0] ?? {};
    assert.deepEqual(Object.keys(first), [
      '@odata.type',
      'id',
      'roles',
      'displayName',
      'visibleHistoryStartDateTime',
      'userId',
      'email',
      'tenantId',
    ]);
    assert.equal(first['@odata.type'], '#microsoft.graph.aadUserConversationMember');
    assert.deepEqual(first.roles, ['owner']);
    assert.equal(first.userId, h.user(0).id);
    assert.equal(first.email, h.user(0).mail);
    assert.equal(first.tenantId, h.org.tenantId);
    assert.equal(first.visibleHistoryStartDateTime, '0001-01-01T00:00:00Z');
    assert.notEqual(first.id, first.userId, 'membership ids are opaque, not user ids');
  });

  it('serves the /me/chats and /users/{id}/chats forms', async () => {
    const token = await h.delegated(h.user(0), 'Chat.ReadBasic');
    const me = await h.call('GET', `/me/chats/${encodeURIComponent(launchCrew)}/members`, { token });
    const users = await h.call(
      'GET',
      `/users/${h.user(0).id}/chats/${encodeURIComponent(launchCrew)}/members`,
      { token },
    );
    assert.equal(me.status, 200);
    assert.deepEqual(items(me), items(users));
  });

  it('refuses non-members (403) and unknown chats (404)', async () => {
    const outsider = await h.delegated(h.user(40), 'ChatMember.Read');
    const res = await h.call('GET', `/chats/${encodeURIComponent(launchCrew)}/members`, { token: outsider });
    assert.equal(res.status, 403);
    assert.equal(graphError(res).code, 'Forbidden');
    const missing = await h.call('GET', '/chats/19:nope@thread.v2/members', { token: outsider });
    assert.equal(missing.status, 404);
    assert.equal(graphError(missing).code, 'NotFound');
  });

  it('lets application tokens with ChatMember.Read.All read any chat', async () => {
    const token = await h.app(['ChatMember.Read.All']);
    const res = await h.call('GET', `/chats/${encodeURIComponent(launchCrew)}/members`, { token });
    assert.equal(res.status, 200);
    const denied = await h.call('GET', `/chats/${encodeURIComponent(launchCrew)}/members`, {
      token: await h.app(['User.Read.All']),
    });
    assert.equal(denied.status, 403);
    assert.match(graphError(denied).message, /API requires one of 'ChatMember\.Read\.All/);
  });

  it('lists channel members with owner roles, requiring ChannelMember.Read.All', async () => {
    const team = h.org.teams[0];
    const channel = team?.channels[1];
    assert.ok(team !== undefined && channel !== undefined);
    const path = `/teams/${team.id}/channels/${encodeURIComponent(channel.id)}/members`;
    const token = await h.delegated(h.user(0), 'ChannelMember.Read.All');
    const res = await h.call('GET', path, { token });
    assert.equal(res.status, 200);
    assert.equal(res.json['@odata.count'], channel.memberIds.length);
    assert.equal(
      res.json['@odata.context'],
      `${h.root}/$metadata#teams('${team.id}')/channels('${encodeURIComponent(channel.id)}')/members`,
    );
    const roles = items(res).map((m) => (m.roles as string[]).join());
    assert.deepEqual(roles, ['owner', ...Array<string>(channel.memberIds.length - 1).fill('')]);
    const noScope = await h.call('GET', path, { token: await h.delegated(h.user(0), 'ChatMember.Read') });
    assert.equal(noScope.status, 403);
    const unknownChannel = await h.call('GET', `/teams/${team.id}/channels/19:x@thread.tacv2/members`, {
      token,
    });
    assert.equal(unknownChannel.status, 404);
  });
});
