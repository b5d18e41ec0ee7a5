import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEntraTokenClient } from '../../../bot/src/auth/obo/entra-token-client.js';
import { createAdminConsent } from '../../../bot/src/admin-consent/index.js';
import {
  REQUIRED_GRAPH_PERMISSIONS,
  SIGN_IN_SCOPES,
} from '../../../bot/src/admin-consent/required-permissions.js';
import { createService, type Service } from '../../../bot/src/app.js';
import { loadConfig } from '../../../bot/src/config/env.js';
import { createMetrics } from '../../../bot/src/observability/metrics.js';
import { openStore } from '../../../bot/src/store/open.js';
import type { Store } from '../../../bot/src/store/store.js';
import {
  startEntra,
  type EntraStandIn,
  type RequiredResourceAccess,
} from '../../../sandbox/src/entra/index.js';
import { CALLBRIDGE_GRAPH_PERMISSIONS } from '../../../sandbox/src/launch.js';
import {
  ADMIN,
  ALICE,
  APP_ID_URI,
  BOT_APP,
  org,
  sandboxTls,
  SERVICE_CLIENT_ID,
  SERVICE_SECRET,
  serviceSsoValidator,
} from '../../sandbox/entra/fixture.js';
import { captureLogs } from '../../support/log-capture.js';

/**
 * Admin consent end to end: the service's three routes on port 0, a temp-dir SQLite store and the
 * Entra stand-in's real admin consent page (the test is the admin's browser: it follows the link,
 * posts Accept or Cancel and opens the redirect). The check reads what Entra reports — the
 * redirect's `scope` and the `roles` of a client-credentials token — and no Graph endpoint, so
 * no Graph stand-in runs here: a Graph call would fail the test.
 */

const PUBLIC = 'https://callbridge.test';
const GRAPH = 'https://graph.microsoft.com';
const ALL_SCOPES = REQUIRED_GRAPH_PERMISSIONS.filter((p) => p.type === 'Scope').map((p) => p.name);
/** What an admin must grant: the manifest's permissions less sign-in scopes (offline_access). */
const NEEDED = REQUIRED_GRAPH_PERMISSIONS.map((p) => p.name).filter((n) => !SIGN_IN_SCOPES.has(n));
const ALL_ROLES = REQUIRED_GRAPH_PERMISSIONS.filter((p) => p.type === 'Role').map((p) => p.name);
/** Exactly the manifest's set, as the sandbox registers CallBridge (`sandboxApps`). */
const FULL: RequiredResourceAccess = CALLBRIDGE_GRAPH_PERMISSIONS;

describe('admin consent (integration)', function () {
  this.timeout(30_000);
  let entra: EntraStandIn;
  let store: Store;
  let service: Service;
  let base: string;
  let dir: string;
  let logs: () => string[] = () => [];

  /** `secret`: the client secret CallBridge is configured with (the registration's by default). */
  async function setup(access: RequiredResourceAccess, secret = SERVICE_SECRET): Promise<void> {
    const tls = await sandboxTls();
    entra = await startEntra({
      org,
      tls,
      apps: [
        {
          clientId: SERVICE_CLIENT_ID,
          clientSecret: SERVICE_SECRET,
          displayName: 'CallBridge',
          redirectUris: [`${PUBLIC}/adminconsent/callback`],
          applicationIdUri: APP_ID_URI,
          requiredResourceAccess: [access],
        },
        BOT_APP,
      ],
    });
    dir = await mkdtemp(path.join(tmpdir(), 'admin-consent-'));
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
      SHUTDOWN_TIMEOUT_MS: '2000',
      BOT_ENDPOINT: PUBLIC,
      AAD_APP_CLIENT_ID: SERVICE_CLIENT_ID,
      AAD_APP_CLIENT_SECRET: secret,
      AAD_APP_TENANT_ID: org.tenantId,
      CALLBRIDGE_MODE: 'sandbox',
      AAD_APP_OAUTH_AUTHORITY_HOST: entra.url,
      // Nothing listens here: the consent check must not call Graph.
      GRAPH_BASE_URL: 'https://127.0.0.1:9/v1.0',
      DATA_DIR: dir,
    });
    assert.ok(config.ok, config.ok ? '' : String(config.error));
    const captured = captureLogs('debug');
    logs = captured.lines;
    const opened = await openStore(config.value.store, captured.logger);
    assert.ok(opened.ok);
    store = opened.value;
    const validator = serviceSsoValidator(entra.url);
    const built = createAdminConsent({
      config: config.value,
      tokens: createEntraTokenClient({
        authorityHost: entra.url,
        tenantId: org.tenantId,
        clientId: SERVICE_CLIENT_ID,
        clientSecret: secret,
      }),
      store,
      validator,
      logger: captured.logger,
    });
    service = createService({
      config: config.value,
      logger: captured.logger,
      metrics: createMetrics({ collectDefaults: false }),
      readiness: [],
      routes: built.routes,
      daemons: [],
      guard: store.guard,
      closeables: [{ name: 'store', close: () => store.close() }],
    });
    base = `http://127.0.0.1:${await service.start()}`;
  }

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(logs().join('\n'));
    await service.stop();
    await entra.close();
    await rm(dir, { recursive: true, force: true });
  });

  const local = (url: string): string => (url.startsWith(PUBLIC) ? base + url.slice(PUBLIC.length) : url);
  const outcome = (html: string): string | undefined => /data-outcome="([^"]*)"/.exec(html)?.[1];
  const unescape = (s: string): string => s.replace(/&#38;/g, '&').replace(/&amp;/g, '&');

  /**
   * The admin: opens /adminconsent, follows the link to Entra (its `scope` replaced by `scope`
   * when given, as an admin editing the link would), answers; returns the redirect (not yet opened).
   */
  async function consent(decision: 'accept' | 'cancel', scope?: string): Promise<string> {
    const start = await fetch(`${base}/adminconsent`);
    assert.equal(start.status, 200);
    assert.match(start.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.equal(start.headers.get('cache-control'), 'no-store');
    const html = await start.text();
    const href = /<a class="button" href="([^"]+)"/.exec(html)?.[1];
    assert.ok(href !== undefined, html);
    const link = new URL(unescape(href));
    assert.equal(link.origin + link.pathname, `${entra.url}/${org.tenantId}/v2.0/adminconsent`);
    assert.equal(link.searchParams.get('client_id'), SERVICE_CLIENT_ID);
    assert.equal(link.searchParams.get('scope'), 'https://graph.microsoft.com/.default');
    assert.equal(link.searchParams.get('redirect_uri'), `${PUBLIC}/adminconsent/callback`);
    assert.ok((link.searchParams.get('state') ?? '').length > 20);
    if (scope !== undefined) link.searchParams.set('scope', scope);

    const page = await fetch(link);
    assert.equal(page.status, 200);
    const form = new URLSearchParams();
    for (const m of (await page.text()).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
      form.set(m[1]!, unescape(m[2]!));
    }
    form.set('decision', decision);
    const answered = await fetch(`${entra.url}/${org.tenantId}/v2.0/adminconsent`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      redirect: 'manual',
    });
    assert.equal(answered.status, 302, await answered.text());
    const location = answered.headers.get('location') ?? '';
    assert.ok(location.startsWith(`${PUBLIC}/adminconsent/callback?`), location);
    return location;
  }

  async function status(): Promise<{ granted: boolean; grantedAt?: string; missing: string[] }> {
    const res = await fetch(`${base}/api/admin/consent`, {
      headers: { authorization: `Bearer ${await entra.ssoToken(ALICE.id)}` },
    });
    assert.equal(res.status, 200);
    return (await res.json()) as { granted: boolean; grantedAt?: string; missing: string[] };
  }

  it('Accept: reads the grants from Entra (redirect scope, token roles), records them, "All set", status granted with nothing missing', async () => {
    await setup(FULL);
    const before = await status();
    assert.equal(before.granted, false);
    assert.deepEqual(before.missing, NEEDED);

    const callback = await consent('accept');
    assert.equal(new URL(callback).searchParams.get('admin_consent'), 'True');
    assert.ok(new URL(callback).searchParams.get('scope')?.includes(`${GRAPH}/User.Read`));
    const res = await fetch(local(callback));
    const html = await res.text();
    assert.equal(res.status, 200, html);
    assert.equal(outcome(html), 'granted');
    assert.match(html, /All set/);

    const record = await store.tenantConsents.get(org.tenantId);
    assert.ok(record !== undefined);
    assert.equal(record.grantedBy, 'unknown');
    const delegated = [...record.scopes].filter((n) => !SIGN_IN_SCOPES.has(n));
    assert.deepEqual(delegated, ALL_SCOPES.filter((n) => !SIGN_IN_SCOPES.has(n)).sort());
    assert.deepEqual(record.roles, ALL_ROLES);
    const after = await status();
    assert.equal(after.granted, true);
    assert.deepEqual(after.missing, []);
    assert.equal(after.grantedAt, new Date(record.grantedAt).toISOString());
    assert.equal(entra.tenantGrants()[0]?.grantedBy, ADMIN.id);
    assert.doesNotMatch(logs().join('\n'), /consent\.(servicePrincipal|grants|appRoles)/);
  });

  it('Cancel: an error page and nothing recorded', async () => {
    await setup(FULL);
    const callback = await consent('cancel');
    assert.equal(new URL(callback).searchParams.get('error'), 'access_denied');
    const res = await fetch(local(callback));
    const html = await res.text();
    assert.equal(res.status, 400);
    assert.equal(outcome(html), 'access_denied');
    assert.match(html, /Consent was not granted/);
    assert.equal(await store.tenantConsents.get(org.tenantId), undefined);
    assert.equal((await status()).granted, false);
  });

  it('refuses forged and replayed states with 400', async () => {
    await setup(FULL);
    const forged = await fetch(
      `${base}/adminconsent/callback?admin_consent=True&tenant=${org.tenantId}&state=not-ours`,
    );
    assert.equal(forged.status, 400);
    assert.equal(outcome(await forged.text()), 'invalid_state');

    const callback = await consent('accept');
    const first = new URL(local(callback));
    const state = first.searchParams.get('state') ?? '';
    // A state with its claims changed but the old signature.
    const [kid, body, sig] = state.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8')) as { exp: number };
    const tampered = `${kid}.${Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 1 })).toString('base64url')}.${sig}`;
    const changed = new URL(first);
    changed.searchParams.set('state', tampered);
    assert.equal((await fetch(changed)).status, 400);

    assert.equal((await fetch(first)).status, 200);
    const replay = await fetch(first);
    assert.equal(replay.status, 400);
    assert.equal(outcome(await replay.text()), 'replayed');
  });

  it('a registration without the application permission: "Presence.ReadWrite.All" listed as missing', async () => {
    await setup({ resource: GRAPH, scopes: ALL_SCOPES, roles: [] });
    const res = await fetch(local(await consent('accept')));
    const html = await res.text();
    assert.equal(res.status, 200, html);
    assert.equal(outcome(html), 'partial');
    assert.match(html, /Missing: Presence\.ReadWrite\.All/);
    assert.match(html, /Enterprise applications &#62; CallBridge &#62; Permissions/);
    const record = await store.tenantConsents.get(org.tenantId);
    assert.deepEqual(record?.roles, []);
    const after = await status();
    assert.equal(after.granted, false);
    assert.deepEqual(after.missing, ['Presence.ReadWrite.All']);
  });

  it('partial registration: the missing permissions are listed and the status shows them', async () => {
    // The registration asks for less than CallBridge needs, as a half-updated app would.
    await setup({ resource: GRAPH, scopes: ['User.Read', 'offline_access'], roles: [] });
    const res = await fetch(local(await consent('accept')));
    const html = await res.text();
    assert.equal(res.status, 200);
    assert.equal(outcome(html), 'partial');
    const expected = NEEDED.filter((n) => n !== 'User.Read');
    assert.match(html, new RegExp(`Missing: ${expected.join(', ').replace(/\./g, '\\.')}`));
    const after = await status();
    assert.equal(after.granted, false);
    assert.deepEqual(after.missing, expected);
  });

  it('an admin consent for User.Read only (as entra.grantAdminConsent(clientId, "User.Read") grants): the rest listed', async () => {
    await setup(FULL);
    // Explicit scopes on the admin consent endpoint are delegated only: no role is granted.
    const html = await (await fetch(local(await consent('accept', `${GRAPH}/User.Read`)))).text();
    assert.equal(outcome(html), 'partial');
    const record = await store.tenantConsents.get(org.tenantId);
    assert.deepEqual(record?.scopes, ['User.Read']);
    assert.deepEqual(record.roles, []);
    assert.deepEqual(
      (await status()).missing,
      NEEDED.filter((n) => n !== 'User.Read'),
    );
  });

  it('an application permission granted outside the page shows on the next check (the token carries it)', async () => {
    await setup(FULL);
    const callback = await consent('accept', `${GRAPH}/User.Read`);
    // Granted in the admin center between Entra's redirect and the callback.
    entra.grantAdminConsent(SERVICE_CLIENT_ID);
    await fetch(local(callback));
    const record = await store.tenantConsents.get(org.tenantId);
    assert.deepEqual(record?.roles, ALL_ROLES);
    assert.deepEqual(record.scopes, ['User.Read']);
  });

  it('Entra refusing the app-only token: "could not be checked", nothing recorded', async () => {
    // A wrong client secret: the token endpoint answers invalid_client.
    await setup(FULL, 'not-the-secret');
    const callback = await consent('accept');
    const res = await fetch(local(callback));
    const html = await res.text();
    assert.equal(res.status, 502);
    assert.equal(outcome(html), 'check_failed');
    assert.doesNotMatch(html, /Directory\.Read\.All/);
    assert.equal(await store.tenantConsents.get(org.tenantId), undefined);
  });
});
