import assert from 'node:assert/strict';
import type { WebexStandIn } from '../../../sandbox/src/webex/index.js';
import { api, CALL_SCOPES, ISO_DATE, items, pickPeople, rec, startTestWebex } from './helpers.js';

/**
 * Voice Messaging (list, summary, markAsRead/markAsUnread with `messageId` in the body, delete;
 * the Postman collection expects 200 for GETs and 204 otherwise) and Webex Calling Do Not
 * Disturb (`/people/{personId}/features/doNotDisturb` with admin or own-user scopes, the beta
 * `/telephony/config/people/me/settings/doNotDisturb`), where DND gives incoming calls the
 * busy treatment, i.e. voicemail.
 */

const MESSAGE_KEYS = [
  'id',
  'duration',
  'callingParty',
  'urgent',
  'confidential',
  'read',
  'faxPageCount',
  'created',
];

describe('Webex stand-in: voice messages and Do Not Disturb (fidelity)', () => {
  let webex: WebexStandIn;
  let people: ReturnType<typeof pickPeople>;
  let token: string;

  beforeEach(async () => {
    webex = await startTestWebex();
    people = pickPeople(webex);
    token = webex.issueTokens(people.caller, [
      ...CALL_SCOPES,
      'spark:people_write',
      'spark:telephony_config_read',
      'spark:telephony_config_write',
    ]).access_token;
  });
  afterEach(async () => {
    await webex.close();
  });

  it('lists voice messages with the documented fields, newest first', async () => {
    const older = webex.leaveVoiceMessage(people.caller, '+14085550123', {
      fromName: 'Fabrikam Sales',
      durationSeconds: 38,
    });
    const colleague = webex.people().find((p) => p.personId === people.callee);
    const newer = webex.leaveVoiceMessage(people.caller, colleague?.extension ?? '', { urgent: true });
    const res = await api(webex, token, 'GET', '/v1/telephony/voiceMessages');
    assert.equal(res.status, 200);
    const list = items(res.body);
    assert.deepEqual(list.map((m) => m.id).sort(), [older, newer].sort());
    for (const message of list) {
      for (const key of Object.keys(message))
        assert.ok(MESSAGE_KEYS.includes(key), `undocumented property ${key}`);
      assert.match(String(message.created), ISO_DATE);
      assert.equal(message.read, false);
    }
    const fromColleague = list.find((m) => m.id === newer);
    assert.equal(rec(fromColleague?.callingParty).personId, people.callee);
    assert.equal(fromColleague?.urgent, true);
    const external = list.find((m) => m.id === older);
    assert.deepEqual(external?.callingParty, {
      name: 'Fabrikam Sales',
      number: '+14085550123',
      privacyEnabled: false,
    });
    assert.equal(external.duration, 38);
  });

  it('summarises, marks read/unread (one or all) and deletes with 204', async () => {
    const a = webex.leaveVoiceMessage(people.caller, '+14085550123', { urgent: true });
    webex.leaveVoiceMessage(people.caller, '+14085550124');
    const summary = async (): Promise<Record<string, unknown>> =>
      rec((await api(webex, token, 'GET', '/v1/telephony/voiceMessages/summary')).body);
    assert.deepEqual(await summary(), {
      newMessages: 2,
      oldMessages: 0,
      newUrgentMessages: 1,
      oldUrgentMessages: 0,
    });
    assert.equal(
      (await api(webex, token, 'POST', '/v1/telephony/voiceMessages/markAsRead', { messageId: a })).status,
      204,
    );
    assert.deepEqual(await summary(), {
      newMessages: 1,
      oldMessages: 1,
      newUrgentMessages: 0,
      oldUrgentMessages: 1,
    });
    assert.equal((await api(webex, token, 'POST', '/v1/telephony/voiceMessages/markAsRead')).status, 204);
    assert.equal((await summary()).newMessages, 0);
    assert.equal(
      (await api(webex, token, 'POST', '/v1/telephony/voiceMessages/markAsUnread', { messageId: a })).status,
      204,
    );
    assert.equal((await summary()).newUrgentMessages, 1);
    assert.equal(
      (await api(webex, token, 'POST', '/v1/telephony/voiceMessages/markAsRead', { messageId: 'nope' }))
        .status,
      404,
    );
    assert.equal((await api(webex, token, 'DELETE', `/v1/telephony/voiceMessages/${a}`)).status, 204);
    assert.equal((await api(webex, token, 'DELETE', `/v1/telephony/voiceMessages/${a}`)).status, 404);
    assert.equal(items((await api(webex, token, 'GET', '/v1/telephony/voiceMessages')).body).length, 1);
  });

  it('reads and updates DND for oneself via /people/{id}/features/doNotDisturb', async () => {
    const path = `/v1/people/${people.caller}/features/doNotDisturb`;
    const before = await api(webex, token, 'GET', path);
    assert.equal(before.status, 200);
    assert.deepEqual(rec(before.body), {
      enabled: false,
      ringSplashEnabled: false,
      webexGoOverrideEnabled: false,
    });
    assert.equal(
      (await api(webex, token, 'PUT', path, { enabled: true, ringSplashEnabled: true })).status,
      204,
    );
    assert.deepEqual(rec((await api(webex, token, 'GET', path)).body), {
      enabled: true,
      ringSplashEnabled: true,
      webexGoOverrideEnabled: false,
    });
    assert.equal((await api(webex, token, 'PUT', path, { enabled: 'yes' })).status, 400);
  });

  it('lets an admin manage anyone’s DND and forbids other users', async () => {
    const path = `/v1/people/${people.callee}/features/doNotDisturb`;
    assert.equal(
      (await api(webex, token, 'GET', path)).status,
      403,
      'a normal user cannot read a colleague’s DND',
    );
    const admin = webex.issueTokens(people.admin, [
      'spark-admin:people_read',
      'spark-admin:people_write',
    ]).access_token;
    assert.equal((await api(webex, admin, 'PUT', path, { enabled: true })).status, 204);
    assert.equal(rec((await api(webex, admin, 'GET', path)).body).enabled, true);
    assert.equal(
      (await api(webex, admin, 'GET', `/v1/people/${people.nonCalling}/features/doNotDisturb`)).status,
      404,
    );
  });

  it('serves the user-level DND settings, whose PUT requires webexGoOverrideEnabled', async () => {
    const path = '/v1/telephony/config/people/me/settings/doNotDisturb';
    assert.deepEqual(rec((await api(webex, token, 'GET', path)).body), {
      enabled: false,
      ringSplashEnabled: false,
      webexGoOverrideEnabled: false,
    });
    assert.equal((await api(webex, token, 'PUT', path, { enabled: true })).status, 400);
    assert.equal(
      (await api(webex, token, 'PUT', path, { enabled: true, webexGoOverrideEnabled: false })).status,
      204,
    );
    assert.equal(webex.getDnd(people.caller).enabled, true);
    const noScope = webex.issueTokens(people.caller, CALL_SCOPES).access_token;
    assert.equal((await api(webex, noScope, 'GET', path)).status, 403);
  });

  it('sends calls to a DND user to voicemail and logs them as missed', async () => {
    webex.setDnd(people.callee, true);
    const ring = webex.startIncomingCall(people.callee, '+14085550199', 'Litware');
    assert.deepEqual(ring, { callId: undefined, sentToVoicemail: true });
    const calleeToken = webex.issueTokens(people.callee, CALL_SCOPES).access_token;
    assert.deepEqual(items((await api(webex, calleeToken, 'GET', '/v1/telephony/calls')).body), []);
    const voicemail = items((await api(webex, calleeToken, 'GET', '/v1/telephony/voiceMessages')).body);
    assert.equal(rec(voicemail[0]?.callingParty).number, '+14085550199');
    const ext = webex.people().find((p) => p.personId === people.callee)?.extension ?? '';
    const { callId } = rec(
      (await api(webex, token, 'POST', '/v1/telephony/calls/dial', { destination: ext })).body,
    );
    webex.answerOnDevice(people.caller, String(callId));
    assert.equal(
      items((await api(webex, token, 'GET', '/v1/telephony/calls')).body)[0]?.state,
      'connected',
      'voicemail picks up',
    );
    await api(webex, token, 'POST', '/v1/telephony/calls/hangup', { callId });
    const after = items((await api(webex, calleeToken, 'GET', '/v1/telephony/voiceMessages')).body);
    assert.equal(after.length, 2);
    assert.equal(rec(after[0]?.callingParty).personId, people.caller);
    const missed = items(
      (await api(webex, calleeToken, 'GET', '/v1/telephony/calls/history?type=missed')).body,
    );
    assert.equal(missed.length, 2);
  });
});
