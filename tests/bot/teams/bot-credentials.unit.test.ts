import assert from 'node:assert/strict';
import {
  BotCredentialsFactory,
  BotTokenCredentials,
  BotTokenError,
  type BotTokenClientOptions,
} from '../../../bot/src/teams/bot-credentials.js';

const APP_ID = '00000000-0000-4000-8000-00000000b075';
const SECRET = 'unit-test-secret';
const TENANT = '00000000-0000-4000-8000-0000000000d0';

interface Call {
  readonly url: string;
  readonly form: URLSearchParams;
}

function fakeFetch(answers: (() => Response | Promise<Response>)[]): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    calls.push({ url, form: new URLSearchParams(typeof init?.body === 'string' ? init.body : '') });
    const next = answers.shift();
    if (next === undefined) throw new Error('unexpected token request');
    return next();
  };
  return { fetch: fn, calls };
}

const tokenResponse =
  (token: string, expiresIn = 3599): (() => Response) =>
  () =>
    Response.json({
      token_type: 'Bearer',
      expires_in: expiresIn,
      ext_expires_in: expiresIn,
      access_token: token,
    });

function options(overrides: Partial<BotTokenClientOptions>): BotTokenClientOptions {
  return {
    appId: APP_ID,
    appPassword: SECRET,
    tenantId: TENANT,
    authorityHost: 'https://login.example.test/',
    ...overrides,
  };
}

describe('BotTokenCredentials (client-credentials bot token)', () => {
  it('requests the Bot Framework scope from the tenant token endpoint with the client credentials', async () => {
    const fake = fakeFetch([tokenResponse('t1')]);
    const credentials = new BotTokenCredentials(
      options({ fetch: fake.fetch }),
      'https://api.botframework.com',
    );
    assert.equal(await credentials.getToken(), 't1');
    assert.equal(fake.calls[0]?.url, `https://login.example.test/${TENANT}/oauth2/v2.0/token`);
    const call = fake.calls.at(0);
    assert.ok(call !== undefined);
    assert.deepEqual(Object.fromEntries(call.form), {
      grant_type: 'client_credentials',
      client_id: APP_ID,
      client_secret: SECRET,
      scope: 'https://api.botframework.com/.default',
    });
  });

  it('caches the token until shortly before it expires, then fetches a new one', async () => {
    let now = 1_000_000;
    const fake = fakeFetch([tokenResponse('t1', 3600), tokenResponse('t2', 3600)]);
    const credentials = new BotTokenCredentials(
      options({ fetch: fake.fetch, now: () => now }),
      'https://api.botframework.com',
    );
    assert.equal(await credentials.getToken(), 't1');
    now += 54 * 60_000;
    assert.equal(await credentials.getToken(), 't1', 'still more than 5 minutes left');
    now += 2 * 60_000;
    assert.equal(await credentials.getToken(), 't2', 'within 5 minutes of expiry');
    assert.equal(fake.calls.length, 2);
  });

  it('shares one request between concurrent callers, and refreshes on demand', async () => {
    const fake = fakeFetch([tokenResponse('t1'), tokenResponse('t2')]);
    const credentials = new BotTokenCredentials(
      options({ fetch: fake.fetch }),
      'https://api.botframework.com',
    );
    const tokens = await Promise.all([
      credentials.getToken(),
      credentials.getToken(),
      credentials.getToken(),
    ]);
    assert.deepEqual(tokens, ['t1', 't1', 't1']);
    assert.equal(await credentials.getToken(true), 't2');
    assert.equal(fake.calls.length, 2);
  });

  it('signs outgoing connector requests with the bearer token', async () => {
    const fake = fakeFetch([tokenResponse('t1')]);
    const credentials = new BotTokenCredentials(
      options({ fetch: fake.fetch }),
      'https://api.botframework.com',
    );
    const set: [string, string | number][] = [];
    const resource = {
      headers: { set: (name: string, value: string | number) => void set.push([name, value]) },
    };
    await credentials.signRequest(resource as unknown as Parameters<BotTokenCredentials['signRequest']>[0]);
    assert.deepEqual(set, [['authorization', 'Bearer t1']]);
  });

  it('reports a refusal by its error code, without the secret', async () => {
    const fake = fakeFetch([
      () =>
        Response.json(
          {
            error: 'invalid_client',
            error_description: 'AADSTS7000215: Invalid client secret provided.',
            error_codes: [7000215],
          },
          { status: 401 },
        ),
    ]);
    const credentials = new BotTokenCredentials(
      options({ fetch: fake.fetch }),
      'https://api.botframework.com',
    );
    const error = await credentials.getToken().catch((e: unknown) => e);
    assert.ok(error instanceof BotTokenError);
    assert.equal(error.code, 'invalid_client');
    assert.equal(error.status, 401);
    assert.match(error.message, /401 invalid_client, AADSTS7000215/);
    assert.ok(!error.message.includes(SECRET));
  });

  it('rejects a response without a usable token', async () => {
    const fake = fakeFetch([() => Response.json({ token_type: 'Bearer' })]);
    const credentials = new BotTokenCredentials(
      options({ fetch: fake.fetch }),
      'https://api.botframework.com',
    );
    await assert.rejects(
      credentials.getToken(),
      (e: unknown) => e instanceof BotTokenError && e.code === 'invalid_response',
    );
  });

  it('times out a token endpoint that does not answer', async () => {
    const hanging = ((_input: unknown, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => {
          reject(init.signal?.reason as Error);
        });
      })) as typeof fetch;
    const credentials = new BotTokenCredentials(
      options({ fetch: hanging, timeoutMs: 20 }),
      'https://api.botframework.com',
    );
    await assert.rejects(
      credentials.getToken(),
      (e: unknown) => e instanceof BotTokenError && e.code === 'timeout',
    );
  });

  it('never serializes the secret', () => {
    const credentials = new BotTokenCredentials(options({}), 'https://api.botframework.com');
    assert.ok(!JSON.stringify(credentials).includes(SECRET));
    assert.ok(!JSON.stringify(new BotCredentialsFactory(options({}))).includes(SECRET));
  });
});

describe('BotCredentialsFactory', () => {
  it('validates the app id, never disables authentication, and keeps one credentials object per audience', async () => {
    const factory = new BotCredentialsFactory(options({}));
    assert.equal(await factory.isValidAppId(APP_ID), true);
    assert.equal(await factory.isValidAppId('11111111-2222-4333-8444-555555555555'), false);
    assert.equal(await factory.isValidAppId(''), false);
    assert.equal(await factory.isAuthenticationDisabled(), false);
    const a = await factory.createCredentials(APP_ID, 'https://api.botframework.com');
    const b = await factory.createCredentials(APP_ID, 'https://api.botframework.com');
    assert.equal(a, b);
    assert.ok(a instanceof BotTokenCredentials);
    assert.equal(a.oAuthScope, 'https://api.botframework.com');
    await assert.rejects(
      factory.createCredentials('11111111-2222-4333-8444-555555555555', 'https://api.botframework.com'),
    );
    await assert.rejects(factory.createCredentials(APP_ID, undefined));
  });

  it('refuses to be built without app id and password', () => {
    assert.throws(() => new BotCredentialsFactory(options({ appPassword: '' })), /BOT_PASSWORD/);
  });
});
