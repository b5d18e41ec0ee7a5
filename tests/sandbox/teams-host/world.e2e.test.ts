import assert from 'node:assert/strict';
import path from 'node:path';
import { decodeJwt } from 'jose';
import type { Frame, Page } from 'playwright-core';
import { SANDBOX_IDS, type RunningSandbox } from '../../../sandbox/src/launch.js';
import type { DemoUser } from '../../../sandbox/src/seed/org.js';
import { axeViolations } from './support/axe.js';
import { useBrowserWorld } from './support/browser-world.js';

/**
 * The whole sandbox (stand-ins + service + dev host) in a browser, as a newcomer uses it after
 * `npm start`: the real tab in the dev host, the compose box reaching the bot, the console
 * driving the stand-ins. Screenshots go to test-output/sandbox/.
 */

describe('sandbox in a browser: dev host, compose box, console', function () {
  this.timeout(120_000);
  let sandbox: RunningSandbox | undefined;
  let page: Page;
  const world = useBrowserWorld('sandbox', (ready) => {
    ({ sandbox, page } = ready);
  });

  function demoUser(index: number): DemoUser {
    const user = sandbox!.org.users[index];
    assert.ok(user !== undefined);
    return user;
  }

  async function tabFrame(): Promise<Frame> {
    const handle = await page.waitForSelector('#tab-frame');
    const frame = await handle.contentFrame();
    assert.ok(frame !== null);
    return frame;
  }

  it('shows the real tab shell with the demo user from getContext', async () => {
    const user = demoUser(2);
    await page.goto(`${sandbox!.urls.host}?user=${user.id}`);
    const frame = await tabFrame();
    await frame.getByText(`Signed in as ${user.displayName}`).waitFor({ timeout: 30_000 });
    await page.waitForSelector('body[data-tab-state="success"]');
    await page.screenshot({ path: path.join(world().shots, 'dev-host-tab.png') });
  });

  it('delivers a theme switch to the tab', async () => {
    const frame = await tabFrame();
    await page.selectOption('#theme-picker', 'dark');
    await frame.waitForFunction(() => document.documentElement.style.colorScheme === 'dark');
    await page.screenshot({ path: path.join(world().shots, 'dev-host-tab-dark.png') });
    await page.selectOption('#theme-picker', 'default');
    await frame.waitForFunction(() => document.documentElement.style.colorScheme === 'light');
  });

  it('mints SSO tokens from the Entra stand-in with the right claims for the selected user', async () => {
    const user = demoUser(2);
    const token = await page.evaluate(async (userId) => {
      const res = await fetch('/_host/api/sso-token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId }),
      });
      return ((await res.json()) as { token: string }).token;
    }, user.id);
    const claims = decodeJwt(token);
    assert.equal(claims.oid, user.id);
    assert.equal(claims.tid, sandbox!.org.tenantId);
    // v2.0 SSO tokens carry the API's client id as audience, as Teams' tokens do.
    assert.equal(claims.aud, SANDBOX_IDS.clientId);
    assert.equal(claims.scp, 'access_as_user');
    assert.ok(String(claims.iss).startsWith(sandbox!.urls.entra), `issuer ${String(claims.iss)}`);
  });

  it('sends a compose-box query through the channel to /api/messages and shows the answer', async () => {
    const user = demoUser(0);
    await page.goto(`${sandbox!.urls.compose}?user=${user.id}`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.fill('#compose-query', 'Alex');
    await page.click('#compose-send');
    const status = await page.waitForSelector(
      '#compose-status[data-invoke-status], #compose-status[data-response-type="error"]',
      {
        timeout: 30_000,
      },
    );
    const invokeStatus = await status.getAttribute('data-invoke-status');
    const responseType = await status.getAttribute('data-response-type');
    assert.ok(invokeStatus !== null, `the bot answered (status text: ${(await status.textContent()) ?? ''})`);
    assert.notEqual(invokeStatus, '404', 'the invoke reached the bot');
    assert.ok(
      ['result', 'silentAuth', 'auth', 'config', 'message', 'precondition-failed', 'unexpected'].includes(
        responseType ?? '',
      ),
    );
    await page.screenshot({ path: path.join(world().shots, 'compose-box.png') });
  });

  it('lists every demo user in the console and drives a stand-in from a button', async () => {
    await page.goto(sandbox!.urls.console);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.locator('#user-list button[data-user-id]').count(), sandbox!.org.users.length);
    await page.fill('#user-search', 'Megan');
    const megan = sandbox!.org.users.find((u) => u.displayName.startsWith('Megan'));
    assert.ok(megan !== undefined);
    await page.click(`#user-list button[data-user-id="${megan.id}"]`);
    await page.waitForSelector(`#user-detail[data-user-id="${megan.id}"]`);
    await page.click('button[data-action="teams-meeting"]');
    await page.waitForFunction(
      () => document.getElementById('console-status')?.textContent.startsWith('Done') === true,
    );
    const presence = sandbox!.standIns.graph.presence.get(megan.id);
    assert.equal(presence.availability, 'Busy');
    assert.equal(presence.activity, 'InAMeeting');
    await page.waitForSelector('#user-detail dd:has-text("Busy / InAMeeting")');

    const done = (): Promise<unknown> =>
      page.waitForFunction(
        () => document.getElementById('console-status')?.textContent.startsWith('Done') === true,
      );
    await page.click('button[data-action="require-mfa"]');
    await done();
    assert.equal(sandbox!.standIns.entra.userConditions(megan.id).mfaRequired, true);
    await page.waitForSelector('button[data-action="require-mfa"][aria-pressed="true"]');

    if (megan.webex?.calling === true) {
      await page.click('button[data-action="ring"]');
      await done();
      const calls = sandbox!.standIns.webex.activeCalls(megan.webex.personId);
      assert.equal(calls.length, 1);
      assert.equal(calls[0]?.state, 'alerting');
      await page.waitForSelector('#user-detail tr[data-call-id] button[data-action="answer"]');
    }
    await page.screenshot({ path: path.join(world().shots, 'console.png'), fullPage: true });
  });

  it('passes axe (WCAG 2.1 A/AA) on the console, compose box and dev host, light and dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const url of [
        `${sandbox!.urls.console}?user=${demoUser(3).id}`,
        sandbox!.urls.compose,
        sandbox!.urls.host,
      ]) {
        await page.goto(url);
        await page.waitForLoadState('networkidle');
        const violations = await axeViolations(page);
        assert.deepEqual(violations, [], `${url} (${scheme}): ${JSON.stringify(violations, null, 2)}`);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
