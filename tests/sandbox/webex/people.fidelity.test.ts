import assert from 'node:assert/strict';
import type { WebexStandIn } from '../../../sandbox/src/webex/index.js';
import { api, CALL_SCOPES, ISO_DATE, items, pickPeople, rec, startTestWebex, TestClock } from './helpers.js';

/**
 * People API against the webex-messaging OpenAPI (`/people`, `/people/me`, `Person`): the Person
 * properties and enums below are copied from that description; `id=` omits presence; non-admins
 * must filter; status follows what the person is doing.
 */

/** Person properties of the OpenAPI schema. */
const PERSON_PROPERTIES = [
  'id',
  'emails',
  'phoneNumbers',
  'extension',
  'locationId',
  'displayName',
  'nickName',
  'firstName',
  'lastName',
  'avatar',
  'orgId',
  'roles',
  'licenses',
  'department',
  'manager',
  'managerId',
  'title',
  'addresses',
  'created',
  'lastModified',
  'timezone',
  'lastActivity',
  'siteUrls',
  'sipAddresses',
  'xmppFederationJid',
  'status',
  'invitePending',
  'loginEnabled',
  'type',
];
const STATUS_ENUM = [
  'active',
  'call',
  'DoNotDisturb',
  'inactive',
  'meeting',
  'OutOfOffice',
  'pending',
  'presenting',
  'unknown',
];
const PHONE_TYPES = ['work', 'work_extension', 'mobile', 'fax'];

describe('Webex stand-in: People (fidelity)', () => {
  let webex: WebexStandIn;
  let clock: TestClock;
  let people: ReturnType<typeof pickPeople>;
  let token: string;

  beforeEach(async () => {
    clock = new TestClock();
    webex = await startTestWebex({ now: clock.now });
    people = pickPeople(webex);
    token = webex.issueTokens(people.caller, CALL_SCOPES).access_token;
  });
  afterEach(async () => {
    await webex.close();
  });

  const me = async (t = token): Promise<Record<string, unknown>> => {
    const res = await api(webex, t, 'GET', '/v1/people/me');
    assert.equal(res.status, 200);
    return rec(res.body);
  };

  it('returns the documented Person shape for /people/me', async () => {
    const person = await me();
    for (const key of Object.keys(person))
      assert.ok(PERSON_PROPERTIES.includes(key), `undocumented property ${key}`);
    assert.equal(person.id, people.caller);
    assert.equal(person.type, 'person');
    assert.ok(Array.isArray(person.emails) && person.emails.length === 1);
    assert.ok(STATUS_ENUM.includes(String(person.status)));
    assert.match(String(person.created), ISO_DATE);
    assert.match(String(person.lastModified), ISO_DATE);
    assert.match(String(person.lastActivity), ISO_DATE);
    assert.equal(typeof person.orgId, 'string');
    assert.match(String(person.extension), /^\d+$/);
    const phones = person.phoneNumbers as { type: string; value: string }[];
    assert.ok(phones.length > 0);
    for (const phone of phones) {
      assert.ok(PHONE_TYPES.includes(phone.type));
      assert.equal(typeof phone.value, 'string');
    }
    assert.ok(phones.some((p) => p.type === 'work_extension' && p.value.endsWith(String(person.extension))));
    assert.equal(person.roles, undefined, 'admin-only fields stay hidden from a normal user');
  });

  it('has no extension for a person without a Webex Calling licence', async () => {
    const person = await me(webex.issueTokens(people.nonCalling, ['spark:people_read']).access_token);
    assert.equal(person.extension, undefined);
    assert.equal(person.locationId, undefined);
  });

  it('derives status from calls, meetings, presenting, explicit statuses and inactivity', async () => {
    assert.equal((await me()).status, 'active');
    const { callId } = webex.startCall(people.caller, '+12223334444');
    assert.equal((await me()).status, 'call');
    webex.remoteHangup(callId);
    webex.setInMeeting(people.caller, true);
    assert.equal((await me()).status, 'meeting');
    webex.setPresenting(people.caller, true);
    assert.equal((await me()).status, 'presenting');
    webex.setInMeeting(people.caller, false);
    webex.setStatus(people.caller, 'dnd', 60, 'user');
    assert.equal((await me()).status, 'DoNotDisturb');
    webex.setStatus(people.caller, 'ooo', 0, 'user');
    assert.equal((await me()).status, 'OutOfOffice');
    webex.clearStatus(people.caller);
    clock.advance(11 * 60 * 1000);
    assert.equal((await me()).status, 'inactive');
    webex.setLastActivity(people.caller, null);
    assert.equal((await me()).status, 'pending');
  });

  it('lets an explicit status lapse after its TTL and records who set it', async () => {
    webex.setStatus(people.caller, 'dnd', 120, 'app');
    const snapshot = webex.getStatus(people.caller);
    assert.equal(snapshot.status, 'DoNotDisturb');
    assert.equal(snapshot.explicit?.setBy, 'app');
    clock.advance(121_000);
    assert.equal(webex.getStatus(people.caller).explicit, undefined);
    assert.equal((await me()).status, 'active');
    assert.deepEqual(
      webex.statusHistory(people.caller).map((s) => [s.status, s.setBy]),
      [['dnd', 'app']],
    );
  });

  it('requires email, displayName or id from non-admins', async () => {
    const res = await api(webex, token, 'GET', '/v1/people');
    assert.equal(res.status, 400);
    assert.equal(rec(res.body).message, 'Email, displayName, or id list should be specified.');
  });

  it('finds people by email and by displayName prefix', async () => {
    const target = webex.people()[5];
    assert.ok(target);
    const byEmail = await api(
      webex,
      token,
      'GET',
      `/v1/people?email=${encodeURIComponent(target.email.toUpperCase())}`,
    );
    assert.deepEqual(
      items(byEmail.body).map((p) => p.id),
      [target.personId],
    );
    assert.ok(STATUS_ENUM.includes(String(items(byEmail.body)[0]?.status)));
    const prefix = target.displayName.slice(0, 3);
    const byName = items(
      (await api(webex, token, 'GET', `/v1/people?displayName=${encodeURIComponent(prefix)}`)).body,
    );
    assert.ok(byName.some((p) => p.id === target.personId));
    assert.ok(
      byName.every(
        (p) =>
          String(p.displayName).toLowerCase().startsWith(prefix.toLowerCase()) ||
          String(p.lastName).toLowerCase().startsWith(prefix.toLowerCase()),
      ),
    );
  });

  it('omits status and lastActivity for id lists, reports notFoundIds and caps the list at 85', async () => {
    const ids = webex
      .people()
      .slice(0, 3)
      .map((p) => p.personId);
    const res = await api(webex, token, 'GET', `/v1/people?id=${[...ids, 'bogus'].join(',')}`);
    assert.equal(res.status, 200);
    const list = items(res.body);
    assert.deepEqual(
      list.map((p) => p.id),
      ids,
    );
    for (const p of list) {
      assert.equal(p.status, undefined);
      assert.equal(p.lastActivity, undefined);
    }
    assert.deepEqual(rec(res.body).notFoundIds, ['bogus']);
    const tooMany = Array.from({ length: 86 }, (_, i) => `id${i}`).join(',');
    assert.equal((await api(webex, token, 'GET', `/v1/people?id=${tooMany}`)).status, 400);
  });

  it('pages with max and a Link rel="next" header', async () => {
    const admin = webex.issueTokens(people.admin, [
      'spark:people_read',
      'spark-admin:people_read',
    ]).access_token;
    const first = await api(webex, admin, 'GET', '/v1/people?max=20');
    assert.equal(items(first.body).length, 20);
    const link = first.headers.get('link') ?? '';
    const next = /^<([^>]+)>; rel="next"$/.exec(link)?.[1];
    assert.ok(next, `Link header: ${link}`);
    const second = await fetch(next, { headers: { authorization: `Bearer ${admin}` } });
    const secondItems = items(await second.json());
    assert.equal(secondItems.length, 20);
    assert.notEqual(secondItems[0]?.id, items(first.body)[0]?.id);
  });

  it('lets an admin list everyone with administrative fields', async () => {
    const admin = webex.issueTokens(people.admin, [
      'spark:people_read',
      'spark-admin:people_read',
    ]).access_token;
    const list = items((await api(webex, admin, 'GET', '/v1/people?max=100')).body);
    assert.equal(list.length, webex.people().length);
    assert.ok(Array.isArray(list[0]?.licenses));
    assert.equal(list[0].loginEnabled, 'true');
  });

  it('gets a person by id and answers 404 for unknown ids', async () => {
    const ok = await api(webex, token, 'GET', `/v1/people/${people.callee}`);
    assert.equal(rec(ok.body).id, people.callee);
    const missing = await api(webex, token, 'GET', '/v1/people/Y2lzY29zcGFyazovL3VzL1BFT1BMRS9ub3BlCg');
    assert.equal(missing.status, 404);
    assert.ok(Array.isArray(rec(missing.body).errors));
  });
});
