import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { GraphClient } from '../../../../bot/src/integrations/graph/graph.client.js';
import { captureLogs } from '../../../support/log-capture.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { APP_ID, startGraphFixture, type GraphFixture } from '../support/graph-fixture.js';

/**
 * GraphClient against the real Graph stand-in over HTTPS: the SDK middleware chain sends our
 * token, our policy retries what it should (counted at the stand-in), OData escaping holds end
 * to end, and errors carry Graph's codes but never the token.
 */

const INJECTION = "a') or startswith(displayName,'";
const UNSUPPORTED_SEARCH = {
  status: 400,
  body: { error: { code: 'Request_UnsupportedQuery', message: 'Unsupported Query.' } },
};

describe('GraphClient against the Graph stand-in (integration)', function () {
  this.timeout(30_000);
  let fx: GraphFixture;
  let proxy: FaultProxy;

  before(async () => {
    fx = await startGraphFixture();
    proxy = await startFaultProxy(fx.graph.url, fx.tls);
  });
  after(async () => {
    await proxy.close();
    await fx.close();
  });
  beforeEach(() => {
    fx.reset();
    proxy.reset();
  });

  describe('the middleware chain', () => {
    it('sends the injected token to the HTTPS stand-in, whose host is a custom host', async () => {
      const me = await fx.client().getMe();
      assert.ok(me.ok, JSON.stringify(me));
      assert.equal(me.value.id, fx.me.id);
      assert.equal(me.value.displayName, fx.me.displayName);
      assert.deepEqual(fx.tokensSeen, [fx.token], 'the stand-in saw exactly our bearer token');
    });

    it('asks for a token per request, so one client can follow a refreshed token', async () => {
      let calls = 0;
      const client = fx.client({
        getAccessToken: () => {
          calls += 1;
          return Promise.resolve(fx.token);
        },
      });
      assert.ok((await client.getMe()).ok);
      assert.ok((await client.getUser(fx.obrien.id)).ok);
      assert.equal(calls, 2);
    });

    it('refuses a plain-HTTP base URL (the SDK would silently send no token)', () => {
      assert.throws(
        () => new GraphClient({ baseUrl: 'http://localhost:1', getAccessToken: () => Promise.resolve('x') }),
        /https/,
      );
    });

    it('maps Graph error bodies: code, status, request id', async () => {
      const missing = await fx.client().getUser('00000000-0000-4000-8000-000000000404', ['id']);
      assert.ok(!missing.ok);
      assert.equal(missing.error.kind, 'http_error');
      assert.equal(missing.error.status, 404);
      assert.equal(missing.error.code, 'Request_ResourceNotFound');
      assert.match(missing.error.requestId ?? '', /^[0-9a-f-]{36}$/);
    });

    it('turns a failing token source into token_unavailable without repeating its message', async () => {
      const client = fx.client({
        getAccessToken: () => Promise.reject(new Error('refresh token rt-SECRET expired')),
      });
      const me = await client.getMe();
      assert.ok(!me.ok);
      assert.equal(me.error.kind, 'token_unavailable');
      assert.doesNotMatch(JSON.stringify(me.error), /SECRET/);
      assert.equal(fx.requests.length, 0);
    });
  });

  describe('the retry policy, counted at the stand-in', () => {
    it('retries a 429 with Retry-After: 2 after at least 2 s (real clock)', async () => {
      fx.graph.faults.throttle('users', { kind: 'next', count: 1, retryAfterSeconds: 2 });
      const client = new GraphClient({
        baseUrl: fx.graph.url,
        getAccessToken: () => Promise.resolve(fx.token),
      });
      const started = performance.now();
      const me = await client.getMe();
      const elapsed = performance.now() - started;
      assert.ok(me.ok, JSON.stringify(me));
      assert.ok(elapsed >= 2000, `retried after ${elapsed.toFixed(0)} ms`);
      assert.deepEqual(
        fx.requests.filter((r) => r.path === '/v1.0/me').map((r) => r.status),
        [429, 200],
      );
    });

    it('retries at most the configured number of times, then returns the throttled result', async () => {
      fx.graph.faults.throttle('users', { kind: 'next', count: 10, retryAfterSeconds: 1 });
      const me = await fx.client({ policy: { maxRetries: 2 } }).getMe();
      assert.ok(!me.ok);
      assert.equal(me.error.kind, 'throttled');
      assert.equal(me.error.code, 'TooManyRequests');
      assert.equal(me.error.status, 429);
      assert.equal(me.error.retryAfterMs, 1000);
      assert.equal(fx.count('/v1.0/me'), 3, 'one try and two retries');
      assert.deepEqual(fx.sleeps, [1000, 1000]);
    });

    it('does not sleep a Retry-After beyond the budget: one request, throttled result at once', async () => {
      fx.graph.faults.throttle('users', { kind: 'next', count: 1, retryAfterSeconds: 120 });
      const started = performance.now();
      const me = await fx.client({ policy: { maxRetryAfterMs: 10_000 } }).getMe();
      assert.ok(!me.ok);
      assert.equal(me.error.kind, 'throttled');
      assert.equal(me.error.retryAfterMs, 120_000);
      assert.deepEqual(fx.sleeps, []);
      assert.equal(fx.count('/v1.0/me'), 1);
      assert.ok(performance.now() - started < 2000);
    });

    it('retries a 503 and returns the success that follows', async () => {
      proxy.inject({ match: (_m, url) => url.pathname === '/v1.0/me', status: 503, times: 1 });
      const me = await fx.client({ baseUrl: proxy.url }).getMe();
      assert.ok(me.ok, JSON.stringify(me));
      const seen = proxy.seen.filter((r) => r.url.pathname === '/v1.0/me');
      assert.deepEqual(
        seen.map((r) => r.faulted),
        [true, false],
      );
      assert.ok(
        seen.every((r) => r.authorization === `Bearer ${fx.token}`),
        'the token went out on every attempt',
      );
      assert.equal(fx.count('/v1.0/me'), 1);
    });

    it('waits full-jitter backoff between 503s without Retry-After (injected random)', async () => {
      proxy.inject({ match: (_m, url) => url.pathname === '/v1.0/me', status: 503, times: 3 });
      const me = await fx
        .client({ baseUrl: proxy.url, policy: { random: () => 0.5, baseDelayMs: 400, maxDelayMs: 1000 } })
        .getMe();
      assert.ok(me.ok);
      // 0.5 × min(1000, 400·2^n) for n = 0, 1, 2
      assert.deepEqual(fx.sleeps, [200, 400, 500]);
    });

    it('gives up with `timeout` when an attempt takes longer than the timeout', async () => {
      fx.graph.faults.setDelay('users', 600);
      const started = performance.now();
      const me = await fx.client({ policy: { timeoutMs: 100, maxRetries: 1 } }).getMe();
      assert.ok(!me.ok);
      assert.equal(me.error.kind, 'timeout');
      assert.equal(me.error.code, 'timeout');
      assert.equal(fx.sleeps.length, 1, 'a GET is retried once after a timeout');
      assert.ok(performance.now() - started < 1500);
      // The stand-in still answers the abandoned attempts; let them land before the next test counts.
      await sleep(700);
    });

    it('stops when the caller aborts', async () => {
      fx.graph.faults.setDelay('users', 600);
      const controller = new AbortController();
      setTimeout(() => {
        controller.abort();
      }, 50);
      const me = await fx.client().getMe(undefined, { signal: controller.signal });
      assert.ok(!me.ok);
      assert.equal(me.error.kind, 'aborted');
      await sleep(700);
    });
  });

  describe('people search and OData escaping end to end', () => {
    it("finds O'Brien with $search (ConsistencyLevel: eventual)", async () => {
      const found = await fx.client().searchUsers("O'Brien");
      assert.ok(found.ok, JSON.stringify(found));
      assert.deepEqual(
        found.value.map((u) => u.id),
        [fx.obrien.id],
      );
    });

    it('falls back to startswith when the directory refuses $search with Request_UnsupportedQuery', async () => {
      proxy.inject({ match: (_m, url) => url.searchParams.has('$search'), ...UNSUPPORTED_SEARCH });
      const found = await fx.client({ baseUrl: proxy.url }).searchUsers("Siobhan O'B");
      assert.ok(found.ok, JSON.stringify(found));
      assert.deepEqual(
        found.value.map((u) => u.displayName),
        ["Siobhan O'Brien"],
      );
      const users = proxy.seen.filter((r) => r.url.pathname === '/v1.0/users');
      assert.equal(users.length, 2);
      assert.equal(
        users[0]?.url.searchParams.get('$search'),
        `"displayName:Siobhan O'B" OR "mail:Siobhan O'B"`,
      );
      assert.equal(
        users[1]?.url.searchParams.get('$filter'),
        "(startswith(displayName,'Siobhan O''B')) or (startswith(mail,'Siobhan O''B'))",
      );
    });

    it('does not fall back for other errors', async () => {
      proxy.inject({
        match: (_m, url) => url.searchParams.has('$search'),
        status: 403,
        body: {
          error: {
            code: 'Authorization_RequestDenied',
            message: 'Insufficient privileges to complete the operation.',
          },
        },
      });
      const found = await fx.client({ baseUrl: proxy.url }).searchUsers('Adele');
      assert.ok(!found.ok);
      assert.equal(found.error.code, 'Authorization_RequestDenied');
      assert.equal(proxy.seen.length, 1);
    });

    it('an injection string finds nothing and raises no 400, with $search and with the fallback', async () => {
      const client = fx.client();
      const broad = await client.searchUsers('a');
      assert.ok(broad.ok && broad.value.length > 1, 'a plain "a" matches several people');
      for (const attempt of [INJECTION, 'x" OR "displayName:a', 'a\\" OR \\"displayName:a']) {
        const found = await client.searchUsers(attempt);
        assert.ok(found.ok, `${attempt}: ${JSON.stringify(found)}`);
        assert.deepEqual(found.value, [], attempt);
      }
      proxy.inject({ match: (_m, url) => url.searchParams.has('$search'), ...UNSUPPORTED_SEARCH });
      const viaFilter = await fx.client({ baseUrl: proxy.url }).searchUsers(INJECTION);
      assert.ok(viaFilter.ok, JSON.stringify(viaFilter));
      assert.deepEqual(viaFilter.value, []);
      assert.ok(
        fx.requests.every((r) => r.status !== 400),
        'the stand-in never answered 400',
      );
    });

    it("lists contacts by prefix: D'Arcy is found, the injection finds nothing", async () => {
      const client = fx.client();
      const darcy = await client.listContacts("D'Arcy");
      assert.ok(darcy.ok, JSON.stringify(darcy));
      assert.deepEqual(
        darcy.value.map((c) => c.displayName),
        ["D'Arcy Moreau"],
      );
      const none = await client.listContacts(INJECTION);
      assert.ok(none.ok, JSON.stringify(none));
      assert.deepEqual(none.value, []);
      const all = await client.listContacts('', 3);
      assert.ok(all.ok);
      assert.equal(all.value.length, 3);
    });

    it('returns no results for an empty query without calling Graph', async () => {
      const found = await fx.client().searchUsers('   ');
      assert.ok(found.ok);
      assert.deepEqual(found.value, []);
      assert.equal(fx.requests.length, 0);
    });
  });

  describe('presence, extensions and members', () => {
    it('reads presence for many users in chunks of at most 650 ids, in input order', async () => {
      const known = fx.org.users.slice(0, 3).map((u) => u.id);
      const unknown = Array.from(
        { length: 700 },
        (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      );
      const ids = [...known, ...unknown];
      const presences = await fx.client().getPresence(ids);
      assert.ok(presences.ok, JSON.stringify(presences).slice(0, 500));
      assert.deepEqual(
        presences.value.map((p) => p.id),
        ids,
      );
      assert.equal(fx.count('/v1.0/communications/getPresencesByUserId'), 2);
      assert.notEqual(presences.value[0]?.availability, 'PresenceUnknown');
    });

    it('sets and clears the app presence session', async () => {
      const client = fx.client();
      const set = await client.setPresence(fx.me.id, {
        sessionId: APP_ID,
        availability: 'Busy',
        activity: 'InACall',
        expirationDuration: 'PT10M',
      });
      assert.ok(set.ok, JSON.stringify(set));
      const during = fx.graph.presence.get(fx.me.id);
      assert.equal(during.availability, 'Busy');
      assert.equal(during.activity, 'InACall');
      const cleared = await client.clearPresence(fx.me.id, APP_ID);
      assert.ok(cleared.ok, JSON.stringify(cleared));
      assert.notEqual(fx.graph.presence.get(fx.me.id).activity, 'InACall');
      const wrongSession = await client.setPresence(fx.me.id, {
        sessionId: 'not-our-app',
        availability: 'Away',
        activity: 'Away',
      });
      assert.ok(!wrongSession.ok);
      assert.equal(wrongSession.error.status, 400);
    });

    it('creates an open extension with POST, then updates it with PATCH', async () => {
      const client = fx.client();
      const name = 'com.callbridge.integrationTest';
      const absent = await client.getExtension(name);
      assert.ok(absent.ok);
      assert.equal(absent.value, undefined);
      const created = await client.putExtension(name, { speedDials: '["+15550100"]', version: 1 });
      assert.ok(created.ok, JSON.stringify(created));
      assert.equal(created.value.created, true);
      const updated = await client.putExtension(name, { speedDials: '[]', version: 2 });
      assert.ok(updated.ok, JSON.stringify(updated));
      assert.equal(updated.value.created, false);
      const read = await client.getExtension(name);
      assert.ok(read.ok && read.value !== undefined);
      assert.equal((read.value as Record<string, unknown>).version, 2);
      assert.equal((read.value as Record<string, unknown>).speedDials, '[]');
      assert.equal(fx.count('/v1.0/me/extensions', 'POST'), 2);
      assert.equal(fx.count(`/v1.0/me/extensions/${name}`, 'PATCH'), 1);
    });

    it('lists chat and channel members (ids with : and @ encoded)', async () => {
      const client = fx.client();
      const chat = fx.org.chats[0]!;
      const members = await client.listChatMembers(chat.id);
      assert.ok(members.ok, JSON.stringify(members));
      assert.deepEqual(members.value.map((m) => m.userId).sort(), [...chat.memberIds].sort());
      const team = fx.org.teams[0]!;
      const channel = team.channels[0]!;
      const channelMembers = await client.listChannelMembers(team.id, channel.id);
      assert.ok(channelMembers.ok, JSON.stringify(channelMembers));
      assert.equal(channelMembers.value.length, channel.memberIds.length);
    });
  });

  describe('secrets', () => {
    it('never puts the token in an error or a log line', async () => {
      const { logger, lines } = captureLogs('debug');
      const client = fx.client({ logger, policy: { maxRetries: 1, timeoutMs: 100 } });
      const errors: unknown[] = [];
      fx.graph.faults.throttle('users', { kind: 'next', count: 5, retryAfterSeconds: 1 });
      errors.push(await client.getMe());
      fx.graph.faults.clearThrottle();
      fx.graph.faults.throttle('users', { kind: 'next', count: 1, retryAfterSeconds: 300 });
      errors.push(await client.getMe());
      fx.graph.faults.clearThrottle();
      errors.push(await client.getUser('00000000-0000-4000-8000-000000000404'));
      fx.graph.faults.setDelay('users', 400);
      errors.push(await client.getMe());
      fx.graph.faults.clearDelays();
      proxy.inject({ match: () => true, status: 503, times: 4 });
      errors.push(await fx.client({ baseUrl: proxy.url, logger, policy: { maxRetries: 1 } }).getMe());
      const expired = new GraphClient({
        baseUrl: fx.graph.url,
        getAccessToken: () => Promise.resolve(`${fx.token}x`),
        logger,
      });
      errors.push(await expired.getMe());

      assert.ok(
        errors.every((e) => !(e as { ok: boolean }).ok),
        'every call failed',
      );
      assert.ok(lines().length >= 5, `logged ${lines().length} lines`);
      const signature = fx.token.split('.')[2]!;
      for (const text of [...lines(), ...errors.map((e) => JSON.stringify(e))]) {
        assert.ok(!text.includes(fx.token) && !text.includes(signature), `token leaked: ${text}`);
        assert.doesNotMatch(text, /bearer/i);
      }
      await sleep(500);
    });
  });
});
