import assert from 'node:assert/strict';
import { PresenceModel } from '../../../sandbox/src/webex/presence.js';

/** The Webex App status model: explicit statuses with TTL and setter, else derived. */
describe('Webex stand-in: presence model (unit)', () => {
  let now: number;
  let inCall: boolean;
  let presence: PresenceModel;

  beforeEach(() => {
    now = 1_000_000;
    inCall = false;
    presence = new PresenceModel(
      () => now,
      () => inCall,
    );
    presence.register('p', now);
  });

  it('lets the person’s dnd and ooo win over calls and meetings', () => {
    inCall = true;
    presence.setInMeeting('p', true);
    presence.setStatus('p', 'dnd', undefined, 'user');
    assert.equal(presence.status('p'), 'DoNotDisturb');
    presence.setStatus('p', 'ooo', undefined, 'user');
    assert.equal(presence.status('p'), 'OutOfOffice');
  });

  it('shows what the person is doing over an explicit active/inactive', () => {
    presence.setStatus('p', 'inactive', undefined, 'app');
    assert.equal(presence.status('p'), 'inactive');
    inCall = true;
    assert.equal(presence.status('p'), 'call');
    presence.setPresenting('p', true);
    assert.equal(presence.status('p'), 'presenting');
    assert.equal(presence.snapshot('p').inMeeting, true, 'presenting implies the meeting');
    presence.setInMeeting('p', false);
    assert.equal(presence.snapshot('p').presenting, false, 'leaving the meeting stops presenting');
  });

  it('expires an explicit status at its TTL, treating 0 as no expiry', () => {
    presence.setStatus('p', 'dnd', 30, 'app');
    now += 29_999;
    assert.equal(presence.status('p'), 'DoNotDisturb');
    now += 1;
    assert.equal(presence.status('p'), 'active');
    presence.setStatus('p', 'dnd', 0, 'user');
    now += 10 ** 9;
    assert.equal(presence.snapshot('p').explicit?.setBy, 'user');
    assert.equal(presence.status('p'), 'DoNotDisturb');
  });

  it('goes inactive 10 minutes after the last activity and pending without any', () => {
    now += 10 * 60 * 1000;
    assert.equal(presence.status('p'), 'active');
    now += 1;
    assert.equal(presence.status('p'), 'inactive');
    presence.setLastActivity('p', null);
    assert.equal(presence.status('p'), 'pending');
  });

  it('keeps a history of who set what', () => {
    presence.setStatus('p', 'dnd', 60, 'user');
    presence.setStatus('p', 'active', 60, 'app');
    assert.deepEqual(
      presence.history('p').map((h) => [h.status, h.setBy, h.expiresAt]),
      [
        ['dnd', 'user', now + 60_000],
        ['active', 'app', now + 60_000],
      ],
    );
    assert.throws(() => presence.status('unknown'), /unknown Webex person/);
  });
});
