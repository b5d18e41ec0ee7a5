import assert from 'node:assert/strict';
import {
  afterTeamsClear,
  decide,
  DEFAULT_ENGINE_CONFIG,
  type DecideInput,
  withTeamsSession,
} from '../../../../bot/src/presence-sync/engine/decide.js';
import { emptyMemory, readMemory, type SyncMemory } from '../../../../bot/src/presence-sync/engine/memory.js';

const NOW = 1_000_000_000;
const config = DEFAULT_ENGINE_CONFIG;
const IN_CALL = { availability: 'Busy', activity: 'InACall' } as const;

function input(overrides: Partial<DecideInput> = {}): DecideInput {
  return {
    now: NOW,
    config,
    rule: 'always',
    enabled: true,
    memory: emptyMemory(),
    statusPort: false,
    ...overrides,
  };
}

function withSession(memory: SyncMemory, at = NOW): SyncMemory {
  return { ...memory, teams: withTeamsSession(memory.teams, IN_CALL, at, config, 'confirmed') };
}

describe('presence decision core', function () {
  it('maps a connected, held or conference Webex call to the Teams session of the table', function () {
    const one = decide(input({ webex: { calls: [{ id: 'c1', state: 'connected' }] } }));
    assert.deepEqual(one.teams, { kind: 'set', state: IN_CALL, reason: 'start' });
    const held = decide(input({ webex: { calls: [{ id: 'c1', state: 'held' }] } }));
    assert.equal(held.teams?.kind, 'set');
    const two = decide(
      input({
        webex: {
          calls: [
            { id: 'c1', state: 'connected' },
            { id: 'c2', state: 'held' },
          ],
        },
      }),
    );
    assert.deepEqual(two.teams, {
      kind: 'set',
      state: { availability: 'Busy', activity: 'InAConferenceCall' },
      reason: 'start',
    });
    const ringing = decide(input({ webex: { calls: [{ id: 'c1', state: 'alerting' }] } }));
    assert.equal(ringing.teams, undefined);
  });

  it('presenting in a Webex meeting shows DoNotDisturb/Presenting; a meeting Busy/InAConferenceCall', function () {
    const presenting = decide(input({ meeting: { inMeeting: true, presenting: true } }));
    assert.deepEqual(presenting.teams, {
      kind: 'set',
      state: { availability: 'DoNotDisturb', activity: 'Presenting' },
      reason: 'start',
    });
    const meeting = decide(input({ meeting: { inMeeting: true, presenting: false } }));
    assert.equal(
      meeting.teams?.kind === 'set' ? meeting.teams.state.activity : undefined,
      'InAConferenceCall',
    );
  });

  it('clears our session when the call ends and keeps recognising it while Graph still reports it', function () {
    const memory = withSession(emptyMemory(), NOW - 10_000);
    const ended = decide(input({ memory, webex: { calls: [] } }));
    assert.deepEqual(ended.teams, { kind: 'clear' });

    const cleared = { ...ended.memory, teams: afterTeamsClear(ended.memory.teams, NOW, config) };
    // Graph lags: a read a moment later still shows Busy/InACall. It is ours, not a Teams call.
    const late = decide(input({ now: NOW + 5_000, memory: cleared, teams: IN_CALL }));
    assert.equal(late.echoSuppressed, true);
    assert.equal(late.webexDnd, undefined);
    // Once the echo window is over, the same state is the user's own.
    const later = decide(input({ now: NOW + config.echoWindowMs + 1, memory: cleared, teams: IN_CALL }));
    assert.equal(later.echoSuppressed, false);
    assert.equal(later.webexDnd, 'on');
  });

  it('never mirrors our own Teams session back to Webex', function () {
    const memory = withSession(emptyMemory());
    const decision = decide(input({ memory, teams: IN_CALL }));
    assert.equal(decision.echoSuppressed, true);
    assert.equal(decision.webexDnd, undefined);
  });

  it('holds Webex calls per the user rule and undoes only the DND it set', function () {
    const meeting = { availability: 'Busy', activity: 'InAMeeting' };
    assert.equal(decide(input({ rule: 'meetings_only', teams: meeting })).webexDnd, 'on');
    assert.equal(decide(input({ rule: 'meetings_only', teams: IN_CALL })).webexDnd, undefined);
    assert.equal(decide(input({ rule: 'never', teams: meeting })).webexDnd, undefined);
    assert.equal(decide(input({ rule: 'always', teams: IN_CALL })).webexDnd, 'on');

    const free = { availability: 'Available', activity: 'Available' };
    const ours: SyncMemory = { ...emptyMemory(), webex: { ...emptyMemory().webex, dnd: 'ours' } };
    assert.equal(decide(input({ memory: ours, teams: free })).webexDnd, 'off');
    const theirs: SyncMemory = { ...emptyMemory(), webex: { ...emptyMemory().webex, dnd: 'user' } };
    const left = decide(input({ memory: theirs, teams: free }));
    assert.equal(left.webexDnd, undefined);
    assert.equal(left.memory.webex.dnd, 'none');
  });

  it("treats Teams' automatic decay as not busy, and writes nothing when we hold nothing", function () {
    for (const activity of ['Away', 'AvailableInactive', 'BeRightBack']) {
      const decision = decide(input({ teams: { availability: 'Away', activity } }));
      assert.equal(decision.webexDnd, undefined);
      assert.equal(decision.teams, undefined);
    }
  });

  it('does not start a session over a Teams DND the user set', function () {
    const decision = decide(
      input({
        teams: { availability: 'DoNotDisturb', activity: 'DoNotDisturb' },
        webex: { calls: [{ id: 'c1', state: 'connected' }] },
      }),
    );
    assert.equal(decision.teams, undefined);
    assert.equal(decision.yieldedToUser, true);
  });

  it('keeps the session alive before it expires, not before', function () {
    const calls = { calls: [{ id: 'c1', state: 'connected' }] };
    const fresh = decide(input({ memory: withSession(emptyMemory()), webex: calls }));
    assert.equal(fresh.teams, undefined);
    const old = withSession(emptyMemory(), NOW - config.sessionMs + config.keepAliveLeadMs - 1);
    assert.deepEqual(decide(input({ memory: old, webex: calls })).teams, {
      kind: 'set',
      state: IN_CALL,
      reason: 'keep_alive',
    });
  });

  it('damps rapid toggles: a fifth write within a minute waits for the window', function () {
    const memory: SyncMemory = {
      ...emptyMemory(),
      teams: { ...emptyMemory().teams, writes: [NOW - 50_000, NOW - 40_000, NOW - 30_000, NOW - 20_000] },
    };
    const decision = decide(input({ memory, webex: { calls: [{ id: 'c1', state: 'connected' }] } }));
    assert.equal(decision.teams, undefined);
    assert.equal(decision.deferUntil, NOW + 10_000);
  });

  it('orders reordered webhook deliveries by event time and trusts them over a lagging REST listing', function () {
    const first = decide(
      input({
        callEvents: [
          { callId: 'c1', state: 'disconnected', ts: NOW - 1_000 },
          { callId: 'c1', state: 'connected', ts: NOW - 2_000 },
        ],
        webex: { calls: [{ id: 'c1', state: 'connected' }] },
      }),
    );
    assert.equal(first.webexActivity, 'none');
    assert.equal(first.teams, undefined);
  });

  it('releases everything it holds when sync is switched off', function () {
    const memory: SyncMemory = {
      ...withSession(emptyMemory()),
      webex: { ...emptyMemory().webex, dnd: 'ours' },
    };
    const decision = decide(
      input({ enabled: false, memory, webex: { calls: [{ id: 'c1', state: 'connected' }] } }),
    );
    assert.deepEqual(decision.teams, { kind: 'clear' });
    assert.equal(decision.webexDnd, 'off');
  });

  it('after a crash mid-write, treats the unconfirmed session as ours and posts it again', function () {
    const memory: SyncMemory = {
      ...emptyMemory(),
      teams: withTeamsSession(emptyMemory().teams, IN_CALL, NOW - 1_000, config, 'intended'),
      webex: { ...emptyMemory().webex, dnd: 'pending_off' },
    };
    const decision = decide(
      input({ memory, teams: IN_CALL, webex: { calls: [{ id: 'c1', state: 'connected' }] } }),
    );
    assert.equal(decision.echoSuppressed, true);
    assert.deepEqual(decision.teams, { kind: 'set', state: IN_CALL, reason: 'change' });
    assert.equal(decision.webexDnd, undefined, 'hidden behind our session: Webex left as it is');
  });

  it('reads unreadable stored memory as empty rather than failing the user', function () {
    const memory = readMemory('garbage', { dnd: 'nonsense' });
    assert.deepEqual(memory, emptyMemory());
  });
});
