import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';
import type { WebexStandIn } from '../../../sandbox/src/webex/index.js';
import { CHROMIUM_MISSING, chromiumPath, launchBrowser } from '../../support/browser.js';
import { api, INTEGRATION, pkcePair, rec, startReceiver, startTestWebex, tokenRequest } from './helpers.js';

/**
 * Click-through of the sandbox's Webex authorize page in Debian Chromium: pick a person, Accept
 * (redirect with code and state, then a PKCE token exchange) or Decline (access_denied), and an
 * axe-core accessibility scan of the page.
 */

describe('Webex stand-in: authorize page in Chromium (e2e)', function () {
  this.timeout(60_000);
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let webex: WebexStandIn;
  let context: BrowserContext;
  let page: Page;
  const cleanups: (() => Promise<unknown>)[] = [];

  before(async function () {
    const executable = chromiumPath();
    if (executable === undefined) {
      console.log(`    (${CHROMIUM_MISSING})`);
      this.skip();
    }
    receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    webex = await startTestWebex({ integrations: [{ ...INTEGRATION, redirectUris: [receiver.url] }] });
    cleanups.push(() => webex.close());
    const session = await launchBrowser(executable);
    context = session.browser;
    cleanups.push(() => session.close());
  });
  after(async () => {
    // Only what was started (nothing when Chromium is absent), newest first.
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  beforeEach(async () => {
    page = await context.newPage();
  });
  afterEach(async () => {
    await page.close();
  });

  const authorizeUrl = (extra: Record<string, string>): string =>
    `${webex.url}/v1/authorize?${new URLSearchParams({
      client_id: INTEGRATION.clientId,
      response_type: 'code',
      redirect_uri: receiver.url,
      scope: 'spark:people_read spark:calls_read spark:calls_write',
      state: 'browser-state',
      ...extra,
    }).toString()}`;

  it('signs in as the hinted person, accepts, and the code exchanges for tokens', async () => {
    const person = webex.people()[4];
    assert.ok(person);
    const { verifier, challenge } = pkcePair();
    await page.goto(
      authorizeUrl({ login_hint: person.email, code_challenge: challenge, code_challenge_method: 'S256' }),
    );
    await page.getByRole('heading', { name: 'Authorize CallBridge' }).waitFor();
    assert.equal(await page.getByLabel('Sign in as').inputValue(), person.personId);
    assert.ok(
      await page
        .getByRole('list', { name: 'Requested permissions' })
        .getByText('spark:calls_write')
        .isVisible(),
    );
    await Promise.all([
      page.waitForURL((url) => url.href.startsWith(receiver.url)),
      page.getByRole('button', { name: 'Accept' }).click(),
    ]);
    const landed = new URL(page.url());
    assert.equal(landed.searchParams.get('state'), 'browser-state');
    const code = landed.searchParams.get('code');
    assert.ok(code);
    const tokens = await tokenRequest(webex, {
      grant_type: 'authorization_code',
      client_id: INTEGRATION.clientId,
      client_secret: INTEGRATION.clientSecret,
      code,
      redirect_uri: receiver.url,
      code_verifier: verifier,
    });
    assert.equal(tokens.status, 200);
    const me = await api(webex, String(rec(tokens.body).access_token), 'GET', '/v1/people/me');
    assert.equal(rec(me.body).id, person.personId);
  });

  it('lets a keyboard user pick someone else and decline', async () => {
    const other = webex.people()[6];
    assert.ok(other);
    await page.goto(authorizeUrl({}));
    await page.getByLabel('Sign in as').selectOption(other.personId);
    await page.getByRole('button', { name: 'Decline' }).focus();
    await Promise.all([
      page.waitForURL((url) => url.href.startsWith(receiver.url)),
      page.keyboard.press('Enter'),
    ]);
    const landed = new URL(page.url());
    assert.equal(landed.searchParams.get('error'), 'access_denied');
    assert.equal(landed.searchParams.get('state'), 'browser-state');
    assert.equal(landed.searchParams.get('code'), null);
  });

  it('has no axe-core accessibility violations', async () => {
    await page.goto(authorizeUrl({}));
    await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: () => Promise<{ violations: { id: string }[] }> } })
        .axe;
      return (await axe.run()).violations.map((v) => v.id);
    });
    assert.deepEqual(violations, []);
  });
});
