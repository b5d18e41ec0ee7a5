import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { REQUIRED_GRAPH_PERMISSIONS } from '../../../bot/src/admin-consent/required-permissions.js';
import { requestRecheck } from '../../../bot/src/presence-sync/engine/sweeps.js';
import type { DemoUser } from '../../../sandbox/src/seed/org.js';
import { useCallTabWorld, type CallTabWorld } from '../call-tab/world.js';

/**
 * Presence sync end to end in the sandbox: the composed service with its daemons, Graph
 * subscriptions delivering to the service, Webex webhooks signed by the stand-in, and the
 * stand-ins' controls playing the user (a Webex call, a Webex meeting, a Teams meeting, Teams DND).
 */

const SETTLE_MS = 20_000;

/** Waits until `probe` holds (the sync is asynchronous by design); fails with `what` otherwise. */
async function eventually(what: string, probe: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await delay(100);
  }
  assert.fail(`timed out waiting for: ${what}`);
}

describe('presence sync end to end (sandbox)', function () {
  this.timeout(120_000);
  const world = useCallTabWorld();
  let w: CallTabWorld;
  let user: DemoUser;
  let personId: string;

  /** A fresh Webex Calling user, linked, signed in for background Graph, enrolled with rule `always`. */
  async function enrol(): Promise<{ user: DemoUser; personId: string }> {
    const demo = w.callingUser();
    const person = await w.linkWebex(demo);
    // Background Graph sign-in (a stored refresh token), as the Call tab does on load.
    const signIn = await w.api(demo.id, 'POST', '/api/auth/token');
    assert.ok(signIn.status < 300, signIn.text);
    // An admin consented tenant-wide (the admin consent flow records this).
    await w.store.tenantConsents.record({
      tenantId: w.sandbox.org.tenantId,
      grantedBy: 'unknown',
      grantedAt: Date.now(),
      scopes: REQUIRED_GRAPH_PERMISSIONS.filter((p) => p.type === 'Scope').map((p) => p.name),
      roles: REQUIRED_GRAPH_PERMISSIONS.filter((p) => p.type === 'Role').map((p) => p.name),
    });
    const enabled = await w.api(demo.id, 'PUT', '/api/presence-sync', { enabled: true, rule: 'always' });
    assert.equal(enabled.status, 200, enabled.text);
    await eventually('a presence subscription covering the user', () =>
      w.sandbox.standIns.graph.subscriptions.list().some((s) => JSON.stringify(s).includes(demo.id)),
    );
    await eventually('a Webex telephony_calls webhook for the user', () =>
      w.sandbox.standIns.webex
        .webhooks()
        .some((h) => h.resource === 'telephony_calls' && h.createdBy === person),
    );
    return { user: demo, personId: person };
  }

  before(async function () {
    w = world();
    ({ user, personId } = await enrol());
  });

  const presence = (): { availability: string; activity: string } => {
    const view = w.sandbox.standIns.graph.presence.get(user.id);
    return { availability: view.availability, activity: view.activity };
  };
  const webexDnd = (): boolean => w.sandbox.standIns.webex.getDnd(personId).enabled;

  it('a Webex call shows Busy/InACall in Teams, and hanging up clears it', async () => {
    w.sandbox.standIns.graph.presence.setTeamsClient(user.id, 'available');
    const call = w.sandbox.standIns.webex.startCall(personId, '+12065550142');
    await eventually('Teams shows Busy/InACall', () => presence().activity === 'InACall');
    assert.equal(presence().availability, 'Busy');
    // Our own session must not come back as a Teams call holding Webex (rule "always").
    await delay(1_500);
    assert.equal(webexDnd(), false, 'no echo: Webex DND stays off during our own InACall');

    w.sandbox.standIns.webex.remoteHangup(call.callId);
    await eventually('the app session is cleared', () =>
      w.sandbox.standIns.graph.presence.get(user.id).sessions.every((s) => s.source !== 'app'),
    );
    assert.equal(presence().activity, 'Available');
  });

  it('a Teams meeting turns Webex DND on, and the end of it turns it off', async () => {
    w.sandbox.standIns.graph.presence.setTeamsClient(user.id, 'meeting');
    await eventually('Webex DND on', () => webexDnd());
    w.sandbox.standIns.graph.presence.setTeamsClient(user.id, 'available');
    await eventually('Webex DND off', () => !webexDnd());
  });

  it('leaves a Teams DND the user set alone, and a Webex DND they set too', async () => {
    const graph = w.sandbox.standIns.graph;
    graph.presence.setDoNotDisturb(user.id, true);
    await eventually('Webex DND follows Teams DND (rule always)', () => webexDnd());
    const call = w.sandbox.standIns.webex.startCall(personId, '+12065550143');
    await delay(2_000);
    const view = graph.presence.get(user.id);
    assert.equal(view.availability, 'DoNotDisturb');
    assert.ok(view.preferred !== undefined, 'the user-set presence is still there');
    assert.ok(
      view.sessions.every((s) => s.source !== 'app'),
      'no app session started over the user DND',
    );
    w.sandbox.standIns.webex.remoteHangup(call.callId);
    graph.presence.setDoNotDisturb(user.id, false);
    await eventually('our Webex DND undone', () => !webexDnd());

    // Webex DND the user set themselves survives a Teams meeting ending.
    w.sandbox.standIns.webex.setDnd(personId, true);
    graph.presence.setTeamsClient(user.id, 'meeting');
    await delay(1_500);
    graph.presence.setTeamsClient(user.id, 'available');
    await delay(2_000);
    assert.equal(webexDnd(), true, "the user's own Webex DND is left on");
    w.sandbox.standIns.webex.setDnd(personId, false);
  });

  it('switching sync off undoes what it set: the Teams session and the Webex DND', async () => {
    // Another user: the first one used up this minute's writes (damping holds a fifth).
    const other = await enrol();
    const graph = w.sandbox.standIns.graph;
    const webex = w.sandbox.standIns.webex;
    const call = webex.startCall(other.personId, '+12065550144');
    await eventually(
      'Teams shows Busy/InACall',
      () => graph.presence.get(other.user.id).activity === 'InACall',
    );
    graph.presence.setTeamsClient(other.user.id, 'meeting');
    await eventually('Webex DND on', () => webex.getDnd(other.personId).enabled);

    const off = await w.api(other.user.id, 'PUT', '/api/presence-sync', { enabled: false });
    assert.equal(off.status, 200, off.text);
    await eventually('the app session is cleared', () =>
      graph.presence.get(other.user.id).sessions.every((s) => s.source !== 'app'),
    );
    await eventually('our Webex DND undone', () => !webex.getDnd(other.personId).enabled);
    webex.remoteHangup(call.callId);
  });

  it('a Webex meeting and presenting in it reach Teams at the next recheck round, and clear when it ends', async () => {
    // Another user: earlier tests used up this minute's writes of the first one (damping).
    const other = await enrol();
    const graph = w.sandbox.standIns.graph;
    const internal = await w.store.users.getByAadObjectId(w.sandbox.org.tenantId, other.user.id);
    assert.ok(internal !== undefined);
    const control = async (path: string, body: unknown): Promise<void> => {
      const response = await fetch(`${w.sandbox.urls.webex}/_sandbox/webex/people/${other.personId}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(response.status, 200, await response.text());
    };
    let round = 0;
    // What the reconciliation sweep enqueues for each enrolled user, without waiting for its tick.
    const recheckRound = async (): Promise<void> => {
      round += 1;
      assert.ok(
        await requestRecheck(
          w.store,
          internal.id,
          ['webex'],
          'reconcile',
          `e2e-${String(round)}`,
          Date.now(),
        ),
      );
    };
    const teams = (): string => {
      const view = graph.presence.get(other.user.id);
      return `${view.availability}/${view.activity}`;
    };
    const appSession = (): boolean =>
      graph.presence.get(other.user.id).sessions.some((s) => s.source === 'app');

    graph.presence.setTeamsClient(other.user.id, 'available');
    await control('/meeting', { inMeeting: true });
    await recheckRound();
    await eventually('Teams shows Busy/InAConferenceCall', () => teams() === 'Busy/InAConferenceCall');

    await control('/presenting', { presenting: true });
    await recheckRound();
    await eventually('Teams shows DoNotDisturb/Presenting', () => teams() === 'DoNotDisturb/Presenting');
    // Our own session is not the user's Teams DND or meeting: it holds no Webex calls (rule always).
    assert.equal(w.sandbox.standIns.webex.getDnd(other.personId).enabled, false, 'no echo to Webex');

    await control('/meeting', { inMeeting: false });
    await recheckRound();
    await eventually('the app session is cleared', () => !appSession());
    assert.equal(teams(), 'Available/Available');
    assert.equal(w.sandbox.standIns.webex.getDnd(other.personId).enabled, false);
  });

  it('names each part once in its log lines (no repeated keys from nested loggers)', () => {
    const componentLines = w.lines().filter((line) => line.includes('"component":'));
    assert.ok(componentLines.length > 0, "the service's parts logged during the suite");
    for (const line of componentLines) assert.equal(line.match(/"component":/g)?.length, 1, line);
  });
});
