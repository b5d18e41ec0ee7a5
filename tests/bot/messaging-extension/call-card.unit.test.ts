import assert from 'node:assert/strict';
import type { CallError, CallErrorCode, CallState, CallView } from '../../../bot/src/calls/call-service.js';
import { CALL_STATES } from '../../../bot/src/calls/call-state.js';
import {
  CALL_AGAIN_TITLE,
  CHECK_STATUS_TITLE,
  LINK_WEBEX_TITLE,
  OPEN_CALL_TAB_TITLE,
  OPEN_IN_WEBEX_TITLE,
  RINGING_DEVICES_TEXT,
  TRY_AGAIN_TITLE,
  callErrorCard,
  callProgressCard,
  deepLinkCard,
  webexSlowCard,
  type AdaptiveCardJson,
} from '../../../bot/src/messaging-extension/cards/call-card.js';
import { CALL_STATUS_VERB, CALL_VERB } from '../../../bot/src/messaging-extension/cards/person-card.js';
import { assertValidAdaptiveCard15 } from './adaptive-card-validator.js';

/**
 * The cards "Call with Webex" answers with: the call's progress in every state, the deep-link
 * card, and one card per call error; each validated by the official renderer at 1.5.
 */

interface Action {
  readonly type: string;
  readonly title: string;
  readonly url?: string;
  readonly verb?: string;
  readonly data?: Record<string, unknown>;
}
interface Card {
  readonly body: readonly { readonly text?: string; readonly color?: string }[];
  readonly actions?: readonly Action[];
  readonly refresh?: { readonly action: Action; readonly userIds: readonly string[] };
}

const cardOf = (json: AdaptiveCardJson): Card => json as unknown as Card;
const texts = (json: AdaptiveCardJson): string[] => cardOf(json).body.map((b) => b.text ?? '');

const TAB = 'https://teams.microsoft.com/l/entity/11111111-2222-4333-8444-555555555555/call';
const VIEWER = '29:1viewer';
const megan = { number: '+14255550100', name: 'Megan *Bowen*' } as const;

const view = (state: CallState, extra: Partial<CallView> = {}): CallView => ({
  id: 'call-1',
  state,
  destination: megan.number,
  startedAt: Date.parse('2026-03-02T09:00:00Z'),
  ...extra,
});

describe('call progress cards', () => {
  for (const state of CALL_STATES) {
    it(`${state}: validates, says the state in words, and offers the next step`, () => {
      const json = callProgressCard(megan, view(state, state === 'failed' ? { reason: 'busy' } : {}), {
        callTabUrl: TAB,
        viewerId: VIEWER,
      });
      assertValidAdaptiveCard15(json);
      const card = cardOf(json);
      assert.equal(texts(json)[0], 'Calling Megan \\*Bowen\\* with Webex', 'the name is escaped');
      assert.equal(texts(json)[1], '+14255550100');
      const terminal = state === 'ended' || state === 'failed';
      const [action] = card.actions ?? [];
      if (terminal) {
        assert.deepEqual(action, {
          type: 'Action.Execute',
          title: CALL_AGAIN_TITLE,
          verb: CALL_VERB,
          data: { ...megan },
        });
        assert.equal(card.refresh, undefined, 'a finished call does not refresh');
      } else {
        const statusAction = {
          type: 'Action.Execute',
          title: CHECK_STATUS_TITLE,
          verb: CALL_STATUS_VERB,
          data: { ...megan, callId: 'call-1' },
        };
        assert.deepEqual(action, statusAction);
        assert.deepEqual(card.refresh?.userIds, [VIEWER], 'refreshes for the caller only');
        assert.equal(card.refresh.action.verb, CALL_STATUS_VERB);
        assert.deepEqual(card.refresh.action.data, statusAction.data);
      }
    });
  }

  it('words for the states', () => {
    const say = (state: CallState, extra: Partial<CallView> = {}): string =>
      texts(callProgressCard(megan, view(state, extra), { callTabUrl: TAB }))[2] ?? '';
    assert.equal(say('ringing_devices'), RINGING_DEVICES_TEXT);
    assert.equal(say('ringing_remote'), 'Ringing Megan \\*Bowen\\*…');
    assert.equal(say('connected'), 'Connected');
    assert.equal(say('held'), 'On hold');
    assert.equal(say('ended', { reason: 'not_answered' }), 'Call ended: no one answered');
    assert.equal(say('failed', { reason: 'declined' }), 'The call did not go through: the call was declined');
  });

  it('without a known viewer there is no refresh, only "Check status"', () => {
    const card = cardOf(callProgressCard(megan, view('ringing_devices'), { callTabUrl: TAB }));
    assert.equal(card.refresh, undefined);
    assert.equal(card.actions?.[0]?.title, CHECK_STATUS_TITLE);
  });

  it('a number without a name shows the number once', () => {
    const json = callProgressCard({ number: '+14255550100' }, view('connected'), { callTabUrl: TAB });
    assertValidAdaptiveCard15(json);
    assert.deepEqual(texts(json), ['Calling +14255550100 with Webex', 'Connected']);
  });
});

describe('deep-link card (Webex not linked)', () => {
  it('offers the Webex app for this number and "Link Webex" to the Call tab', () => {
    const json = deepLinkCard(megan, undefined, { callTabUrl: TAB });
    assertValidAdaptiveCard15(json);
    assert.deepEqual(cardOf(json).actions, [
      {
        type: 'Action.OpenUrl',
        title: OPEN_IN_WEBEX_TITLE,
        url: 'webextel://login?telephone=%2B14255550100',
      },
      { type: 'Action.OpenUrl', title: LINK_WEBEX_TITLE, url: TAB },
    ]);
    assert.match(texts(json)[2] ?? '', /^Link your Webex account/);
  });

  it("uses the call service's link when it gives one", () => {
    const json = deepLinkCard(
      megan,
      { webex: 'webextel:+14255550100', tel: 'tel:+14255550100' },
      { callTabUrl: TAB },
    );
    assertValidAdaptiveCard15(json);
    assert.equal(cardOf(json).actions?.[0]?.url, 'webextel:+14255550100');
  });
});

describe('call error cards', () => {
  const expected: Record<CallErrorCode, readonly string[]> = {
    invalid_number: [OPEN_CALL_TAB_TITLE],
    not_calling_enabled: [OPEN_IN_WEBEX_TITLE],
    webex_relink_required: [LINK_WEBEX_TITLE, OPEN_IN_WEBEX_TITLE],
    webex_unavailable: [TRY_AGAIN_TITLE, OPEN_IN_WEBEX_TITLE],
    call_not_found: [CALL_AGAIN_TITLE],
    voicemail_not_found: [OPEN_CALL_TAB_TITLE],
  };
  for (const [code, titles] of Object.entries(expected) as [CallErrorCode, readonly string[]][]) {
    it(`${code}: the service's plain words and ${titles.join(' + ')}`, () => {
      const error: CallError = { code, message: 'Webex says no (plain words for the user).' };
      const json = callErrorCard(megan, error, { callTabUrl: TAB });
      assertValidAdaptiveCard15(json);
      assert.equal(texts(json)[2], 'Webex says no \\(plain words for the user\\).');
      assert.deepEqual(
        (cardOf(json).actions ?? []).map((a) => a.title),
        titles,
      );
    });
  }

  it('"Try again" dials the same person again', () => {
    const json = callErrorCard(
      megan,
      { code: 'webex_unavailable', message: 'Webex is down.' },
      { callTabUrl: TAB },
    );
    assert.deepEqual(cardOf(json).actions?.[0], {
      type: 'Action.Execute',
      title: TRY_AGAIN_TITLE,
      verb: CALL_VERB,
      data: { ...megan },
    });
  });
});

describe('Webex too slow card', () => {
  it('placing: says the devices may still ring and offers the Call tab; following: "Check status" again', () => {
    const placing = webexSlowCard(megan, undefined, { callTabUrl: TAB });
    assertValidAdaptiveCard15(placing);
    assert.deepEqual(
      (cardOf(placing).actions ?? []).map((a) => [a.title, a.url]),
      [[OPEN_CALL_TAB_TITLE, TAB]],
    );
    const following = webexSlowCard(megan, 'call-1', { callTabUrl: TAB });
    assertValidAdaptiveCard15(following);
    assert.deepEqual(cardOf(following).actions?.[0], {
      type: 'Action.Execute',
      title: CHECK_STATUS_TITLE,
      verb: CALL_STATUS_VERB,
      data: { ...megan, callId: 'call-1' },
    });
  });
});
