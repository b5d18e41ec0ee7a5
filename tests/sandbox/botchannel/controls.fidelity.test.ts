import assert from 'node:assert/strict';
import { ConnectorClient, TokenCredentials } from 'botframework-connector';
import { startBotChannel, teamsUserId, type TeamsActivity } from '../../../sandbox/src/botchannel/index.js';
import { createDemoOrg, DEMO_TENANT_ID } from '../../../sandbox/src/seed/org.js';
import { accessToken, BOT_ID, BOT_PASSWORD, startChannel, type ChannelHarness } from './harness.js';

/**
 * The `/_sandbox/botchannel` control API the Teams host page and console use: act as a user,
 * send a compose query (in the host's request shape and the flat one), read what the bot sent.
 */
describe('Bot Framework channel stand-in: /_sandbox/botchannel controls', () => {
  let h: ChannelHarness;
  let client: ConnectorClient;
  before(async () => {
    h = await startChannel();
    client = new ConnectorClient(new TokenCredentials(await accessToken(h.channel)), {
      baseUri: h.channel.serviceUrl,
    });
  });
  after(async () => {
    await h.close();
  });

  async function call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> & unknown[] }> {
    const response = await fetch(`${h.channel.url}/_sandbox/botchannel${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & unknown[] };
  }

  it('describes itself and lists the demo users with their Teams ids', async () => {
    const info = await call('GET', '');
    assert.equal(info.body.serviceUrl, h.channel.serviceUrl);
    assert.equal(info.body.botAppId, BOT_ID);
    assert.equal(info.body.tenantId, DEMO_TENANT_ID);
    const users = await call('GET', '/users');
    assert.equal(users.body.length, h.org.users.length);
    assert.deepEqual(Object.keys(users.body[0] as object).sort(), [
      'displayName',
      'id',
      'personalConversationId',
      'teamsUserId',
    ]);
  });

  it('sends a message as a user and returns what the bot replied during the turn', async () => {
    const user = h.org.users[0]!;
    h.bot.answer = async (activity: TeamsActivity) => {
      await client.conversations.replyToActivity(activity.conversation.id, activity.id, {
        type: 'message',
        text: `echo: ${String(activity.text)}`,
      });
      return { status: 200 };
    };
    const sent = await call('POST', '/messages', { userId: user.id, text: 'hello bot' });
    assert.equal(sent.status, 200);
    assert.equal(sent.body.status, 200);
    const replies = sent.body.replies as { text: string; replyToId: string }[];
    assert.equal(replies.length, 1);
    assert.equal(replies[0]!.text, 'echo: hello bot');
    assert.equal(replies[0]!.replyToId, sent.body.activityId);

    const conversations = await call('GET', '/conversations');
    const listed = (conversations.body as unknown as { conversationId: string; count: number }[]).find(
      (c) => c.conversationId === sent.body.conversationId,
    );
    assert.equal(listed?.count, 1);
    const messages = await call(
      'GET',
      `/conversations/${encodeURIComponent(String(sent.body.conversationId))}/messages`,
    );
    assert.deepEqual(
      (messages.body as unknown as { text: string }[]).map((m) => m.text),
      ['echo: hello bot'],
    );
    h.bot.answer = () => ({ status: 200 });
  });

  it('sends installation updates', async () => {
    const sent = await call('POST', '/installations', { userId: h.org.users[1]!.id, action: 'add' });
    assert.equal(sent.status, 200);
    assert.equal(h.bot.received.at(-1)!.activity.type, 'installationUpdate');
  });

  it('sends a compose query in the Teams host request shape and returns the invoke response', async () => {
    const team = h.org.teams[0]!;
    const channel = team.channels[0]!;
    const user = h.org.users.find((u) => channel.memberIds.includes(u.id))!;
    h.bot.answer = () => ({
      status: 200,
      body: { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: [] } },
    });
    const response = await call('POST', '/compose-query', {
      userId: user.id,
      conversation: { kind: 'channel', teamId: team.id, channelId: channel.id },
      value: {
        commandId: 'searchPeople',
        parameters: [{ name: 'query', value: 'ad' }],
        queryOptions: { skip: 0, count: 25 },
        authentication: { id: 'sso', token: 'sso-token' },
      },
    });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, {
      status: 200,
      body: { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: [] } },
    });
    const sent = h.bot.received.at(-1)!.activity;
    assert.equal(sent.name, 'composeExtension/query');
    assert.equal(sent.conversation.id, channel.id);
    assert.equal((sent.value as { authentication: { token: string } }).authentication.token, 'sso-token');
  });

  it('accepts the flat compose query shape and passes a non-200 invoke status through', async () => {
    h.bot.answer = () => ({ status: 412 });
    const response = await call('POST', '/compose-query', {
      userId: teamsUserId(h.org.users[2]!.id),
      conversationType: 'personal',
      commandId: 'searchPeople',
      parameters: [{ name: 'initialRun', value: 'true' }],
    });
    assert.equal(response.status, 200);
    assert.equal(response.body.status, 412);
  });

  it('answers 400 for invalid requests and 404 for unknown users', async () => {
    assert.equal((await call('POST', '/messages', { userId: h.org.users[0]!.id })).status, 400);
    assert.equal((await call('POST', '/compose-query', { userId: 'x' })).status, 400);
    const unknown = await call('POST', '/messages', { userId: 'no-such-user', text: 'hi' });
    assert.equal(unknown.status, 404);
    const chat = h.org.chats.find((c) => c.chatType === 'group')!;
    const outsider = h.org.users.find((u) => !chat.memberIds.includes(u.id))!;
    const notMember = await call('POST', '/compose-query', {
      userId: outsider.id,
      conversation: { kind: 'groupChat', chatId: chat.id },
      value: { commandId: 'searchPeople', parameters: [{ name: 'query', value: 'x' }] },
    });
    assert.equal(notMember.status, 403);
  });

  it('answers 502 when the bot does not answer at all', async () => {
    const lonely = await startBotChannel({
      botEndpoint: 'http://127.0.0.1:9/api/messages',
      botAppId: BOT_ID,
      tenantId: DEMO_TENANT_ID,
      org: createDemoOrg(),
      botAppPassword: BOT_PASSWORD,
    });
    try {
      const response = await fetch(`${lonely.url}/_sandbox/botchannel/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: h.org.users[0]!.id, text: 'anyone?' }),
      });
      assert.equal(response.status, 502);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'bot_unreachable');
    } finally {
      await lonely.close();
    }
  });
});
