import assert from 'node:assert/strict';
import type { WebexStandIn } from '../../../sandbox/src/webex/index.js';
import { api, CALL_SCOPES, ISO_DATE, items, pickPeople, rec, startTestWebex } from './helpers.js';

/**
 * Call Controls (Webex Calling) per the developer docs and the official Postman collection:
 * dial → 201 `{ callId, callSessionId }` and alerts the user's own devices (personality
 * `clickToDial`); the call is placed only when the user answers on a device; answer, hold,
 * resume and hangup answer 204; states connecting|alerting|connected|held|remoteHeld|disconnected.
 */

const STATES = ['connecting', 'alerting', 'connected', 'held', 'remoteHeld', 'disconnected'];
const CALL_KEYS = [
  'id',
  'callSessionId',
  'personality',
  'state',
  'remoteParty',
  'appearance',
  'created',
  'answered',
  'disconnected',
  'muteCapable',
  'muted',
  'redirections',
  'recall',
  'recordingState',
];

describe('Webex stand-in: call control (fidelity)', () => {
  let webex: WebexStandIn;
  let people: ReturnType<typeof pickPeople>;
  let caller: string;
  let callee: string;

  beforeEach(async () => {
    webex = await startTestWebex();
    people = pickPeople(webex);
    caller = webex.issueTokens(people.caller, CALL_SCOPES).access_token;
    callee = webex.issueTokens(people.callee, CALL_SCOPES).access_token;
  });
  afterEach(async () => {
    await webex.close();
  });

  const calleeExtension = (): string =>
    webex.people().find((p) => p.personId === people.callee)?.extension ?? '';
  const callsOf = async (token: string): Promise<Record<string, unknown>[]> =>
    items((await api(webex, token, 'GET', '/v1/telephony/calls')).body);

  it('dials with 201 { callId, callSessionId } and rings only the caller’s own devices', async () => {
    const res = await api(webex, caller, 'POST', '/v1/telephony/calls/dial', {
      destination: calleeExtension(),
    });
    assert.equal(res.status, 201);
    const body = rec(res.body);
    assert.deepEqual(Object.keys(body).sort(), ['callId', 'callSessionId']);
    const [call] = await callsOf(caller);
    assert.ok(call);
    assert.equal(call.id, body.callId);
    assert.equal(call.personality, 'clickToDial');
    assert.equal(call.state, 'alerting');
    for (const key of Object.keys(call))
      assert.ok(CALL_KEYS.includes(key), `undocumented call property ${key}`);
    assert.match(String(call.created), ISO_DATE);
    const party = rec(call.remoteParty);
    assert.equal(party.personId, people.callee);
    assert.equal(party.number, calleeExtension());
    assert.equal(party.privacyEnabled, false);
    assert.ok(['location', 'organization'].includes(String(party.callType)));
    assert.deepEqual(await callsOf(callee), [], 'the remote side is not alerted before the caller answers');
  });

  it('places the call when the caller answers on a device, then connects when the callee answers', async () => {
    const { callId } = rec(
      (await api(webex, caller, 'POST', '/v1/telephony/calls/dial', { destination: calleeExtension() })).body,
    );
    webex.answerOnDevice(people.caller, String(callId));
    const [outgoing] = await callsOf(caller);
    assert.equal(outgoing?.personality, 'originator');
    assert.equal(outgoing.state, 'connecting');
    const [incoming] = await callsOf(callee);
    assert.equal(incoming?.personality, 'terminator');
    assert.equal(incoming.state, 'alerting');
    assert.equal(incoming.callSessionId, outgoing.callSessionId);
    assert.equal(rec(incoming.remoteParty).personId, people.caller);
    const answered = await api(webex, callee, 'POST', '/v1/telephony/calls/answer', { callId: incoming.id });
    assert.equal(answered.status, 204);
    assert.equal(answered.body, undefined);
    const [connected] = await callsOf(caller);
    assert.equal(connected?.state, 'connected');
    assert.match(String(connected.answered), ISO_DATE);
    assert.equal(webex.getStatus(people.caller).status, 'call');
    assert.equal(webex.getStatus(people.callee).status, 'call');
  });

  it('holds, resumes and hangs up (204), mirroring remoteHeld on the other leg', async () => {
    const { callId } = webex.startCall(people.caller, calleeExtension());
    const hold = await api(webex, caller, 'POST', '/v1/telephony/calls/hold', { callId });
    assert.equal(hold.status, 204);
    assert.equal((await callsOf(caller))[0]?.state, 'held');
    assert.equal((await callsOf(callee))[0]?.state, 'remoteHeld');
    assert.equal((await api(webex, caller, 'POST', '/v1/telephony/calls/resume', { callId })).status, 204);
    assert.equal((await callsOf(caller))[0]?.state, 'connected');
    assert.equal((await callsOf(callee))[0]?.state, 'connected');
    const single = await api(webex, caller, 'GET', `/v1/telephony/calls/${callId}`);
    assert.equal(rec(single.body).id, callId);
    assert.equal((await api(webex, caller, 'POST', '/v1/telephony/calls/hangup', { callId })).status, 204);
    assert.deepEqual(await callsOf(caller), []);
    assert.deepEqual(await callsOf(callee), []);
    assert.equal((await api(webex, caller, 'GET', `/v1/telephony/calls/${callId}`)).status, 404);
  });

  it('keeps call history per type: placed, received, missed', async () => {
    const { callId } = webex.startCall(people.caller, calleeExtension());
    webex.remoteHangup(callId);
    const ring = webex.startIncomingCall(people.callee, '+14085550123', 'Fabrikam Sales');
    webex.remoteHangup(ring.callId ?? '');
    const placed = items((await api(webex, caller, 'GET', '/v1/telephony/calls/history?type=placed')).body);
    assert.equal(placed.length, 1);
    assert.deepEqual(Object.keys(placed[0] ?? {}).sort(), [
      'name',
      'number',
      'privacyEnabled',
      'time',
      'type',
    ]);
    assert.equal(placed[0]?.type, 'placed');
    assert.match(String(placed[0].time), ISO_DATE);
    const all = items((await api(webex, callee, 'GET', '/v1/telephony/calls/history')).body);
    assert.deepEqual(all.map((r) => r.type).sort(), ['missed', 'received']);
    const missed = items((await api(webex, callee, 'GET', '/v1/telephony/calls/history?type=missed')).body);
    assert.equal(missed[0]?.number, '+14085550123');
    assert.equal(missed[0].name, 'Fabrikam Sales');
    assert.equal((await api(webex, callee, 'GET', '/v1/telephony/calls/history?type=bogus')).status, 400);
  });

  it('answers through the API whatever alerts: an incoming call, or a Click to Dial alert (placing it)', async () => {
    const ring = webex.startIncomingCall(people.caller, '+14085550100');
    assert.equal((await callsOf(caller))[0]?.personality, 'terminator');
    assert.equal(
      (await api(webex, caller, 'POST', '/v1/telephony/calls/answer', { callId: ring.callId })).status,
      204,
    );
    assert.equal((await callsOf(caller))[0]?.state, 'connected');
    assert.equal(
      (await api(webex, caller, 'POST', '/v1/telephony/calls/answer', { callId: ring.callId })).status,
      400,
      'no longer alerting',
    );
    const { callId } = rec(
      (await api(webex, callee, 'POST', '/v1/telephony/calls/dial', { destination: '+12223334444' })).body,
    );
    assert.equal((await api(webex, callee, 'POST', '/v1/telephony/calls/answer', { callId })).status, 204);
    const [placed] = await callsOf(callee);
    assert.equal(placed?.personality, 'originator');
    assert.equal(placed.state, 'connecting');
  });

  it('lets the far end answer an external call by itself after the configured delay', async () => {
    const auto = await startTestWebex({ remoteAutoAnswerMs: 30 });
    try {
      const who = pickPeople(auto).caller;
      const token = auto.issueTokens(who, CALL_SCOPES).access_token;
      const { callId } = rec(
        (await api(auto, token, 'POST', '/v1/telephony/calls/dial', { destination: 'tel:+12223334444' }))
          .body,
      );
      auto.answerOnDevice(who, String(callId));
      assert.equal(
        items((await api(auto, token, 'GET', '/v1/telephony/calls')).body)[0]?.state,
        'connecting',
      );
      await new Promise((ok) => setTimeout(ok, 80));
      const [call] = items((await api(auto, token, 'GET', '/v1/telephony/calls')).body);
      assert.equal(call?.state, 'connected');
      assert.equal(rec(call.remoteParty).callType, 'external');
    } finally {
      await auto.close();
    }
  });

  it('accepts every documented destination form', async () => {
    for (const destination of [
      '1234',
      '2223334444',
      '+12223334444',
      '*73',
      'tel:+12223334444',
      'user@company.domain',
      'sip:user@company.domain',
    ]) {
      const res = await api(webex, caller, 'POST', '/v1/telephony/calls/dial', { destination });
      assert.equal(res.status, 201, destination);
    }
  });

  it('rejects invalid destinations with 400 and a Webex error body', async () => {
    for (const destination of ['', 'call me', 'sip:', 'abc', '12ab34', 42]) {
      const res = await api(webex, caller, 'POST', '/v1/telephony/calls/dial', { destination });
      assert.equal(res.status, 400, JSON.stringify(destination));
      const body = rec(res.body);
      assert.equal(typeof body.message, 'string');
      assert.ok(Array.isArray(body.errors));
      assert.equal(typeof body.trackingId, 'string');
    }
    assert.equal((await api(webex, caller, 'POST', '/v1/telephony/calls/dial', {})).status, 400);
  });

  it('refuses call control to users without a Webex Calling licence (403)', async () => {
    const token = webex.issueTokens(people.nonCalling, CALL_SCOPES).access_token;
    const dial = await api(webex, token, 'POST', '/v1/telephony/calls/dial', { destination: '1234' });
    assert.equal(dial.status, 403);
    assert.match(String(rec(dial.body).message), /missing required roles or licenses/);
    assert.equal((await api(webex, token, 'GET', '/v1/telephony/calls')).status, 403);
    assert.equal((await api(webex, token, 'GET', '/v1/telephony/voiceMessages')).status, 403);
  });

  it('needs spark:calls_read for GETs and spark:calls_write for actions', async () => {
    const readOnly = webex.issueTokens(people.caller, ['spark:calls_read']).access_token;
    assert.equal((await api(webex, readOnly, 'GET', '/v1/telephony/calls')).status, 200);
    assert.equal(
      (await api(webex, readOnly, 'POST', '/v1/telephony/calls/dial', { destination: '1234' })).status,
      403,
    );
    const writeOnly = webex.issueTokens(people.caller, ['spark:calls_write']).access_token;
    assert.equal((await api(webex, writeOnly, 'GET', '/v1/telephony/calls/history')).status, 403);
  });

  it('answers 404 for unknown or foreign calls and 400 for actions in the wrong state', async () => {
    assert.equal(
      (await api(webex, caller, 'POST', '/v1/telephony/calls/hold', { callId: 'nope' })).status,
      404,
    );
    const { callId } = webex.startCall(people.callee, '+12223334444');
    assert.equal(
      (await api(webex, caller, 'POST', '/v1/telephony/calls/hangup', { callId })).status,
      404,
      'another user’s call',
    );
    const ring = webex.startIncomingCall(people.caller, '+14085550100');
    assert.equal(
      (await api(webex, caller, 'POST', '/v1/telephony/calls/hold', { callId: ring.callId })).status,
      400,
    );
    assert.equal(
      (await api(webex, caller, 'POST', '/v1/telephony/calls/resume', { callId: ring.callId })).status,
      400,
    );
    assert.equal((await api(webex, caller, 'POST', '/v1/telephony/calls/hold', {})).status, 400);
  });

  it('reports only documented states', async () => {
    webex.startCall(people.caller, calleeExtension());
    webex.startIncomingCall(people.caller, '+14085550100');
    for (const call of await callsOf(caller)) assert.ok(STATES.includes(String(call.state)));
    assert.deepEqual(
      (await callsOf(caller)).map((c) => c.appearance),
      [1, 2],
    );
  });
});
