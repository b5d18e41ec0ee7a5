import assert from 'node:assert/strict';
import { ConnectorClient, TokenCredentials } from 'botframework-connector';
import { personalConversationId, teamsUserId } from '../../../sandbox/src/botchannel/index.js';
import { createDemoOrg, DEMO_TENANT_ID } from '../../../sandbox/src/seed/org.js';
import { Issuer } from '../../../sandbox/src/shared/issuer.js';
import { accessToken, BOT_ID, BOT_PASSWORD, botToken, startChannel, type ChannelHarness } from './harness.js';

/**
 * The Bot Connector emulation on the channel's serviceUrl, driven by botbuilder's own
 * ConnectorClient (so paths and encodings are the SDK's), plus the status codes and the
 * bearer-token rule of the real service, and the stop-gap client-credentials endpoint.
 */
describe('Bot Framework channel stand-in: connector API', () => {
  let h: ChannelHarness;
  let client: ConnectorClient;
  let token: string;
  before(async () => {
    h = await startChannel();
    token = await accessToken(h.channel);
    client = new ConnectorClient(new TokenCredentials(token), { baseUri: h.channel.serviceUrl });
  });
  after(async () => {
    await h.close();
  });

  const personal = (i: number): string => personalConversationId(h.org.users[i]!.id, BOT_ID);

  /** botframework-connector types both paging options as required; TeamsInfo omits the token on the first page. */
  function pagedMembers(
    c: ConnectorClient,
    conversationId: string,
    pageSize: number,
    continuationToken?: string,
  ): Promise<{ members?: { id: string }[]; continuationToken?: string }> {
    const options = { pageSize, ...(continuationToken === undefined ? {} : { continuationToken }) };
    return c.conversations.getConversationPagedMembers(
      conversationId,
      options as { pageSize: number; continuationToken: string },
    );
  }

  async function raw(
    method: string,
    path: string,
    authorization?: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${h.channel.serviceUrl}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(authorization === undefined ? {} : { authorization }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  }

  describe('authorization', () => {
    const path = (): string => `v3/conversations/${encodeURIComponent(personal(0))}/activities`;
    const activity = { type: 'message', text: 'hi' };

    it('401 without a bearer token, with the connector message', async () => {
      const response = await raw('POST', path(), undefined, activity);
      assert.equal(response.status, 401);
      assert.deepEqual(response.body, { message: 'Authorization has been denied for this request.' });
    });

    it('401 for a token the issuer did not sign', async () => {
      const forged = await (
        await Issuer.create()
      ).sign({ aud: 'https://api.botframework.com', appid: BOT_ID });
      assert.equal((await raw('POST', path(), `Bearer ${forged}`, activity)).status, 401);
    });

    it('401 for a channel (inbound) token: wrong audience and no app id', async () => {
      const inbound = await h.channel.signChannelToken(h.channel.serviceUrl);
      assert.equal((await raw('POST', path(), `Bearer ${inbound}`, activity)).status, 401);
    });

    it('401 on every connector route without a token', async () => {
      const conversation = encodeURIComponent(personal(0));
      for (const [method, p] of [
        ['POST', 'v3/conversations'],
        ['POST', `v3/conversations/${conversation}/activities/123`],
        ['PUT', `v3/conversations/${conversation}/activities/123`],
        ['DELETE', `v3/conversations/${conversation}/activities/123`],
        ['GET', `v3/conversations/${conversation}/members`],
        ['GET', `v3/conversations/${conversation}/pagedmembers`],
        ['GET', `v3/conversations/${conversation}/members/x`],
      ] as const) {
        assert.equal((await raw(method, p)).status, 401, `${method} ${p}`);
      }
    });
  });

  it('sends, replies, updates and deletes activities, recording each per conversation', async () => {
    const conversationId = personal(1);
    const mark = h.channel.recorder.sequence;
    const sent = await client.conversations.sendToConversation(conversationId, {
      type: 'message',
      text: 'first',
    });
    assert.equal(sent._response.status, 201);
    assert.match(sent.id, /^\d+$/);
    const reply = await client.conversations.replyToActivity(conversationId, '1700000000000', {
      type: 'message',
      text: 'a card',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: { type: 'AdaptiveCard', version: '1.5' },
        },
      ],
    });
    const recorded = h.channel.recorder.list(conversationId).filter((a) => a.sequence > mark);
    assert.deepEqual(
      recorded.map((a) => [a.text, a.replyToId, a.attachments.length, a.senderAppId]),
      [
        ['first', undefined, 0, BOT_ID],
        ['a card', '1700000000000', 1, BOT_ID],
      ],
    );
    const updated = await client.conversations.updateActivity(conversationId, reply.id, {
      type: 'message',
      text: 'edited',
    });
    assert.equal(updated.id, reply.id);
    assert.equal(h.channel.recorder.find(conversationId, reply.id)?.text, 'edited');
    const deleted = await client.conversations.deleteActivity(conversationId, sent.id);
    assert.equal(deleted._response.status, 200);
    assert.equal(h.channel.recorder.find(conversationId, sent.id)?.deleted, true);
  });

  it('resolves the next recorded activity for waiters', async () => {
    const conversationId = personal(2);
    const next = h.channel.waitForActivity({ conversationId, timeoutMs: 2000 });
    await client.conversations.sendToConversation(conversationId, { type: 'message', text: 'waited for' });
    assert.equal((await next).text, 'waited for');
    await assert.rejects(h.channel.waitForActivity({ conversationId, timeoutMs: 50 }), /no bot activity/);
  });

  it('404 for unknown conversations and activities, 400 for a body without type', async () => {
    const auth = `Bearer ${token}`;
    const unknown = await raw('POST', `v3/conversations/${encodeURIComponent('a:1nope')}/activities`, auth, {
      type: 'message',
    });
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, {
      error: { code: 'ConversationNotFound', message: 'Conversation not found.' },
    });
    const noType = await raw('POST', `v3/conversations/${encodeURIComponent(personal(0))}/activities`, auth, {
      text: 'x',
    });
    assert.equal(noType.status, 400);
    const noActivity = await raw(
      'PUT',
      `v3/conversations/${encodeURIComponent(personal(0))}/activities/1`,
      auth,
      { type: 'message' },
    );
    assert.equal(noActivity.status, 404);
  });

  it('creates the 1:1 conversation for a proactive message (the same id as the personal chat)', async () => {
    const user = h.org.users[7]!;
    const created = await client.conversations.createConversation({
      isGroup: false,
      bot: { id: `28:${BOT_ID}`, name: 'CallBridge' },
      members: [{ id: teamsUserId(user.id), name: '' }],
      channelData: { tenant: { id: DEMO_TENANT_ID } },
      tenantId: DEMO_TENANT_ID,
    });
    assert.equal(created.id, personalConversationId(user.id, BOT_ID));
    const withActivity = await client.conversations.createConversation({
      isGroup: false,
      bot: { id: `28:${BOT_ID}`, name: 'CallBridge' },
      members: [{ id: user.id, name: '' }],
      channelData: { tenant: { id: DEMO_TENANT_ID } },
      activity: { type: 'message', text: 'proactive hello' },
    } as Parameters<ConnectorClient['conversations']['createConversation']>[0]);
    assert.equal(withActivity.id, created.id);
    assert.equal(h.channel.recorder.find(created.id, withActivity.activityId)?.text, 'proactive hello');
    const wrongTenant = await raw('POST', 'v3/conversations', `Bearer ${token}`, {
      members: [{ id: teamsUserId(user.id) }],
      channelData: { tenant: { id: '11111111-2222-4333-8444-555555555555' } },
    });
    assert.equal(wrongTenant.status, 400);
    const group = await raw('POST', 'v3/conversations', `Bearer ${token}`, {
      isGroup: true,
      members: [{ id: teamsUserId(user.id) }, { id: teamsUserId(h.org.users[8]!.id) }],
      channelData: { tenant: { id: DEMO_TENANT_ID } },
    });
    assert.equal(group.status, 400);
  });

  it('lists members as TeamsChannelAccount', async () => {
    const chat = h.org.chats.find((c) => c.chatType === 'group')!;
    const members = await client.conversations.getConversationMembers(chat.id);
    assert.equal(members.length, chat.memberIds.length);
    const first = members[0] as unknown as Record<string, unknown>;
    const user = h.org.users.find((u) => u.id === chat.memberIds[0])!;
    assert.deepEqual(first, {
      id: teamsUserId(user.id),
      name: user.displayName,
      aadObjectId: user.id,
      givenName: user.givenName,
      surname: user.surname,
      email: user.mail,
      userPrincipalName: user.userPrincipalName,
      tenantId: DEMO_TENANT_ID,
      userRole: 'user',
    });
    const personalMembers = await client.conversations.getConversationMembers(personal(3));
    assert.deepEqual(
      personalMembers.map((m) => m.id),
      [teamsUserId(h.org.users[3]!.id)],
    );
  });

  it('gets one member by Teams id or Entra id, 404 when not in the conversation', async () => {
    const chat = h.org.chats.find((c) => c.chatType === 'group')!;
    const memberId = chat.memberIds[1]!;
    const byTeamsId = (await client.conversations.getConversationMember(
      chat.id,
      teamsUserId(memberId),
    )) as unknown as Record<string, unknown>;
    assert.equal(byTeamsId.aadObjectId, memberId);
    const byAadId = await raw(
      'GET',
      `v3/conversations/${encodeURIComponent(chat.id)}/members/${memberId}`,
      `Bearer ${token}`,
    );
    assert.equal(byAadId.status, 200);
    const outsider = h.org.users.find((u) => !chat.memberIds.includes(u.id))!;
    const missing = await raw(
      'GET',
      `v3/conversations/${encodeURIComponent(chat.id)}/members/${outsider.id}`,
      `Bearer ${token}`,
    );
    assert.equal(missing.status, 404);
    assert.equal((missing.body as { error: { code: string } }).error.code, 'MemberNotFoundInConversation');
  });

  it('pages channel rosters (page size clamped to 50–500, continuation tokens) and returns chats whole', async () => {
    const team = h.org.teams[0]!;
    const channel = team.channels[0]!;
    const page = await pagedMembers(client, channel.id, 10);
    // 10 is below the minimum of 50, and the team has 30 members: one page, no continuation.
    assert.equal(page.members?.length, team.memberIds.length);
    assert.equal(page.continuationToken, undefined);
    const chat = h.org.chats.find((c) => c.chatType === 'group')!;
    const chatPage = await pagedMembers(client, chat.id, 50);
    assert.equal(chatPage.members?.length, chat.memberIds.length);
    const bigOrg = createDemoOrg();
    const everyone = bigOrg.users.map((u) => u.id);
    const big = await startChannel({
      org: { ...bigOrg, teams: bigOrg.teams.map((t) => ({ ...t, memberIds: everyone })) },
    });
    try {
      const bigClient = new ConnectorClient(new TokenCredentials(await accessToken(big.channel)), {
        baseUri: big.channel.serviceUrl,
      });
      const first = await pagedMembers(bigClient, channel.id, 50);
      assert.equal(first.members?.length, 50);
      assert.equal(typeof first.continuationToken, 'string');
      const second = await pagedMembers(bigClient, channel.id, 50, first.continuationToken);
      assert.equal(second.members?.length, everyone.length - 50);
      assert.equal(second.continuationToken, undefined);
      assert.equal(
        new Set([...(first.members ?? []), ...(second.members ?? [])].map((m) => m.id)).size,
        everyone.length,
      );
    } finally {
      await big.close();
    }
    const badToken = await raw(
      'GET',
      `v3/conversations/${encodeURIComponent(channel.id)}/pagedmembers?continuationToken=bm9wZQ`,
      `Bearer ${token}`,
    );
    assert.equal(badToken.status, 400);
  });

  describe('stop-gap client-credentials token endpoint', () => {
    it('issues a bot token: Bearer, expires_in, a JWT for the Bot Framework audience', async () => {
      const { status, body } = await botToken(h.channel);
      assert.equal(status, 200);
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 3599);
      const payload = JSON.parse(
        Buffer.from(String(body.access_token).split('.')[1]!, 'base64url').toString('utf8'),
      ) as Record<string, unknown>;
      assert.equal(payload.aud, 'https://api.botframework.com');
      assert.equal(payload.appid, BOT_ID);
      assert.equal(payload.tid, DEMO_TENANT_ID);
    });

    it('answers Entra-style errors', async () => {
      const cases: [Record<string, string>, number, string][] = [
        [{ client_secret: `${BOT_PASSWORD}x` }, 401, 'invalid_client'],
        [{ client_id: '11111111-2222-4333-8444-555555555555' }, 400, 'unauthorized_client'],
        [{ scope: 'https://graph.microsoft.com/.default' }, 400, 'invalid_scope'],
        [{ grant_type: 'password' }, 400, 'unsupported_grant_type'],
      ];
      for (const [form, status, error] of cases) {
        const response = await botToken(h.channel, form);
        assert.equal(response.status, status, JSON.stringify(form));
        assert.equal(response.body.error, error);
        assert.match(String(response.body.error_description), /^AADSTS\d+: /);
        assert.ok(!JSON.stringify(response.body).includes(BOT_PASSWORD));
      }
    });
  });
});
