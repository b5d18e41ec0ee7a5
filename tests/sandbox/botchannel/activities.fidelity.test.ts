import assert from 'node:assert/strict';
import {
  personalConversationId,
  teamsUserId,
  type TeamsActivity,
} from '../../../sandbox/src/botchannel/index.js';
import { DEMO_TENANT_ID } from '../../../sandbox/src/seed/org.js';
import { BOT_ID, startChannel, type ChannelHarness } from './harness.js';

/**
 * Activity shapes as Microsoft's Teams documentation shows them ("Conversation events in your
 * Teams bot", "Respond to search command", message examples): the fields every Teams activity
 * carries, and the ones specific to each kind.
 */

function assertTeamsEnvelope(activity: TeamsActivity, h: ChannelHarness, userId: string): void {
  assert.equal(activity.channelId, 'msteams');
  assert.equal(activity.serviceUrl, h.channel.serviceUrl);
  assert.ok(activity.serviceUrl.endsWith('/'), 'Teams serviceUrls end with a slash');
  assert.match(activity.id, /^\d{13,}$/);
  assert.ok(!Number.isNaN(Date.parse(activity.timestamp)));
  assert.match(activity.localTimestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
  assert.deepEqual(activity.from, {
    id: teamsUserId(userId),
    name: h.org.users.find((u) => u.id === userId)?.displayName,
    aadObjectId: userId,
  });
  assert.match(activity.from.id, /^29:/);
  assert.deepEqual(activity.recipient, { id: `28:${BOT_ID}`, name: 'CallBridge' });
  assert.equal(activity.conversation.tenantId, DEMO_TENANT_ID);
  assert.deepEqual((activity.channelData as { tenant?: unknown }).tenant, { id: DEMO_TENANT_ID });
  assert.equal(activity.locale, 'en-US');
  assert.equal(typeof activity.localTimezone, 'string');
  const clientInfo = activity.entities?.find((e) => e.type === 'clientInfo');
  assert.ok(clientInfo !== undefined);
  assert.equal(clientInfo.locale, 'en-US');
  assert.equal(clientInfo.timezone, activity.localTimezone);
}

describe('Bot Framework channel stand-in: Teams activity shapes', () => {
  let h: ChannelHarness;
  before(async () => {
    h = await startChannel();
  });
  after(async () => {
    await h.close();
  });

  it('a personal message: text, plain textFormat, the HTML rendering, the bot 1:1 conversation', async () => {
    const user = h.org.users[0]!;
    const delivery = await h.channel.sendMessage(user.id, 'call <Bianca> & co');
    assert.equal(delivery.status, 200);
    const sent = h.bot.received.at(-1)!.activity;
    assert.deepEqual(sent, delivery.activity);
    assert.equal(sent.type, 'message');
    assertTeamsEnvelope(sent, h, user.id);
    assert.equal(sent.text, 'call <Bianca> & co');
    assert.equal(sent.textFormat, 'plain');
    assert.deepEqual(sent.attachments, [
      { contentType: 'text/html', content: '<p>call &#60;Bianca&#62; &#38; co</p>' },
    ]);
    assert.deepEqual(sent.conversation, {
      conversationType: 'personal',
      tenantId: DEMO_TENANT_ID,
      id: personalConversationId(user.id, BOT_ID),
    });
    assert.match(sent.conversation.id, /^a:1/);
  });

  it('accepts a user by Teams id as well as by Entra object id', () => {
    const user = h.org.users[1]!;
    const byTeamsId = h.channel.activities.personalMessage(teamsUserId(user.id), 'x');
    assert.equal(byTeamsId.from.aadObjectId, user.id);
  });

  it('installationUpdate add/remove in personal scope', async () => {
    const user = h.org.users[2]!;
    for (const action of ['add', 'remove'] as const) {
      await h.channel.sendInstallationUpdate(user.id, action);
      const sent = h.bot.received.at(-1)!.activity;
      assert.equal(sent.type, 'installationUpdate');
      assert.equal(sent.action, action);
      assertTeamsEnvelope(sent, h, user.id);
      assert.equal(sent.conversation.conversationType, 'personal');
    }
  });

  it('conversationUpdate when the bot is added to the personal chat', async () => {
    const user = h.org.users[2]!;
    await h.channel.sendConversationUpdate({
      userId: user.id,
      conversationType: 'personal',
      membersAdded: ['bot', user.id],
    });
    const sent = h.bot.received.at(-1)!.activity;
    assert.equal(sent.type, 'conversationUpdate');
    assertTeamsEnvelope(sent, h, user.id);
    assert.deepEqual(sent.membersAdded, [
      { id: `28:${BOT_ID}` },
      { id: teamsUserId(user.id), aadObjectId: user.id },
    ]);
  });

  it('conversationUpdate for a team member added in a channel, with team and channel channelData', async () => {
    const team = h.org.teams[0]!;
    const channel = team.channels[1]!;
    const user = h.org.users.find((u) => channel.memberIds.includes(u.id))!;
    await h.channel.sendConversationUpdate({
      userId: user.id,
      conversationType: 'channel',
      teamId: team.id,
      channelId: channel.id,
      membersAdded: [user.id],
      eventType: 'teamMemberAdded',
    });
    const sent = h.bot.received.at(-1)!.activity;
    const data = sent.channelData;
    assert.equal(data.eventType, 'teamMemberAdded');
    assert.deepEqual(data.team, { id: team.channels[0]!.id, name: team.displayName, aadGroupId: team.id });
    assert.deepEqual(data.channel, { id: channel.id, name: channel.displayName });
    assert.equal(sent.conversation.conversationType, 'channel');
    assert.equal(sent.conversation.isGroup, true);
  });

  describe('composeExtension/query invoke', () => {
    const answer = { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: [] } };
    beforeEach(() => {
      h.bot.answer = () => ({ status: 200, body: answer });
    });

    it('from the personal chat: value, source compose, and the bot invoke response returned', async () => {
      const user = h.org.users[4]!;
      const response = await h.channel.invokeComposeExtensionQuery({
        userId: user.id,
        conversationType: 'personal',
        commandId: 'searchPeople',
        parameters: [{ name: 'query', value: 'meg' }],
      });
      assert.deepEqual(response, { status: 200, body: answer });
      const sent = h.bot.received.at(-1)!.activity;
      assert.equal(sent.type, 'invoke');
      assert.equal(sent.name, 'composeExtension/query');
      assertTeamsEnvelope(sent, h, user.id);
      assert.deepEqual(sent.value, {
        commandId: 'searchPeople',
        parameters: [{ name: 'query', value: 'meg' }],
        queryOptions: { skip: 0, count: 25 },
      });
      assert.deepEqual((sent.channelData as { source?: unknown }).source, { name: 'compose' });
      assert.match(sent.conversation.id, /^a:1/);
    });

    it('from a group chat, with the SSO token Teams adds after silentAuth', async () => {
      const chat = h.org.chats.find((c) => c.chatType === 'group')!;
      const user = h.org.users.find((u) => u.id === chat.memberIds[0])!;
      await h.channel.invokeComposeExtensionQuery({
        userId: user.id,
        conversationType: 'groupChat',
        chatId: chat.id,
        commandId: 'searchPeople',
        parameters: [{ name: 'initialRun', value: 'true' }],
        queryOptions: { skip: 25, count: 25 },
        ssoToken: 'sso-token-value',
      });
      const sent = h.bot.received.at(-1)!.activity;
      assert.equal(sent.conversation.conversationType, 'groupChat');
      assert.match(sent.conversation.id, /^19:.+@thread\.v2$/);
      assert.equal(sent.conversation.isGroup, true);
      const value = sent.value as { authentication?: Record<string, unknown>; queryOptions?: unknown };
      assert.deepEqual(value.queryOptions, { skip: 25, count: 25 });
      const authentication = value.authentication;
      assert.ok(authentication !== undefined);
      assert.equal(authentication.token, 'sso-token-value');
      assert.equal(typeof authentication.id, 'string');
      assert.equal(authentication.connectionName, '');
    });

    it('from a channel: team {id, name, aadGroupId} and channel {id, name}', async () => {
      const team = h.org.teams[0]!;
      const channel = team.channels[0]!;
      const user = h.org.users.find((u) => channel.memberIds.includes(u.id))!;
      await h.channel.invokeComposeExtensionQuery({
        userId: user.id,
        conversationType: 'channel',
        teamId: team.id,
        channelId: channel.id,
        commandId: 'searchPeople',
        parameters: [{ name: 'query', value: 'a' }],
      });
      const sent = h.bot.received.at(-1)!.activity;
      assert.match(sent.conversation.id, /^19:.+@thread\.tacv2$/);
      assert.equal(sent.conversation.conversationType, 'channel');
      const data = sent.channelData;
      assert.deepEqual(data.team, { id: team.channels[0]!.id, name: team.displayName, aadGroupId: team.id });
      assert.deepEqual(data.channel, { id: channel.id, name: channel.displayName });
      assert.deepEqual(data.source, { name: 'compose' });
    });

    it('passes the bot status through (412 asks Teams for consent)', async () => {
      h.bot.answer = () => ({ status: 412 });
      const response = await h.channel.invokeComposeExtensionQuery({
        userId: h.org.users[0]!.id,
        conversationType: 'personal',
        commandId: 'searchPeople',
        parameters: [{ name: 'query', value: 'x' }],
      });
      assert.deepEqual(response, { status: 412, body: undefined });
    });

    it('refuses users who are not members of the chat or channel', () => {
      const chat = h.org.chats.find((c) => c.chatType === 'group')!;
      const outsider = h.org.users.find((u) => !chat.memberIds.includes(u.id))!;
      assert.throws(
        () =>
          h.channel.activities.composeExtensionQuery({
            userId: outsider.id,
            conversationType: 'groupChat',
            chatId: chat.id,
            commandId: 'searchPeople',
            parameters: [{ name: 'query', value: 'x' }],
          }),
        /not a member/,
      );
    });
  });

  it('gives up on an invoke after the invoke timeout, like Teams (5 s by default)', async () => {
    const slow = await startChannel({ invokeTimeoutMs: 100 });
    try {
      slow.bot.answer = () =>
        new Promise((resolve) => {
          setTimeout(() => {
            resolve({ status: 200, body: {} });
          }, 400);
        });
      const delivery = await slow.channel.deliver(
        slow.channel.activities.composeExtensionQuery({
          userId: slow.org.users[0]!.id,
          conversationType: 'personal',
          commandId: 'searchPeople',
          parameters: [{ name: 'query', value: 'x' }],
        }),
      );
      assert.equal(delivery.status, 504);
      assert.equal(delivery.timedOut, true);
    } finally {
      await slow.close();
    }
  });
});
