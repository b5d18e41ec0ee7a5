import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createService, type Service } from '../../../../bot/src/app.js';
import { CONSENT_SCOPE, createUserConsent } from '../../../../bot/src/auth/consent/index.js';
import { parseTokenKeyRing } from '../../../../bot/src/auth/key-ring.js';
import { createEntraTokenClient } from '../../../../bot/src/auth/obo/entra-token-client.js';
import { createGraphTokenService } from '../../../../bot/src/auth/obo/graph-token-service.js';
import { createSsoValidator } from '../../../../bot/src/auth/sso-validator.js';
import { createTokenVault, type TokenVault } from '../../../../bot/src/auth/token-vault.js';
import { loadConfig } from '../../../../bot/src/config/env.js';
import { postAuthToken } from '../../../../bot/src/http/routes/postAuthToken.js';
import { createMetrics } from '../../../../bot/src/observability/metrics.js';
import { openStore } from '../../../../bot/src/store/open.js';
import type { Store, User } from '../../../../bot/src/store/store.js';
import { startEntra, type EntraStandIn } from '../../../../sandbox/src/entra/index.js';
import { SANDBOX_IDS, sandboxApps, TAB_AUTH_REDIRECT_PATHS } from '../../../../sandbox/src/launch.js';
import { createDemoOrg, type DemoUser } from '../../../../sandbox/src/seed/org.js';
import { loadSandboxTls } from '../../../../sandbox/src/tls/index.js';
import { captureLogs } from '../../../support/log-capture.js';

/**
 * The consent / step-up sign-in end to end: a real service on port 0 with POST /api/auth/token
 * and the consent routes, a temp-dir SQLite store, the real vault and SSO validator, and the
 * Entra stand-in's real authorize page and token endpoint (HTTPS, sandbox CA). The test is the
 * tab and the popup browser: it follows redirects, posts the sign-in form as a browser would and
 * carries the binding cookie itself.
 */

const TLS_DIR = fileURLToPath(new URL('../../../../.data/sandbox-tls', import.meta.url));
const PUBLIC = 'https://callbridge.test';
const CLIENT_ID = SANDBOX_IDS.clientId;
const APPLICATION_ID_URI = `api://callbridge.test/botid-${SANDBOX_IDS.botId}`;
const org = createDemoOrg();
const ALICE = org.users[5]!;
const BOB = org.users[6]!;

interface Popup {
  readonly callback: string;
  readonly cookie: string;
  readonly authorize: URL;
}

describe('User consent sign-in (integration)', function () {
  this.timeout(20_000);
  let entra: EntraStandIn;
  let store: Store;
  let vault: TokenVault;
  let service: Service;
  let graphTokens: ReturnType<typeof createGraphTokenService>;
  let base: string;
  let dir: string;
  let logs: () => string[];
  const clientSecret = randomBytes(24).toString('base64url');
  /** Every credential the test saw, and every body it read. */
  const secrets = new Set<string>();
  const bodies: string[] = [];

  beforeEach(async () => {
    secrets.clear();
    bodies.length = 0;
    secrets.add(clientSecret);
    const tls = await loadSandboxTls(TLS_DIR);
    entra = await startEntra({
      org,
      tls: { key: tls.key, cert: tls.cert },
      apps: sandboxApps({
        applicationIdUri: APPLICATION_ID_URI,
        redirectUris: TAB_AUTH_REDIRECT_PATHS.map((p) => `${PUBLIC}${p}`),
        clientSecret,
        botPassword: randomBytes(24).toString('base64url'),
      }),
      adminConsented: [CLIENT_ID],
    });
    dir = await mkdtemp(path.join(tmpdir(), 'auth-consent-'));
    const config = loadConfig({
      CALLBRIDGE_MODE: 'sandbox',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'trace',
      SHUTDOWN_TIMEOUT_MS: '2000',
      BOT_ENDPOINT: PUBLIC,
      AAD_APP_CLIENT_ID: CLIENT_ID,
      AAD_APP_CLIENT_SECRET: clientSecret,
      AAD_APP_TENANT_ID: entra.tenantId,
      AAD_APP_OAUTH_AUTHORITY_HOST: entra.url,
      DATA_DIR: dir,
    });
    assert.ok(config.ok, config.ok ? '' : JSON.stringify(config.error));
    const captured = captureLogs('trace');
    logs = captured.lines;
    const opened = await openStore(config.value.store, captured.logger);
    assert.ok(opened.ok, opened.ok ? '' : String(opened.error));
    store = opened.value;
    const ring = parseTokenKeyRing({
      keys: `k1:${randomBytes(32).toString('base64')}`,
      activeKeyId: 'k1',
      mode: 'live',
    });
    assert.ok(ring.ok);
    vault = createTokenVault(ring.value);
    const validator = createSsoValidator({
      clientId: CLIENT_ID,
      applicationIdUri: APPLICATION_ID_URI,
      tenantId: entra.tenantId,
      authorityHost: entra.url,
      v1TokenIssuerHost: entra.url,
      allowedTenantIds: [entra.tenantId],
      logger: captured.logger,
    });
    const tokens = createEntraTokenClient({
      authorityHost: entra.url,
      tenantId: entra.tenantId,
      clientId: CLIENT_ID,
      clientSecret,
    });
    graphTokens = createGraphTokenService({
      client: tokens,
      store,
      vault,
      logger: captured.logger,
      onNeedsSignIn: () => undefined,
    });
    const consent = createUserConsent({
      config: { ...config.value, tokenVault: ring.value },
      tokens,
      store,
      validator,
      graphTokens,
      logger: captured.logger,
    });
    service = createService({
      config: config.value,
      logger: captured.logger,
      metrics: createMetrics({ collectDefaults: false }),
      readiness: [],
      routes: [postAuthToken({ validator, store, graphTokens, logger: captured.logger }), ...consent.routes],
      daemons: [],
      guard: store.guard,
      closeables: [{ name: 'store', close: () => store.close() }],
    });
    base = `http://127.0.0.1:${await service.start()}`;
  });

  afterEach(async () => {
    await service.stop();
    await entra.close();
    await rm(dir, { recursive: true, force: true });
  });

  // -------------------------------------------------------------------------------------------
  // The tab and the popup browser

  const local = (url: string): string => (url.startsWith(PUBLIC) ? base + url.slice(PUBLIC.length) : url);

  async function read(res: Response): Promise<string> {
    const text = await res.text();
    bodies.push(text);
    return text;
  }

  async function sso(who: DemoUser): Promise<string> {
    const token = await entra.ssoToken(who.id);
    secrets.add(token);
    return token;
  }

  async function postToken(who: DemoUser): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${base}/api/auth/token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await sso(who)}` },
    });
    return { status: res.status, body: JSON.parse(await read(res)) as Record<string, unknown> };
  }

  /** The tab's POST /api/auth/consent: the start URL for the popup. */
  async function newAttempt(who: DemoUser, body?: Record<string, unknown>): Promise<string> {
    const res = await fetch(`${base}/api/auth/consent`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await sso(who)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await read(res);
    assert.equal(res.status, 200, text);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const parsed = JSON.parse(text) as { url: string };
    assert.ok(parsed.url.startsWith(`${PUBLIC}/auth/consent/start?attempt=`), parsed.url);
    return parsed.url;
  }

  /** The popup: start → Entra's sign-in page → Accept as `account` → the callback URL (not yet opened). */
  async function signIn(startUrl: string, account: DemoUser, decision = 'accept'): Promise<Popup> {
    const start = await fetch(local(startUrl), { redirect: 'manual' });
    assert.equal(start.status, 302, await read(start));
    const setCookie = start.headers.get('set-cookie') ?? '';
    assert.match(
      setCookie,
      /^cb_consent=[^;]+; Path=\/auth\/consent; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/,
    );
    const cookie = setCookie.split(';')[0]!;
    const authorize = new URL(start.headers.get('location') ?? '');
    assert.equal(
      authorize.origin + authorize.pathname,
      `${entra.url}/${entra.tenantId}/oauth2/v2.0/authorize`,
    );

    const page = await fetch(authorize);
    const html = await page.text();
    assert.equal(page.status, 200, html);
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    assert.ok(action !== undefined);
    const form = new URLSearchParams();
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
      form.set(m[1]!, unescapeHtml(m[2]!));
    form.set('account', account.id);
    form.set('decision', decision);
    const answered = await fetch(new URL(unescapeHtml(action), entra.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      redirect: 'manual',
    });
    assert.equal(answered.status, 302, await answered.text());
    const callback = answered.headers.get('location') ?? '';
    assert.ok(callback.startsWith(`${PUBLIC}/auth/consent/callback?`), callback);
    const code = new URL(callback).searchParams.get('code');
    if (code !== null) secrets.add(code);
    return { callback, cookie, authorize };
  }

  async function openCallback(
    popup: Popup,
    cookie = popup.cookie,
  ): Promise<{ status: number; html: string }> {
    const res = await fetch(local(popup.callback), { headers: { cookie }, redirect: 'manual' });
    assert.match(res.headers.get('set-cookie') ?? '', /^cb_consent=; Path=\/auth\/consent; Max-Age=0/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    return { status: res.status, html: await read(res) };
  }

  async function userOf(who: DemoUser): Promise<User> {
    const user = await store.users.getByAadObjectId(entra.tenantId, who.id);
    assert.ok(user !== undefined);
    return user;
  }

  async function storedRefreshToken(who: DemoUser): Promise<string | undefined> {
    const user = await userOf(who);
    const record = await store.tokens.get({
      tenantId: user.tenantId,
      userId: user.id,
      kind: 'graph_refresh',
    });
    if (record === undefined) return undefined;
    const opened = vault.open(record.sealed, record);
    assert.ok(opened.ok);
    secrets.add(opened.value);
    return opened.value;
  }

  function assertNoLeak(): void {
    const everything = [...logs(), ...bodies].join('\n');
    for (const secret of secrets) {
      for (const fragment of [secret, ...secret.split('.').filter((p) => p.length >= 16)]) {
        assert.ok(!everything.includes(fragment), 'a credential reached a log line or response body');
      }
    }
  }

  // -------------------------------------------------------------------------------------------

  it('takes a user whose consent was revoked from 403 consent_required to active, with background access', async () => {
    entra.revokeConsent(ALICE.id);
    const refused = await postToken(ALICE);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'consent_required');
    assert.notEqual((await userOf(ALICE)).status, 'active');

    const popup = await signIn(await newAttempt(ALICE), ALICE);
    const q = popup.authorize.searchParams;
    assert.equal(q.get('client_id'), CLIENT_ID);
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('redirect_uri'), `${PUBLIC}/auth/consent/callback`);
    assert.equal(q.get('scope'), CONSENT_SCOPE);
    assert.equal(q.get('scope'), 'https://graph.microsoft.com/.default offline_access openid profile');
    assert.equal(q.get('code_challenge_method'), 'S256');
    assert.match(q.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.ok((q.get('state') ?? '').length > 40);
    assert.equal(q.get('login_hint')?.toLowerCase(), ALICE.userPrincipalName.toLowerCase());
    assert.equal(q.get('prompt'), null, 'prompt=consent only when asked');
    assert.equal(q.get('claims'), null);

    const done = await openCallback(popup);
    assert.equal(done.status, 200, done.html);
    assert.match(done.html, /data-outcome="signed_in" data-success="true"/);
    assert.match(done.html, /<script src="\/auth\/consent\/assets\/complete\.js" defer><\/script>/);

    const user = await userOf(ALICE);
    assert.equal(user.status, 'active');
    assert.ok((await storedRefreshToken(ALICE)) !== undefined);

    const again = await postToken(ALICE);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { status: 'signed_in' });

    // Background access, as a worker with no user present would ask (a fresh service instance).
    const worker = createGraphTokenService({
      client: createEntraTokenClient({
        authorityHost: entra.url,
        tenantId: entra.tenantId,
        clientId: CLIENT_ID,
        clientSecret,
      }),
      store,
      vault,
      logger: captureLogs().logger,
      onNeedsSignIn: () => undefined,
    });
    const background = await worker.getAccessToken(user.id);
    assert.ok(background.ok, background.ok ? '' : background.error.message);
    secrets.add(background.value.token);
    const graph = await graphTokens.getAccessToken(user.id);
    assert.ok(graph.ok);
    secrets.add(graph.value.token);

    // The popup page's assets come from our own origin.
    for (const asset of ['teams.js', 'complete.js', 'page.css']) {
      const res = await fetch(`${base}/auth/consent/assets/${asset}`);
      assert.equal(res.status, 200, asset);
      await res.arrayBuffer();
    }
    assertNoLeak();
  });

  it('carries an MFA claims challenge and prompt=consent to Entra when asked, and clears interaction_required', async () => {
    entra.requireMfa(ALICE.id);
    const refused = await postToken(ALICE);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'interaction_required');
    const claims = refused.body.claims;
    assert.equal(typeof claims, 'string');

    const popup = await signIn(await newAttempt(ALICE, { claims, prompt: 'consent' }), ALICE);
    assert.equal(popup.authorize.searchParams.get('claims'), claims);
    assert.equal(popup.authorize.searchParams.get('prompt'), 'consent');
    const done = await openCallback(popup);
    assert.equal(done.status, 200, done.html);
    assert.equal((await userOf(ALICE)).status, 'active');
    assert.equal((await postToken(ALICE)).status, 200);
    assertNoLeak();
  });

  it('refuses SSO-less calls and malformed bodies on POST /api/auth/consent', async () => {
    const none = await fetch(`${base}/api/auth/consent`, { method: 'POST' });
    assert.equal(none.status, 401);
    await read(none);
    for (const body of [{ claims: 'not json' }, { prompt: 'login' }, { other: 1 }]) {
      const res = await fetch(`${base}/api/auth/consent`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await sso(ALICE)}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 400, JSON.stringify(body));
      await read(res);
    }
  });

  it('refuses a forged or tampered state with a 400 page and stores nothing', async () => {
    entra.revokeConsent(ALICE.id);
    const popup = await signIn(await newAttempt(ALICE), ALICE);
    const url = new URL(popup.callback);
    const state = url.searchParams.get('state') ?? '';
    for (const bad of [`${state.slice(0, -4)}AAAA`, 'forged', '']) {
      url.searchParams.set('state', bad);
      const done = await openCallback({ ...popup, callback: url.toString() });
      assert.equal(done.status, 400);
      assert.match(done.html, /data-outcome="invalid_state" data-success="false"/);
    }
    // A state from the Webex flow's keys (other label) is forged here too: covered by the sealer.
    assert.equal(await storedRefreshToken(ALICE), undefined);
    assert.notEqual((await userOf(ALICE)).status, 'active');
    assertNoLeak();
  });

  it('refuses a replayed callback, a reused attempt and a callback in another browser', async () => {
    entra.revokeConsent(ALICE.id);
    const startUrl = await newAttempt(ALICE);
    const popup = await signIn(startUrl, ALICE);

    const wrongBrowser = await openCallback(popup, 'cb_consent=someone-elses-cookie');
    assert.equal(wrongBrowser.status, 400);
    assert.match(wrongBrowser.html, /another browser/);

    const first = await openCallback(popup);
    assert.equal(first.status, 200, first.html);
    const replay = await openCallback(popup);
    assert.equal(replay.status, 400);
    assert.match(replay.html, /data-outcome="replayed"/);

    const reused = await fetch(local(startUrl), { redirect: 'manual' });
    assert.equal(reused.status, 400);
    assert.match(await read(reused), /already used/);
    assertNoLeak();
  });

  it('refuses "You signed in as someone else" when another account completes the sign-in', async () => {
    entra.revokeConsent(ALICE.id);
    const popup = await signIn(await newAttempt(ALICE), BOB);
    const done = await openCallback(popup);
    assert.equal(done.status, 403);
    assert.match(done.html, /You signed in as someone else/);
    assert.match(done.html, /data-outcome="wrong_account" data-success="false"/);
    assert.equal(await storedRefreshToken(ALICE), undefined);
    assert.notEqual((await userOf(ALICE)).status, 'active');
    assert.equal(await store.users.getByAadObjectId(entra.tenantId, BOB.id), undefined);
    assert.equal((await postToken(ALICE)).status, 403);
    assertNoLeak();
  });

  it('reports a cancelled sign-in without signing in', async () => {
    entra.revokeConsent(ALICE.id);
    const popup = await signIn(await newAttempt(ALICE), ALICE, 'cancel');
    const done = await openCallback(popup);
    assert.equal(done.status, 400);
    assert.match(done.html, /data-outcome="access_denied"/);
    assert.notEqual((await userOf(ALICE)).status, 'active');
    assertNoLeak();
  });
});

function unescapeHtml(value: string): string {
  return value
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
