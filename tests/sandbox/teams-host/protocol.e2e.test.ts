import assert from 'node:assert/strict';
import path from 'node:path';
import { decodeJwt } from 'jose';
import type { Frame, Page } from 'playwright-core';
import { createDemoOrg, type DemoUser } from '../../../sandbox/src/seed/org.js';
import { Router, html, serve, text, type RunningServer } from '../../../sandbox/src/shared/http.js';
import { Issuer } from '../../../sandbox/src/shared/issuer.js';
import { bundleEntries, repoRoot } from '../../../sandbox/src/teams-host/bundle.js';
import { startTeamsHost, type RunningTeamsHost } from '../../../sandbox/src/teams-host/index.js';
import { loadSandboxTls } from '../../../sandbox/src/tls/index.js';
import { CHROMIUM_MISSING, chromiumPath, launchBrowser, type BrowserSession } from '../../support/browser.js';

/**
 * The dev host against the real teams-js: a probe page (fixtures/probe.ts, bundled with the
 * same teams-js the tab uses) sits where the tab would and reports what the host answered.
 */

const org = createDemoOrg();
const AUDIENCE = 'api://localhost/botid-00000000-0000-4000-8000-00000000b075';

interface ProbeContext {
  app: { host: { name: string; clientType: string }; theme: string; locale: string };
  page: { id: string; frameContext: string };
  user: {
    id: string;
    displayName: string;
    loginHint: string;
    userPrincipalName: string;
    tenant: { id: string };
  };
}

interface ProbeWindow {
  probe: {
    initialized: boolean;
    error: string | undefined;
    context: ProbeContext | undefined;
    themes: string[];
    getAuthToken(): Promise<string>;
    authenticate(url: string): Promise<string>;
  };
}

function user(index: number): DemoUser {
  const found = org.users[index];
  assert.ok(found !== undefined);
  return found;
}

describe('Teams dev host: teams-js protocol (browser)', function () {
  this.timeout(90_000);
  let browser: BrowserSession | undefined;
  let probeServer: RunningServer | undefined;
  let host: RunningTeamsHost | undefined;
  let page: Page;
  const issued: string[] = [];

  before(async function () {
    const executable = chromiumPath();
    if (executable === undefined) {
      console.log(`    ${CHROMIUM_MISSING}`);
      this.skip();
      return;
    }
    const root = repoRoot();
    const bundle = await bundleEntries({
      probe: 'tests/sandbox/teams-host/fixtures/probe.ts',
      'probe-auth': 'tests/sandbox/teams-host/fixtures/probe-auth.ts',
    });
    const router = new Router();
    const script = (name: string) => () => {
      const file = bundle.get(`${name}.js`);
      return file === undefined
        ? text(404, 'missing')
        : text(200, String(file.body), 'text/javascript; charset=utf-8');
    };
    router.add('GET', '/tab/index.html', () =>
      html(
        '<!doctype html><html lang="en"><title>Probe</title><script type="module" src="/tab/probe.js"></script><h1>Probe</h1><p id="name"></p></html>',
      ),
    );
    router.add('GET', '/tab/auth.html', () =>
      html(
        '<!doctype html><html lang="en"><title>Auth</title><script type="module" src="/tab/probe-auth.js"></script><p>Signing in…</p></html>',
      ),
    );
    router.add('GET', '/tab/probe.js', script('probe'));
    router.add('GET', '/tab/probe-auth.js', script('probe-auth'));
    for (const name of bundle.fileNames.filter((f) => f.startsWith('chunk-')))
      router.add('GET', `/tab/${name}`, script(name.slice(0, -3)));
    probeServer = await serve(router);

    const issuer = await Issuer.create(1);
    const tls = await loadSandboxTls(path.join(root, '.data', 'sandbox-tls'));
    host = await startTeamsHost({
      tabUrl: `${probeServer.url}/tab/index.html`,
      org,
      entra: {
        url: 'https://localhost:1',
        ssoToken: async (userId) => {
          const u = org.users.find((x) => x.id === userId);
          assert.ok(u !== undefined);
          const token = await issuer.sign({
            aud: AUDIENCE,
            iss: `https://login.microsoftonline.com/${org.tenantId}/v2.0`,
            tid: org.tenantId,
            oid: u.id,
            name: u.displayName,
            preferred_username: u.userPrincipalName,
            scp: 'access_as_user',
            ver: '2.0',
          });
          issued.push(token);
          return token;
        },
      },
      botChannel: { url: 'http://localhost:9' },
      tls: { key: tls.key, cert: tls.cert, ca: tls.ca },
    });
    browser = await launchBrowser(executable);
    page = await browser.browser.newPage();
  });

  after(async () => {
    await browser?.close();
    await host?.close();
    await probeServer?.close();
  });

  async function tabFrame(): Promise<Frame> {
    const handle = await page.waitForSelector('#tab-frame');
    const frame = await handle.contentFrame();
    assert.ok(frame !== null, 'the tab iframe has a frame');
    await frame.waitForFunction(
      () => (window as unknown as Partial<ProbeWindow>).probe?.context !== undefined,
      undefined,
      { timeout: 20_000 },
    );
    return frame;
  }

  it('initializes the real teams-js inside the iframe and answers getContext with the demo user', async () => {
    const adele = user(0);
    await page.goto(`${host!.url}/?user=${adele.id}`);
    const frame = await tabFrame();
    const probe = await frame.evaluate(() => (window as unknown as ProbeWindow).probe);
    assert.equal(probe.error, undefined);
    assert.equal(probe.initialized, true);
    assert.ok(probe.context !== undefined);
    assert.equal(probe.context.user.displayName, adele.displayName);
    assert.equal(probe.context.user.id, adele.id);
    assert.equal(probe.context.user.loginHint, adele.userPrincipalName);
    assert.equal(probe.context.user.userPrincipalName, adele.userPrincipalName);
    assert.equal(probe.context.user.tenant.id, org.tenantId);
    assert.equal(probe.context.app.host.name, 'Teams');
    assert.equal(probe.context.app.host.clientType, 'web');
    assert.equal(probe.context.app.theme, 'default');
    assert.equal(probe.context.app.locale, 'en-us');
    assert.equal(probe.context.page.id, 'call');
    assert.equal(probe.context.page.frameContext, 'content');
    assert.equal(await frame.textContent('#name'), adele.displayName);
    // app.notifySuccess() was answered (the host declares notifySuccessResponse).
    await page.waitForSelector('body[data-tab-state="success"]');
    await page.screenshot({ path: path.join(repoRoot(), 'test-output', 'sandbox', 'dev-host-probe.png') });
  });

  it('sends themeChange to the tab when the theme switcher changes', async () => {
    const frame = await tabFrame();
    await page.selectOption('#theme-picker', 'dark');
    await frame.waitForFunction(() => (window as unknown as ProbeWindow).probe.themes.includes('dark'));
    await page.selectOption('#theme-picker', 'contrast');
    await frame.waitForFunction(() => (window as unknown as ProbeWindow).probe.themes.includes('contrast'));
    assert.equal(await page.getAttribute('html', 'data-theme'), 'contrast');
  });

  it('answers getAuthToken with an SSO token for the selected user, and never logs it', async () => {
    const frame = await tabFrame();
    const token = await frame.evaluate(() => (window as unknown as ProbeWindow).probe.getAuthToken());
    const claims = decodeJwt(token);
    const context = await frame.evaluate(() => (window as unknown as ProbeWindow).probe.context);
    assert.ok(context !== undefined);
    assert.equal(claims.oid, context.user.id);
    assert.equal(claims.tid, org.tenantId);
    assert.equal(claims.aud, AUDIENCE);
    assert.equal(claims.preferred_username, context.user.userPrincipalName);
    const log = (await page.textContent('#protocol-log')) ?? '';
    assert.ok(log.includes('authentication.getAuthToken'));
    for (const t of issued) assert.ok(!log.includes(t), 'the token is not in the host log');
  });

  it('reloads the tab with the new identity when another user is picked', async () => {
    const other = user(5);
    await page.selectOption('#user-picker', other.id);
    await page.waitForFunction((name) => {
      const frame = document.getElementById('tab-frame') as HTMLIFrameElement | null;
      const probe = (frame?.contentWindow as unknown as Partial<ProbeWindow> | null)?.probe;
      return probe?.context?.user.displayName === name;
    }, other.displayName);
    assert.ok(page.url().includes(`user=${other.id}`));
    const frame = await tabFrame();
    const token = await frame.evaluate(() => (window as unknown as ProbeWindow).probe.getAuthToken());
    assert.equal(decodeJwt(token).oid, other.id);
  });

  it('runs authentication.authenticate in a popup and relays notifySuccess back to the tab', async () => {
    const frame = await tabFrame();
    const result = await frame.evaluate(() =>
      (window as unknown as ProbeWindow).probe.authenticate('auth.html?result=magic-42'),
    );
    const [value, frameContext, userId] = result.split('|');
    assert.equal(value, 'magic-42');
    assert.equal(frameContext, 'authentication');
    assert.equal(userId, user(5).id);
  });

  it('reports CancelledByUser when the authentication window is closed', async () => {
    const frame = await tabFrame();
    const popupPromise = page.waitForEvent('popup');
    const outcome = frame.evaluate(() =>
      (window as unknown as ProbeWindow).probe.authenticate('/tab/never-finishes.html').then(
        () => 'resolved',
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      ),
    );
    const popup = await popupPromise;
    await popup.close();
    assert.equal(await outcome, 'CancelledByUser');
  });
});
