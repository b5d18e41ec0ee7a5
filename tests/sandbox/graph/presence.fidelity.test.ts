import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { APP_ID, graphError, items, startHarness, type Harness } from './support/harness.js';

/**
 * Presence over HTTP, from "Get presence" (shape and permissions), "getPresencesByUserId" (≤ 650
 * ids), "setPresence" (sessionId = app id, supported combinations, PT5M–PT4H, 200 OK),
 * "clearPresence", "setUserPreferredPresence" (combinations, default expiry 1 day for DND/Busy,
 * 7 days otherwise) and the aggregation rules of "Manage presence state".
 */
describe('graph stand-in: presence (fidelity)', () => {
  let h: Harness;
  let writer: string;
  let reader: string;
  const MIN = 60_000;
  const me = (): ReturnType<Harness['user']> => h.user(0);
  const presenceOf = async (): Promise<string> => {
    // A fresh token each time: several tests move the clock past a token's lifetime.
    const res = await h.call('GET', '/me/presence', { token: await h.delegated(me(), 'Presence.Read') });
    return `${String(res.json.availability)}/${String(res.json.activity)}`;
  };
  const set = (body: Record<string, unknown>): ReturnType<Harness['call']> =>
    h.call('POST', `/users/${me().id}/presence/setPresence`, {
      token: writer,
      body: { sessionId: APP_ID, ...body },
    });

  beforeEach(async () => {
    h = await startHarness();
    writer = await h.app(['Presence.ReadWrite.All']);
    reader = await h.delegated(me(), 'Presence.Read');
  });
  afterEach(async () => {
    await h.close();
  });

  it('GET /me/presence returns the documented presence object (Offline without sessions)', async () => {
    const res = await h.call('GET', '/me/presence', { token: reader });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.json), [
      '@odata.context',
      'id',
      'availability',
      'activity',
      'statusMessage',
      'outOfOfficeSettings',
      'sequenceNumber',
    ]);
    assert.equal(res.json['@odata.context'], `${h.root}/$metadata#users('${me().id}')/presence/$entity`);
    assert.equal(res.json.id, me().id);
    assert.equal(res.json.availability, 'Offline');
    assert.equal(res.json.activity, 'Offline');
    assert.equal(res.json.statusMessage, null);
    assert.deepEqual(res.json.outOfOfficeSettings, { message: null, isOutOfOffice: false });
  });

  it('setPresence answers 200 with no body and the session shows in the aggregate', async () => {
    const res = await set({ availability: 'Busy', activity: 'InACall', expirationDuration: 'PT1H' });
    assert.equal(res.status, 200);
    assert.equal(res.text, '');
    assert.equal(await presenceOf(), 'Busy/InACall');
  });

  it('accepts exactly the documented setPresence combinations', async () => {
    for (const [availability, activity] of [
      ['Available', 'Available'],
      ['Busy', 'InACall'],
      ['Busy', 'InAConferenceCall'],
      ['Away', 'Away'],
      ['DoNotDisturb', 'Presenting'],
    ]) {
      assert.equal((await set({ availability, activity })).status, 200, `${availability}/${activity}`);
    }
    for (const [availability, activity] of [
      ['Busy', 'InAMeeting'],
      ['Available', 'OutOfOffice'],
      ['DoNotDisturb', 'DoNotDisturb'],
      ['Offline', 'OffWork'],
    ]) {
      const res = await set({ availability, activity });
      assert.equal(res.status, 400, `${availability}/${activity}`);
      assert.equal(graphError(res).code, 'BadRequest');
    }
  });

  it('requires sessionId to be the calling app id', async () => {
    const res = await h.call('POST', `/users/${me().id}/presence/setPresence`, {
      token: writer,
      body: { sessionId: randomUUID(), availability: 'Available', activity: 'Available' },
    });
    assert.equal(res.status, 400);
    assert.match(graphError(res).message, /sessionId must be the id of the calling application/);
  });

  it('accepts expirationDuration from PT5M to PT4H and defaults to PT5M', async () => {
    for (const d of ['PT4M', 'PT4H1M', 'one hour']) {
      assert.equal(
        (await set({ availability: 'Busy', activity: 'InACall', expirationDuration: d })).status,
        400,
        d,
      );
    }
    assert.equal((await set({ availability: 'Busy', activity: 'InACall' })).status, 200);
    await h.clock.advance(5 * MIN - 1);
    assert.equal(await presenceOf(), 'Busy/InACall');
    await h.clock.advance(1);
    assert.equal(await presenceOf(), 'Offline/Offline', 'the session expired after the default 5 minutes');
  });

  it('fades Available to AvailableInactive after 5 minutes and Away after 10, as documented', async () => {
    await set({ availability: 'Available', activity: 'Available', expirationDuration: 'PT1H' });
    await h.clock.advance(5 * MIN);
    assert.equal(await presenceOf(), 'Available/AvailableInactive');
    await h.clock.advance(5 * MIN);
    assert.equal(await presenceOf(), 'Away/Away');
  });

  it("aggregates the app session with the user's Teams client by precedence", async () => {
    h.graph.presence.setTeamsClient(me().id, 'meeting');
    await set({ availability: 'Available', activity: 'Available', expirationDuration: 'PT1H' });
    assert.equal(await presenceOf(), 'Busy/InAMeeting', 'Busy beats Available');
    await set({ availability: 'DoNotDisturb', activity: 'Presenting', expirationDuration: 'PT1H' });
    assert.equal(await presenceOf(), 'DoNotDisturb/Presenting', 'DoNotDisturb beats Busy');
    const detail = h.graph.presence.get(me().id);
    assert.deepEqual(
      detail.sessions.map((s) => [s.id, s.availability, s.activity]),
      [
        ['teams-client', 'Busy', 'InAMeeting'],
        [APP_ID, 'DoNotDisturb', 'Presenting'],
      ],
    );
  });

  it('clearPresence removes only the calling app session', async () => {
    h.graph.presence.setTeamsClient(me().id, 'available');
    await set({ availability: 'Busy', activity: 'InACall', expirationDuration: 'PT1H' });
    const res = await h.call('POST', `/users/${me().id}/presence/clearPresence`, {
      token: writer,
      body: { sessionId: APP_ID },
    });
    assert.equal(res.status, 200);
    assert.equal(await presenceOf(), 'Available/Available');
  });

  it('user-preferred presence overrides sessions, with the documented default expiries', async () => {
    const path = `/users/${me().id}/presence/setUserPreferredPresence`;
    h.graph.presence.setTeamsClient(me().id, 'call');
    assert.equal(
      (
        await h.call('POST', path, {
          token: writer,
          body: { availability: 'DoNotDisturb', activity: 'DoNotDisturb' },
        })
      ).status,
      200,
    );
    assert.equal(await presenceOf(), 'DoNotDisturb/DoNotDisturb');
    await h.clock.advance(24 * 60 * MIN);
    assert.equal(await presenceOf(), 'Busy/InACall', 'DoNotDisturb preference expired after 1 day');
    writer = await h.app(['Presence.ReadWrite.All']);
    await h.call('POST', path, { token: writer, body: { availability: 'Away', activity: 'Away' } });
    await h.clock.advance(6 * 24 * 60 * MIN);
    assert.equal(await presenceOf(), 'Away/Away', 'Away preference lasts 7 days');
    writer = await h.app(['Presence.ReadWrite.All']);
    const bad = await h.call('POST', path, {
      token: writer,
      body: { availability: 'Busy', activity: 'InACall' },
    });
    assert.equal(bad.status, 400);
    assert.equal(
      (await h.call('POST', `/users/${me().id}/presence/clearUserPreferredPresence`, { token: writer }))
        .status,
      200,
    );
    assert.equal(await presenceOf(), 'Busy/InACall');
  });

  it('getPresencesByUserId returns a presence collection, PresenceUnknown for unknown ids, at most 650', async () => {
    const token = await h.delegated(me(), 'Presence.Read.All');
    h.graph.presence.setTeamsClient(h.user(1).id, 'presenting');
    const unknown = randomUUID();
    const res = await h.call('POST', '/communications/getPresencesByUserId', {
      token,
      body: { ids: [h.user(1).id, unknown] },
    });
    assert.equal(res.status, 200);
    assert.equal(res.json['@odata.context'], `${h.root}/$metadata#Collection(microsoft.graph.presence)`);
    assert.deepEqual(
      items(res).map((p) => [p.id, p.availability, p.activity]),
      [
        [h.user(1).id, 'DoNotDisturb', 'Presenting'],
        [unknown, 'PresenceUnknown', 'PresenceUnknown'],
      ],
    );
    const tooMany = Array.from({ length: 651 }, () => randomUUID());
    assert.equal(
      (await h.call('POST', '/communications/getPresencesByUserId', { token, body: { ids: tooMany } }))
        .status,
      400,
    );
    const narrow = await h.call('POST', '/communications/getPresencesByUserId', {
      token: reader,
      body: { ids: [unknown] },
    });
    assert.equal(narrow.status, 403, 'Presence.Read covers only the signed-in user');
  });

  it('checks presence permissions per token kind', async () => {
    const other = await h.call('GET', `/users/${h.user(1).id}/presence`, { token: reader });
    assert.equal(other.status, 403);
    const app = await h.call('GET', `/users/${h.user(1).id}/presence`, {
      token: await h.app(['Presence.Read.All']),
    });
    assert.equal(app.status, 200);
    assert.equal(app.json['@odata.context'], `${h.root}/$metadata#users('${h.user(1).id}')/presence/$entity`);
    const delegatedWriteOther = await h.call('POST', `/users/${h.user(1).id}/presence/setPresence`, {
      token: await h.delegated(me(), 'Presence.ReadWrite'),
      body: { sessionId: APP_ID, availability: 'Available', activity: 'Available' },
    });
    assert.equal(delegatedWriteOther.status, 403);
    const delegatedWriteSelf = await h.call('POST', '/me/presence/setPresence', {
      token: await h.delegated(me(), 'Presence.ReadWrite'),
      body: { sessionId: APP_ID, availability: 'Available', activity: 'Available' },
    });
    assert.equal(delegatedWriteSelf.status, 200);
  });
});
