import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createAdminConsent } from '../../../bot/src/admin-consent/index.js';
import {
  REQUIRED_GRAPH_PERMISSIONS,
  SIGN_IN_SCOPES,
} from '../../../bot/src/admin-consent/required-permissions.js';
import { createService, type Service } from '../../../bot/src/app.js';
import { createSsoValidator } from '../../../bot/src/auth/sso-validator.js';
import { loadConfig } from '../../../bot/src/config/env.js';
import { createMetrics } from '../../../bot/src/observability/metrics.js';
import { openStore } from '../../../bot/src/store/open.js';
import type { Store } from '../../../bot/src/store/store.js';
import {
  startEntra,
  type EntraStandIn,
  type RequiredResourceAccess,
} from '../../../sandbox/src/entra/index.js';
import { startGraph, type GraphStandIn } from '../../../sandbox/src/graph/index.js';
import {
  ADMIN,
  ALICE,
  APP_ID_URI,
  BOT_APP,
  org,
  SERVICE_CLIENT_ID,
  SERVICE_SECRET,
  sandboxTls,
} from '../../sandbox/entra/fixture.js';
import { captureLogs } from '../../support/log-capture.js';

/**
 * Admin consent end to end: the service's three routes on port 0, a temp-dir SQLite store, the
 * Entra stand-in's real admin consent page (the test is the admin's browser: it follows the link,
 * posts Accept or Cancel and opens the redirect) and the Graph stand-in serving the grants Entra
 * recorded, read with a client-credentials token.
 */

const PUBLIC = 'https://callbridge.test';
const GRAPH = 'https://graph.microsoft.com';
const ALL_SCOPES = REQUIRED_GRAPH_PERMISSIONS.filter((p) => p.type === 'Scope').map((p) => p.name);
/** What an admin must grant: the manifest's permissions less sign-in scopes (offline_access). */
const NEEDED = REQUIRED_GRAPH_PERMISSIONS.map((p) => p.name).filter((n) => !SIGN_IN_SCOPES.has(n));
const ALL_ROLES = REQUIRED_GRAPH_PERMISSIONS.filter((p) => p.type === 'Role').map((p) => p.name);
/** What the manifest asks for plus what the grant check needs (see the report to the lead). */
const FULL: RequiredResourceAccess = {
  resource: GRAPH,
  scopes: ALL_SCOPES,
  roles: [...ALL_ROLES, 'Directory.Read.All'],
};

describe('admin consent (integration)', function () {
  this.timeout(30_000);
  let entra: EntraStandIn;
  let graph: GraphStandIn;
  let store: Store;
  let service: Service;
  let base: string;
  let dir: string;
  let logs: () => string[] = () => [];

  async function setup(access: RequiredResourceAccess): Promise<void> {
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
    graph = await startGraph({
      org,
      tls,
      verifyAccessToken: (token) => entra.verifyToken(token),
      grants: () => entra.tenantGrants(),
    });
    dir = await mkdtemp(path.join(tmpdir(), 'admin-consent-'));
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
      SHUTDOWN_TIMEOUT_MS: '2000',
      BOT_ENDPOINT: PUBLIC,
      AAD_APP_CLIENT_ID: SERVICE_CLIENT_ID,
      AAD_APP_CLIENT_SECRET: SERVICE_SECRET,
      AAD_APP_TENANT_ID: org.tenantId,
      CALLBRIDGE_MODE: 'sandbox',
      AAD_APP_OAUTH_AUTHORITY_HOST: entra.url,
      GRAPH_BASE_URL: graph.url,
      DATA_DIR: dir,
    });
    assert.ok(config.ok, config.ok ? '' : String(config.error));
    const captured = captureLogs('debug');
    logs = captured.lines;
    const opened = await openStore(config.value.store, captured.logger);
    assert.ok(opened.ok);
    store = opened.value;
    const validator = createSsoValidator({
      clientId: SERVICE_CLIENT_ID,
      applicationIdUri: APP_ID_URI,
      tenantId: org.tenantId,
      authorityHost: entra.url,
      v1TokenIssuerHost: entra.url,
      allowedTenantIds: [org.tenantId],
    });
    const built = createAdminConsent({
      config: config.value,
      store,
      validator,
      logger: captured.logger,
      policy: { maxRetries: 0 },
    });
    assert.ok(built.ok);
    service = createService({
      config: config.value,
      logger: captured.logger,
      metrics: createMetrics({ collectDefaults: false }),
      readiness: [],
      routes: built.value.routes,
      daemons: [],
      guard: store.guard,
      closeables: [{ name: 'store', close: () => store.close() }],
    });
    base = `http://127.0.0.1:${await service.start()}`;
  }

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(logs().join('\n'));
    await service.stop();
    await graph.close();
    await entra.close();
    await rm(dir, { recursive: true, force: true });
  });

  const local = (url: string): string => (url.startsWith(PUBLIC) ? base + url.slice(PUBLIC.length) : url);
  const outcome = (html: string): string | undefined => /data-outcome="([^"]*)"/.exec(html)?.[1];
  const unescape = (s: string): string => s.replace(/&#38;/g, '&').replace(/&amp;/g, '&');

  /** The admin: opens /adminconsent, follows the link to Entra, answers; returns the redirect (not yet opened). */
  async function consent(decision: 'accept' | 'cancel'): Promise<string> {
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

  it('Accept: checks the grants with Graph, records them, "All set", status granted with nothing missing', async () => {
    await setup(FULL);
    const before = await status();
    assert.equal(before.granted, false);
    assert.deepEqual(before.missing, NEEDED);

    const callback = await consent('accept');
    assert.equal(new URL(callback).searchParams.get('admin_consent'), 'True');
    const res = await fetch(local(callback));
    const html = await res.text();
    assert.equal(res.status, 200, html);
    assert.equal(outcome(html), 'granted');
    assert.match(html, /All set/);

    const record = await store.tenantConsents.get(org.tenantId);
    assert.ok(record !== undefined);
    assert.equal(record.grantedBy, 'unknown');
    // The Entra stand-in leaves sign-in scopes out of tenant grants.
    assert.deepEqual(record.scopes, ALL_SCOPES.filter((n) => !SIGN_IN_SCOPES.has(n)).sort());
    assert.deepEqual(record.roles, ['Directory.Read.All', ...ALL_ROLES].sort());
    const after = await status();
    assert.equal(after.granted, true);
    assert.deepEqual(after.missing, []);
    assert.equal(after.grantedAt, new Date(record.grantedAt).toISOString());
    assert.equal(entra.tenantGrants()[0]?.grantedBy, ADMIN.id);
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

  it('partial grant: the missing permissions are listed and the status shows them', async () => {
    // The registration asks for less than CallBridge needs, as a half-updated app would.
    await setup({ resource: GRAPH, scopes: ['User.Read', 'offline_access'], roles: ['Directory.Read.All'] });
    const res = await fetch(local(await consent('accept')));
    const html = await res.text();
    assert.equal(res.status, 200);
    assert.equal(outcome(html), 'partial');
    const expected = NEEDED.filter((n) => n !== 'User.Read');
    assert.match(html, new RegExp(`Missing: ${expected.join(', ').replace(/\./g, '\\.')}`));
    assert.match(html, /Enterprise applications &#62; CallBridge &#62; Permissions/);
    const after = await status();
    assert.equal(after.granted, false);
    assert.deepEqual(after.missing, expected);
  });

  it('a grant made outside the page (entra.grantAdminConsent with User.Read only) shows as partial on the next check', async () => {
    await setup({ resource: GRAPH, scopes: [], roles: ['Directory.Read.All'] });
    const callback = await consent('accept');
    entra.grantAdminConsent(SERVICE_CLIENT_ID, 'User.Read');
    const html = await (await fetch(local(callback))).text();
    assert.equal(outcome(html), 'partial');
    const record = await store.tenantConsents.get(org.tenantId);
    assert.deepEqual(record?.scopes, ['User.Read']);
    assert.deepEqual(record.roles, ['Directory.Read.All']);
    assert.ok((await status()).missing.includes('Presence.ReadWrite.All'));
  });

  it('without Directory.Read.All the check cannot run: a clear page, nothing recorded', async () => {
    await setup({ resource: GRAPH, scopes: ALL_SCOPES, roles: ALL_ROLES });
    const res = await fetch(local(await consent('accept')));
    const html = await res.text();
    assert.equal(res.status, 502);
    assert.equal(outcome(html), 'check_forbidden');
    assert.match(html, /Directory\.Read\.All/);
    assert.equal(await store.tenantConsents.get(org.tenantId), undefined);
  });
});
