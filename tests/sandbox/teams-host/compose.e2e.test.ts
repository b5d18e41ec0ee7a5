import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { decodeJwt } from 'jose';
import type { Page } from 'playwright-core';
import { createDemoOrg } from '../../../sandbox/src/seed/org.js';
import { Router, html, json, serve, text, type RunningServer } from '../../../sandbox/src/shared/http.js';
import { Issuer } from '../../../sandbox/src/shared/issuer.js';
import { bundleEntries, repoRoot } from '../../../sandbox/src/teams-host/bundle.js';
import { startTeamsHost, type RunningTeamsHost } from '../../../sandbox/src/teams-host/index.js';
import { loadSandboxTls } from '../../../sandbox/src/tls/index.js';
import { CHROMIUM_MISSING, chromiumPath, launchBrowser, type BrowserSession } from '../../support/browser.js';

/**
 * The compose box against a scripted channel: each query text picks what the "bot" answers,
 * so every kind of messaging-extension response is drawn, and the auth round trips Teams does
 * (silentAuth → SSO token, auth → popup → state) are played through the real teams-js.
 */

const org = createDemoOrg();
const SHOTS = path.join(repoRoot(), 'test-output', 'sandbox');

interface Recorded {
  userId: string;
  conversation: { kind: string; chatId?: string; teamId?: string; channelId?: string };
  value: {
    commandId: string;
    parameters: { name: string; value: string }[];
    authentication?: { token: string };
    state?: string;
  };
}

const ADAPTIVE_CARD = {
  type: 'AdaptiveCard',
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'Alex Eze', weight: 'Bolder', size: 'Medium' },
    { type: 'TextBlock', text: 'Support Engineer · ext. 2001', isSubtle: true },
  ],
  actions: [
    { type: 'Action.Submit', title: 'Call with Webex', data: { action: 'call', number: '+14255552001' } },
  ],
};

function result(): unknown {
  return {
    composeExtension: {
      type: 'result',
      attachmentLayout: 'list',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: ADAPTIVE_CARD,
          preview: {
            contentType: 'application/vnd.microsoft.card.thumbnail',
            content: { title: 'Alex Eze', text: 'Support Engineer' },
          },
        },
        {
          contentType: 'application/vnd.microsoft.card.hero',
          content: {
            title: 'Allan Lindqvist',
            subtitle: 'Software Engineer',
            buttons: [{ type: 'imBack', title: 'Call', value: 'call' }],
          },
          preview: {
            contentType: 'application/vnd.microsoft.card.hero',
            content: { title: 'Allan Lindqvist', subtitle: 'Software Engineer' },
          },
        },
      ],
    },
  };
}

describe('compose box (browser, scripted bot)', function () {
  this.timeout(90_000);
  let browser: BrowserSession | undefined;
  let channel: RunningServer | undefined;
  let service: RunningServer | undefined;
  let host: RunningTeamsHost | undefined;
  let page: Page;
  const recorded: Recorded[] = [];

  before(async function () {
    const executable = chromiumPath();
    if (executable === undefined) {
      console.log(`    ${CHROMIUM_MISSING}`);
      this.skip();
      return;
    }
    await mkdir(SHOTS, { recursive: true });
    const bundle = await bundleEntries({ 'probe-auth': 'tests/sandbox/teams-host/fixtures/probe-auth.ts' });
    const serviceRouter = new Router();
    serviceRouter.add('GET', '/auth/start', () =>
      html(
        '<!doctype html><html lang="en"><title>Sign in</title><script type="module" src="/auth/probe-auth.js"></script><p>Signing in…</p></html>',
      ),
    );
    serviceRouter.add('GET', '/auth/probe-auth.js', () =>
      text(200, String(bundle.get('probe-auth.js')?.body ?? ''), 'text/javascript; charset=utf-8'),
    );
    for (const name of bundle.fileNames.filter((f) => f.startsWith('chunk-'))) {
      serviceRouter.add('GET', `/auth/${name}`, () =>
        text(200, String(bundle.get(name)?.body ?? ''), 'text/javascript; charset=utf-8'),
      );
    }
    service = await serve(serviceRouter);

    const channelRouter = new Router();
    channelRouter.add('POST', '/_sandbox/botchannel/compose-query', (req) => {
      const body = req.body as Recorded;
      recorded.push(body);
      const query = body.value.parameters[0]?.value ?? '';
      const hasToken = body.value.authentication !== undefined;
      if (query === 'silent' && !hasToken)
        return json(200, { status: 200, body: { composeExtension: { type: 'silentAuth' } } });
      if (query === 'signin' && body.value.state === undefined) {
        return json(200, {
          status: 200,
          body: {
            composeExtension: {
              type: 'auth',
              suggestedActions: {
                actions: [
                  {
                    type: 'openUrl',
                    title: 'Sign in to CallBridge',
                    value: `${host!.url}/auth/start?result=magic-7`,
                  },
                ],
              },
            },
          },
        });
      }
      if (query === 'consent') return json(200, { status: 412, body: undefined });
      return json(200, { status: 200, body: result() });
    });
    channel = await serve(channelRouter);

    const issuer = await Issuer.create(1);
    const tls = await loadSandboxTls(path.join(repoRoot(), '.data', 'sandbox-tls'));
    host = await startTeamsHost({
      tabUrl: `${service.url}/tab/index.html`,
      org,
      entra: {
        url: 'https://localhost:1',
        ssoToken: (userId) => issuer.sign({ oid: userId, tid: org.tenantId }),
      },
      botChannel: { url: channel.url },
      tls: { key: tls.key, cert: tls.cert, ca: tls.ca },
    });
    browser = await launchBrowser(executable);
    page = await browser.browser.newPage();
  });

  after(async () => {
    await browser?.close();
    await host?.close();
    await channel?.close();
    await service?.close();
  });

  async function search(query: string): Promise<void> {
    await page.fill('#compose-query', query);
    await page.click('#compose-send');
    await page.waitForSelector('#compose-status[data-response-type]');
  }

  it('sends the query as the picked user in the picked conversation, with the SSO token', async () => {
    const user = org.users[0]!;
    await page.goto(`${host!.url}/compose?user=${user.id}`);
    await page.waitForSelector('body[data-ready="true"]');
    const channelOption = await page.$$eval('#compose-context option', (options) =>
      (options as HTMLOptionElement[])
        .map((o) => ({ value: o.value, label: o.textContent }))
        .find((o) => o.label.startsWith('Channel: Customer Operations › Escalations')),
    );
    assert.ok(channelOption !== undefined);
    await page.selectOption('#compose-context', channelOption.value);
    await search('alex');
    const sent = recorded.at(-1)!;
    assert.equal(sent.userId, user.id);
    assert.equal(sent.conversation.kind, 'channel');
    assert.equal(sent.conversation.channelId, '19:escalations-customer-ops@thread.tacv2');
    assert.equal(sent.value.commandId, 'searchPeople');
    assert.deepEqual(sent.value.parameters, [{ name: 'query', value: 'alex' }]);
    assert.equal(decodeJwt(sent.value.authentication!.token).oid, user.id);
  });

  it('draws the preview list and renders the Adaptive Card with the official renderer', async () => {
    assert.equal(await page.getAttribute('#compose-status', 'data-response-type'), 'result');
    assert.equal(await page.locator('#compose-results .result-item').count(), 2);
    await page.click('#compose-results .result-item >> nth=0');
    await page.waitForSelector('#compose-card [data-rendered="adaptive"] .ac-adaptiveCard');
    assert.ok(((await page.textContent('#compose-card')) ?? '').includes('Support Engineer · ext. 2001'));
    await page.click('#compose-card button:has-text("Call with Webex")');
    assert.match((await page.textContent('#compose-status')) ?? '', /Action\.Submit “Call with Webex”/);
    await page.screenshot({ path: path.join(SHOTS, 'compose-results.png'), fullPage: true });
    await page.click('#compose-results .result-item >> nth=1');
    await page.waitForSelector('#compose-card [data-rendered="hero"]');
  });

  it('shows silentAuth and sends the query again with an SSO token', async () => {
    await page.uncheck('#compose-sso');
    await search('silent');
    assert.equal(await page.getAttribute('#compose-status', 'data-response-type'), 'silentAuth');
    assert.equal(recorded.at(-1)!.value.authentication, undefined);
    await page.click('#compose-status button:has-text("Send again with an SSO token")');
    await page.waitForSelector('#compose-status[data-response-type="result"]');
    assert.ok(recorded.at(-1)!.value.authentication !== undefined);
  });

  it('shows auth, runs the sign-in popup through teams-js and sends the result back as state', async () => {
    await search('signin');
    assert.equal(await page.getAttribute('#compose-status', 'data-response-type'), 'auth');
    await page.screenshot({ path: path.join(SHOTS, 'compose-auth.png') });
    await page.click('#compose-status button:has-text("Sign in")');
    await page.waitForSelector('#compose-status[data-response-type="result"]', { timeout: 20_000 });
    const [magic, frameContext] = (recorded.at(-1)!.value.state ?? '').split('|');
    assert.equal(magic, 'magic-7');
    assert.equal(frameContext, 'authentication');
  });

  it('shows a 412 clearly', async () => {
    await search('consent');
    assert.equal(await page.getAttribute('#compose-status', 'data-response-type'), 'precondition-failed');
    assert.equal(await page.getAttribute('#compose-status', 'data-invoke-status'), '412');
    assert.match((await page.textContent('#compose-status')) ?? '', /412 Precondition Failed/);
  });
});
