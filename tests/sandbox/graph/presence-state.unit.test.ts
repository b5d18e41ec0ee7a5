import assert from 'node:assert/strict';
import { PresenceStore, type PresenceState } from '../../../sandbox/src/graph/presence-state.js';
import { FakeClock } from './support/fake-clock.js';

/**
 * Aggregation and timeouts as "Manage presence state using the Microsoft Graph API" and the
 * setPresence page document them.
 */

const MIN = 60_000;
const U = 'user-1';
const state = (availability: string, activity: string): PresenceState => ({ availability, activity });

describe('graph stand-in: presence aggregation (unit)', () => {
  let clock: FakeClock;
  let store: PresenceStore;
  let changes: string[];
  const current = (): string => {
    const v = store.view(U);
    return `${v.availability}/${v.activity}`;
  };

  beforeEach(() => {
    clock = new FakeClock(Date.UTC(2026, 5, 1, 9));
    changes = [];
    store = new PresenceStore([U], clock, (id) => changes.push(`${id}:${current()}`));
  });

  afterEach(() => {
    store.dispose();
  });

  it('shows Offline/Offline while the user has no session', () => {
    assert.equal(current(), 'Offline/Offline');
  });

  it('ranks sessions DoNotDisturb > Busy > Available > Away', () => {
    store.setAppSession(U, 'app-a', state('Away', 'Away'), 60 * MIN);
    assert.equal(current(), 'Away/Away');
    store.setAppSession(U, 'app-b', state('Available', 'Available'), 60 * MIN);
    assert.equal(current(), 'Available/Available');
    store.setTeamsClient(U, state('Busy', 'InAMeeting'));
    assert.equal(current(), 'Busy/InAMeeting');
    store.setAppSession(U, 'app-c', state('DoNotDisturb', 'Presenting'), 60 * MIN);
    assert.equal(current(), 'DoNotDisturb/Presenting');
    store.clearAppSession(U, 'app-c');
    assert.equal(current(), 'Busy/InAMeeting');
  });

  it('fades an Available app session to AvailableInactive after 5 minutes and Away after 10', async () => {
    store.setAppSession(U, 'app', state('Available', 'Available'), 60 * MIN);
    await clock.advance(5 * MIN - 1);
    assert.equal(current(), 'Available/Available');
    await clock.advance(1);
    assert.equal(current(), 'Available/AvailableInactive');
    await clock.advance(5 * MIN);
    assert.equal(current(), 'Away/Away');
    assert.deepEqual(changes, [
      `${U}:Available/Available`,
      `${U}:Available/AvailableInactive`,
      `${U}:Away/Away`,
    ]);
  });

  it('restarts the fade when the app sets the session again (keep-alive)', async () => {
    store.setAppSession(U, 'app', state('Available', 'Available'), 60 * MIN);
    await clock.advance(4 * MIN);
    store.setAppSession(U, 'app', state('Available', 'Available'), 60 * MIN);
    await clock.advance(4 * MIN);
    assert.equal(current(), 'Available/Available');
  });

  it('does not fade Busy sessions, and drops any session at its expiry (user goes Offline)', async () => {
    store.setAppSession(U, 'app', state('Busy', 'InACall'), 15 * MIN);
    await clock.advance(15 * MIN - 1);
    assert.equal(current(), 'Busy/InACall');
    await clock.advance(1);
    assert.equal(current(), 'Offline/Offline');
    assert.equal(store.view(U).sessions.length, 0);
  });

  it('lets the user-preferred state override sessions, but only while a session exists', () => {
    store.setPreferred(U, state('DoNotDisturb', 'DoNotDisturb'), 24 * 60 * MIN);
    assert.equal(current(), 'Offline/Offline', 'no session: preferred presence has no effect');
    store.setAppSession(U, 'app', state('Busy', 'InACall'), 30 * MIN);
    assert.equal(current(), 'DoNotDisturb/DoNotDisturb');
    store.clearPreferred(U);
    assert.equal(current(), 'Busy/InACall');
  });

  it('expires the preferred state on the clock', async () => {
    store.setTeamsClient(U, state('Available', 'Available'));
    store.setPreferred(U, state('Busy', 'Busy'), 60 * MIN);
    assert.equal(current(), 'Busy/Busy');
    await clock.advance(60 * MIN);
    assert.equal(current(), 'Available/Available');
  });

  it('bumps the sequence number only when the aggregate changes', () => {
    const first = store.view(U).sequenceNumber;
    store.setAppSession(U, 'a', state('Busy', 'InACall'), 30 * MIN);
    const second = store.view(U).sequenceNumber;
    store.setAppSession(U, 'b', state('Available', 'Available'), 30 * MIN);
    assert.equal(store.view(U).sequenceNumber, second, 'Busy still wins, nothing changed');
    assert.ok(second > first, 'sequence numbers sort lexicographically');
    assert.equal(changes.length, 1);
  });

  it('reports per-session state with the fade applied', async () => {
    store.setTeamsClient(U, state('Busy', 'InAMeeting'));
    store.setAppSession(U, 'app', state('Available', 'Available'), 60 * MIN);
    await clock.advance(6 * MIN);
    const sessions = Object.fromEntries(
      store.view(U).sessions.map((s) => [s.id, `${s.availability}/${s.activity}`]),
    );
    assert.deepEqual(sessions, { 'teams-client': 'Busy/InAMeeting', app: 'Available/AvailableInactive' });
  });
});
