import assert from 'node:assert/strict';
import {
  HOST_SDK_VERSION,
  TeamsHostProtocol,
  legacyContext,
  parseAppRequest,
  redactUrl,
  responseTo,
  themeChangeEvent,
  type AppRequest,
  type AuthenticateRequest,
  type ContextInput,
  type HostEffects,
  type LogEntry,
  type TokenResult,
} from '../../../sandbox/src/teams-host/client/protocol.js';

const CONTEXT: ContextInput = {
  user: { id: 'u-1', displayName: 'Adele Vance', userPrincipalName: 'adele.vance@northwind.example' },
  tenantId: 't-1',
  theme: 'dark',
  frameContext: 'content',
  locale: 'en-us',
  appId: '00000000-0000-4000-8000-0000000000a9',
  entityId: 'call',
  hostSessionId: 'hs',
  appSessionId: 'as',
};

function request(func: string, args: unknown[] = [], id = 7): AppRequest {
  return { id, uuidAsString: `uuid-${id}`, func, args };
}

interface Harness {
  protocol: TeamsHostProtocol;
  log: LogEntry[];
  opened: AuthenticateRequest[];
  closeWindow: () => void;
  closedByHost: number;
  links: string[];
  states: string[];
  tokenResult: TokenResult;
}

function harness(): Harness {
  const h: Harness = {
    protocol: undefined as unknown as TeamsHostProtocol,
    log: [],
    opened: [],
    closeWindow: () => undefined,
    closedByHost: 0,
    links: [],
    states: [],
    tokenResult: { ok: true, token: 'eyJ.secret.token' },
  };
  const effects: HostEffects = {
    context: (frameContext) => ({ ...CONTEXT, frameContext }),
    getAuthToken: () => Promise.resolve(h.tokenResult),
    openAuthWindow: (req, onClosed) => {
      h.opened.push(req);
      h.closeWindow = onClosed;
      return !req.url.includes('blocked');
    },
    closeAuthWindow: () => {
      h.closedByHost += 1;
    },
    openLink: (url) => {
      h.links.push(url);
      return url.startsWith('https://');
    },
    appState: (state) => {
      h.states.push(state);
    },
    log: (entry) => {
      h.log.push(entry);
    },
  };
  h.protocol = new TeamsHostProtocol(effects);
  return h;
}

describe('Teams dev host protocol', () => {
  it('parses teams-js requests and ignores anything else', () => {
    assert.deepEqual(
      parseAppRequest({ id: 3, uuidAsString: 'x', func: 'getContext', args: [1], timestamp: 1 }),
      {
        id: 3,
        uuidAsString: 'x',
        func: 'getContext',
        args: [1],
      },
    );
    assert.equal(
      parseAppRequest({ func: 'themeChange', args: ['dark'] }),
      undefined,
      'an event, not a request',
    );
    assert.equal(parseAppRequest({ id: '3', func: 'x' }), undefined);
    assert.equal(parseAppRequest('initialize'), undefined);
    assert.equal(parseAppRequest(null), undefined);
    assert.deepEqual(parseAppRequest({ id: 1, func: 'f' })?.args, []);
  });

  it('answers with the request id and uuid, and sends events without an id', () => {
    assert.deepEqual(responseTo(request('x', [], 4), [true]), {
      id: 4,
      uuidAsString: 'uuid-4',
      args: [true],
    });
    assert.deepEqual(responseTo({ id: 5, uuidAsString: undefined, func: 'x', args: [] }, []), {
      id: 5,
      args: [],
    });
    const event = themeChangeEvent('contrast');
    assert.deepEqual(event, { func: 'themeChange', args: ['contrast'] });
    assert.equal('id' in event, false);
  });

  it('answers initialize with frame context, client type, a v4 runtime and the SDK version', async () => {
    const h = harness();
    const answer = await h.protocol.handle('content', request('initialize', ['2.58.0', 4, undefined]));
    assert.ok(answer !== undefined);
    const [frameContext, clientType, runtime, version] = answer;
    assert.equal(frameContext, 'content');
    assert.equal(clientType, 'web');
    assert.equal(version, HOST_SDK_VERSION);
    const parsed = JSON.parse(String(runtime)) as {
      apiVersion: number;
      supports: Record<string, Record<string, unknown> | undefined>;
    };
    assert.equal(parsed.apiVersion, 4);
    assert.ok(parsed.supports.app?.notifySuccessResponse !== undefined);
    assert.ok(parsed.supports.pages !== undefined);
    assert.equal(
      (await h.protocol.handle('authentication', request('initialize', ['2.58.0'])))?.[0],
      'authentication',
    );
  });

  it('answers getContext with the flat context teams-js turns into app.Context', async () => {
    const h = harness();
    const answer = await h.protocol.handle('content', request('getContext'));
    const context = answer?.[0] as Record<string, unknown>;
    assert.equal(context.userObjectId, 'u-1');
    assert.equal(context.userDisplayName, 'Adele Vance');
    assert.equal(context.loginHint, 'adele.vance@northwind.example');
    assert.equal(context.userPrincipalName, 'adele.vance@northwind.example');
    assert.equal(context.tid, 't-1');
    assert.equal(context.hostName, 'Teams');
    assert.equal(context.hostClientType, 'web');
    assert.equal(context.entityId, 'call');
    assert.equal(context.frameContext, 'content');
    assert.equal(context.theme, 'dark');
    assert.equal(context.locale, 'en-us');
    assert.deepEqual(legacyContext(CONTEXT, 5).userClickTime, 5);
  });

  it('answers notifySuccess (declared notifySuccessResponse) and records the app state', async () => {
    const h = harness();
    assert.deepEqual(
      await h.protocol.handle('content', request('appInitialization.success', ['2.58.0'])),
      [],
    );
    assert.equal(
      await h.protocol.handle('content', request('appInitialization.appLoaded', ['2.58.0'])),
      undefined,
    );
    assert.equal(
      await h.protocol.handle('content', request('appInitialization.failure', ['AuthFailed', 'no token'])),
      undefined,
    );
    assert.deepEqual(h.states, ['success', 'loaded', 'failure']);
  });

  it('records registered handlers without answering', async () => {
    const h = harness();
    assert.equal(await h.protocol.handle('content', request('registerHandler', ['themeChange'])), undefined);
    assert.deepEqual(h.protocol.registeredHandlers(), ['themeChange']);
  });

  it('answers getAuthToken [true, token] or [false, error], and never logs the token', async () => {
    const h = harness();
    assert.deepEqual(
      await h.protocol.handle(
        'content',
        request('authentication.getAuthToken', [undefined, undefined, undefined, undefined]),
      ),
      [true, 'eyJ.secret.token'],
    );
    h.tokenResult = { ok: false, error: 'resourceRequiresConsent' };
    assert.deepEqual(await h.protocol.handle('content', request('authentication.getAuthToken', [])), [
      false,
      'resourceRequiresConsent',
    ]);
    assert.ok(!JSON.stringify(h.log).includes('secret'));
  });

  it('relays authenticate through the window: success, failure, user closing, blocked popup', async () => {
    const h = harness();
    const pending = h.protocol.handle(
      'content',
      request('authentication.authenticate', ['https://localhost/auth?code=1', 400, 300, false]),
    );
    assert.deepEqual(h.opened[0], {
      url: 'https://localhost/auth?code=1',
      width: 400,
      height: 300,
      isExternal: false,
    });
    await h.protocol.handle('authentication', request('authentication.authenticate.success', ['magic']));
    assert.deepEqual(await pending, [true, 'magic']);
    assert.equal(h.closedByHost, 1);

    const failed = h.protocol.handle(
      'content',
      request('authentication.authenticate', ['https://localhost/a']),
    );
    await h.protocol.handle(
      'authentication',
      request('authentication.authenticate.failure', ['access_denied']),
    );
    assert.deepEqual(await failed, [false, 'access_denied']);

    const closed = h.protocol.handle(
      'content',
      request('authentication.authenticate', ['https://localhost/a']),
    );
    h.closeWindow();
    assert.deepEqual(await closed, [false, 'CancelledByUser']);

    assert.deepEqual(
      await h.protocol.handle('content', request('authentication.authenticate', ['https://blocked/a'])),
      [false, 'FailedToOpenWindow'],
    );
    assert.ok(!JSON.stringify(h.log).includes('magic'), 'the auth result is not logged');
    assert.ok(!JSON.stringify(h.log).includes('code=1'), 'queries are cut from logged URLs');
  });

  it('cancels the previous authentication window when a new one is requested', async () => {
    const h = harness();
    const first = h.protocol.handle(
      'content',
      request('authentication.authenticate', ['https://localhost/1'], 1),
    );
    const second = h.protocol.handle(
      'content',
      request('authentication.authenticate', ['https://localhost/2'], 2),
    );
    assert.deepEqual(await first, [false, 'CancelledByUser']);
    await h.protocol.handle('authentication', request('authentication.authenticate.success', ['ok']));
    assert.deepEqual(await second, [true, 'ok']);
  });

  it('opens links, refuses unsupported status calls, and stays silent on unknown ones', async () => {
    const h = harness();
    assert.deepEqual(
      await h.protocol.handle('content', request('executeDeepLink', ['https://example.com/x'])),
      [true],
    );
    assert.equal((await h.protocol.handle('content', request('executeDeepLink', ['ftp://x'])))?.[0], false);
    assert.equal((await h.protocol.handle('content', request('chat.openChat', [{}])))?.[0], false);
    assert.equal(await h.protocol.handle('content', request('some.future.api', [])), undefined);
    assert.ok(h.log.some((e) => e.func === 'some.future.api' && e.direction === 'note'));
  });

  it('cuts queries from URLs it logs', () => {
    assert.equal(redactUrl('https://x.example/p?code=abc'), 'https://x.example/p?…');
    assert.equal(redactUrl('https://x.example/p'), 'https://x.example/p');
  });
});
