import assert from 'node:assert/strict';
import type { JsonObject } from '../../../bot/src/store/store.js';
import { HELP_TEXT, WELCOME_SUMMARY } from '../../../bot/src/teams/callbridge.bot.js';
import { personalConversationId, teamsUserId } from '../../../sandbox/src/botchannel/index.js';
import { BOT_ID, DEMO_TENANT_ID, startBotHarness, type BotHarness } from './bot-harness.js';

/**
 * The bot keeps each user's 1:1 conversation reference (opaque ids only) keyed by (tenant, Entra
 * object id): saved on personal install and on every personal message, deleted on uninstall.
 */
describe('CallBridgeBot conversation references, against the Bot Framework channel stand-in', function () {
  this.timeout(30_000);
  let h: BotHarness;

  before(async () => {
    h = await startBotHarness();
  });
  after(async () => {
    await h.stop();
  });

  function expectedReference(aadObjectId: string): JsonObject {
    return {
      channelId: 'msteams',
      serviceUrl: h.channel.serviceUrl,
      conversation: {
        id: personalConversationId(aadObjectId, BOT_ID),
        tenantId: DEMO_TENANT_ID,
        conversationType: 'personal',
      },
      bot: { id: `28:${BOT_ID}` },
      user: { id: teamsUserId(aadObjectId), aadObjectId },
    };
  }

  it('install: stores the reference (ids only, no names) and the welcome reaches the connector', async () => {
    const user = h.org.users[3]!;
    const delivery = await h.channel.sendInstallationUpdate(user.id, 'add');
    assert.equal(delivery.status, 200);

    const stored = await h.store.conversations.get(DEMO_TENANT_ID, user.id);
    assert.ok(stored !== undefined, 'reference stored');
    assert.deepEqual(stored.reference, expectedReference(user.id));
    const json = JSON.stringify(stored.reference);
    assert.ok(!json.includes(user.displayName), 'no user name');
    assert.ok(!json.includes('CallBridge'), 'no bot name either');
    assert.ok(!json.includes('locale') && !json.includes('activityId'));

    assert.equal(delivery.replies.length, 1);
    const welcome = delivery.replies[0]!;
    assert.equal(welcome.text, WELCOME_SUMMARY);
    const card = (welcome.attachments[0] ?? {}) as { contentType?: string; content?: { body?: unknown } };
    assert.equal(card.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.match(JSON.stringify(card.content?.body), /Call tab/);
    assert.equal(welcome.conversationId, personalConversationId(user.id, BOT_ID));
    assert.equal(welcome.senderAppId, BOT_ID, 'sent with a valid bot token');
  });

  it('personal message: stores the reference if missing, refreshes it if stale, still answers with help', async () => {
    const user = h.org.users[4]!;
    assert.equal(await h.store.conversations.get(DEMO_TENANT_ID, user.id), undefined);
    const first = await h.channel.sendMessage(user.id, 'hi');
    assert.equal(first.status, 200);
    assert.equal(first.replies[0]?.text, HELP_TEXT);
    const created = await h.store.conversations.get(DEMO_TENANT_ID, user.id);
    assert.deepEqual(created?.reference, expectedReference(user.id));

    // Teams may move a tenant to another serviceUrl: the next message brings the new one.
    await h.store.conversations.upsert(DEMO_TENANT_ID, user.id, {
      ...expectedReference(user.id),
      serviceUrl: 'https://smba.trafficmanager.net/old/',
    });
    h.clock.now += 60_000;
    const second = await h.channel.sendMessage(user.id, 'help');
    assert.equal(second.status, 200);
    const updated = await h.store.conversations.get(DEMO_TENANT_ID, user.id);
    assert.deepEqual(updated?.reference, expectedReference(user.id));
    assert.equal(updated.updatedAt, h.clock.now);
  });

  it('uninstall: deletes the reference and sends nothing', async () => {
    const user = h.org.users[6]!;
    await h.channel.sendInstallationUpdate(user.id, 'add');
    assert.ok((await h.store.conversations.get(DEMO_TENANT_ID, user.id)) !== undefined);
    const removed = await h.channel.sendInstallationUpdate(user.id, 'remove');
    assert.equal(removed.status, 200);
    assert.equal(removed.replies.length, 0);
    assert.equal(await h.store.conversations.get(DEMO_TENANT_ID, user.id), undefined);
  });

  it('does not store references for group-chat installs', async () => {
    const chat = h.org.chats.find((c) => c.chatType === 'group');
    assert.ok(chat !== undefined);
    const member = chat.memberIds[0]!;
    await h.store.conversations.delete(DEMO_TENANT_ID, member);
    const inGroup = h.channel.activities.conversationUpdate({
      userId: member,
      conversationType: 'groupChat',
      chatId: chat.id,
    });
    const install = {
      ...h.channel.activities.installationUpdate(member, 'add'),
      conversation: inGroup.conversation,
      channelData: inGroup.channelData,
    };
    const delivery = await h.channel.deliver(install);
    assert.equal(delivery.status, 200);
    assert.equal(delivery.replies.length, 0, 'no personal welcome in a group chat');
    assert.equal(await h.store.conversations.get(DEMO_TENANT_ID, member), undefined);
  });

  describe('afterwards', () => {
    it('logged no names, message text or tokens', () => {
      const all = h.lines().join('\n');
      assert.ok(!/eyJ[A-Za-z0-9_-]{10,}\./.test(all), 'no JWT in logs');
      assert.ok(!all.includes(h.org.users[3]!.displayName));
      assert.ok(!all.includes('bot-harness-test-secret'));
    });
  });
});
