import assert from 'node:assert/strict';
import { createService, type Service } from '../../../bot/src/app.js';
import type { GraphTokenService } from '../../../bot/src/auth/obo/graph-token-service.js';
import { createMetrics } from '../../../bot/src/observability/metrics.js';
import { INITIAL_RUN_TITLE, SIGN_IN_TITLE } from '../../../bot/src/messaging-extension/sso-query.js';
import { createBotRoute } from '../../../bot/src/teams/bot-route.js';
import type { SingletonGuard } from '../../../bot/src/workers/daemon.js';
import { startBotChannel, type RunningBotChannel } from '../../../sandbox/src/botchannel/index.js';
import { startHarness, type Harness } from '../auth/obo/harness.js';
import { BOT_ID, BOT_PASSWORD, configFor } from '../teams/bot-harness.js';

/**
 * The search messaging extension's Teams SSO contract, end to end: real `composeExtension/query`
 * invokes signed by the Bot Framework channel stand-in, the real bot route and SSO validator, and
 * on-behalf-of against the Entra stand-in over HTTPS (every token-endpoint call counted).
 */

const alwaysRun: SingletonGuard = { runExclusive: async (_name, fn) => ({ ran: true, value: await fn() }) };
const SIGN_IN_URL = 'https://callbridge.example/tab/index.html';

interface ComposeAnswer {
  composeExtension?: {
    type?: string;
    attachmentLayout?: string;
    attachments?: { contentType?: string; content: { title?: string } }[];
    suggestedActions?: { actions?: { type?: string; value?: string; title?: string }[] };
    text?: string;
  };
}

describe('messaging extension SSO (composeExtension/query)', function () {
  this.timeout(30_000);
  let h: Harness;
  let channel: RunningBotChannel;
  let service: Service;
  let tokenCalls = 0;

  before(async () => {
    h = await startHarness();
    const countingFetch: typeof fetch = (input, init) => {
      tokenCalls += 1;
      return fetch(input, init);
    };
    const graphTokens: GraphTokenService = h.service({ fetch: countingFetch });
    let endpoint = '';
    channel = await startBotChannel({
      botEndpoint: () => endpoint,
      botAppId: BOT_ID,
      tenantId: h.entra.tenantId,
      org: h.org,
      botAppPassword: BOT_PASSWORD,
    });
    const config = configFor(channel);
    const bot = createBotRoute(config, h.logger, {
      store: h.store,
      messagingExtension: {
        validator: h.validator,
        store: h.store,
        graphTokens,
        signInUrl: SIGN_IN_URL,
        logger: h.logger,
      },
    });
    service = createService({
      config,
      logger: h.logger,
      metrics: createMetrics({ collectDefaults: false }),
      readiness: [],
      routes: bot.routes,
      daemons: [],
      guard: alwaysRun,
      closeables: [],
    });
    const port = await service.start();
    endpoint = `http://127.0.0.1:${port}/api/messages`;
  });

  after(async () => {
    await service.stop();
    await channel.close();
    await h.close();
  });

  const query = (userId: string, options: { ssoToken?: string; initialRun?: boolean } = {}) =>
    channel.invokeComposeExtensionQuery({
      conversationType: 'personal',
      userId,
      commandId: 'searchPeople',
      parameters:
        options.initialRun === true
          ? [{ name: 'initialRun', value: 'true' }]
          : [{ name: 'query', value: 'Ad' }],
      ...(options.ssoToken === undefined ? {} : { ssoToken: options.ssoToken }),
    });

  /** A Teams SSO token for the user, remembered as a secret for the log check. */
  const ssoToken = async (userId: string): Promise<string> => {
    const token = await h.entra.ssoToken(userId);
    h.secrets.add(token);
    return token;
  };

  it('without an SSO token answers silentAuth with an openUrl sign-in action', async () => {
    const calls = tokenCalls;
    const answer = await query(h.org.users[20]!.id);
    assert.equal(answer.status, 200);
    const body = answer.body as ComposeAnswer;
    assert.equal(body.composeExtension?.type, 'silentAuth');
    assert.deepEqual(body.composeExtension.suggestedActions?.actions, [
      { type: 'openUrl', value: SIGN_IN_URL, title: SIGN_IN_TITLE },
    ]);
    assert.equal(tokenCalls, calls, 'no token, no Entra call');
  });

  it('with an SSO token that does not validate answers silentAuth again, with no internals', async () => {
    const answer = await query(h.org.users[20]!.id, { ssoToken: 'not-a-jwt' });
    assert.equal(answer.status, 200);
    const body = answer.body as ComposeAnswer;
    assert.equal(body.composeExtension?.type, 'silentAuth');
    assert.equal(body.composeExtension.text, undefined);
  });

  it('with an SSO token from Entra exchanges on-behalf-of and answers a result list; the next query reuses the token', async () => {
    const demo = h.org.users[21]!;
    const calls = tokenCalls;
    const first = await query(demo.id, { ssoToken: await ssoToken(demo.id), initialRun: true });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const body = first.body as ComposeAnswer;
    assert.equal(body.composeExtension?.type, 'result');
    assert.equal(body.composeExtension.attachmentLayout, 'list');
    assert.equal(body.composeExtension.attachments?.length, 1);
    const card = body.composeExtension.attachments[0];
    assert.equal(card?.contentType, 'application/vnd.microsoft.card.thumbnail');
    assert.equal(card.content.title, INITIAL_RUN_TITLE);
    assert.equal(tokenCalls, calls + 1, 'one on-behalf-of call');
    const user = await h.store.users.getByAadObjectId(h.entra.tenantId, demo.id);
    assert.equal(user?.status, 'active');

    // The user types on: Teams re-invokes with a new SSO token; the cached Graph token is reused.
    h.advance(60_000);
    const second = await query(demo.id, { ssoToken: await ssoToken(demo.id) });
    assert.equal(second.status, 200);
    assert.deepEqual((second.body as ComposeAnswer).composeExtension, {
      type: 'result',
      attachmentLayout: 'list',
      attachments: [],
    });
    assert.equal(tokenCalls, calls + 1, 'no second call to the Entra token endpoint');
  });

  it('answers invoke status 412 when the on-behalf-of exchange needs consent', async () => {
    const demo = h.org.users[22]!;
    h.entra.revokeConsent(demo.id);
    const answer = await query(demo.id, { ssoToken: await ssoToken(demo.id) });
    assert.equal(answer.status, 412);
    assert.ok(
      answer.body === undefined || answer.body === null || answer.body === '',
      `empty body, got ${JSON.stringify(answer.body)}`,
    );
  });

  it('never logs a token', () => {
    const log = h.lines().join('\n');
    for (const secret of h.secrets) assert.ok(!log.includes(secret), 'a credential reached the log');
  });
});
