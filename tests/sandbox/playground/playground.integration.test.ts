import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import sinon from 'sinon';
import { composeService, type ComposedService } from '../../../bot/src/compose.js';
import { loadConfig } from '../../../bot/src/config/env.js';
import { HELP_TEXT } from '../../../bot/src/teams/callbridge.bot.js';
import {
  LINK_WEBEX_TITLE,
  OPEN_IN_WEBEX_TITLE,
} from '../../../bot/src/messaging-extension/cards/call-card.js';
import { CALL_VERB } from '../../../bot/src/messaging-extension/cards/person-card.js';
import { SIGN_IN_TITLE } from '../../../bot/src/messaging-extension/sso-query.js';
import {
  playgroundServiceEnv,
  PlaygroundUnavailableError,
  startPlaygroundSession,
  type PlaygroundSession,
} from '../../../sandbox/src/playground/index.js';
import { assertValidAdaptiveCard15 } from '../../bot/messaging-extension/adaptive-card-validator.js';

/**
 * Microsoft's own Teams emulator for bots, the Microsoft 365 Agents Playground, as a second,
 * independent client of the real service (composition root, real botbuilder authentication).
 * It signs nothing, so it only works with DANGEROUSLY_ALLOW_UNAUTHENTICATED_BOT=true, in sandbox
 * mode. Where the Playground cannot start on a machine, its tests skip and say why.
 */

interface RunningService {
  readonly composed: ComposedService;
  readonly endpoint: string;
  readonly lines: () => string[];
  stop(): Promise<void>;
}

async function startService(allowUnauthenticated: boolean): Promise<RunningService> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'callbridge-playground-test-'));
  const chunks: string[] = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  // What `npm run sandbox:playground` runs with: the Entra client secret and the Webex integration
  // are set (placeholders here), so the whole bot is composed.
  const loaded = loadConfig(
    playgroundServiceEnv(
      {},
      {
        PORT: '0',
        LOG_LEVEL: 'debug',
        DATA_DIR: dataDir,
        BOT_ENDPOINT: PUBLIC_BASE_URL,
        DANGEROUSLY_ALLOW_UNAUTHENTICATED_BOT: allowUnauthenticated ? 'true' : 'false',
      },
    ),
  );
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
  const composed = await composeService(loaded.value, { logDestination, collectDefaultMetrics: false });
  assert.ok(composed.ok, composed.ok ? '' : composed.error.message);
  const port = await composed.value.service.start();
  return {
    composed: composed.value,
    endpoint: `http://127.0.0.1:${port}/api/messages`,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.length > 0),
    stop: async () => {
      await composed.value.service.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts the Playground, or skips the calling test/hook with the reason printed. */
async function startPlaygroundOrSkip(ctx: Mocha.Context, botEndpoint: string): Promise<PlaygroundSession> {
  try {
    return await startPlaygroundSession({ botEndpoint });
  } catch (error) {
    if (!(error instanceof PlaygroundUnavailableError)) throw error;
    console.log(`      (skipped: ${error.message.split('\n').join('\n       ')})`);
    ctx.skip();
  }
}

const SEARCH = { commandId: 'searchPeople', parameters: [{ name: 'query', value: 'megan' }] } as const;
/** Where the service says it lives (the sign-in fallback and card links are built from it). */
const PUBLIC_BASE_URL = 'https://callbridge.playground.example';

describe('Microsoft 365 Agents Playground → sandbox service with DANGEROUSLY_ALLOW_UNAUTHENTICATED_BOT=true', function () {
  this.timeout(60_000);
  let service: RunningService | undefined;
  let playground: PlaygroundSession | undefined;

  before(async function () {
    service = await startService(true);
    playground = await startPlaygroundOrSkip(this, service.endpoint);
  });

  after(async () => {
    await playground?.close();
    await service?.stop();
  });

  it('answers a personal message sent through the Playground with the help text, read from its conversation stream', async () => {
    const pg = playground!;
    const { config } = await pg.client.getConfig();
    const replies = await pg.client.openReplies();
    try {
      await pg.client.sendPersonalMessage('help');
      const event = await replies.waitFor(
        (e) => e.action === 'createMessage' && e.message?.from.id === config.bot.id,
      );
      assert.equal(event.actionConversationId, config.personalChat.id);
      assert.equal(event.message?.text, HELP_TEXT);
      assert.equal(event.message.textFormat, 'markdown');
    } finally {
      replies.close();
    }
    assert.ok(
      service!.lines().some((l) => l.includes('processing an UNAUTHENTICATED activity')),
      'the service logs that it processed unsigned traffic',
    );
  });

  it('composeExtension/query without an SSO token (the Playground has no Teams SSO): silentAuth with the sign-in fallback', async () => {
    const answer = await playground!.client.queryComposeExtension(SEARCH);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const body = answer.body as {
      composeExtension?: { type?: string; suggestedActions?: { actions?: unknown[] } };
    };
    assert.equal(body.composeExtension?.type, 'silentAuth');
    assert.deepEqual(body.composeExtension.suggestedActions?.actions, [
      { type: 'openUrl', value: `${PUBLIC_BASE_URL}/tab/index.html`, title: SIGN_IN_TITLE },
    ]);
  });

  it('install: the welcome card arrives; "Call with Webex" pressed on it by a user CallBridge does not know yet answers the deep-link card; both valid for the official renderer', async () => {
    const pg = playground!;
    const { config } = await pg.client.getConfig();
    const replies = await pg.client.openReplies();
    let welcomeId: string;
    try {
      await pg.client.installInPersonalChat();
      const event = await replies.waitFor(
        (e) =>
          e.action === 'createMessage' &&
          e.message?.from.id === config.bot.id &&
          e.message.attachments.length > 0,
      );
      const message = event.message;
      assert.ok(message !== undefined);
      const [welcome] = message.attachments;
      assert.equal(welcome?.contentType, 'application/vnd.microsoft.card.adaptive');
      assertValidAdaptiveCard15(welcome.content);
      welcomeId = message.messageId;
    } finally {
      replies.close();
    }

    const answer = await pg.client.invoke({
      name: 'adaptiveCard/action',
      conversationId: config.personalChat.id,
      fromId: config.currentUser.id,
      replyToId: welcomeId,
      value: {
        action: { type: 'Action.Execute', verb: CALL_VERB, data: { number: '+14255550100', name: 'Megan' } },
        trigger: 'manual',
      },
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const body = answer.body as {
      type?: string;
      value?: { actions?: { title?: string; url?: string }[] };
    };
    // The Playground returns the card answer's type and value (its own HTTP status stands for statusCode).
    assert.equal(body.type, 'application/vnd.microsoft.card.adaptive');
    assertValidAdaptiveCard15(body.value);
    assert.deepEqual(
      body.value?.actions?.map((a) => a.title),
      [OPEN_IN_WEBEX_TITLE, LINK_WEBEX_TITLE],
    );
    assert.equal(body.value.actions[1]?.url, `${PUBLIC_BASE_URL}/tab/index.html`);
  });
});

describe('the same sandbox service with DANGEROUSLY_ALLOW_UNAUTHENTICATED_BOT off', function () {
  this.timeout(60_000);
  let service: RunningService | undefined;
  let playground: PlaygroundSession | undefined;
  let restoreConsole: () => void = () => undefined;

  beforeEach(() => {
    // botbuilder prints every rejected request with console.error.
    const error = sinon.stub(console, 'error');
    const warn = sinon.stub(console, 'warn');
    restoreConsole = () => {
      error.restore();
      warn.restore();
    };
  });

  afterEach(async () => {
    restoreConsole();
    await playground?.close();
    playground = undefined;
    await service?.stop();
    service = undefined;
  });

  it('refuses an unsigned activity (no Authorization header, as the Playground sends it) with 401', async () => {
    service = await startService(false);
    const response = await fetch(service.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: 'playground-like-1',
        channelId: 'msteams',
        serviceUrl: 'http://127.0.0.1:9/_connector',
        from: { id: 'user-id-0', aadObjectId: '00000000-0000-0000-0000-0000000000020' },
        recipient: { id: '00000000-0000-0000-0000-00000000000011' },
        conversation: { id: 'personal-chat', conversationType: 'personal' },
        channelData: { tenant: { id: '00000000-0000-0000-0000-0000000000001' } },
        text: 'help',
      }),
    });
    await response.body?.cancel();
    assert.equal(response.status, 401);
    assert.ok(!service.lines().some((l) => l.includes('UNAUTHENTICATED BOT TRAFFIC ACCEPTED')));
  });

  it('and a Playground invoke is refused with 401 too (the Playground reports 502 with the 401 inside)', async function () {
    service = await startService(false);
    playground = await startPlaygroundOrSkip(this, service.endpoint);
    const answer = await playground.client.queryComposeExtension(SEARCH);
    assert.equal(answer.status, 502, JSON.stringify(answer.body));
    const body = answer.body as { innerHttpError?: { statusCode?: unknown } };
    assert.equal(body.innerHttpError?.statusCode, 401);
  });
});
