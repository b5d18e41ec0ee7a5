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

  describe('Webex meetings polled from Person.status', function () {
    const MEETING = { availability: 'Busy', activity: 'InAConferenceCall' } as const;
    const PRESENTING = { availability: 'DoNotDisturb', activity: 'Presenting' } as const;
    const inMeeting = (memory: SyncMemory, presenting = false): SyncMemory => ({
      ...memory,
      webex: { ...memory.webex, meeting: { inMeeting: true, presenting } },
    });
    const meetingSession = (memory: SyncMemory, state: typeof MEETING | typeof PRESENTING): SyncMemory => ({
      ...memory,
      teams: withTeamsSession(memory.teams, state, NOW - 60_000, config, 'confirmed'),
    });

    it('shows a meeting as Busy/InAConferenceCall and presenting as DoNotDisturb/Presenting', function () {
      const meeting = decide(input({ personStatus: 'meeting', webex: { calls: [] } }));
      assert.deepEqual(meeting.teams, { kind: 'set', state: MEETING, reason: 'start' });
      assert.deepEqual(meeting.memory.webex.meeting, { inMeeting: true, presenting: false });
      const presenting = decide(input({ personStatus: 'presenting', webex: { calls: [] } }));
      assert.deepEqual(presenting.teams, { kind: 'set', state: PRESENTING, reason: 'start' });
    });

    it('clears the session when the status shows the meeting is over', function () {
      for (const status of ['active', 'inactive', 'OutOfOffice', 'pending', 'unknown']) {
        const memory = meetingSession(inMeeting(emptyMemory()), MEETING);
        const over = decide(input({ memory, personStatus: status, webex: { calls: [] } }));
        assert.deepEqual(over.teams, { kind: 'clear' }, status);
        assert.deepEqual(over.memory.webex.meeting, { inMeeting: false, presenting: false });
      }
    });

    it('keeps the meeting as last seen while a call outranks it in the status', function () {
      const memory = meetingSession(inMeeting(emptyMemory()), MEETING);
      const call = decide(
        input({ memory, personStatus: 'call', webex: { calls: [{ id: 'c1', state: 'connected' }] } }),
      );
      assert.equal(call.teams, undefined, 'still Busy/InAConferenceCall: a meeting outranks a call');
      assert.equal(call.memory.webex.meeting?.inMeeting, true);
    });

    it("never mirrors a Webex DoNotDisturb to Teams, the user's or ours", function () {
      const theirs = decide(input({ personStatus: 'DoNotDisturb', webex: { calls: [] } }));
      assert.equal(theirs.teams, undefined);
      const oursMemory: SyncMemory = {
        ...inMeeting(emptyMemory()),
        webex: { ...inMeeting(emptyMemory()).webex, dnd: 'ours' },
      };
      const ours = decide(input({ memory: oursMemory, personStatus: 'DoNotDisturb', webex: { calls: [] } }));
      assert.equal(ours.teams, undefined, 'no session started from a DoNotDisturb');
      assert.equal(ours.webexDnd, undefined);
    });

    it('our own Calling DND shown as DoNotDisturb ends a meeting session once, then nothing moves (no loop)', function () {
      const MEETING_ACTIVITY = { availability: 'Busy', activity: 'InAMeeting' };
      const base = meetingSession(inMeeting(emptyMemory(), true), PRESENTING);
      // We set the Calling DND because the user's own Teams presence is in a Teams meeting.
      const memory: SyncMemory = { ...base, webex: { ...base.webex, dnd: 'ours' } };
      const first = decide(input({ memory, personStatus: 'DoNotDisturb', webex: { calls: [] } }));
      assert.deepEqual(first.teams, { kind: 'clear' }, 'no DoNotDisturb/Presenting left hiding Teams');
      assert.equal(first.webexDnd, undefined);

      // Next rounds: Teams shows the user's own meeting, Webex still shows our DND: nothing to write.
      let next: SyncMemory = { ...first.memory, teams: afterTeamsClear(first.memory.teams, NOW, config) };
      for (const at of [NOW + config.echoWindowMs + 1, NOW + config.echoWindowMs + 60_000]) {
        const round = decide(
          input({
            now: at,
            memory: next,
            teams: MEETING_ACTIVITY,
            personStatus: 'DoNotDisturb',
            webex: { calls: [] },
          }),
        );
        assert.equal(round.teams, undefined);
        assert.equal(round.webexDnd, undefined);
        next = round.memory;
      }
    });

    it("takes the status port's meeting state over a polled Person.status", function () {
      const decision = decide(
        input({ meeting: { inMeeting: false, presenting: false }, personStatus: 'presenting' }),
      );
      assert.equal(decision.teams, undefined);
    });
  });

  it('reads unreadable stored memory as empty rather than failing the user', function () {
    const memory = readMemory('garbage', { dnd: 'nonsense' });
    assert.deepEqual(memory, emptyMemory());
  });
});
