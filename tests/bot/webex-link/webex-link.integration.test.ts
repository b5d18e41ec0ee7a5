import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createService, type Service } from '../../../bot/src/app.js';
import { createTokenVault, type TokenVault } from '../../../bot/src/auth/token-vault.js';
import { loadConfig } from '../../../bot/src/config/env.js';
import { WebexClient } from '../../../bot/src/integrations/webex/webex.client.js';
import { createMetrics } from '../../../bot/src/observability/metrics.js';
import { openStore } from '../../../bot/src/store/open.js';
import type { Store, TokenKind, User } from '../../../bot/src/store/store.js';
import {
  createWebexLinking,
  WEBEX_LINK_SCOPES,
  WebexTokenService,
  type WebexLinking,
} from '../../../bot/src/webex-link/index.js';
import { WebexOAuthClient } from '../../../bot/src/webex-link/webex-oauth.js';
import type { EntraStandIn } from '../../../sandbox/src/entra/index.js';
import type { DemoUser } from '../../../sandbox/src/seed/org.js';
import { startWebex, type WebexStandIn } from '../../../sandbox/src/webex/index.js';
import { org, serviceSsoValidator, startTestEntra } from '../../sandbox/entra/fixture.js';
import { captureLogs } from '../../support/log-capture.js';

/**
 * The Webex linking flow end to end: a real service on port 0 with the link routes, a temp-dir
 * SQLite store, the real vault, SSO tokens from the Entra stand-in and the Webex stand-in's real
 * authorize page and token endpoint. The test acts as the browser: it follows redirects, posts
 * the consent form and carries the binding cookie itself.
 */

const PUBLIC = 'https://callbridge.test';
const CLIENT_ID = 'C-webex-link-test';
const CLIENT_SECRET = 'webex-link-test-secret';
const DAY = 24 * 60 * 60 * 1000;

const webexUsers = org.users.filter(
  (u): u is DemoUser & { webex: NonNullable<DemoUser['webex']> } => u.webex !== undefined,
);
const ALICE = webexUsers[1]!;
const BOB = webexUsers[2]!;

interface StoredToken {
  readonly token: string;
  readonly version: number;
  readonly expiresAt: number | null;
}

interface Flow {
  /** The callback URL Webex redirected to (public origin). */
  readonly callback: string;
  /** The binding cookie the start route set (`name=value`). */
  readonly cookie: string;
}

describe('Webex account linking (integration)', function () {
  this.timeout(20_000);
  let nowMs: number;
  let entra: EntraStandIn;
  let webex: WebexStandIn;
  let store: Store;
  let vault: TokenVault;
  let linking: WebexLinking;
  let service: Service;
  let base: string;
  let dir: string;
  let logs: () => string[];
  let captured: ReturnType<typeof captureLogs>;
  /** Every response body the test read, to check none holds token material. */
  const bodies: string[] = [];

  before(async function () {
    entra = await startTestEntra();
  });
  after(async () => {
    await entra.close();
  });

  beforeEach(async () => {
    nowMs = Date.now();
    const now = () => nowMs;
    bodies.length = 0;
    webex = await startWebex({
      org,
      now,
      integrations: [
        {
          name: 'CallBridge (test)',
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          redirectUris: [`${PUBLIC}/auth/webex/callback`],
          scopes: [...WEBEX_LINK_SCOPES, 'spark:xsi'],
        },
      ],
    });
    dir = await mkdtemp(path.join(tmpdir(), 'webex-link-'));
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
      SHUTDOWN_TIMEOUT_MS: '2000',
      BOT_ENDPOINT: PUBLIC,
      WEBEX_BASE_URL: webex.url,
      WEBEX_CLIENT_ID: CLIENT_ID,
      WEBEX_CLIENT_SECRET: CLIENT_SECRET,
      DATA_DIR: dir,
    });
    assert.ok(config.ok);
    captured = captureLogs('debug');
    logs = captured.lines;
    const opened = await openStore(config.value.store, captured.logger, { now });
    assert.ok(opened.ok);
    store = opened.value;
    vault = createTokenVault(config.value.tokenVault);
    const validator = serviceSsoValidator(entra.url);
    const built = createWebexLinking({
      config: config.value,
      store,
      validator,
      vault,
      logger: captured.logger,
      now,
      policy: { maxRetries: 0 },
    });
    assert.ok(built.ok);
    linking = built.value;
    service = createService({
      config: config.value,
      logger: captured.logger,
      metrics: createMetrics({ collectDefaults: false }),
      readiness: [],
      routes: linking.routes,
      daemons: [],
      guard: store.guard,
      closeables: [{ name: 'store', close: () => store.close() }],
    });
    base = `http://127.0.0.1:${await service.start()}`;
  });

  afterEach(async () => {
    await service.stop();
    await webex.close();
    await rm(dir, { recursive: true, force: true });
  });

  // -------------------------------------------------------------------------------------------
  // The browser and the tab

  const local = (url: string): string => (url.startsWith(PUBLIC) ? base + url.slice(PUBLIC.length) : url);

  async function read(res: Response): Promise<string> {
    const text = await res.text();
    bodies.push(text);
    return text;
  }

  async function api(method: string, who: DemoUser | undefined): Promise<Response> {
    const headers: Record<string, string> = {};
    if (who !== undefined) headers.authorization = `Bearer ${await entra.ssoToken(who.id)}`;
    return fetch(`${base}/api/webex/link`, { method, headers });
  }

  /** The tab's POST: the start URL for the popup. */
  async function newAttempt(who: DemoUser): Promise<string> {
    const res = await api('POST', who);
    assert.equal(res.status, 200);
    const body = JSON.parse(await read(res)) as { url: string };
    assert.ok(body.url.startsWith(`${PUBLIC}/auth/webex/start?attempt=`));
    return body.url;
  }

  /** The popup: start → Webex consent page → Accept as `person` → the callback URL (not yet opened). */
  async function authorize(startUrl: string, person: string, decision = 'accept'): Promise<Flow> {
    const start = await fetch(local(startUrl), { redirect: 'manual' });
    assert.equal(start.status, 302, await start.text());
    const setCookie = start.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Lax/);
    assert.match(setCookie, /Secure/);
    const cookie = setCookie.split(';')[0]!;
    const authorizeUrl = new URL(start.headers.get('location') ?? '');
    assert.equal(authorizeUrl.origin + authorizeUrl.pathname, `${webex.url}/v1/authorize`);
    assert.equal(authorizeUrl.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authorizeUrl.searchParams.get('redirect_uri'), `${PUBLIC}/auth/webex/callback`);
    assert.equal(authorizeUrl.searchParams.get('scope'), WEBEX_LINK_SCOPES.join(' '));

    const page = await fetch(authorizeUrl);
    assert.equal(page.status, 200);
    const html = await page.text();
    // Post the consent form as a browser would: its hidden fields, the person, the button.
    const form = new URLSearchParams();
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
      form.set(m[1]!, unescapeHtml(m[2]!));
    form.set('person', person);
    form.set('decision', decision);
    const accepted = await fetch(`${webex.url}/v1/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      redirect: 'manual',
    });
    assert.equal(accepted.status, 302);
    const callback = accepted.headers.get('location') ?? '';
    assert.ok(callback.startsWith(`${PUBLIC}/auth/webex/callback?`));
    return { callback, cookie };
  }

  async function openCallback(
    flow: Flow,
    cookie = flow.cookie,
  ): Promise<{ status: number; html: string; res: Response }> {
    const res = await fetch(local(flow.callback), { headers: { cookie }, redirect: 'manual' });
    return { status: res.status, html: await read(res), res };
  }

  async function link(who: typeof ALICE): Promise<void> {
    const done = await openCallback(await authorize(await newAttempt(who), who.webex.personId));
    assert.equal(done.status, 200, done.html);
  }

  async function userOf(who: DemoUser): Promise<User> {
    const user = await store.users.getByAadObjectId(org.tenantId, who.id);
    assert.ok(user !== undefined);
    return user;
  }

  async function tokensOf(who: DemoUser): Promise<Partial<Record<TokenKind, StoredToken>>> {
    const user = await userOf(who);
    const out: Partial<Record<TokenKind, StoredToken>> = {};
    for (const kind of ['webex_access', 'webex_refresh'] as const) {
      const record = await store.tokens.get({ tenantId: user.tenantId, userId: user.id, kind });
      if (record === undefined) continue;
      const opened = vault.open(record.sealed, record);
      assert.ok(opened.ok);
      out[kind] = { token: opened.value, version: record.version, expiresAt: record.expiresAt };
    }
    return out;
  }

  async function bothTokens(who: DemoUser): Promise<{ access: StoredToken; refresh: StoredToken }> {
    const { webex_access: access, webex_refresh: refresh } = await tokensOf(who);
    assert.ok(access !== undefined && refresh !== undefined);
    return { access, refresh };
  }

  async function status(who: DemoUser): Promise<Record<string, unknown>> {
    const res = await api('GET', who);
    assert.equal(res.status, 200);
    return JSON.parse(await read(res)) as Record<string, unknown>;
  }

  function assertNoLeak(secrets: readonly string[]): void {
    const logged = logs().join('\n');
    for (const secret of secrets) {
      assert.ok(secret.length > 20);
      assert.ok(!logged.includes(secret), 'a token appears in the logs');
      for (const body of bodies) assert.ok(!body.includes(secret), 'a token appears in a response');
    }
  }

  // -------------------------------------------------------------------------------------------

  it('links through the real Webex consent page and stores sealed tokens that work', async () => {
    const flow = await authorize(await newAttempt(ALICE), ALICE.webex.personId);
    const done = await openCallback(flow);
    assert.equal(done.status, 200, done.html);
    assert.match(done.html, /data-outcome="linked"/);
    assert.match(done.html, /You can close this window/);
    const csp = done.res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(done.res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(done.res.headers.get('cache-control'), 'no-store');
    assert.match(done.res.headers.get('set-cookie') ?? '', /Max-Age=0/);
    assert.ok(!/<script>/.test(done.html), 'no inline script');

    const user = await userOf(ALICE);
    assert.equal(user.webex?.personId, ALICE.webex.personId);
    assert.equal(user.webex.orgId.length > 0, true);

    const shown = await status(ALICE);
    assert.equal(shown.linked, true);
    assert.equal(shown.personId, ALICE.webex.personId);
    assert.equal(shown.needsRelink, false);
    assert.equal(typeof shown.linkedAt, 'number');
    assert.equal(shown.expiresAt, nowMs + 90 * DAY);
    assert.deepEqual(Object.keys(shown).sort(), [
      'expiresAt',
      'linked',
      'linkedAt',
      'needsRelink',
      'personId',
    ]);

    // The stored access token is Alice's at Webex.
    const me = await new WebexClient({
      baseUrl: webex.url,
      getAccessToken: async () => {
        const got = await linking.tokens.getAccessToken(user.id);
        assert.ok(got.ok);
        return got.value;
      },
    }).getMe();
    assert.ok(me.ok);
    assert.equal(me.value.id, ALICE.webex.personId);

    const tokens = await tokensOf(ALICE);
    assert.ok(tokens.webex_access !== undefined && tokens.webex_refresh !== undefined);
    assert.equal(tokens.webex_access.expiresAt, nowMs + 14 * DAY);
    assertNoLeak([
      tokens.webex_access.token,
      tokens.webex_refresh.token,
      new URL(flow.callback).searchParams.get('code')!,
    ]);

    // Teams-js and the completion script are served from our origin for the page.
    for (const asset of ['teams.js', 'complete.js', 'page.css']) {
      const res = await fetch(`${base}/auth/webex/assets/${asset}`);
      assert.equal(res.status, 200, asset);
      await res.arrayBuffer();
    }
  });

  it('refuses SSO-less calls to the link API', async () => {
    for (const method of ['POST', 'GET', 'DELETE']) {
      const res = await api(method, undefined);
      assert.equal(res.status, 401, method);
      await read(res);
    }
  });

  it('refuses a forged or tampered state with a 400 page', async () => {
    const flow = await authorize(await newAttempt(ALICE), ALICE.webex.personId);
    const url = new URL(flow.callback);
    const state = url.searchParams.get('state')!;
    for (const forged of ['forged', `${state.slice(0, -4)}AAAA`, '']) {
      url.searchParams.set('state', forged);
      const res = await openCallback({ callback: url.toString(), cookie: flow.cookie });
      assert.equal(res.status, 400);
      assert.match(res.html, /Start again from the Call tab/);
    }
    // Nothing was linked, and the genuine response still works.
    assert.equal((await userOf(ALICE)).webex, null);
    assert.equal((await openCallback(flow)).status, 200);
  });

  it('refuses a replayed callback and changes nothing', async () => {
    const flow = await authorize(await newAttempt(ALICE), ALICE.webex.personId);
    assert.equal((await openCallback(flow)).status, 200);
    const before = await tokensOf(ALICE);
    const replay = await openCallback(flow);
    assert.equal(replay.status, 400);
    assert.match(replay.html, /already used/);
    assert.deepEqual(await tokensOf(ALICE), before);
  });

  it('uses each link attempt once', async () => {
    const attempt = await newAttempt(ALICE);
    await authorize(attempt, ALICE.webex.personId);
    const again = await fetch(local(attempt), { redirect: 'manual' });
    assert.equal(again.status, 400);
    assert.match(await read(again), /already used/);
  });

  it("refuses user A's state in user B's browser (binding cookie)", async () => {
    const aliceFlow = await authorize(await newAttempt(ALICE), ALICE.webex.personId);
    const bobFlow = await authorize(await newAttempt(BOB), BOB.webex.personId);
    const crossed = await openCallback(aliceFlow, bobFlow.cookie);
    assert.equal(crossed.status, 400);
    const noCookie = await openCallback(aliceFlow, '');
    assert.equal(noCookie.status, 400);
    assert.equal((await userOf(ALICE)).webex, null);
    assert.equal((await userOf(BOB)).webex, null);
    // Bob's own response in Bob's browser links Bob, to the person Webex says signed in.
    assert.equal((await openCallback(bobFlow)).status, 200);
    assert.equal((await userOf(BOB)).webex?.personId, BOB.webex.personId);
  });

  it('refuses an expired state with "start again from the Call tab"', async () => {
    const flow = await authorize(await newAttempt(ALICE), ALICE.webex.personId);
    nowMs += 11 * 60 * 1000;
    const late = await openCallback(flow);
    assert.equal(late.status, 400);
    assert.match(late.html, /expired/);
    assert.match(late.html, /Start again from the Call tab/);
    assert.equal((await userOf(ALICE)).webex, null);
  });

  it('shows a clear page when the Webex person is linked to another user', async () => {
    await link(ALICE);
    // Bob signs in to Webex as Alice.
    const done = await openCallback(await authorize(await newAttempt(BOB), ALICE.webex.personId));
    assert.equal(done.status, 409);
    assert.match(done.html, /linked to someone else/);
    assert.equal((await userOf(BOB)).webex, null);
    assert.deepEqual(await tokensOf(BOB), {});
  });

  it('reports a declined consent without linking', async () => {
    const done = await openCallback(
      await authorize(await newAttempt(ALICE), ALICE.webex.personId, 'decline'),
    );
    assert.equal(done.status, 400);
    assert.match(done.html, /data-outcome="access_denied"/);
    assert.equal((await userOf(ALICE)).webex, null);
  });

  it('refreshes before expiry (injected clock), saving the rotated tokens with CAS', async () => {
    await link(ALICE);
    const user = await userOf(ALICE);
    const first = await bothTokens(ALICE);
    // Outside the 3-day window: the stored token as is.
    nowMs += 10 * DAY;
    const early = await linking.tokens.ensureFresh(user.id);
    assert.ok(early.ok);
    assert.equal(early.value.refreshed, false);
    assert.equal(early.value.accessToken, first.access.token);
    // 12 days in: 2 days left, so the sweep refreshes.
    nowMs += 2 * DAY;
    await linking.daemon.tick(new AbortController().signal);
    const second = await bothTokens(ALICE);
    assert.notEqual(second.access.token, first.access.token);
    assert.equal(second.access.version, first.access.version + 1);
    assert.equal(second.access.expiresAt, nowMs + 14 * DAY);
    assert.equal(second.refresh.version, first.refresh.version + 1);
    assert.equal(second.refresh.expiresAt, nowMs + 90 * DAY);
    // The refreshed token is what callers get now; the next call does not refresh again.
    const got = await linking.tokens.ensureFresh(user.id);
    assert.ok(got.ok);
    assert.equal(got.value.refreshed, false);
    assert.equal(got.value.accessToken, second.access.token);
    assertNoLeak([first.access.token, second.access.token, second.refresh.token]);
  });

  it('lets only one of two racing refreshers write (CAS) and both get the stored token', async () => {
    await link(ALICE);
    const user = await userOf(ALICE);
    const first = await bothTokens(ALICE);
    // A second instance: its own token service over the same store.
    const other = new WebexTokenService({
      store,
      vault,
      oauth: new WebexOAuthClient({ baseUrl: webex.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }),
      logger: captured.logger,
      now: () => nowMs,
    });
    nowMs += 12 * DAY;
    const [a, b] = await Promise.all([linking.tokens.ensureFresh(user.id), other.ensureFresh(user.id)]);
    assert.ok(a.ok && b.ok);
    const stored = await bothTokens(ALICE);
    assert.equal(stored.access.version, first.access.version + 1);
    assert.equal(stored.refresh.version, first.refresh.version + 1);
    assert.equal(a.value.accessToken, stored.access.token);
    assert.equal(b.value.accessToken, stored.access.token);
  });

  it('marks the link as needing a relink when Webex refuses the refresh token', async () => {
    await link(ALICE);
    const user = await userOf(ALICE);
    webex.revokeGrants(ALICE.webex.personId);
    nowMs += 12 * DAY;
    const got = await linking.tokens.getAccessToken(user.id);
    assert.deepEqual(got, { ok: false, error: { code: 'needs_relink' } });
    assert.deepEqual(await tokensOf(ALICE), {});
    const shown = await status(ALICE);
    assert.equal(shown.linked, true);
    assert.equal(shown.needsRelink, true);
    // Linking again repairs it.
    await link(ALICE);
    assert.equal((await status(ALICE)).needsRelink, false);
  });

  it('unlinks and deletes the tokens on DELETE', async () => {
    await link(ALICE);
    const res = await api('DELETE', ALICE);
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(await read(res)), { linked: false });
    assert.equal((await userOf(ALICE)).webex, null);
    assert.deepEqual(await tokensOf(ALICE), {});
    assert.deepEqual(await status(ALICE), { linked: false });
    assert.deepEqual(await linking.tokens.getAccessToken((await userOf(ALICE)).id), {
      ok: false,
      error: { code: 'not_linked' },
    });
    // Idempotent, and Alice's Webex person is free for a new link.
    assert.equal((await api('DELETE', ALICE)).status, 200);
    await link(ALICE);
  });
});

function unescapeHtml(value: string): string {
  return value.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)));
}
