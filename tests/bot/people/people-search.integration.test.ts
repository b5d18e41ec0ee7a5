import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import type { PeopleSearch, PeopleSearchRequest, Person } from '../../../bot/src/people/person.js';
import {
  createPeopleSearch,
  MAX_PEOPLE_QUERY_CHARS,
  SPEED_DIALS_EXTENSION,
  type PeopleGraph,
} from '../../../bot/src/people/people-search.js';
import { err, ok, type Result } from '../../../bot/src/shared/result.js';
import type { DemoUser } from '../../../sandbox/src/seed/org.js';
import { captureLogs } from '../../support/log-capture.js';
import { startGraphFixture, type GraphFixture } from '../integrations/support/graph-fixture.js';

/**
 * The people search against the real Graph stand-in over HTTPS, as the demo org's first user
 * (Adele Okafor: member of every Customer Operations channel and of the "Launch crew" and
 * "Quarter close" group chats), with her speed dials stored in the open extension.
 */

const USER = 'cb-user-1';
const DEADLINE = 2500;

describe('people search against the Graph stand-in (integration)', function () {
  this.timeout(30_000);
  let fx: GraphFixture;
  let search: PeopleSearch;
  let logs: ReturnType<typeof captureLogs>;
  let team: { id: string; general: string; escalations: string };
  let launchCrew: { id: string; memberIds: readonly string[] };
  const user = (index: number): DemoUser => {
    const u = fx.org.users[index];
    if (u === undefined) throw new Error(`no demo user ${index}`);
    return u;
  };
  const run = (request: Partial<PeopleSearchRequest>) =>
    search.search({ userId: USER, query: '', skip: 0, count: 25, deadlineMs: DEADLINE, ...request });
  const names = (people: readonly Person[]) => people.map((p) => p.displayName);

  before(async () => {
    fx = await startGraphFixture();
    const t = fx.org.teams[0];
    const general = t?.channels.find((c) => c.displayName === 'General');
    const escalations = t?.channels.find((c) => c.displayName === 'Escalations');
    const chat = fx.org.chats.find((c) => c.topic === 'Launch crew');
    if (t === undefined || general === undefined || escalations === undefined || chat === undefined)
      throw new Error('demo org changed');
    team = { id: t.id, general: general.id, escalations: escalations.id };
    launchCrew = chat;
    // Adele's speed dials: Alex Eze by object id, and a number that is one of her Outlook contacts'.
    const put = await fx.client().putExtension(SPEED_DIALS_EXTENSION, {
      entries: JSON.stringify([
        { label: 'Alex (desk)', number: '+1 425 555 2001', aadObjectId: user(1).id },
        { label: 'Alex at Fabrikam', number: '+44 (20) 7946-0100' },
        { label: 42 },
      ]),
    });
    assert.ok(put.ok, JSON.stringify(put));
  });
  after(() => fx.close());
  beforeEach(() => {
    fx.reset();
    logs = captureLogs('debug');
    search = createPeopleSearch({
      graphFor: (userId): Promise<Result<PeopleGraph, string>> =>
        Promise.resolve(userId === USER ? ok(fx.client({ logger: logs.logger })) : err('needs_sign_in')),
      logger: logs.logger,
    });
  });
  afterEach(() => {
    // Opaque ids, source names, durations: never a query, name, address, number or token.
    const text = logs.lines().join('\n');
    assert.doesNotMatch(text, /northwind\.example|fabrikam|Alex|Camille|Bianca|7946|425 555/i);
    assert.ok(!text.includes(fx.token));
  });

  it('a channel search lists that channel’s members first, then the directory', async () => {
    const result = await run({
      query: 'b',
      conversation: { kind: 'channel', teamId: team.id, channelId: team.escalations },
    });
    assert.deepEqual(result.failedSources, []);
    assert.deepEqual(result.slowSources, []);
    // Escalations holds users 0–7: Bianca Bowen and Brian Doyle start with "b".
    assert.deepEqual(names(result.people.slice(0, 2)), ['Bianca Bowen', 'Brian Doyle']);
    assert.deepEqual(result.people[0]?.sources, ['conversation', 'directory']);
    const rest = result.people.slice(2);
    assert.ok(rest.length > 0, 'directory people follow');
    assert.ok(rest.every((p) => !p.sources.includes('conversation')));
    assert.ok(names(rest).includes('Beatriz Okafor'));
    // The directory filled in what chat members lack.
    assert.equal(result.people[0].jobTitle, user(3).jobTitle);
    assert.deepEqual(result.people[0].phones[0], { type: 'business', number: '+1 425 555 2003' });
  });

  it('a group chat search with no query lists its members first (initial run), then speed dials', async () => {
    const result = await run({ conversation: { kind: 'groupChat', chatId: launchCrew.id } });
    assert.deepEqual(result.failedSources, []);
    const members = launchCrew.memberIds.map((id) => fx.org.users.find((u) => u.id === id)?.displayName);
    const head = result.people.slice(0, members.length);
    assert.deepEqual(names(head), [...members].sort());
    assert.ok(head.every((p) => p.sources[0] === 'conversation'));
    assert.deepEqual(names(result.people.slice(members.length)), ['Alex (desk)', 'Alex at Fabrikam']);
    assert.equal(fx.count(/\/users\?/), 0, 'no directory search without a query');
    assert.equal(fx.count(/\/me\/contacts/), 0, 'no contacts search without a query');
  });

  it('a chat member found in the directory too appears once, with both sources', async () => {
    const result = await run({ query: 'cam', conversation: { kind: 'groupChat', chatId: launchCrew.id } });
    const camille = result.people.filter((p) => p.displayName === 'Camille Horvath');
    assert.equal(camille.length, 1);
    assert.equal(camille[0]?.key, `aad:${user(5).id}`);
    assert.deepEqual(camille[0].sources, ['conversation', 'directory']);
    assert.equal(result.people[0]?.displayName, 'Camille Horvath');
  });

  it('merges directory, contacts and speed dials, de-duplicated by object id and by phone', async () => {
    const result = await run({ query: 'alex' });
    assert.deepEqual(result.failedSources, []);
    assert.deepEqual(result.slowSources, []);
    const byKey = new Map(result.people.map((p) => [p.key, p]));
    const eze = byKey.get(`aad:${user(1).id}`);
    assert.deepEqual(eze?.sources, ['speedDials', 'directory']);
    assert.equal(eze.displayName, 'Alex (desk)', 'the speed dial’s label is the user’s own name for them');
    assert.equal(eze.email, user(1).mail);
    const laurent = result.people.find((p) => p.email === 'alex.laurent@fabrikam.example');
    assert.deepEqual(laurent?.sources, ['speedDials', 'contacts']);
    assert.equal(
      laurent.phones.filter((ph) => ph.number.replace(/\D/g, '') === '442079460100').length,
      1,
      'the same number once',
    );
    assert.equal(result.people.length, new Set(result.people.map((p) => p.key)).size);
    assert.equal(result.people.filter((p) => /Alex/.test(p.displayName)).length, 2);
  });

  it('answers by the deadline when a source is slow (real clock), naming it slow', async () => {
    fx.graph.faults.setDelay('contacts', 3000);
    const started = performance.now();
    const result = await run({
      query: 'alex',
      conversation: { kind: 'channel', teamId: team.id, channelId: team.general },
    });
    const elapsed = performance.now() - started;
    assert.ok(elapsed < DEADLINE + 300, `answered after ${elapsed.toFixed(0)} ms`);
    assert.deepEqual(result.slowSources, ['contacts']);
    assert.deepEqual(result.failedSources, []);
    const eze = result.people.find((p) => p.aadObjectId === user(1).id);
    assert.deepEqual(eze?.sources, ['conversation', 'speedDials', 'directory']);
    assert.ok(!result.people.some((p) => p.sources.includes('contacts')));
    const line = logs.lines().find((l) => l.includes('"people search"'));
    assert.match(line ?? '', /"source":"contacts","outcome":"slow"/);
  });

  it('reports a source throttled beyond the retry budget as failed, and keeps the rest', async () => {
    fx.graph.faults.throttle('users', { kind: 'next', count: 10, retryAfterSeconds: 120 });
    const result = await run({ query: 'alex' });
    assert.deepEqual(result.failedSources, ['directory']);
    assert.deepEqual(result.slowSources, []);
    assert.ok(result.people.some((p) => p.sources.includes('contacts')));
    assert.ok(result.people.some((p) => p.sources.includes('speedDials')));
    assert.ok(!result.people.some((p) => p.sources.includes('directory')));
  });

  it('pages with skip/count and hasMore, without overlaps', async () => {
    const conversation = { kind: 'channel', teamId: team.id, channelId: team.general } as const;
    const all = await run({ conversation, count: 100 });
    // General holds users 0–29 (Alex Eze among them, merged with his speed dial) + "Alex at Fabrikam".
    assert.equal(all.people.length, 31);
    assert.equal(all.hasMore, false);
    const keys: string[] = [];
    for (let skip = 0; skip < 31; skip += 10) {
      const pageResult = await run({ conversation, skip, count: 10 });
      assert.equal(pageResult.hasMore, skip + 10 < 31, `hasMore at skip ${skip}`);
      keys.push(...pageResult.people.map((p) => p.key));
    }
    assert.deepEqual(
      keys,
      all.people.map((p) => p.key),
    );
    const beyond = await run({ conversation, skip: 40, count: 10 });
    assert.deepEqual(beyond.people, []);
    assert.equal(beyond.hasMore, false);
  });

  it('attaches presence for the page in one call when time remains', async () => {
    fx.graph.presence.setTeamsClient(user(3).id, 'busy');
    fx.graph.presence.setTeamsClient(user(5).id, 'available');
    const result = await run({ conversation: { kind: 'groupChat', chatId: launchCrew.id }, count: 3 });
    assert.equal(fx.count('/v1.0/communications/getPresencesByUserId', 'POST'), 1);
    const bianca = result.people.find((p) => p.aadObjectId === user(3).id);
    const camille = result.people.find((p) => p.aadObjectId === user(5).id);
    assert.equal(bianca?.presence?.availability, 'Busy');
    assert.equal(camille?.presence?.availability, 'Available');
  });

  it('leaves presence out rather than blow the deadline', async () => {
    fx.graph.faults.setDelay('presence', 3000);
    const started = performance.now();
    const result = await run({ conversation: { kind: 'groupChat', chatId: launchCrew.id } });
    const elapsed = performance.now() - started;
    assert.ok(elapsed < DEADLINE + 300, `answered after ${elapsed.toFixed(0)} ms`);
    assert.ok(result.people.length >= launchCrew.memberIds.length);
    assert.ok(result.people.every((p) => p.presence === undefined));
    assert.deepEqual(result.slowSources, []);
  });

  it('bounds the query it sends to Graph, whatever length the caller passed (bot command, messaging extension)', async () => {
    const client = fx.client({ logger: logs.logger });
    const sent: string[] = [];
    const recording: PeopleGraph = {
      searchUsers: (text, options) => {
        sent.push(text);
        return client.searchUsers(text, options);
      },
      listContacts: (text, top, options) => {
        sent.push(text);
        return client.listContacts(text, top, options);
      },
      listChatMembers: client.listChatMembers.bind(client),
      listChannelMembers: client.listChannelMembers.bind(client),
      getPresence: client.getPresence.bind(client),
      getExtension: client.getExtension.bind(client),
    };
    const bounded = createPeopleSearch({
      graphFor: () => Promise.resolve(ok(recording)),
      logger: logs.logger,
    });
    const result = await bounded.search({
      userId: USER,
      query: `bianca${'q'.repeat(20_000)}`,
      skip: 0,
      count: 10,
      deadlineMs: DEADLINE,
    });
    assert.equal(sent.length, 2, 'the directory and contacts were searched');
    assert.ok(sent.every((text) => text.startsWith('bianca') && text.length === MAX_PEOPLE_QUERY_CHARS));
    assert.deepEqual(result.failedSources, []);
  });

  it('fails every planned source when the user has no Graph client, without calling Graph', async () => {
    const result = await search.search({
      userId: 'cb-user-without-token',
      query: 'alex',
      conversation: { kind: 'groupChat', chatId: launchCrew.id },
      skip: 0,
      count: 10,
      deadlineMs: DEADLINE,
    });
    assert.deepEqual(result.failedSources, ['conversation', 'speedDials', 'directory', 'contacts']);
    assert.deepEqual(result.people, []);
    assert.equal(fx.requests.length, 0);
  });

  it('fails every source, without throwing, when the token cannot be had at call time', async () => {
    const noToken = createPeopleSearch({
      graphFor: () =>
        Promise.resolve(ok(fx.client({ getAccessToken: () => Promise.reject(new Error('rt-SECRET gone')) }))),
      logger: logs.logger,
    });
    const result = await noToken.search({
      userId: USER,
      query: '',
      skip: 0,
      count: 10,
      deadlineMs: DEADLINE,
    });
    assert.deepEqual(result.failedSources, ['speedDials']);
    assert.deepEqual(result.people, []);
    assert.doesNotMatch(logs.lines().join('\n'), /SECRET/);
  });
});
