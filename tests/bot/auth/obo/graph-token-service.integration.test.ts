import assert from 'node:assert/strict';
import { createService, type Service } from '../../../../bot/src/app.js';
import type { GraphTokenService } from '../../../../bot/src/auth/obo/graph-token-service.js';
import { loadConfig } from '../../../../bot/src/config/env.js';
import { postAuthToken } from '../../../../bot/src/http/routes/postAuthToken.js';
import { createMetrics } from '../../../../bot/src/observability/metrics.js';
import type { SingletonGuard } from '../../../../bot/src/workers/daemon.js';
import {
  CLIENT_ID,
  barrierFetch,
  databaseBytes,
  fragmentsOf,
  startHarness,
  type Harness,
} from './harness.js';

/**
 * The Identity issue's done-when path, against the real Entra stand-in (HTTPS), a SQLite store
 * in a temporary folder and the real vault: enrol through on-behalf-of, keep working in the
 * background with rotating refresh tokens, lose consent, get marked needs_sign_in, sign in again.
 */

const HOUR = 60 * 60 * 1000;
const GRAPH_AUD = 'https://graph.microsoft.com';

async function assertGraphToken(h: Harness, token: string, aadObjectId: string): Promise<void> {
  const claims = await h.entra.verifyToken(token);
  assert.ok(claims, 'the stand-in accepts the access token (signature and lifetime)');
  assert.equal(claims.aud, GRAPH_AUD);
  assert.equal(claims.oid, aadObjectId);
  assert.match(String(claims.scp), /Presence\.Read\.All/);
}

describe('GraphTokenService: on-behalf-of with offline_access, against the Entra stand-in', function () {
  this.timeout(30_000);
  let h: Harness;

  before(async function () {
    h = await startHarness();
    try {
      await fetch(`${h.entra.url}/_sandbox/entra`);
    } catch {
      await h.close();
      console.log('      (skipped: the sandbox CA is not trusted; run through node scripts/test.mjs)');
      this.skip();
    }
  });

  after(async () => {
    await h.close();
  });

  it('enrols, refreshes in the background with rotation, signs the user out on revoked consent, and recovers', async () => {
    const demo = h.org.users[5]!;
    const service = h.service();
    let user = await h.enrolUser(demo.id);
    assert.equal(user.status, 'needs_sign_in');

    // 1. The tab's SSO token → OBO: refresh token sealed and stored, user active.
    const enrolled = await service.exchange(await h.sso(demo.id), user);
    assert.ok(enrolled.ok, JSON.stringify(!enrolled.ok && enrolled.error));
    await assertGraphToken(h, enrolled.value.token, demo.id);
    user = (await h.store.users.get(user.id))!;
    assert.equal(user.status, 'active');
    const first = await h.storedRefreshToken(user);
    assert.ok(first);
    assert.equal(first.version, 1);

    // A cached access token with > 5 min left comes back without calling Entra.
    const cached = await service.getAccessToken(user.id);
    assert.ok(cached.ok);
    assert.equal(cached.value.token, enrolled.value.token);
    assert.equal((await h.storedRefreshToken(user))?.version, 1);

    // A Webex token of the same user, which a Graph sign-out must leave alone.
    const webexKey = { tenantId: user.tenantId, userId: user.id, kind: 'webex_refresh' as const };
    assert.ok(
      (
        await h.store.tokens.put({
          ...webexKey,
          sealed: h.vault.seal('webex-refresh-x', webexKey),
          expiresAt: null,
          expectedVersion: null,
        })
      ).ok,
    );

    // 2. An hour later, no SSO token anywhere: a new worker refreshes; the rotated token is persisted.
    h.advance(HOUR);
    const worker = h.service();
    const background = await worker.getAccessToken(user.id);
    assert.ok(background.ok, JSON.stringify(!background.ok && background.error));
    assert.notEqual(background.value.token, enrolled.value.token);
    assert.ok(background.value.expiresAt > h.now() + 50 * 60 * 1000);
    await assertGraphToken(h, background.value.token, demo.id);
    const second = await h.storedRefreshToken(user);
    assert.ok(second);
    assert.equal(second.version, 2);
    assert.notEqual(second.token, first.token, 'the rotated refresh token was stored');

    // The superseded refresh token dies after the stand-in's grace period: only the stored one works.
    h.advance(31_000);
    const reused = await h
      .tokenClient()
      .refresh(first.token, 'https://graph.microsoft.com/.default offline_access');
    assert.ok(!reused.ok && reused.error.kind === 'oauth');
    assert.deepEqual(reused.error.codes, [70000]);

    // The first worker now picks up the stored access token instead of refreshing again.
    h.advance(10 * 60 * 1000);
    const fromStore = await service.getAccessToken(user.id);
    assert.ok(fromStore.ok);
    assert.equal(fromStore.value.token, background.value.token);
    assert.equal((await h.storedRefreshToken(user))?.version, 2);

    // 3. The user revokes consent; the next background refresh signs them out, once.
    h.entra.revokeConsent(demo.id);
    h.advance(HOUR);
    const revoked = await worker.getAccessToken(user.id);
    assert.ok(!revoked.ok);
    assert.ok(revoked.error.code === 'needs_sign_in');
    assert.equal(revoked.error.reason, 'consent_required');
    assert.equal(revoked.error.aadsts, 65001);
    assert.equal((await h.store.users.get(user.id))?.status, 'needs_sign_in');
    assert.equal(await h.store.tokens.get({ ...webexKey, kind: 'graph_refresh' }), undefined);
    assert.equal(await h.store.tokens.get({ ...webexKey, kind: 'graph_access' }), undefined);
    assert.ok(await h.store.tokens.get(webexKey), 'Webex tokens are not touched');
    assert.deepEqual(h.signInHooks, [{ userId: user.id, reason: 'consent_required' }]);

    // Further background calls (any worker) answer needs_sign_in without calling the hook again.
    for (const svc of [worker, service]) {
      const again = await svc.getAccessToken(user.id);
      assert.ok(!again.ok && again.error.code === 'needs_sign_in');
    }
    assert.equal(h.signInHooks.length, 1);

    // While consent is revoked, the interactive exchange says so (the route answers 403).
    const refused = await service.exchange(await h.sso(demo.id), user);
    assert.ok(!refused.ok);
    assert.equal(refused.error.code, 'consent_required');
    assert.equal(refused.error.aadsts, 65001);

    // 4. The user consents again in the tab's popup, and the tab calls the exchange: active again.
    h.entra.grantUserConsent(demo.id, CLIENT_ID, 'https://graph.microsoft.com/.default offline_access');
    const again = await service.exchange(await h.sso(demo.id), (await h.store.users.get(user.id))!);
    assert.ok(again.ok, JSON.stringify(!again.ok && again.error));
    assert.equal((await h.store.users.get(user.id))?.status, 'active');
    h.advance(HOUR);
    const restored = await h.service().getAccessToken(user.id);
    assert.ok(restored.ok, JSON.stringify(!restored.ok && restored.error));
    await assertGraphToken(h, restored.value.token, demo.id);
    assert.equal(h.signInHooks.length, 1);
  });

  it('expired refresh tokens (AADSTS700082) and MFA (AADSTS50076) in the background mean needs_sign_in', async () => {
    for (const [index, force, reason, code] of [
      [7, (id: string) => h.entra.expireRefreshTokens(id), 'invalid_grant', 700082],
      [
        8,
        (id: string) => {
          h.entra.requireMfa(id);
        },
        'interaction_required',
        50076,
      ],
    ] as const) {
      const demo = h.org.users[index]!;
      const service = h.service();
      const user = await h.enrolUser(demo.id);
      assert.ok((await service.exchange(await h.sso(demo.id), user)).ok);
      force(demo.id);
      h.advance(HOUR);
      const hooksBefore = h.signInHooks.length;
      const result = await service.getAccessToken(user.id);
      assert.ok(!result.ok && result.error.code === 'needs_sign_in');
      assert.equal(result.error.reason, reason);
      assert.equal(result.error.aadsts, code);
      assert.equal((await h.store.users.get(user.id))?.status, 'needs_sign_in');
      assert.equal(await h.storedRefreshToken(user), undefined);
      assert.deepEqual(h.signInHooks.slice(hooksBefore), [{ userId: user.id, reason }]);
    }
    h.entra.requireMfa(h.org.users[8]!.id, false);
  });

  it('two workers refreshing at once both succeed and the newest refresh token is kept', async () => {
    const demo = h.org.users[9]!;
    const user = await h.enrolUser(demo.id);
    assert.ok((await h.service().exchange(await h.sso(demo.id), user)).ok);
    h.advance(HOUR);

    // Both workers read refresh token v1 and present it to Entra at the same moment.
    const barrier = barrierFetch(2);
    const [a, b] = await Promise.all([
      h.service({ fetch: barrier.fetch }).getAccessToken(user.id),
      h.service({ fetch: barrier.fetch }).getAccessToken(user.id),
    ]);
    assert.equal(barrier.calls(), 2, 'both workers really went to Entra');
    assert.ok(a.ok && b.ok, JSON.stringify([a, b]));
    await assertGraphToken(h, a.value.token, demo.id);
    await assertGraphToken(h, b.value.token, demo.id);
    const stored = await h.storedRefreshToken(user);
    assert.equal(stored?.version, 2, 'exactly one rotation landed; the loser did not overwrite it');
    assert.ok(
      h.lines().some((l) => l.includes(user.id) && l.includes('lost the compare-and-swap')),
      'the losing worker kept the newer record',
    );

    // Long after the grace period the stored refresh token still works: nothing was lost.
    h.advance(HOUR);
    const later = await h.service().getAccessToken(user.id);
    assert.ok(later.ok, JSON.stringify(!later.ok && later.error));
    assert.equal((await h.storedRefreshToken(user))?.version, 3);
    assert.equal((await h.store.users.get(user.id))?.status, 'active');
  });

  it('a worker whose refresh token was rotated away (past the grace period) takes the newer record instead of signing the user out', async () => {
    const demo = h.org.users[10]!;
    const user = await h.enrolUser(demo.id);
    assert.ok((await h.service().exchange(await h.sso(demo.id), user)).ok);
    h.advance(HOUR);

    // Worker B read v1 but reaches Entra only after worker A rotated it and the grace ran out.
    let aDone: () => void = () => undefined;
    const aFinished = new Promise<void>((resolve) => (aDone = resolve));
    let bReachedEntra: () => void = () => undefined;
    const bReady = new Promise<void>((resolve) => (bReachedEntra = resolve));
    let bCalls = 0;
    const slowFetch: typeof fetch = async (input, init) => {
      bCalls += 1;
      if (bCalls === 1) {
        bReachedEntra();
        await aFinished;
        h.advance(31_000);
      }
      return fetch(input, init);
    };
    const workerB = h.service({ fetch: slowFetch }).getAccessToken(user.id);
    await bReady;
    const a = await h.service().getAccessToken(user.id);
    assert.ok(a.ok);
    aDone();
    const b = await workerB;
    assert.ok(b.ok, JSON.stringify(!b.ok && b.error));
    assert.equal((await h.store.users.get(user.id))?.status, 'active');
    assert.equal((await h.storedRefreshToken(user))?.version, 2);
    assert.ok(
      h.lines().some((l) => l.includes(user.id) && l.includes('replaced meanwhile')),
      'worker B was refused (AADSTS70000) and re-read the store',
    );
    const hooks = h.signInHooks.filter((x) => x.userId === user.id);
    assert.deepEqual(hooks, []);
    h.advance(HOUR);
    assert.ok((await h.service().getAccessToken(user.id)).ok);
  });

  it('coalesces concurrent background calls for one user into one refresh', async () => {
    const demo = h.org.users[11]!;
    const user = await h.enrolUser(demo.id);
    assert.ok((await h.service().exchange(await h.sso(demo.id), user)).ok);
    h.advance(HOUR);
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls += 1;
      return fetch(input, init);
    };
    const service = h.service({ fetch: counting });
    const results = await Promise.all(Array.from({ length: 5 }, () => service.getAccessToken(user.id)));
    assert.equal(calls, 1);
    const tokens = new Set(results.map((r) => (r.ok ? r.value.token : 'failed')));
    assert.equal(tokens.size, 1);
    assert.ok(!tokens.has('failed'));
  });

  it('Entra down: unavailable, and the user is not marked', async () => {
    const demo = h.org.users[12]!;
    const user = await h.enrolUser(demo.id);
    assert.ok((await h.service().exchange(await h.sso(demo.id), user)).ok);
    h.advance(HOUR);
    const down: typeof fetch = () => Promise.reject(new TypeError('fetch failed'));
    const result = await h.service({ fetch: down }).getAccessToken(user.id);
    assert.ok(!result.ok && result.error.code === 'unavailable');
    const fiveHundred: typeof fetch = () =>
      Promise.resolve(new Response('oops', { status: 503, headers: { 'retry-after': '7' } }));
    const busy = await h.service({ fetch: fiveHundred }).getAccessToken(user.id);
    assert.ok(!busy.ok && busy.error.code === 'unavailable');
    assert.equal(busy.error.retryAfterMs, 7000);
    assert.equal((await h.store.users.get(user.id))?.status, 'active');
    assert.equal((await h.storedRefreshToken(user))?.version, 1);
    assert.ok((await h.service().getAccessToken(user.id)).ok, 'works again once Entra is back');
  });

  it('a wrong client secret is misconfigured: nobody is signed out', async () => {
    const demo = h.org.users[17]!;
    const user = await h.enrolUser(demo.id);
    assert.ok((await h.service().exchange(await h.sso(demo.id), user)).ok);
    h.advance(HOUR);
    const wrong = h.service({ client: h.tokenClient(undefined, 'not-the-secret') });
    const background = await wrong.getAccessToken(user.id);
    assert.ok(!background.ok && background.error.code === 'misconfigured');
    assert.equal(background.error.aadsts, 7000215);
    const exchange = await wrong.exchange(await h.sso(demo.id), user);
    assert.ok(!exchange.ok && exchange.error.code === 'misconfigured');
    assert.equal((await h.store.users.get(user.id))?.status, 'active');
    assert.equal((await h.storedRefreshToken(user))?.version, 1);
  });

  describe('POST /api/auth/token', () => {
    const alwaysRun: SingletonGuard = {
      runExclusive: async (_name, fn) => ({ ran: true, value: await fn() }),
    };
    const services: Service[] = [];

    async function serve(graphTokens: GraphTokenService): Promise<string> {
      const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'debug' });
      assert.ok(config.ok);
      const service = createService({
        config: config.value,
        logger: h.logger,
        metrics: createMetrics({ collectDefaults: false }),
        readiness: [],
        routes: [postAuthToken({ validator: h.validator, store: h.store, graphTokens, logger: h.logger })],
        daemons: [],
        guard: alwaysRun,
        closeables: [],
      });
      services.push(service);
      return `http://127.0.0.1:${await service.start()}`;
    }

    async function post(
      base: string,
      token: string | undefined,
    ): Promise<{ status: number; text: string; body: Record<string, unknown> }> {
      const res = await fetch(`${base}/api/auth/token`, {
        method: 'POST',
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      });
      const text = await res.text();
      return { status: res.status, text, body: JSON.parse(text) as Record<string, unknown> };
    }

    async function ssoToken(aadObjectId: string): Promise<string> {
      const token = await h.entra.ssoToken(aadObjectId);
      h.secrets.add(token);
      return token;
    }

    after(async () => {
      for (const s of services) await s.stop();
    });

    it('enrols the caller and answers 200 { status: signed_in } with no token in the body', async () => {
      const base = await serve(h.service());
      const demo = h.org.users[13]!;
      const res = await post(base, await ssoToken(demo.id));
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { status: 'signed_in' });
      const user = (await h.store.users.getByAadObjectId(h.entra.tenantId, demo.id))!;
      assert.equal(user.status, 'active');
      assert.ok(await h.storedRefreshToken(user));
    });

    it('consent_required and interaction_required become 403 with a code the tab acts on', async () => {
      const base = await serve(h.service());
      const noConsent = h.org.users[14]!;
      h.entra.revokeConsent(noConsent.id);
      const consent = await post(base, await ssoToken(noConsent.id));
      assert.equal(consent.status, 403, consent.text);
      assert.equal(consent.body.code, 'consent_required');
      assert.equal(typeof consent.body.message, 'string');
      assert.deepEqual(Object.keys(consent.body).sort(), ['code', 'message']);

      const mfa = h.org.users[15]!;
      h.entra.requireMfa(mfa.id);
      const interaction = await post(base, await ssoToken(mfa.id));
      assert.equal(interaction.status, 403, interaction.text);
      assert.equal(interaction.body.code, 'interaction_required');
      assert.equal(typeof interaction.body.claims, 'string');
      assert.ok(JSON.parse(String(interaction.body.claims)) as unknown);
      h.entra.requireMfa(mfa.id, false);
      for (const demo of [noConsent, mfa]) {
        const user = await h.store.users.getByAadObjectId(h.entra.tenantId, demo.id);
        assert.equal(user?.status, 'needs_sign_in');
      }
    });

    it('401 without a valid SSO token; 503 asking to retry when Entra is unreachable', async () => {
      const base = await serve(h.service());
      assert.equal((await post(base, undefined)).status, 401);
      assert.equal((await post(base, 'not-a-token')).status, 401);

      const down = await serve(h.service({ fetch: () => Promise.reject(new TypeError('fetch failed')) }));
      const res = await post(down, await ssoToken(h.org.users[16]!.id));
      assert.equal(res.status, 503, res.text);
      assert.equal(res.body.code, 'unavailable');
      assert.match(String(res.body.message), /retry/i);
    });
  });

  // Last: every test above has run and logged by now.
  describe('leaks', () => {
    it('never wrote a token (access, refresh, SSO) or an email address to the log or the database file', async () => {
      const lines = h.lines();
      assert.ok(lines.length > 10, 'the run logged something to check');
      assert.ok(h.secrets.size > 20, `collected ${h.secrets.size} credentials to look for`);
      const log = lines.join('\n');
      const db = await databaseBytes(h.dataDir);
      assert.ok(db.length > 0);
      for (const secret of h.secrets) {
        for (const fragment of fragmentsOf(secret)) {
          assert.ok(!log.includes(fragment), 'a credential fragment appears in the log');
          assert.equal(
            db.indexOf(Buffer.from(fragment, 'utf8')),
            -1,
            'a credential fragment appears in the database file',
          );
        }
      }
      assert.ok(!log.includes(`@${h.org.domain}`), 'an email address appears in the log');
      for (const u of h.org.users.slice(0, 20)) {
        assert.ok(!log.includes(u.userPrincipalName));
        assert.ok(!log.includes(u.displayName));
      }
      // The logs do carry what operators need: opaque user ids and AADSTS codes.
      assert.match(log, /"aadsts":65001/);
    });
  });
});
