import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { EntraStandIn } from '../../../sandbox/src/entra/index.js';
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

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

describe('Entra stand-in: sign-in pages in a browser (e2e)', function () {
  this.timeout(60_000);
  let entra: EntraStandIn;
  let profileDir: string;
  let context: BrowserContext;
  let page: Page;
  let callback: Server;
  let redirectUri: string;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      (skipped: ${CHROMIUM} not found; install it with: apt-get install -y chromium)`);
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
    profileDir = await mkdtemp(join(tmpdir(), 'entra-e2e-'));
    // A persistent context is how Playwright takes a fresh --user-data-dir of our choosing.
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      ignoreHTTPSErrors: true,
    });
  });

  beforeEach(async () => {
    page = await context.newPage();
  });

  afterEach(async () => {
    await page.close();
  });

  after(async () => {
    await context.close();
    await entra.close();
    callback.closeAllConnections();
    await new Promise<void>((resolve) => {
      callback.close(() => {
        resolve();
      });
    });
    await rm(profileDir, { recursive: true, force: true });
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
