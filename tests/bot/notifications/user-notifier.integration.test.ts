import assert from 'node:assert/strict';
import type { NeedsSignInReason } from '../../../bot/src/auth/obo/errors.js';
import {
  createUserNotifier,
  needsSignInLeaseName,
  needsSignInText,
  NEEDS_SIGN_IN_NOTICE_PERIOD_MS,
  type UserNotifier,
} from '../../../bot/src/notifications/user-notifier.js';
import type { User } from '../../../bot/src/store/store.js';
import { createBotRoute } from '../../../bot/src/teams/bot-route.js';
import { personalConversationId, teamsUserId } from '../../../sandbox/src/botchannel/index.js';
import { captureLogs } from '../../support/log-capture.js';
import {
  BOT_ID,
  BOT_PASSWORD,
  configFor,
  DEMO_TENANT_ID,
  startBotHarness,
  type BotHarness,
} from '../teams/bot-harness.js';

/**
 * "Sign in again" notices: sent proactively into the user's 1:1 chat with the bot through the
 * stored conversation reference and the real CloudAdapter, at most once per user per 24 h
 * across instances, and never thrown at the background caller.
 */
describe('createUserNotifier().notifyNeedsSignIn, against the Bot Framework channel stand-in', function () {
  this.timeout(30_000);
  let h: BotHarness;
  let notifier: UserNotifier;
  let nextUser = 10;

  before(async () => {
    h = await startBotHarness();
    notifier = createUserNotifier({
      adapter: h.bot.adapter,
      botAppId: BOT_ID,
      store: h.store,
      logger: h.logger,
    });
  });
  after(async () => {
    await h.stop();
  });

  /** A demo user who installed the app (reference stored through the real bot) and is in the store. */
  async function installedUser(): Promise<{ user: User; conversationId: string }> {
    const demo = h.org.users[nextUser++]!;
    const install = await h.channel.sendInstallationUpdate(demo.id, 'add');
    assert.equal(install.status, 200);
    const user = await h.store.users.upsert({ tenantId: DEMO_TENANT_ID, aadObjectId: demo.id });
    return { user, conversationId: personalConversationId(demo.id, BOT_ID) };
  }

  it('sends the notice into the user’s chat with a valid bot token', async () => {
    const { user, conversationId } = await installedUser();
    const mark = h.channel.recorder.sequence;
    const result = await notifier.notifyNeedsSignIn(user, 'invalid_grant');
    assert.ok(result.ok);
    assert.equal(result.value.status, 'sent');

    const sent = h.channel.recorder.list(conversationId).filter((a) => a.sequence > mark);
    assert.equal(sent.length, 1);
    const notice = sent[0]!;
    assert.equal(
      notice.text,
      "CallBridge can't keep your presence in step until you sign in again: open the Call tab in Teams.",
    );
    assert.equal(notice.senderAppId, BOT_ID, 'the connector verified the bot token');
    const activity = notice.activity as { from?: { id?: string }; recipient?: { id?: string } };
    assert.equal(activity.from?.id, `28:${BOT_ID}`);
    assert.equal(activity.recipient?.id, teamsUserId(user.aadObjectId));
    assert.deepEqual(result.value, { status: 'sent', activityId: notice.activityId });
  });

  it('words consent and MFA differently', async () => {
    const cases: [NeedsSignInReason, RegExp][] = [
      ['consent_required', /no longer has your permission.*open the Call tab/i],
      ['interaction_required', /multi-factor authentication.*open the Call tab/i],
    ];
    for (const [reason, pattern] of cases) {
      const { user, conversationId } = await installedUser();
      const mark = h.channel.recorder.sequence;
      const result = await notifier.notifyNeedsSignIn(user, reason);
      assert.ok(result.ok && result.value.status === 'sent');
      const notice = await h.channel.waitForActivity({ conversationId, since: mark });
      assert.equal(notice.text, needsSignInText(reason));
      assert.match(needsSignInText(reason), pattern);
    }
  });

  it('sends nothing for the same user again within 24 h, even from another instance; again after 24 h', async () => {
    const { user, conversationId } = await installedUser();
    const otherInstance = createUserNotifier({
      adapter: createBotRoute(h.config, h.logger, { store: h.store }).adapter,
      botAppId: BOT_ID,
      store: h.store,
      logger: h.logger,
    });
    const mark = h.channel.recorder.sequence;
    // Two instances at once: exactly one message.
    const [a, b] = await Promise.all([
      notifier.notifyNeedsSignIn(user, 'invalid_grant'),
      otherInstance.notifyNeedsSignIn(user, 'consent_required'),
    ]);
    const statuses = [a, b].map((r) => (r.ok ? r.value.status : r.error.code)).sort();
    assert.deepEqual(statuses, ['already_notified', 'sent']);

    h.clock.now += NEEDS_SIGN_IN_NOTICE_PERIOD_MS - 60_000;
    const later = await notifier.notifyNeedsSignIn(user, 'invalid_grant');
    assert.deepEqual(later, { ok: true, value: { status: 'already_notified' } });
    assert.equal(h.channel.recorder.list(conversationId).filter((x) => x.sequence > mark).length, 1);

    h.clock.now += 2 * 60_000;
    const nextDay = await notifier.notifyNeedsSignIn(user, 'invalid_grant');
    assert.ok(nextDay.ok && nextDay.value.status === 'sent', 'a new period, a new notice');
    assert.equal(h.channel.recorder.list(conversationId).filter((x) => x.sequence > mark).length, 2);
  });

  it('answers no_conversation for a user who never installed the bot, without throwing or sending', async () => {
    const demo = h.org.users[40]!;
    const user = await h.store.users.upsert({ tenantId: DEMO_TENANT_ID, aadObjectId: demo.id });
    const mark = h.channel.recorder.sequence;
    const result = await notifier.notifyNeedsSignIn(user, 'invalid_grant');
    assert.deepEqual(result, { ok: true, value: { status: 'no_conversation' } });
    assert.equal(h.channel.recorder.sequence, mark);
    // Not counted as notified: once installed, the next trigger sends.
    await h.channel.sendInstallationUpdate(demo.id, 'add');
    const afterInstall = await notifier.notifyNeedsSignIn(user, 'invalid_grant');
    assert.ok(afterInstall.ok && afterInstall.value.status === 'sent');
  });

  it('after uninstall, answers no_conversation', async () => {
    const { user } = await installedUser();
    await h.channel.sendInstallationUpdate(user.aadObjectId, 'remove');
    const result = await notifier.notifyNeedsSignIn(user, 'invalid_grant');
    assert.deepEqual(result, { ok: true, value: { status: 'no_conversation' } });
  });

  it('returns send_failed when the connector refuses, logs opaque ids only, and lets a later call retry', async () => {
    const { user, conversationId } = await installedUser();
    const stored = await h.store.conversations.get(DEMO_TENANT_ID, user.aadObjectId);
    assert.ok(stored !== undefined);
    const conversation = stored.reference.conversation as Record<string, string>;
    // A conversation the connector does not know: it answers 404 ConversationNotFound.
    await h.store.conversations.upsert(DEMO_TENANT_ID, user.aadObjectId, {
      ...stored.reference,
      conversation: { ...conversation, id: 'a:1unknown-conversation' },
    });
    const mark = h.channel.recorder.sequence;
    const result = await notifier.notifyNeedsSignIn(user, 'interaction_required');
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'send_failed');
    assert.equal(result.error.httpStatus, 404);
    assert.equal(h.channel.recorder.sequence, mark, 'nothing recorded');

    const failure = h
      .lines()
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'sign-in notice could not be sent' && l.userId === user.id);
    assert.ok(failure !== undefined, 'the failure is logged');
    assert.equal(failure.httpStatus, 404);
    assert.equal(failure.reason, 'interaction_required');
    const logged = JSON.stringify(failure);
    assert.ok(!/eyJ[A-Za-z0-9_-]{10,}\./.test(logged), 'no token');
    assert.ok(!logged.includes(BOT_PASSWORD));

    // The failed attempt released the 24 h lease: once the reference is good again, it sends.
    await h.store.conversations.upsert(DEMO_TENANT_ID, user.aadObjectId, stored.reference);
    const retry = await notifier.notifyNeedsSignIn(user, 'interaction_required');
    assert.ok(retry.ok && retry.value.status === 'sent');
    await h.channel.waitForActivity({ conversationId, since: mark });
  });

  it('returns send_failed when the bot cannot get a token, and never logs the secret or a token', async () => {
    const { user } = await installedUser();
    const { logger, lines } = captureLogs();
    const wrongSecret = 'not-the-bot-secret-123';
    const broken = createUserNotifier({
      adapter: createBotRoute(configFor(h.channel, { BOT_PASSWORD: wrongSecret }), logger, { store: h.store })
        .adapter,
      botAppId: BOT_ID,
      store: h.store,
      logger,
    });
    const mark = h.channel.recorder.sequence;
    const result = await broken.notifyNeedsSignIn(user, 'invalid_grant');
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'send_failed');
    assert.equal(h.channel.recorder.sequence, mark);
    const all = lines().join('\n');
    assert.ok(all.includes('sign-in notice could not be sent'));
    assert.ok(!all.includes(wrongSecret) && !all.includes(BOT_PASSWORD));
    assert.ok(!/eyJ[A-Za-z0-9_-]{10,}\./.test(all));
    // The lease was given back: the healthy notifier can still send today.
    assert.notEqual(await h.store.leases.tryAcquire(needsSignInLeaseName(user.id), 'probe', 1), null);
  });

  it('returns store_unavailable instead of throwing when the store fails', async () => {
    const failing = createUserNotifier({
      adapter: h.bot.adapter,
      botAppId: BOT_ID,
      store: {
        conversations: {
          get: () => Promise.reject(new Error('database is locked')),
          upsert: () => Promise.reject(new Error('unused')),
          delete: () => Promise.reject(new Error('unused')),
        },
        leases: h.store.leases,
      },
      logger: h.logger,
    });
    const { user } = await installedUser();
    const result = await failing.notifyNeedsSignIn(user, 'invalid_grant');
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'store_unavailable');
  });

  describe('afterwards', () => {
    it('logged neither names, mail, tokens nor the bot secret', () => {
      const all = h.lines().join('\n');
      assert.ok(!/eyJ[A-Za-z0-9_-]{10,}\./.test(all));
      assert.ok(!all.includes(BOT_PASSWORD));
      for (const demo of h.org.users.slice(10, 20)) {
        assert.ok(!all.includes(demo.displayName) && !all.includes(demo.mail));
      }
    });
  });
});
