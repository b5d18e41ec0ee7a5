import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';
import type { EntraStandIn } from '../../../sandbox/src/entra/index.js';
import { CHROMIUM_MISSING, chromiumPath, launchBrowser, type BrowserSession } from '../../support/browser.js';
import {
  ADMIN,
  ALICE,
  BOT_APP,
  SERVICE_APP,
  SERVICE_CLIENT_ID,
  org,
  serviceCredentials,
  startTestEntra,
  token,
} from './fixture.js';

/**
 * A real browser clicks through the authorize and admin consent pages: by mouse and by
 * keyboard, and with an axe-core accessibility scan of each page.
 */

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

describe('Entra stand-in: sign-in pages in a browser (e2e)', function () {
  this.timeout(60_000);
  let entra: EntraStandIn;
  let session: BrowserSession | undefined;
  let context: BrowserContext;
  let page: Page;
  let callback: Server;
  let redirectUri: string;

  before(async function () {
    const executable = chromiumPath();
    if (executable === undefined) {
      console.log(`      (${CHROMIUM_MISSING})`);
      this.skip();
    }
    // The app's callback: a real local listener (Entra accepts http://localhost redirect URIs).
    callback = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>callback</title><p>callback</p>');
    });
    await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
    redirectUri = `http://localhost:${(callback.address() as AddressInfo).port}/callback`;
    entra = await startTestEntra({ apps: [{ ...SERVICE_APP, redirectUris: [redirectUri] }, BOT_APP] });
    session = await launchBrowser(executable);
    context = session.browser;
  });

  beforeEach(async () => {
    page = await context.newPage();
  });

  afterEach(async () => {
    await page.close();
  });

  after(async () => {
    // Only what was started: nothing when Chromium is absent and the suite skipped.
    await session?.close();
    if (session === undefined) return;
    await entra.close();
    callback.closeAllConnections();
    await new Promise<void>((resolve) => {
      callback.close(() => {
        resolve();
      });
    });
  });

  const authorizeUrl = (state: string): string =>
    `${entra.authority}/oauth2/v2.0/authorize?${new URLSearchParams({
      client_id: SERVICE_CLIENT_ID,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope:
        'openid profile offline_access https://graph.microsoft.com/User.Read https://graph.microsoft.com/Presence.Read',
      state,
    }).toString()}`;

  async function callbackUrl(): Promise<URL> {
    await page.waitForURL((url) => url.href.startsWith(redirectUri));
    return new URL(page.url());
  }

  async function seriousA11yViolations(): Promise<string[]> {
    await page.addScriptTag({ path: AXE_PATH });
    const violations = await page.evaluate(async () => {
      const axe = (
        globalThis as unknown as {
          axe: { run: () => Promise<{ violations: { id: string; impact: string | null }[] }> };
        }
      ).axe;
      return (await axe.run()).violations;
    });
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
  }

  it('authorize: pick an account with the mouse, Accept, and the code redeems', async () => {
    await page.goto(authorizeUrl('mouse'));
    await page.getByRole('heading', { name: 'Sign in to CallBridge' }).waitFor();
    assert.deepEqual(await seriousA11yViolations(), []);
    await page.getByRole('radio', { name: new RegExp(ALICE.displayName) }).check();
    await page.getByRole('button', { name: 'Accept' }).click();

    const url = await callbackUrl();
    assert.equal(url.searchParams.get('state'), 'mouse');
    const redeemed = await token(entra, {
      grant_type: 'authorization_code',
      code: url.searchParams.get('code') ?? '',
      redirect_uri: redirectUri,
      ...serviceCredentials,
    });
    assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
    assert.ok(entra.userConsents().some((c) => c.userId === ALICE.id && c.scopes.includes('Presence.Read')));
  });

  it('authorize: works from the keyboard alone (Space selects, Enter submits Accept)', async () => {
    await page.goto(authorizeUrl('keyboard'));
    await page.getByRole('radio', { name: new RegExp(ADMIN.displayName) }).focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter');
    const url = await callbackUrl();
    assert.equal(url.searchParams.get('state'), 'keyboard');
    assert.ok(url.searchParams.get('code'));
  });

  it('authorize: Cancel returns access_denied to the app', async () => {
    await page.goto(authorizeUrl('cancel'));
    await page.getByRole('button', { name: 'Cancel' }).click();
    const url = await callbackUrl();
    assert.equal(url.searchParams.get('error'), 'access_denied');
    assert.equal(url.searchParams.get('state'), 'cancel');
  });

  it('admin consent: the admin reviews and accepts for the organization', async () => {
    await page.goto(
      `${entra.authority}/v2.0/adminconsent?${new URLSearchParams({
        client_id: SERVICE_CLIENT_ID,
        scope: 'https://graph.microsoft.com/.default',
        redirect_uri: redirectUri,
        state: 'admin',
      }).toString()}`,
    );
    await page.getByRole('heading', { name: 'Permissions requested' }).waitFor();
    assert.ok((await page.textContent('main'))?.includes(ADMIN.displayName));
    assert.deepEqual(await seriousA11yViolations(), []);
    await page.getByRole('button', { name: 'Accept' }).click();

    const url = await callbackUrl();
    assert.equal(url.searchParams.get('admin_consent'), 'True');
    assert.equal(url.searchParams.get('tenant'), org.tenantId);
    assert.equal(url.searchParams.get('state'), 'admin');
    assert.equal(entra.tenantGrants()[0]?.grantedBy, ADMIN.id);
  });
});
