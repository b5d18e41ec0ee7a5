import assert from 'node:assert/strict';
import type { TokenVault } from '../../../bot/src/auth/token-vault.js';
import type { PeopleSearch, PeopleSearchRequest, Person } from '../../../bot/src/people/person.js';
import type { SealedSecret, Store, TokenKind, User } from '../../../bot/src/store/store.js';
import { SUBMIT_ACTIONS, webexCommandDeps } from '../../../bot/src/teams/commands/index.js';
import { WebexTokenService } from '../../../bot/src/webex-link/index.js';
import type { Delivery, RunningBotChannel } from '../../../sandbox/src/botchannel/index.js';
import type { DemoOrg } from '../../../sandbox/src/seed/org.js';
import { CALL_VERB } from '../../../bot/src/messaging-extension/cards/person-card.js';
import { assertValidAdaptiveCard15 } from '../messaging-extension/adaptive-card-validator.js';
import { DEMO_TENANT_ID, startBotHarness } from './bot-harness.js';

/**
 * The personal bot's commands through the Bot Framework channel stand-in: the real service,
 * the default CallBridgeBot with its command dependencies, an embedded SQLite store.
 */

const TAB_LINK = 'https://teams.microsoft.com/l/entity/11111111-2222-4333-8444-555555555555/call';
/** WebexTokenService.status/deleteTokens never open tokens. */
const unusedVault: TokenVault = {
  activeKeyId: 'k1',
  seal: () => {
    throw new Error('not used');
  },
  open: () => {
    throw new Error('not used');
  },
  needsRotation: () => false,
};
const sealed: SealedSecret = {
  keyId: 'k1',
  iv: Buffer.alloc(12),
  tag: Buffer.alloc(16),
  ciphertext: Buffer.from('opaque'),
};

interface Running {
  readonly org: DemoOrg;
  readonly channel: RunningBotChannel;
  readonly store: Store;
  readonly clock: { now: number };
  readonly searches: PeopleSearchRequest[];
  readonly lines: () => string[];
  stop(): Promise<void>;
}

/** A tiny PeopleSearch: case-insensitive substring over a fixed list. */
function fakePeople(searches: PeopleSearchRequest[]): PeopleSearch {
  const everyone: Person[] = [
    {
      key: 'aad:1',
      displayName: 'Megan Bowen',
      jobTitle: 'Marketing Manager',
      email: 'megan@example.test',
      phones: [],
      sources: ['directory'],
    },
    {
      key: 'aad:2',
      displayName: 'Megan Smith',
      phones: [{ type: 'mobile', number: '+1 555 0100' }],
      sources: ['contacts'],
    },
    ...Array.from({ length: 8 }, (_, i): Person => ({
      key: `aad:x${i}`,
      displayName: `Alex ${i}`,
      phones: [],
      sources: ['directory'],
    })),
  ];
  return {
    search: (request) => {
      searches.push(request);
      const q = request.query.toLowerCase();
      const people = everyone.filter((p) => p.displayName.toLowerCase().includes(q));
      return Promise.resolve({
        people: people.slice(request.skip, request.skip + request.count),
        hasMore: people.length > request.skip + request.count,
        slowSources: [],
        failedSources: [],
      });
    },
  };
}

async function start(options: {
  readonly people: boolean;
  readonly commands?: boolean;
  readonly tabDeepLink?: boolean;
}): Promise<Running> {
  const searches: PeopleSearchRequest[] = [];
  const h = await startBotHarness(({ store, logger, clock }) => {
    const tokens = new WebexTokenService({
      store,
      vault: unusedVault,
      oauth: { refresh: () => Promise.reject(new Error('not used')) },
      logger,
      now: () => clock.now,
    });
    return {
      ...(options.commands === false
        ? {}
        : {
            commands: {
              store,
              webex: webexCommandDeps(store, tokens, logger),
              ...(options.people ? { people: fakePeople(searches) } : {}),
            },
          }),
      ...(options.tabDeepLink === false ? {} : { tabDeepLink: TAB_LINK }),
    };
  });
  return {
    org: h.org,
    channel: h.channel,
    store: h.store,
    clock: h.clock,
    searches,
    lines: h.lines,
    stop: () => h.stop(),
  };
}

type State = 'unknown' | 'needs_sign_in' | 'active' | 'linked' | 'link_expired';

function textOf(delivery: Delivery): string {
  assert.equal(delivery.status, 200);
  assert.equal(delivery.replies.length, 1, 'one reply');
  assert.ok(delivery.durationMs < 15_000, 'well within the 15 s Teams waits');
  const text = delivery.replies[0]?.text;
  assert.ok(text !== undefined, 'a text reply');
  return text;
}

interface CardAttachment {
  readonly contentType: string;
  readonly content: {
    readonly version: string;
    readonly body: readonly { readonly text?: string }[];
    readonly actions?: readonly {
      readonly type: string;
      readonly title: string;
      readonly url?: string;
      readonly verb?: string;
      readonly data?: { readonly action?: string; readonly number?: string; readonly name?: string };
    }[];
  };
}

function cardOf(delivery: Delivery): CardAttachment {
  assert.equal(delivery.status, 200);
  assert.equal(delivery.replies.length, 1, 'one reply');
  const attachment = delivery.replies[0]?.attachments[0] as CardAttachment | undefined;
  assert.ok(attachment !== undefined, 'a card reply');
  assert.equal(attachment.contentType, 'application/vnd.microsoft.card.adaptive');
  return attachment;
}

/** A reply with a list of person cards under a plain line. */
function cardsOf(delivery: Delivery): {
  readonly text: string | undefined;
  readonly cards: CardAttachment[];
} {
  assert.equal(delivery.status, 200);
  assert.equal(delivery.replies.length, 1, 'one reply');
  assert.ok(delivery.durationMs < 15_000, 'well within the 15 s Teams waits');
  const reply = delivery.replies[0]!;
  const cards = reply.attachments as CardAttachment[];
  for (const card of cards) {
    assert.equal(card.contentType, 'application/vnd.microsoft.card.adaptive');
    assertValidAdaptiveCard15(card.content);
  }
  return { text: reply.text, cards };
}

describe('CallBridgeBot personal commands, against the Bot Framework channel stand-in', function () {
  this.timeout(30_000);
  let h: Running;
  let next = 0;

  /** A fresh org user in the given state; each test gets its own so they do not interfere. */
  async function userIn(state: State): Promise<string> {
    const demo = h.org.users[next];
    next += 1;
    assert.ok(demo !== undefined, 'enough demo users');
    if (state === 'unknown') return demo.id;
    const user: User = await h.store.users.upsert({
      tenantId: DEMO_TENANT_ID,
      aadObjectId: demo.id,
      status: state === 'needs_sign_in' ? 'needs_sign_in' : 'active',
    });
    if (state === 'linked' || state === 'link_expired') {
      const linked = await h.store.users.linkWebex(user.id, {
        personId: `webex-${demo.id}`,
        orgId: 'webex-org',
      });
      assert.ok(linked.ok);
      const kinds: TokenKind[] = state === 'linked' ? ['webex_refresh', 'webex_access'] : ['webex_access'];
      for (const kind of kinds) {
        const put = await h.store.tokens.put({
          tenantId: DEMO_TENANT_ID,
          userId: user.id,
          kind,
          sealed,
          expiresAt: h.clock.now + 30 * 24 * 3600_000,
          expectedVersion: null,
        });
        assert.ok(put.ok);
      }
    }
    return demo.id;
  }

  async function storedUser(aadObjectId: string): Promise<User> {
    const user = await h.store.users.getByAadObjectId(DEMO_TENANT_ID, aadObjectId);
    assert.ok(user !== undefined);
    return user;
  }

  function submit(aadObjectId: string, action: string): Promise<Delivery> {
    const typed = h.channel.activities.personalMessage(aadObjectId, '');
    const { text: _text, attachments: _attachments, ...rest } = typed;
    return h.channel.deliver({ ...rest, value: { action } });
  }

  before(async () => {
    h = await start({ people: true });
  });
  after(async () => {
    await h.stop();
  });

  describe('help', () => {
    it('"help" (any case, extra spaces) lists what CallBridge does and the commands', async () => {
      const text = textOf(await h.channel.sendMessage(await userIn('unknown'), '  HeLp  '));
      assert.match(text, /Webex calling inside Teams/);
      for (const command of ['status', 'link webex', 'unlink webex', 'sync on', 'sync off', 'call', 'help'])
        assert.ok(text.includes(`**${command}**`), command);
      assert.doesNotMatch(text, /didn't understand/);
    });

    it('anything unknown: "I didn\'t understand …" first, then help', async () => {
      const text = textOf(await h.channel.sendMessage(await userIn('active'), 'make coffee'));
      assert.match(text, /^I didn't understand "make coffee"\./);
      assert.match(text, /\*\*sync on\*\*/);
    });
  });

  describe('status (from the store)', () => {
    it('unknown user: open the Call tab to get started', async () => {
      const text = textOf(await h.channel.sendMessage(await userIn('unknown'), 'status'));
      assert.match(
        text,
        /open the Call tab\]\(https:\/\/teams\.microsoft\.com\/l\/entity\/.+\) to get started/,
      );
    });

    it('needs sign-in, Webex not linked, sync off', async () => {
      const text = textOf(await h.channel.sendMessage(await userIn('needs_sign_in'), 'status'));
      assert.match(text, /Teams: needs sign-in/);
      assert.match(text, /Webex: not linked/);
      assert.match(text, /Presence sync: off/);
    });

    it('active without Webex', async () => {
      const text = textOf(await h.channel.sendMessage(await userIn('active'), 'Status'));
      assert.match(text, /Teams: signed in/);
      assert.match(text, /Webex: not linked/);
      assert.match(text, /Presence sync: off/);
    });

    it('active with Webex, sync on', async () => {
      const id = await userIn('linked');
      textOf(await h.channel.sendMessage(id, 'sync on'));
      const text = textOf(await h.channel.sendMessage(id, 'status'));
      assert.match(text, /Teams: signed in/);
      assert.match(text, /Webex: linked/);
      assert.match(text, /Presence sync: on/);
    });

    it('Webex link expired (refresh token gone)', async () => {
      const text = textOf(await h.channel.sendMessage(await userIn('link_expired'), 'status'));
      assert.match(text, /Webex: link expired/);
    });
  });

  describe('link webex', () => {
    it('explains that linking happens in the Call tab, with the deep link', async () => {
      const text = textOf(await h.channel.sendMessage(await userIn('active'), 'link webex'));
      assert.match(text, /Call tab/);
      assert.ok(text.includes(TAB_LINK));
      assert.match(text, /sign-in window/);
    });
  });

  describe('sync on / sync off', () => {
    async function syncRow(aadObjectId: string): Promise<boolean | undefined> {
      return (await h.store.presence.get((await storedUser(aadObjectId)).id))?.enabled;
    }

    it('active with Webex: sync on creates the row enabled, sync off disables it, repeats say "already"', async () => {
      const id = await userIn('linked');
      assert.equal(await syncRow(id), undefined);
      assert.match(textOf(await h.channel.sendMessage(id, 'sync on')), /Presence sync is on/);
      assert.equal(await syncRow(id), true);
      assert.match(textOf(await h.channel.sendMessage(id, 'SYNC   on')), /already on/);
      assert.match(textOf(await h.channel.sendMessage(id, 'sync off')), /Presence sync is off/);
      assert.equal(await syncRow(id), false);
      const row = await h.store.presence.get((await storedUser(id)).id);
      assert.equal(row?.version, 2, 'one create, one compare-and-swap update');
      assert.equal(row.rule, 'always');
    });

    it('sync off keeps the rest of the row', async () => {
      const id = await userIn('linked');
      const user = await storedUser(id);
      const created = await h.store.presence.upsert({
        userId: user.id,
        enabled: true,
        rule: 'meetings_only',
        lastSyncedAt: 5,
        lastErrorCode: null,
        lastErrorAction: null,
        teamsState: { availability: 'Busy' },
        webexState: null,
        expectedVersion: null,
      });
      assert.ok(created.ok);
      textOf(await h.channel.sendMessage(id, 'sync off'));
      const row = await h.store.presence.get(user.id);
      assert.equal(row?.enabled, false);
      assert.equal(row.rule, 'meetings_only');
      assert.deepEqual(row.teamsState, { availability: 'Busy' });
    });

    it('sync on is refused without Webex, for a user who needs sign-in, with an expired link, and for unknown users', async () => {
      const active = await userIn('active');
      assert.match(
        textOf(await h.channel.sendMessage(active, 'sync on')),
        /^Link Webex first: \[open the Call tab\]/,
      );
      assert.equal(await syncRow(active), undefined, 'nothing written');

      const needsSignIn = await userIn('needs_sign_in');
      assert.match(textOf(await h.channel.sendMessage(needsSignIn, 'sync on')), /sign in first/);
      assert.equal(await syncRow(needsSignIn), undefined);

      const expired = await userIn('link_expired');
      assert.match(textOf(await h.channel.sendMessage(expired, 'sync on')), /Webex link expired/);
      assert.equal(await syncRow(expired), undefined);

      const unknown = await userIn('unknown');
      assert.match(textOf(await h.channel.sendMessage(unknown, 'sync on')), /get started/);
      assert.equal(
        await h.store.users.getByAadObjectId(DEMO_TENANT_ID, unknown),
        undefined,
        'no user created',
      );
    });

    it('sync off works without Webex (nothing to refuse)', async () => {
      const id = await userIn('active');
      assert.match(textOf(await h.channel.sendMessage(id, 'sync off')), /Presence sync is off/);
      assert.equal(await syncRow(id), false);
    });
  });

  describe('unlink webex', () => {
    it('asks to confirm with a card; Confirm removes the tokens and the link', async () => {
      const id = await userIn('linked');
      const card = cardOf(await h.channel.sendMessage(id, 'unlink webex'));
      assertValidAdaptiveCard15(card.content);
      const [confirm, cancel] = card.content.actions ?? [];
      assert.equal(confirm?.type, 'Action.Submit');
      assert.equal(confirm.title, 'Confirm');
      assert.equal(cancel?.title, 'Cancel');
      assert.ok((await storedUser(id)).webex !== null, 'nothing changes before the confirm');

      const confirmAction = confirm.data?.action;
      assert.ok(confirmAction !== undefined);
      assert.match(textOf(await submit(id, confirmAction)), /Webex account is unlinked/);
      const user = await storedUser(id);
      assert.equal(user.webex, null);
      for (const kind of ['webex_refresh', 'webex_access'] as const)
        assert.equal(
          await h.store.tokens.get({ tenantId: DEMO_TENANT_ID, userId: user.id, kind }),
          undefined,
          kind,
        );
      assert.match(textOf(await h.channel.sendMessage(id, 'status')), /Webex: not linked/);
    });

    it('Cancel keeps the link', async () => {
      const id = await userIn('linked');
      cardOf(await h.channel.sendMessage(id, 'Unlink  Webex'));
      assert.match(textOf(await submit(id, SUBMIT_ACTIONS.unlinkCancel)), /stays linked/);
      assert.ok((await storedUser(id)).webex !== null);
    });

    it('nothing linked: says so, no card (unknown, needs sign-in, active without Webex)', async () => {
      for (const state of ['unknown', 'needs_sign_in', 'active'] as const)
        assert.match(
          textOf(await h.channel.sendMessage(await userIn(state), 'unlink webex')),
          /No Webex account is linked/,
          state,
        );
    });
  });

  describe('call <name>', () => {
    it('answers with person cards for the top matches (with "Call with Webex"), asking for 5 within 2.5 s', async () => {
      const id = await userIn('active');
      const { text, cards } = cardsOf(await h.channel.sendMessage(id, 'call megan'));
      assert.equal(text, 'People matching "megan":');
      assert.deepEqual(
        cards.map((c) => c.content.body[0]?.text),
        ['Megan Bowen', 'Megan Smith'],
      );
      assert.deepEqual(cards[0]?.content.actions, undefined, 'no number, no call button');
      const smith = cards[1]?.content.actions ?? [];
      assert.equal(smith.at(-1)?.type, 'Action.Execute');
      assert.equal(smith.at(-1)?.verb, CALL_VERB);
      assert.deepEqual(smith.at(-1)?.data, { number: '+15550100', name: 'Megan Smith' });
      const request = h.searches.at(-1);
      assert.equal(request?.query, 'megan');
      assert.equal(request.count, 5);
      assert.equal(request.skip, 0);
      assert.equal(request.deadlineMs, 2500);
      assert.equal(request.userId, (await storedUser(id)).id);
    });

    it('at most 5 cards', async () => {
      const { cards } = cardsOf(await h.channel.sendMessage(await userIn('linked'), 'Call  Alex'));
      assert.deepEqual(
        cards.map((c) => c.content.body[0]?.text),
        ['Alex 0', 'Alex 1', 'Alex 2', 'Alex 3', 'Alex 4'],
      );
    });

    it('no one found', async () => {
      assert.equal(
        textOf(await h.channel.sendMessage(await userIn('active'), 'call Zed')),
        'No one found for "Zed".',
      );
    });

    it('unknown user: get started; no name: asks for one', async () => {
      assert.match(textOf(await h.channel.sendMessage(await userIn('unknown'), 'call megan')), /get started/);
      assert.match(
        textOf(await h.channel.sendMessage(await userIn('active'), 'call')),
        /Who should I look for/,
      );
    });
  });

  describe('mentions and cards', () => {
    it('a leading @mention of the bot is removed before parsing', async () => {
      const id = await userIn('active');
      const typed = h.channel.activities.personalMessage(id, '<at>CallBridge</at>   STATUS ');
      const delivery = await h.channel.deliver({
        ...typed,
        entities: [
          ...(typed.entities ?? []),
          {
            type: 'mention',
            text: '<at>CallBridge</at>',
            mentioned: { id: typed.recipient.id, name: 'CallBridge' },
          },
        ],
      });
      assert.match(textOf(delivery), /Your CallBridge status/);
    });

    it('install: the welcome is an Adaptive Card 1.5 with "Open the Call tab" (deep link) and "Turn on presence sync"', async () => {
      const id = await userIn('linked');
      const card = cardOf(await h.channel.sendInstallationUpdate(id, 'add'));
      assert.equal(card.content.version, '1.5');
      assertValidAdaptiveCard15(card.content);
      const [open, sync] = card.content.actions ?? [];
      assert.deepEqual(
        { type: open?.type, title: open?.title, url: open?.url },
        {
          type: 'Action.OpenUrl',
          title: 'Open the Call tab',
          url: TAB_LINK,
        },
      );
      assert.equal(sync?.type, 'Action.Submit');
      assert.equal(sync.title, 'Turn on presence sync');

      // Pressing "Turn on presence sync" is "sync on".
      const action = sync.data?.action;
      assert.ok(action !== undefined);
      assert.match(textOf(await submit(id, action)), /Presence sync is on/);
      assert.equal((await h.store.presence.get((await storedUser(id)).id))?.enabled, true);
    });

    it('an unknown user pressing "Turn on presence sync" is sent to the Call tab', async () => {
      assert.match(textOf(await submit(await userIn('unknown'), SUBMIT_ACTIONS.syncOn)), /get started/);
    });

    it('logged no names or message text', () => {
      const all = h.lines().join('\n');
      assert.ok(!all.includes('Megan'));
      assert.ok(!all.includes('make coffee'));
      assert.ok(!all.includes(h.org.users[0]!.displayName));
    });
  });
});

describe('CallBridgeBot commands without optional dependencies', function () {
  this.timeout(30_000);
  let h: Running;
  after(async () => {
    await h.stop();
  });

  it('without people search: "call" says it is not available yet; without a deep link the welcome button is a Submit', async () => {
    h = await start({ people: false, tabDeepLink: false });
    const id = h.org.users[0]!.id;
    await h.store.users.upsert({ tenantId: DEMO_TENANT_ID, aadObjectId: id, status: 'active' });
    assert.match(textOf(await h.channel.sendMessage(id, 'call megan')), /People search is not available yet/);
    assert.match(
      textOf(await h.channel.sendMessage(id, 'link webex')),
      /open the \*\*Call\*\* tab \(at the top of this chat\)/,
    );

    const card = cardOf(await h.channel.sendInstallationUpdate(id, 'add'));
    assertValidAdaptiveCard15(card.content);
    const open = card.content.actions?.[0];
    assert.equal(open?.type, 'Action.Submit');
    assert.equal(open.data?.action, SUBMIT_ACTIONS.linkWebex);
    assert.match(textOf(await h.channel.sendMessage(id, 'link webex')), /Call/);
  });

  it('without command dependencies: help still answers, other commands say they are not available', async () => {
    await h.stop();
    h = await start({ people: false, commands: false });
    const id = h.org.users[1]!.id;
    assert.match(textOf(await h.channel.sendMessage(id, 'help')), /\*\*status\*\*/);
    assert.match(textOf(await h.channel.sendMessage(id, 'what')), /^I didn't understand "what"/);
    assert.match(textOf(await h.channel.sendMessage(id, 'sync on')), /not available on this CallBridge yet/);
  });
});
