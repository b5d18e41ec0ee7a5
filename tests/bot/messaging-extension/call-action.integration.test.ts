import assert from 'node:assert/strict';
import { createTokenVault } from '../../../bot/src/auth/token-vault.js';
import { createCallService } from '../../../bot/src/calls/call-service.js';
import { loadConfig } from '../../../bot/src/config/env.js';
import { HttpPolicy } from '../../../bot/src/integrations/http-policy.js';
import {
  CALL_AGAIN_TITLE,
  CHECK_STATUS_TITLE,
  LINK_WEBEX_TITLE,
  OPEN_IN_WEBEX_TITLE,
  RINGING_DEVICES_TEXT,
} from '../../../bot/src/messaging-extension/cards/call-card.js';
import {
  CALL_STATUS_VERB,
  CALL_VERB,
  personAttachment,
} from '../../../bot/src/messaging-extension/cards/person-card.js';
import type { User } from '../../../bot/src/store/store.js';
import { WebexTokenService } from '../../../bot/src/webex-link/index.js';
import type { CardActionRequest, InvokeResponse } from '../../../sandbox/src/botchannel/index.js';
import type { DemoUser } from '../../../sandbox/src/seed/org.js';
import { startWebex, type WebexStandIn } from '../../../sandbox/src/webex/index.js';
import { DEMO_TENANT_ID, startBotHarness, type BotHarness } from '../teams/bot-harness.js';
import { assertValidAdaptiveCard15 } from './adaptive-card-validator.js';

/**
 * "Call with Webex" on a person card, end to end: `adaptiveCard/action` invokes signed by the Bot
 * Framework channel stand-in, the real bot route, the real call service dialling the Webex
 * stand-in (Click to Dial), and the updated card checked with the official renderer.
 */

const TAB = 'https://teams.microsoft.com/l/entity/11111111-2222-4333-8444-555555555555/call';
const CALL_SCOPES = ['spark:people_read', 'spark:calls_read', 'spark:calls_write'];
const EXTERNAL = '+14255550142';

interface CardAnswer {
  readonly statusCode: number;
  readonly type: string;
  readonly value: {
    readonly body: readonly { readonly text?: string }[];
    readonly actions?: readonly {
      readonly type: string;
      readonly title: string;
      readonly verb?: string;
      readonly url?: string;
      readonly data?: Record<string, unknown>;
    }[];
    readonly refresh?: { readonly userIds: readonly string[] };
  };
}

/** The invoke answered 200 with an Adaptive Card that validates; its content. */
function cardOf(answer: InvokeResponse): CardAnswer['value'] {
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const body = answer.body as CardAnswer;
  assert.equal(body.statusCode, 200);
  assert.equal(body.type, 'application/vnd.microsoft.card.adaptive');
  assertValidAdaptiveCard15(body.value);
  return body.value;
}

const textsOf = (card: CardAnswer['value']): string => card.body.map((b) => b.text ?? '').join('\n');

describe('"Call with Webex" card actions (adaptiveCard/action)', function () {
  this.timeout(30_000);
  let webex: WebexStandIn;
  let h: BotHarness;
  let tokens: WebexTokenService | undefined;

  before(async () => {
    webex = await startWebex();
    const sandbox = loadConfig({ CALLBRIDGE_MODE: 'sandbox' });
    assert.ok(sandbox.ok);
    const vault = createTokenVault(sandbox.value.tokenVault);
    h = await startBotHarness(({ store, logger, clock }) => {
      tokens = new WebexTokenService({
        store,
        vault,
        oauth: { refresh: () => Promise.reject(new Error('no refresh in this test')) },
        logger,
        now: () => clock.now,
      });
      const calls = createCallService({
        tokens,
        webexBaseUrl: webex.url,
        policy: new HttpPolicy({ logger, maxRetries: 0 }),
        defaultCountry: 'US',
        logger,
      });
      return { callActions: { calls, store, callTabUrl: TAB, logger } };
    });
  });

  after(async () => {
    await h.stop();
    await webex.close();
  });

  const used = new Set<string>();
  /** A demo user not used by another test, with or without Webex Calling. */
  function demoUser(kind: 'calling' | 'webex_no_calling' | 'any'): DemoUser {
    const found = h.org.users.find(
      (u) =>
        !used.has(u.id) &&
        (kind === 'any' ||
          (kind === 'calling' ? u.webex?.calling === true : u.webex !== undefined && !u.webex.calling)),
    );
    assert.ok(found, `a demo user (${kind})`);
    used.add(found.id);
    return found;
  }

  async function enrol(demo: DemoUser): Promise<User> {
    return h.store.users.upsert({ tenantId: DEMO_TENANT_ID, aadObjectId: demo.id, status: 'active' });
  }

  /** Enrolled and linked to Webex with tokens the Webex stand-in issued. */
  async function linked(demo: DemoUser): Promise<User> {
    const user = await enrol(demo);
    const personId = demo.webex?.personId;
    assert.ok(personId !== undefined && tokens !== undefined);
    const link = await h.store.users.linkWebex(user.id, { personId, orgId: webex.orgId });
    assert.ok(link.ok);
    const issued = webex.issueTokens(personId, CALL_SCOPES);
    const saved = await tokens.saveGrant(link.value, {
      accessToken: issued.access_token,
      accessExpiresInSec: issued.expires_in,
      refreshToken: issued.refresh_token,
      refreshExpiresInSec: issued.refresh_token_expires_in,
    });
    assert.ok(saved.ok);
    return link.value;
  }

  const press = (
    demo: DemoUser,
    verb: string,
    data: unknown,
    extra: Partial<CardActionRequest> = {},
  ): Promise<InvokeResponse> =>
    h.channel.invokeAdaptiveCardAction({
      conversationType: 'personal',
      userId: demo.id,
      verb,
      data,
      ...extra,
    });

  it('linked: Click to Dial rings their Webex devices; "Check status" follows the call to connected and ended', async () => {
    const caller = demoUser('calling');
    await linked(caller);
    const personId = caller.webex!.personId;
    const target = { number: EXTERNAL, name: 'Contoso Reception' };

    const ringing = cardOf(await press(caller, CALL_VERB, target));
    assert.match(textsOf(ringing), /Calling Contoso Reception with Webex/);
    assert.ok(textsOf(ringing).includes(RINGING_DEVICES_TEXT));
    const calls = webex.activeCalls(personId);
    assert.equal(calls.length, 1, 'one call in Webex');
    const call = calls[0]!;
    assert.equal(call['personality'], 'clickToDial');
    assert.equal(call['state'], 'alerting');
    const callId = String(call['id']);
    const check = ringing.actions?.[0];
    assert.deepEqual(
      { type: check?.type, title: check?.title, verb: check?.verb, data: check?.data },
      {
        type: 'Action.Execute',
        title: CHECK_STATUS_TITLE,
        verb: CALL_STATUS_VERB,
        data: { ...target, callId },
      },
    );
    assert.equal(ringing.refresh?.userIds.length, 1, 'refreshes for the caller only');

    // The caller picks up on a device; the far end rings.
    webex.answerOnDevice(personId, callId);
    const placing = cardOf(await press(caller, CALL_STATUS_VERB, check?.data));
    assert.match(textsOf(placing), /Ringing Contoso Reception…/);

    // The far end answers; the card's own refresh (trigger automatic) shows it.
    webex.remoteAnswer(callId);
    const connected = cardOf(await press(caller, CALL_STATUS_VERB, check?.data, { trigger: 'automatic' }));
    assert.match(textsOf(connected), /^Connected$/m);
    assert.equal(connected.actions?.[0]?.title, CHECK_STATUS_TITLE);

    webex.remoteHangup(callId);
    const ended = cardOf(await press(caller, CALL_STATUS_VERB, check?.data));
    assert.match(textsOf(ended), /Call ended/);
    assert.equal(ended.refresh, undefined);
    assert.deepEqual(ended.actions?.[0]?.verb, CALL_VERB, '"Call again"');
    assert.equal(ended.actions[0].title, CALL_AGAIN_TITLE);
  });

  it('the button of a person card found by search, pressed in a group chat by a linked member, dials the first number', async () => {
    const chat = h.org.chats.find((c) => c.chatType === 'group')!;
    const member = h.org.users.find(
      (u) => chat.memberIds.includes(u.id) && u.webex?.calling === true && !used.has(u.id),
    );
    assert.ok(member, 'a calling-enabled member of a group chat');
    used.add(member.id);
    await linked(member);
    const card = personAttachment({
      key: 'tel:x',
      displayName: 'Front Desk',
      phones: [{ type: 'business', number: '+1 (425) 555-0199' }],
      sources: ['speedDials'],
    }).content as CardAnswer['value'];
    const button = card.actions?.find((a) => a.type === 'Action.Execute');
    assert.ok(button?.verb !== undefined);
    const ringing = cardOf(
      await press(member, button.verb, button.data, { conversationType: 'groupChat', chatId: chat.id }),
    );
    assert.ok(textsOf(ringing).includes(RINGING_DEVICES_TEXT));
    const [call] = webex.activeCalls(member.webex!.personId);
    assert.equal((call?.['remoteParty'] as { number?: string } | undefined)?.number, '+14255550199');
  });

  it('not linked: the Webex app deep link and "Link Webex"; nothing is dialled', async () => {
    const enrolled = demoUser('calling');
    await enrol(enrolled);
    const stranger = demoUser('any');
    for (const who of [enrolled, stranger]) {
      const card = cardOf(await press(who, CALL_VERB, { number: EXTERNAL }));
      assert.match(textsOf(card), /Link your Webex account/);
      assert.deepEqual(
        card.actions?.map((a) => [a.title, a.url]),
        [
          [OPEN_IN_WEBEX_TITLE, card.actions?.[0]?.url],
          [LINK_WEBEX_TITLE, TAB],
        ],
      );
      assert.match(card.actions[0]?.url ?? '', /^webextel:/);
    }
    assert.equal(webex.activeCalls(enrolled.webex!.personId).length, 0);
  });

  it('a number that cannot be dialled: plain words, no call', async () => {
    const caller = demoUser('calling');
    await linked(caller);
    for (const number of ['not a number', '+12']) {
      const card = cardOf(await press(caller, CALL_VERB, { number, name: 'Someone' }));
      assert.match(textsOf(card), /^Could not call Someone/m);
      assert.match(textsOf(card), /cannot be dialled|not a complete phone number/);
      assert.doesNotMatch(textsOf(card), /Error|undefined|\{/);
    }
    assert.equal(webex.activeCalls(caller.webex!.personId).length, 0);
  });

  it("Webex without Webex Calling, and a revoked Webex grant: the service's plain words and the fix", async () => {
    const noCalling = demoUser('webex_no_calling');
    await linked(noCalling);
    const refused = cardOf(await press(noCalling, CALL_VERB, { number: EXTERNAL }));
    assert.match(textsOf(refused), /not set up for Webex Calling/);

    const revoked = demoUser('calling');
    await linked(revoked);
    webex.revokeGrants(revoked.webex!.personId);
    const relink = cardOf(await press(revoked, CALL_VERB, { number: EXTERNAL }));
    assert.match(textsOf(relink), /Link Webex again/);
    assert.equal(relink.actions?.[0]?.title, LINK_WEBEX_TITLE);
    assert.equal(relink.actions[0].url, TAB);
  });

  it('status of a call CallBridge does not know: plain words and "Call again"', async () => {
    const caller = demoUser('calling');
    await linked(caller);
    const card = cardOf(await press(caller, CALL_STATUS_VERB, { number: EXTERNAL, callId: 'no-such-call' }));
    assert.match(textsOf(card), /not known to CallBridge/);
    assert.equal(card.actions?.[0]?.title, CALL_AGAIN_TITLE);
  });

  it('an action that is not ours is a 400 with { code, message }', async () => {
    const who = demoUser('any');
    const unknownVerb = await press(who, 'something.else', {});
    assert.equal(unknownVerb.status, 400);
    const body = unknownVerb.body as {
      statusCode: number;
      type: string;
      value: { code: string; message: string };
    };
    assert.equal(body.statusCode, 400);
    assert.equal(body.type, 'application/vnd.microsoft.error');
    assert.equal(body.value.code, 'BadRequest');
    assert.match(body.value.message, /Unknown card action/);

    assert.equal((await press(who, CALL_VERB, { name: 'no number' })).status, 400);
    assert.equal(
      (await press(who, CALL_STATUS_VERB, { number: EXTERNAL })).status,
      400,
      'status without a call id',
    );

    const raw = h.channel.activities.adaptiveCardAction({
      conversationType: 'personal',
      userId: who.id,
      verb: CALL_VERB,
    });
    const noAction = await h.channel.deliver({ ...raw, value: { trigger: 'manual' } });
    assert.equal(noAction.status, 400);
  });

  it('logged no numbers or names', () => {
    const all = h.lines().join('\n');
    for (const secret of ['4255550142', 'Contoso Reception', 'Front Desk', '4255550199'])
      assert.ok(!all.includes(secret), secret);
  });
});
