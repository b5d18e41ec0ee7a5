import assert from 'node:assert/strict';
import path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { SANDBOX_IDS, type RunningSandbox } from '../../../sandbox/src/launch.js';
import type { DemoContact, DemoUser } from '../../../sandbox/src/seed/org.js';
import { axeViolations } from './support/axe.js';
import { useBrowserWorld } from './support/browser-world.js';

/**
 * The Call tab end to end in headless Chromium through the sandbox Teams dev host (the real
 * teams-js path): speed dials saved to the user's Graph open extension, a concurrent edit from a
 * second client, people search over the directory and Outlook contacts, Webex click-to-dial with
 * its progress driven through the Webex stand-in, the deep link for an unlinked user, and
 * screenshots (default, dark, 360 px) in test-output/screenshots/.
 */

const UI_TIMEOUT = 30_000;
const EXTENSION = 'com.callbridge.speedDials';

type WebexUser = DemoUser & { webex: NonNullable<DemoUser['webex']> };

interface StoredDial {
  readonly id: string;
  readonly label: string;
  readonly number: string;
}

describe('Call tab in the dev host: speed dials, search, calls', function () {
  this.timeout(240_000);
  let sandbox: RunningSandbox;
  let page: Page;
  const taken = new Set<string>();
  const world = useBrowserWorld('screenshots', (ready) => {
    ({ sandbox, page } = ready);
  });

  /** A Webex Calling user no other test here has used (each test starts from a clean user). */
  function callingUser(): WebexUser {
    const user = sandbox.org.users.find((u): u is WebexUser => u.webex?.calling === true && !taken.has(u.id));
    assert.ok(user !== undefined, 'enough Webex Calling users in the demo org');
    taken.add(user.id);
    return user;
  }

  async function openTab(user: DemoUser, theme: 'default' | 'dark' | 'contrast' = 'default'): Promise<Frame> {
    await page.goto(`${sandbox.urls.host}?user=${user.id}&theme=${theme}`);
    const frame = await (await page.waitForSelector('#tab-frame')).contentFrame();
    assert.ok(frame !== null);
    await frame.getByText(`Signed in as ${user.displayName}`).waitFor({ timeout: UI_TIMEOUT });
    await frame.waitForSelector('[data-testid="speed-dials"][aria-busy="false"]', { timeout: UI_TIMEOUT });
    return frame;
  }

  /** The Call tab API as a second client (another device) would call it, with the user's SSO token. */
  async function api(user: DemoUser, method: string, route: string, body?: unknown) {
    const token = await sandbox.standIns.entra.ssoToken(user.id);
    const res = await fetch(`${sandbox.standIns.teamsHost.url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: (text === '' ? undefined : JSON.parse(text)) as Record<string, unknown>,
    };
  }

  /** The speed dials as the Graph stand-in holds them in the user's open extension. */
  async function graphDials(user: DemoUser): Promise<StoredDial[]> {
    const token = await sandbox.standIns.entra.mintAccessToken({
      resource: 'https://graph.microsoft.com',
      clientId: SANDBOX_IDS.clientId,
      userId: user.id,
      scopes: ['User.ReadWrite'],
    });
    const res = await fetch(`${sandbox.urls.graph}/v1.0/users/${user.id}/extensions/${EXTENSION}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.status === 404) return [];
    assert.equal(res.status, 200);
    const ext = (await res.json()) as { entries?: unknown };
    assert.equal(typeof ext.entries, 'string', 'the extension keeps the set as one JSON string');
    return JSON.parse(ext.entries as string) as StoredDial[];
  }

  /** Waits until Graph holds these labels, in this order (saves are asynchronous to the UI). */
  async function graphLabelsBecome(user: DemoUser, labels: string[]): Promise<StoredDial[]> {
    let last: StoredDial[] = [];
    for (let i = 0; i < 100; i++) {
      last = await graphDials(user);
      if (JSON.stringify(last.map((d) => d.label)) === JSON.stringify(labels)) return last;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(
      last.map((d) => d.label),
      labels,
    );
    return last;
  }

  async function uiLabels(frame: Frame): Promise<string[]> {
    return frame
      .locator('[data-testid="speed-dial"]')
      .evaluateAll((items) => items.map((li) => li.querySelector('[data-part="label"]')?.textContent ?? ''));
  }

  async function settled(frame: Frame): Promise<void> {
    await frame.waitForSelector('[data-testid="speed-dials"][data-state="idle"]', { timeout: UI_TIMEOUT });
  }

  async function search(frame: Frame, text: string): Promise<void> {
    const box = frame.getByRole('searchbox', { name: 'Search people and numbers' });
    await box.fill(text);
    await frame.waitForSelector('[data-testid="search"][data-state="done"]', { timeout: UI_TIMEOUT });
  }

  /** The tab frame's width at the current viewport (the dev host's chrome takes the rest). */
  async function frameWidth(): Promise<number> {
    return page.locator('#tab-frame').evaluate((el) => el.clientWidth);
  }

  /** Sizes the page so that the tab itself is `width` wide, as in a phone's Teams. */
  async function tabWidth(width: number): Promise<void> {
    await page.setViewportSize({ width, height: 900 });
    await page.setViewportSize({ width: width + (width - (await frameWidth())), height: 900 });
  }

  async function shot(name: string, width?: number): Promise<void> {
    if (width !== undefined) await tabWidth(width);
    await page.screenshot({ path: path.join(world().shots, `${name}.png`), fullPage: true });
    if (width !== undefined) await page.setViewportSize({ width: 1280, height: 800 });
  }

  /** Links Webex through the Webex stand-in's sign-in popup, as the user would. */
  async function linkWebex(frame: Frame, user: WebexUser): Promise<void> {
    const popupOpened = page.context().waitForEvent('page', { timeout: UI_TIMEOUT });
    await frame.getByRole('button', { name: 'Link Webex' }).first().click();
    const popup = await popupOpened;
    await popup.waitForSelector('select#person', { timeout: UI_TIMEOUT });
    await popup.selectOption('select#person', user.webex.personId);
    await popup.click('button[value="accept"]');
    await frame.waitForSelector('[data-testid="webex-card"][data-state="linked"]', { timeout: UI_TIMEOUT });
  }

  it('adds from search and the dial pad, reorders by keyboard, removes, and Graph follows; a reload shows them again', async () => {
    const user = callingUser();
    const colleague = sandbox.org.users.find((u) => u.id !== user.id && u.department === user.department)!;
    let frame = await openTab(user);
    await frame.getByText('No speed dials yet').waitFor();

    await search(frame, colleague.displayName);
    const result = frame.locator(`[data-testid="search-result"][data-key="aad:${colleague.id}"]`);
    await result.waitFor();
    await result.getByRole('button', { name: `Add ${colleague.displayName} to speed dials` }).click();
    await settled(frame);

    await frame.getByRole('textbox', { name: 'Number to call' }).fill('+1 (425) 555-0199');
    await frame.getByRole('button', { name: 'Add to speed dials' }).click();
    await settled(frame);
    const added = await graphLabelsBecome(user, [colleague.displayName, '+14255550199']);
    assert.equal(added[1]?.number, '+14255550199', 'the pasted number is saved without its formatting');
    assert.deepEqual(await uiLabels(frame), [colleague.displayName, '+14255550199']);

    // Keyboard: Alt+ArrowUp on the second entry's call button moves it first, focus stays on it.
    const second = frame.getByRole('button', { name: 'Call +14255550199' });
    await second.focus();
    await page.keyboard.press('Alt+ArrowUp');
    await settled(frame);
    await graphLabelsBecome(user, ['+14255550199', colleague.displayName]);
    assert.equal(
      await second.evaluate((el) => el === document.activeElement),
      true,
      'focus stays on the moved entry',
    );

    // Dragging the second entry onto the first moves it there.
    const items = frame.locator('[data-testid="speed-dial"]');
    await items.nth(1).dragTo(items.nth(0));
    await settled(frame);
    await graphLabelsBecome(user, [colleague.displayName, '+14255550199']);

    // The move buttons do the same, for pointer and switch users.
    await frame.getByRole('button', { name: `Move ${colleague.displayName} down` }).click();
    await settled(frame);
    await graphLabelsBecome(user, ['+14255550199', colleague.displayName]);
    await frame.getByRole('button', { name: `Move ${colleague.displayName} up` }).click();
    await settled(frame);
    await graphLabelsBecome(user, [colleague.displayName, '+14255550199']);

    // Edit the label and number in place.
    await frame.getByRole('button', { name: 'Edit +14255550199' }).click();
    const form = frame.getByRole('form', { name: 'Edit +14255550199' });
    await form.getByRole('textbox', { name: 'Name' }).fill('Front desk');
    await form.getByRole('textbox', { name: 'Number' }).fill('4021');
    await form.getByRole('button', { name: 'Save' }).click();
    await settled(frame);
    const edited = await graphLabelsBecome(user, [colleague.displayName, 'Front desk']);
    assert.equal(edited[1]?.number, '4021');
    await shot('call-tab-speed-dials');

    // After a reload the bootstrap brings the colleague's live presence with the set.
    sandbox.standIns.graph.presence.setTeamsClient(colleague.id, 'busy');
    frame = await openTab(user);
    const dot = frame
      .locator('[data-testid="speed-dial"]')
      .filter({ hasText: colleague.displayName })
      .locator('[data-presence]');
    await frame.waitForSelector('[data-testid="speed-dial"] [data-presence="Busy"]', { timeout: UI_TIMEOUT });
    assert.equal(await dot.getAttribute('aria-label'), 'Busy');

    await frame.getByRole('button', { name: `Remove ${colleague.displayName}` }).click();
    await settled(frame);
    await graphLabelsBecome(user, ['Front desk']);

    // Another device (or this one after a reload) sees the set from the bootstrap.
    const again = await openTab(user);
    await again.locator('[data-testid="speed-dial"]').first().waitFor();
    assert.deepEqual(await uiLabels(again), ['Front desk']);
  });

  it('paints the cached speed dials before the bootstrap answers, and caches no token', async () => {
    const user = callingUser();
    let frame = await openTab(user);
    await frame.getByRole('textbox', { name: 'Number to call' }).fill('3003');
    await frame.getByRole('button', { name: 'Add to speed dials' }).click();
    await settled(frame);
    await graphLabelsBecome(user, ['3003']);
    // Reload so the cache holds a bootstrap that includes the new entry.
    frame = await openTab(user);
    await frame.locator('[data-testid="speed-dial"]').first().waitFor();

    const stored = await frame.evaluate(() =>
      Object.keys(localStorage).map((k) => `${k}=${localStorage.getItem(k) ?? ''}`),
    );
    const mine = stored.filter((entry) => entry.includes(user.id));
    assert.equal(mine.length, 1, 'one cache entry per user');
    assert.match(mine[0]!, new RegExp(`^callbridge\\.bootstrap\\.v1\\.${user.id}=`));
    for (const entry of stored) assert.doesNotMatch(entry, /eyJ[\w-]+\.[\w-]+/, 'no JWT in storage');

    // The next open: the bootstrap is held back, yet the speed dials are there.
    const held: (() => Promise<void>)[] = [];
    await page.route('**/api/bootstrap', (route) => {
      held.push(() => route.continue());
    });
    try {
      await page.goto(`${sandbox.urls.host}?user=${user.id}`);
      const cached = await (await page.waitForSelector('#tab-frame')).contentFrame();
      assert.ok(cached !== null);
      await cached.locator('[data-testid="speed-dial"]').first().waitFor({ timeout: UI_TIMEOUT });
      assert.deepEqual(await uiLabels(cached), ['3003']);
      assert.ok(held.length > 0, 'the bootstrap request was still waiting');
    } finally {
      await Promise.all(held.map((release) => release()));
      await page.unroute('**/api/bootstrap');
    }
  });

  it('merges a concurrent edit from a second client instead of losing it', async () => {
    const user = callingUser();
    const frame = await openTab(user);
    await frame.getByRole('textbox', { name: 'Number to call' }).fill('1001');
    await frame.getByRole('button', { name: 'Add to speed dials' }).click();
    await settled(frame);
    await graphLabelsBecome(user, ['1001']);

    // The second client read the set before the tab's next edit...
    const read = await api(user, 'GET', '/api/speed-dials');
    assert.equal(read.status, 200);
    const base = { version: read.body.version, entries: read.body.entries };

    // ...the tab adds one...
    await frame.getByRole('textbox', { name: 'Number to call' }).fill('1002');
    await frame.getByRole('button', { name: 'Add to speed dials' }).click();
    await settled(frame);
    await graphLabelsBecome(user, ['1001', '1002']);

    // ...and the second client saves its own addition on the old base: the server merges.
    const other = { id: 'other01', label: 'From phone', number: '1003' };
    const put = await api(user, 'PUT', '/api/speed-dials', {
      entries: [...(base.entries as StoredDial[]), other],
      base,
    });
    assert.equal(put.status, 200);
    assert.equal(put.body.merged, true);
    // Where the merge places the other client's entry is the server's rule; that it is kept is ours.
    assert.deepEqual((put.body.entries as StoredDial[]).map((d) => d.label).sort(), [
      '1001',
      '1002',
      'From phone',
    ]);
    await graphLabelsBecome(
      user,
      (put.body.entries as StoredDial[]).map((d) => d.label),
    );

    // The tab's next edit is on its (now old) base: merged again, nothing lost, and it says so.
    await frame.getByRole('button', { name: 'Remove 1001' }).click();
    await settled(frame);
    await frame.getByTestId('speed-dials-merged').waitFor({ timeout: UI_TIMEOUT });
    await frame.getByText('Merged with changes from another device.').waitFor();
    const shown = await uiLabels(frame);
    assert.deepEqual([...shown].sort(), ['1002', 'From phone']);
    await graphLabelsBecome(user, shown);
  });

  it('says the speed dials are full when an addition would not fit the 2 KB extension', async () => {
    const user = callingUser();
    // Another device filled the set with small entries until the server refused one more.
    let entries: StoredDial[] = [];
    let version = (await api(user, 'GET', '/api/speed-dials')).body.version;
    for (let i = 0; i < 60; i++) {
      const next = [...entries, { id: `f${i}`, label: 'x', number: String(1000 + i) }];
      const put = await api(user, 'PUT', '/api/speed-dials', { entries: next, base: { version, entries } });
      if (put.status === 413) {
        assert.equal(put.body.code, 'speed_dials_full');
        break;
      }
      assert.equal(put.status, 200, JSON.stringify(put.body));
      entries = next;
      version = put.body.version;
    }
    assert.ok(entries.length > 5, 'the set filled up');

    const frame = await openTab(user);
    await frame.getByRole('textbox', { name: 'Number to call' }).fill('+1 425 555 0177');
    await frame.getByRole('button', { name: 'Add to speed dials' }).click();
    await frame.getByTestId('speed-dials-full').waitFor({ timeout: UI_TIMEOUT });
    await frame.getByText('Speed dials are full (2 KB)').waitFor();
    await settled(frame);
    assert.equal(
      await frame.locator('[data-testid="speed-dial"]').count(),
      entries.length,
      'the addition was rolled back',
    );
    assert.equal((await graphDials(user)).length, entries.length, 'nothing was written');
    await shot('call-tab-speed-dials-full');
  });

  it('finds a directory user and an Outlook contact, with keyboard navigation', async () => {
    const user = callingUser();
    const contact: DemoContact | undefined = sandbox.org.contacts.find((c) => c.ownerId === user.id);
    assert.ok(contact !== undefined, 'the demo user has Outlook contacts');
    const colleague = sandbox.org.users.find((u) => u.id !== user.id)!;
    const frame = await openTab(user);

    await search(frame, colleague.displayName);
    const person = frame.locator(`[data-testid="search-result"][data-key="aad:${colleague.id}"]`);
    await person.waitFor();
    await person.getByText(colleague.jobTitle).first().waitFor();
    await person.getByText(colleague.mail, { exact: false }).first().waitFor();

    await search(frame, contact.displayName);
    const found = frame.locator('[data-testid="search-result"]', { hasText: contact.displayName });
    await found.first().waitFor();
    const business = contact.businessPhones[0]!;
    await found.first().getByText(business, { exact: false }).waitFor();
    await shot('call-tab-search');

    // Arrow down from the box lands on the first result's call button; Escape goes back.
    await frame.getByRole('searchbox', { name: 'Search people and numbers' }).focus();
    await page.keyboard.press('ArrowDown');
    const focused = await frame.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
    assert.match(focused, /^Call /);
    await page.keyboard.press('Escape');
    assert.equal(
      await frame.evaluate(() => document.activeElement?.getAttribute('type')),
      'search',
      'Escape returns to the search box',
    );
  });

  it('places a Webex call for a linked user and follows it through the Webex stand-in', async () => {
    const user = callingUser();
    const callee = callingUser();
    sandbox.standIns.webex.leaveVoiceMessage(user.webex.personId, '+14255550142', {
      fromName: 'Voicemail Caller',
      durationSeconds: 21,
    });
    const frame = await openTab(user);
    await frame
      .getByText('Link your Webex account to see your recent calls here.')
      .waitFor({ timeout: UI_TIMEOUT });
    await linkWebex(frame, user);

    // Linked: the voice message shows as new; marking it read reaches Webex.
    const message = frame.getByTestId('voice-message').filter({ hasText: 'Voicemail Caller' });
    await message.waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await message.getAttribute('data-read'), 'false');
    // The list updates at once; the server's answer is what the check below waits for.
    const marked = page.waitForResponse((r) => r.url().endsWith('/read'), { timeout: UI_TIMEOUT });
    await message.getByRole('button', { name: 'Mark message from Voicemail Caller as read' }).click();
    await frame.waitForSelector('[data-testid="voice-message"][data-read="true"]', { timeout: UI_TIMEOUT });
    assert.equal((await marked).status(), 204);
    const voicemail = await api(user, 'GET', '/api/voicemail');
    assert.deepEqual(
      (voicemail.body.messages as { read: boolean }[]).map((m) => m.read),
      [true],
    );

    await frame.getByRole('textbox', { name: 'Number to call' }).fill(callee.webex.extension);
    await frame.getByRole('button', { name: 'Call', exact: true }).click();
    const panel = frame.getByTestId('call-panel');
    await frame.getByText('Ringing your Webex devices — answer to connect').waitFor({ timeout: UI_TIMEOUT });
    await shot('call-tab-ringing');
    await shot('call-tab-ringing-360', 360);

    const [call] = sandbox.standIns.webex.activeCalls(user.webex.personId);
    assert.ok(call !== undefined, 'the dial reached the Webex stand-in');
    const callId = String(call.id);
    sandbox.standIns.webex.answerOnDevice(user.webex.personId, callId);
    await frame.waitForSelector(
      '[data-testid="call-panel"]:is([data-state="connecting"], [data-state="ringing_remote"])',
      {
        timeout: UI_TIMEOUT,
      },
    );
    sandbox.standIns.webex.remoteAnswer(callId);
    await frame.waitForSelector('[data-testid="call-panel"][data-state="connected"]', {
      timeout: UI_TIMEOUT,
    });
    await panel.getByText('Connected', { exact: true }).waitFor();
    await panel.getByRole('button', { name: /^Hang up the call with / }).waitFor();
    sandbox.standIns.webex.remoteHangup(callId);
    await frame.waitForSelector('[data-testid="call-panel"][data-state="ended"]', { timeout: UI_TIMEOUT });
    await panel.getByRole('button', { name: 'Call again' }).waitFor();

    // The call is now in recent calls; redial places it again.
    const recent = frame.getByTestId('recent-call').filter({ hasText: callee.webex.extension });
    await recent.first().waitFor({ timeout: UI_TIMEOUT });
    await shot('call-tab-recent-calls');
    await recent.first().getByRole('button').click();
    await frame.waitForSelector('[data-testid="call-panel"][data-state="ringing_devices"]', {
      timeout: UI_TIMEOUT,
    });
    assert.equal(
      sandbox.standIns.webex.activeCalls(user.webex.personId).length,
      1,
      'the redial reached Webex',
    );

    // Cancel while the devices ring, from the keyboard: Webex drops the call.
    const cancel = panel.getByRole('button', { name: /^Cancel the call to / });
    await cancel.focus();
    const hungUp = page.waitForResponse((r) => r.request().method() === 'DELETE', { timeout: UI_TIMEOUT });
    await page.keyboard.press('Enter');
    assert.equal((await hungUp).status(), 200);
    await panel.getByText('Call ended', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    assert.deepEqual(sandbox.standIns.webex.activeCalls(user.webex.personId), [], 'no live call in Webex');
  });

  it('gives an unlinked user the Webex deep link and the Link Webex action', async () => {
    const user = callingUser();
    const frame = await openTab(user);
    await frame.getByRole('textbox', { name: 'Number to call' }).fill('+1 425 555 0123');
    await frame.getByRole('button', { name: 'Call', exact: true }).click();
    const link = frame.getByTestId('open-webex');
    await link.waitFor({ timeout: UI_TIMEOUT });
    assert.match((await link.getAttribute('href')) ?? '', /^webextel:/);
    await frame.getByTestId('deep-link').getByRole('button', { name: 'Link Webex' }).waitFor();
    assert.deepEqual(sandbox.standIns.webex.activeCalls(user.webex.personId), [], 'nothing was dialled');
    await shot('call-tab-deep-link');
    await shot('call-tab-deep-link-360', 360);
  });

  it('turns status sync on, first showing the one action that unblocks it', async () => {
    const user = callingUser();
    const frame = await openTab(user);
    const card = frame.getByTestId('sync-card');
    await frame.waitForSelector('[data-testid="sync-card"][data-state="ready"]', { timeout: UI_TIMEOUT });
    const toggle = card.getByRole('switch');
    assert.equal(await toggle.isChecked(), false);

    // Not linked to Webex: the server refuses and the card offers exactly that fix.
    await toggle.click();
    const blocked = frame.locator('[data-testid="sync-blocked"][data-action="link_webex"]');
    await blocked.waitFor({ timeout: UI_TIMEOUT });
    await shot('call-tab-sync-blocked');
    const popupOpened = page.context().waitForEvent('page', { timeout: UI_TIMEOUT });
    await blocked.getByRole('button', { name: 'Link Webex' }).click();
    const popup = await popupOpened;
    await popup.waitForSelector('select#person', { timeout: UI_TIMEOUT });
    await popup.selectOption('select#person', user.webex.personId);
    await popup.click('button[value="accept"]');
    await frame.waitForSelector('[data-testid="webex-card"][data-state="linked"]', { timeout: UI_TIMEOUT });
    await blocked.waitFor({ state: 'detached', timeout: UI_TIMEOUT });

    // Linked, the next thing missing is the tenant's admin consent: the card says so in turn.
    await toggle.click();
    const consent = frame.locator('[data-testid="sync-blocked"][data-action="admin_consent"]');
    await consent.waitFor({ timeout: UI_TIMEOUT });
    await consent.getByText('Ask your IT admin to approve CallBridge').waitFor();

    // The admin consents (the service's admin consent page through the Entra stand-in)...
    const admin = await page.context().newPage();
    await admin.goto(`${sandbox.urls.service}/adminconsent`);
    await admin.click('a.button');
    await admin.click('button[name="decision"][value="accept"]');
    await admin.waitForSelector('[data-outcome]', { timeout: UI_TIMEOUT });
    await admin.close();

    // ...and "Check again" then turning it on works.
    await consent.getByRole('button', { name: 'Check again' }).click();
    await consent.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await toggle.click();
    await frame.waitForFunction(
      () =>
        document.querySelector<HTMLInputElement>('[data-testid="sync-card"] input[role="switch"]')
          ?.checked === true,
      undefined,
      { timeout: UI_TIMEOUT },
    );
    const status = await api(user, 'GET', '/api/presence-sync');
    assert.equal(status.body.enabled, true);
  });

  it('passes axe and renders at 360 px in default and dark themes', async () => {
    const user = callingUser();
    for (const theme of ['default', 'dark'] as const) {
      const frame = await openTab(user, theme);
      await frame.waitForSelector('[data-testid="sync-card"]:not([data-state="loading"])', {
        timeout: UI_TIMEOUT,
      });
      await frame.getByRole('textbox', { name: 'Number to call' }).fill('2002');
      await frame.getByRole('button', { name: 'Add to speed dials' }).click();
      await settled(frame);
      await search(frame, sandbox.org.users[1]!.displayName);
      await frame.locator('[data-testid="search-result"]').first().waitFor();
      await frame.waitForSelector('[data-testid="recent-calls"][data-state="ready"]', {
        timeout: UI_TIMEOUT,
      });
      assert.deepEqual(await axeViolations(frame), [], `Call tab (${theme})`);
      await shot(`call-tab-${theme}`);
      await shot(`call-tab-${theme}-360`, 360);
      // Nothing may scroll sideways at phone width.
      await tabWidth(360);
      assert.equal(await frameWidth(), 360);
      const overflow = await frame.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      const wide = await frame.evaluate(() => {
        const w = document.documentElement.clientWidth;
        return [...document.querySelectorAll('*')]
          .filter((el) => el.getBoundingClientRect().right > w + 1)
          .slice(0, 8)
          .map(
            (el) =>
              `${el.tagName}.${el.className} ${el.getAttribute('aria-label') ?? ''} ${Math.round(el.getBoundingClientRect().right)}`,
          );
      });
      await page.setViewportSize({ width: 1280, height: 800 });
      assert.equal(overflow, 0, `no horizontal scroll at 360 px (${theme}): ${wide.join('\n')}`);
    }
    // High contrast draws from the same tokens; a picture is kept to look at.
    await openTab(user, 'contrast');
    await shot('call-tab-contrast');
  });
});
