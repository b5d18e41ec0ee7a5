import assert from 'node:assert/strict';
import type { DemoUser } from '../../../sandbox/src/seed/org.js';
import { useCallTabWorld } from '../call-tab/world.js';

/**
 * `POST /api/calls`, `GET /api/calls/{id}`, recent calls and voicemail through the composed
 * service against the Webex stand-in: Click to Dial rings the user's devices, the stand-in's
 * controls answer it on a device and at the far end, and the service follows it to the end.
 */

interface CallView {
  id: string;
  state: string;
  destination: string;
  startedAt: number;
  reason?: string;
}

describe('calls over the linked Webex account (integration)', function () {
  this.timeout(60_000);
  const world = useCallTabWorld();

  async function linked(): Promise<{ user: DemoUser; personId: string }> {
    const user = world().callingUser();
    return { user, personId: await world().linkWebex(user) };
  }

  it('places a Click to Dial call and follows it from ringing devices to connected to ended', async () => {
    const { user, personId } = await linked();
    const placed = await world().api(user.id, 'POST', '/api/calls', { destination: '(206) 555-0142' });
    assert.equal(placed.status, 201, placed.text);
    const body = placed.body as { mode: string; call: CallView };
    assert.equal(body.mode, 'webex');
    assert.equal(body.call.state, 'ringing_devices');
    assert.equal(body.call.destination, '+12065550142');

    const active = world().sandbox.standIns.webex.activeCalls(personId);
    assert.equal(active.length, 1);
    assert.equal(active.at(0)?.id, body.call.id);
    assert.equal(active.at(0)?.personality, 'clickToDial');

    const poll = async (): Promise<CallView> => {
      const got = await world().api(user.id, 'GET', `/api/calls/${encodeURIComponent(body.call.id)}`);
      assert.equal(got.status, 200, got.text);
      return got.body as CallView;
    };
    assert.equal((await poll()).state, 'ringing_devices');
    world().sandbox.standIns.webex.answerOnDevice(personId, body.call.id);
    assert.equal((await poll()).state, 'ringing_remote');
    world().sandbox.standIns.webex.remoteAnswer(body.call.id);
    const connected = await poll();
    assert.equal(connected.state, 'connected');
    assert.equal(connected.destination, '+12065550142');
    world().sandbox.standIns.webex.remoteHangup(body.call.id);
    const ended = await poll();
    assert.equal(ended.state, 'ended');
    assert.equal(ended.reason, undefined);

    const recent = await world().api(user.id, 'GET', '/api/calls/recent');
    assert.equal(recent.status, 200);
    const calls = (
      recent.body as { linked: boolean; calls: { direction: string; number: string; id: string }[] }
    ).calls;
    assert.equal((recent.body as { linked: boolean }).linked, true);
    assert.equal(calls.at(0)?.direction, 'placed');
    assert.match(calls.at(0)?.number ?? '', /2065550142/);
    assert.match(calls.at(0)?.id ?? '', /^[A-Za-z0-9_-]+$/);
  });

  it('reports a call that ended before anyone answered as ended, not answered', async () => {
    const { user, personId } = await linked();
    const placed = await world().api(user.id, 'POST', '/api/calls', { destination: '+44 20 7946 0000' });
    const call = (placed.body as { call: CallView }).call;
    world().sandbox.standIns.webex.remoteHangup(call.id);
    assert.equal(world().sandbox.standIns.webex.activeCalls(personId).length, 0);
    const got = await world().api(user.id, 'GET', `/api/calls/${call.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(
      { state: (got.body as CallView).state, reason: (got.body as CallView).reason },
      { state: 'ended', reason: 'not_answered' },
    );
  });

  describe('DELETE /api/calls/{id}', () => {
    const hangUp = (userId: string, id: string) =>
      world().api(userId, 'DELETE', `/api/calls/${encodeURIComponent(id)}`);

    async function placed(): Promise<{ user: DemoUser; personId: string; call: CallView }> {
      const { user, personId } = await linked();
      const got = await world().api(user.id, 'POST', '/api/calls', { destination: '+1 206 555 0177' });
      assert.equal(got.status, 201, got.text);
      return { user, personId, call: (got.body as { call: CallView }).call };
    }

    it('cancels a call still ringing the devices: Webex drops it and polls say ended', async () => {
      const { user, personId, call } = await placed();
      assert.equal(world().sandbox.standIns.webex.activeCalls(personId).length, 1);
      const cancelled = await hangUp(user.id, call.id);
      assert.equal(cancelled.status, 200, cancelled.text);
      assert.deepEqual(cancelled.body, {
        id: call.id,
        state: 'ended',
        destination: '+12065550177',
        startedAt: call.startedAt,
      });
      assert.deepEqual(world().sandbox.standIns.webex.activeCalls(personId), []);
      const polled = await world().api(user.id, 'GET', `/api/calls/${encodeURIComponent(call.id)}`);
      assert.equal(polled.status, 200, polled.text);
      assert.equal((polled.body as CallView).state, 'ended');
    });

    it('hangs up a connected call, and a repeat answers ended again', async () => {
      const { user, personId, call } = await placed();
      const webex = world().sandbox.standIns.webex;
      webex.answerOnDevice(personId, call.id);
      webex.remoteAnswer(call.id);
      const live = await world().api(user.id, 'GET', `/api/calls/${encodeURIComponent(call.id)}`);
      assert.equal((live.body as CallView).state, 'connected');
      const first = await hangUp(user.id, call.id);
      assert.equal(first.status, 200, first.text);
      assert.equal((first.body as CallView).state, 'ended');
      assert.equal((first.body as CallView).reason, undefined);
      assert.deepEqual(webex.activeCalls(personId), []);
      const again = await hangUp(user.id, call.id);
      assert.equal(again.status, 200, again.text);
      assert.deepEqual(again.body, first.body);
    });

    it('answers ended when the far end hung up first', async () => {
      const { user, call } = await placed();
      world().sandbox.standIns.webex.remoteHangup(call.id);
      const got = await hangUp(user.id, call.id);
      assert.equal(got.status, 200, got.text);
      assert.equal((got.body as CallView).state, 'ended');
    });

    it("answers 404 for another user's call and leaves it ringing, and for an unknown id", async () => {
      const { personId, call } = await placed();
      const { user: other } = await linked();
      const refused = await hangUp(other.id, call.id);
      assert.equal(refused.status, 404, refused.text);
      assert.equal((refused.body as { code: string }).code, 'call_not_found');
      assert.equal(world().sandbox.standIns.webex.activeCalls(personId).at(0)?.id, call.id);
      const unknown = await hangUp(other.id, 'Y2lzY29zcGFyazovL3Vz');
      assert.equal(unknown.status, 404);
      assert.equal((unknown.body as { code: string }).code, 'call_not_found');
      const badId = await world().api(other.id, 'DELETE', '/api/calls/a%20b');
      assert.equal(badId.status, 400);
    });

    it('maps Webex failures like placing a call: 503 with retryAfterSeconds, 409 relink', async () => {
      const { user, personId, call } = await placed();
      const webex = world().sandbox.standIns.webex;
      webex.throttle('calls', { retryAfterSeconds: 30, requests: 1 });
      const busy = await hangUp(user.id, call.id);
      assert.equal(busy.status, 503, busy.text);
      assert.equal((busy.body as { code: string }).code, 'webex_unavailable');
      assert.equal((busy.body as { retryAfterSeconds: number }).retryAfterSeconds, 30);
      assert.equal(webex.activeCalls(personId).length, 1, 'still ringing after a refused hang-up');
      webex.revokeGrants(personId);
      const dead = await hangUp(user.id, call.id);
      assert.equal(dead.status, 409, dead.text);
      assert.equal((dead.body as { code: string }).code, 'webex_relink_required');
    });
  });

  it('answers 404 call_not_found for a call it never placed', async () => {
    const { user } = await linked();
    const got = await world().api(user.id, 'GET', '/api/calls/Y2lzY29zcGFyazovL3Vz');
    assert.equal(got.status, 404);
    assert.equal((got.body as { code: string }).code, 'call_not_found');
  });

  it('gives an unlinked user deep links and the Link Webex action', async () => {
    const user = world().callingUser();
    const number = await world().api(user.id, 'POST', '/api/calls', { destination: '425-555-0100' });
    assert.equal(number.status, 200);
    assert.deepEqual(number.body, {
      mode: 'deep_link',
      links: { webex: 'webextel://login?telephone=%2B14255550100', tel: 'tel:+14255550100' },
      linkWebex: true,
    });
    const sip = await world().api(user.id, 'POST', '/api/calls', { destination: 'sip:alex@example.com' });
    assert.deepEqual((sip.body as { links: unknown }).links, {
      webex: 'sip:alex@example.com',
      sip: 'sip:alex@example.com',
    });
    const recent = await world().api(user.id, 'GET', '/api/calls/recent');
    assert.deepEqual(recent.body, { linked: false, calls: [] });
    const voicemail = await world().api(user.id, 'GET', '/api/voicemail');
    assert.deepEqual(voicemail.body, { linked: false, messages: [], unread: 0 });
  });

  it('dials an extension and a SIP address as typed', async () => {
    const { user, personId } = await linked();
    const colleague = world().sandbox.org.users.find((u) => u.webex?.calling === true && u.id !== user.id);
    assert.ok(colleague?.webex !== undefined);
    const ext = await world().api(user.id, 'POST', '/api/calls', { destination: colleague.webex.extension });
    assert.equal(ext.status, 201, ext.text);
    assert.equal((ext.body as { call: CallView }).call.destination, colleague.webex.extension);
    const sip = await world().api(user.id, 'POST', '/api/calls', { destination: `sip:${colleague.mail}` });
    assert.equal(sip.status, 201, sip.text);
    assert.equal(world().sandbox.standIns.webex.activeCalls(personId).length, 2);
  });

  it('maps each Webex failure to a plain-words error', async () => {
    // Not Calling-enabled: Webex answers 403.
    const plain = world().sandbox.org.users.find((u) => u.webex !== undefined && !u.webex.calling);
    assert.ok(plain !== undefined);
    await world().linkWebex(plain);
    const refused = await world().api(plain.id, 'POST', '/api/calls', { destination: '+12065550100' });
    assert.equal(refused.status, 403);
    assert.equal((refused.body as { code: string }).code, 'not_calling_enabled');
    assert.match((refused.body as { message: string }).message, /Webex Calling licence/);

    const { user, personId } = await linked();
    // Rejected by our own check before Webex.
    const bad = await world().api(user.id, 'POST', '/api/calls', { destination: '+1 999' });
    assert.equal(bad.status, 422);
    assert.equal((bad.body as { code: string }).code, 'invalid_number');
    assert.match((bad.body as { message: string }).message, /extension/);

    // Webex down or throttled for longer than we wait.
    world().sandbox.standIns.webex.throttle('calls', { retryAfterSeconds: 30, requests: 1 });
    const busy = await world().api(user.id, 'POST', '/api/calls', { destination: '+12065550100' });
    assert.equal(busy.status, 503);
    assert.equal((busy.body as { code: string }).code, 'webex_unavailable');
    assert.equal((busy.body as { retryAfterSeconds: number }).retryAfterSeconds, 30);
    assert.equal(busy.headers.get('retry-after'), '30');

    // The grant was revoked in Webex: 401 → link again.
    world().sandbox.standIns.webex.revokeGrants(personId);
    const dead = await world().api(user.id, 'POST', '/api/calls', { destination: '+12065550100' });
    assert.equal(dead.status, 409);
    assert.equal((dead.body as { code: string }).code, 'webex_relink_required');
    const deadRecent = await world().api(user.id, 'GET', '/api/calls/recent');
    assert.equal(deadRecent.status, 409);
  });

  it('lists voicemail newest first with the unread count, and marks a message read', async () => {
    const { user, personId } = await linked();
    const webex = world().sandbox.standIns.webex;
    const first = webex.leaveVoiceMessage(personId, '+12065550111', {
      fromName: 'Pat Doe',
      durationSeconds: 12,
    });
    const second = webex.leaveVoiceMessage(personId, '+12065550122');
    const listed = await world().api(user.id, 'GET', '/api/voicemail');
    assert.equal(listed.status, 200, listed.text);
    const body = listed.body as {
      linked: boolean;
      unread: number;
      messages: {
        id: string;
        read: boolean;
        from: { name?: string; number?: string };
        durationSeconds?: number;
      }[];
    };
    assert.equal(body.linked, true);
    assert.equal(body.unread, 2);
    assert.deepEqual(new Set(body.messages.map((m) => m.id)), new Set([first, second]));
    const pat = body.messages.find((m) => m.id === first);
    assert.deepEqual(pat?.from, { name: 'Pat Doe', number: '+12065550111' });
    assert.equal(pat.durationSeconds, 12);

    const marked = await world().api(user.id, 'POST', `/api/voicemail/${encodeURIComponent(first)}/read`);
    assert.equal(marked.status, 204, marked.text);
    const after = (await world().api(user.id, 'GET', '/api/voicemail')).body as typeof body;
    assert.equal(after.unread, 1);
    assert.equal(after.messages.find((m) => m.id === first)?.read, true);

    const missing = await world().api(user.id, 'POST', '/api/voicemail/no-such-message/read');
    assert.equal(missing.status, 404);
    assert.equal((missing.body as { code: string }).code, 'voicemail_not_found');
  });

  it('answers precise 400s for bad input', async () => {
    const { user } = await linked();
    const cases: [unknown, RegExp][] = [
      [{}, /destination/],
      [{ destination: 42 }, /destination/],
      [{ destination: '+12065550100', extra: true }, /extra|Unrecognized/i],
      [{ destination: 'x'.repeat(300) }, /destination: must be at most 256/],
    ];
    for (const [body, message] of cases) {
      const got = await world().api(user.id, 'POST', '/api/calls', body);
      assert.equal(got.status, 400, got.text);
      assert.equal((got.body as { code: string }).code, 'invalid_request');
      assert.match((got.body as { message: string }).message, message);
    }
    const notJson = await world().api(user.id, 'POST', '/api/calls', '{nope');
    assert.equal(notJson.status, 400);
    const badId = await world().api(user.id, 'GET', '/api/calls/a%20b');
    assert.equal(badId.status, 400);
  });

  it('requires a Teams SSO token', async () => {
    const response = await fetch(`${world().sandbox.urls.service}/api/calls/recent`);
    assert.equal(response.status, 401);
  });

  it('never logs tokens or phone numbers', () => {
    const text = world().lines().join('\n');
    assert.ok(text.includes('click to dial placed'), 'the calls were logged');
    for (const number of ['2065550142', '4255550100', '2065550111', '79460000'])
      assert.ok(!text.includes(number), `a phone number (${number}) reached the logs`);
    assert.ok(!/_PF84_/.test(text), 'a Webex token reached the logs');
    assert.ok(!/eyJ[A-Za-z0-9_-]{10,}\./.test(text), 'a JWT reached the logs');
    for (const body of world().bodies)
      assert.ok(!/_PF84_|eyJ[A-Za-z0-9_-]{10,}\./.test(body), 'a token in a response');
  });
});
