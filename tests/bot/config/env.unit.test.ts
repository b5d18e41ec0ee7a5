import assert from 'node:assert/strict';
import { loadConfig, summarizeConfig } from '../../../bot/src/config/env.js';

const LIVE = {
  AAD_APP_TENANT_ID: '11111111-1111-4111-8111-111111111111',
  AAD_APP_CLIENT_ID: '22222222-2222-4222-8222-222222222222',
  AAD_APP_CLIENT_SECRET: 'client-secret-value',
  BOT_ID: '33333333-3333-4333-8333-333333333333',
  BOT_PASSWORD: 'bot-password-value',
  BOT_ENDPOINT: 'https://callbridge.contoso.com/',
  DATABASE_URL: 'postgres://cb:db-password-value@db.contoso.com:5432/cb',
  TOKEN_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  TOKEN_ENCRYPTION_ACTIVE_KEY_ID: 'k1',
};

describe('loadConfig', () => {
  it('defaults to sandbox mode when no tenant is configured', () => {
    const result = loadConfig({});
    assert.ok(result.ok);
    assert.equal(result.value.mode, 'sandbox');
    assert.equal(result.value.http.port, 3978);
    assert.equal(result.value.store.databaseUrl, undefined);
    assert.deepEqual(result.value.entra.allowedTenantIds, [result.value.entra.tenantId]);
  });

  it('switches to live mode when a tenant is configured and derives the Application ID URI', () => {
    const result = loadConfig(LIVE);
    assert.ok(result.ok);
    assert.equal(result.value.mode, 'live');
    assert.equal(result.value.http.publicBaseUrl, 'https://callbridge.contoso.com');
    assert.equal(
      result.value.entra.applicationIdUri,
      'api://callbridge.contoso.com/botid-33333333-3333-4333-8333-333333333333',
    );
    assert.equal(result.value.graph.baseUrl, 'https://graph.microsoft.com');
    assert.equal(result.value.bot.tokenIssuer, 'https://api.botframework.com');
  });

  it('names a non-URL Graph base URL', () => {
    const result = loadConfig({ GRAPH_BASE_URL: 'not a url' });
    assert.ok(!result.ok);
    assert.match(result.error.message, /GRAPH_BASE_URL/);
  });

  it("takes this instance's share of the per-tenant presence budget, within Graph's 1,500", () => {
    const shared = loadConfig({ PRESENCE_TENANT_CALLS_PER_30S: '350' });
    assert.ok(shared.ok);
    assert.equal(shared.value.presenceSync.tenantCallsPer30s, 350);
    const defaulted = loadConfig({});
    assert.ok(defaulted.ok);
    assert.equal(defaulted.value.presenceSync.tenantCallsPer30s, 1_400);
    assert.equal(defaulted.value.presenceSync.reconcileIntervalMs, 900_000);
    const tooMany = loadConfig({ PRESENCE_TENANT_CALLS_PER_30S: '2000' });
    assert.ok(!tooMany.ok);
    assert.match(tooMany.error.message, /PRESENCE_TENANT_CALLS_PER_30S/);
  });

  it('takes the reconciliation pace in seconds, no faster than once a minute', () => {
    const fast = loadConfig({ PRESENCE_RECONCILE_SECONDS: '60' });
    assert.ok(fast.ok);
    assert.equal(fast.value.presenceSync.reconcileIntervalMs, 60_000);
    const tooFast = loadConfig({ PRESENCE_RECONCILE_SECONDS: '5' });
    assert.ok(!tooFast.ok);
    assert.match(tooFast.error.message, /PRESENCE_RECONCILE_SECONDS/);
  });

  it('lists every bad variable in one error', () => {
    const result = loadConfig({
      GRAPH_BASE_URL: 'nope',
      WEBEX_BASE_URL: 'ftp://x',
      PORT: '99999',
      LOG_LEVEL: 'loud',
    });
    assert.ok(!result.ok);
    for (const name of ['GRAPH_BASE_URL', 'WEBEX_BASE_URL', 'PORT', 'LOG_LEVEL']) {
      assert.match(result.error.message, new RegExp(name));
    }
    assert.equal(result.error.problems.length, 4);
  });

  it('requires credentials in live mode and says where secrets go', () => {
    const result = loadConfig({ AAD_APP_TENANT_ID: LIVE.AAD_APP_TENANT_ID });
    assert.ok(!result.ok);
    const text = result.error.message;
    for (const name of [
      'BOT_ID',
      'AAD_APP_CLIENT_ID',
      'BOT_ENDPOINT',
      'AAD_APP_CLIENT_SECRET',
      'BOT_PASSWORD',
    ]) {
      assert.match(text, new RegExp(name));
    }
    assert.match(text, /SECRET_AAD_APP_CLIENT_SECRET/);
  });

  it('refuses the unauthenticated bot switch outside sandbox mode', () => {
    const result = loadConfig({ ...LIVE, DANGEROUSLY_ALLOW_UNAUTHENTICATED_BOT: 'true' });
    assert.ok(!result.ok);
    assert.match(result.error.message, /DANGEROUSLY_ALLOW_UNAUTHENTICATED_BOT/);
  });

  it('rejects ids that are not GUIDs and non-postgres database URLs', () => {
    const result = loadConfig({ ...LIVE, BOT_ID: 'my-bot', DATABASE_URL: 'mysql://x' });
    assert.ok(!result.ok);
    assert.match(result.error.message, /BOT_ID: must be a GUID/);
    assert.match(result.error.message, /DATABASE_URL/);
  });

  it('does not read process.env', () => {
    const before = process.env.GRAPH_BASE_URL;
    process.env.GRAPH_BASE_URL = 'definitely not a url';
    try {
      assert.ok(loadConfig({}).ok);
    } finally {
      if (before === undefined) delete process.env.GRAPH_BASE_URL;
      else process.env.GRAPH_BASE_URL = before;
    }
  });
});

describe('summarizeConfig', () => {
  it('keeps endpoints and ids but no secret', () => {
    const result = loadConfig(LIVE);
    assert.ok(result.ok);
    const text = JSON.stringify(summarizeConfig(result.value));
    assert.match(text, /graph\.microsoft\.com/);
    assert.match(text, /33333333-3333-4333-8333-333333333333/);
    for (const secret of [
      'client-secret-value',
      'bot-password-value',
      'db-password-value',
      Buffer.alloc(32, 7).toString('base64'),
    ]) {
      assert.ok(!text.includes(secret), `summary leaks ${secret}`);
    }
    assert.match(text, /db\.contoso\.com/);
  });
});

describe('loadConfig with Teams Toolkit placeholders', () => {
  it('treats empty values as unset', () => {
    const result = loadConfig({ BOT_ENDPOINT: '', GRAPH_BASE_URL: ' ', BOT_ID: '' });
    assert.ok(result.ok);
    assert.equal(result.value.graph.baseUrl, 'https://graph.microsoft.com');
  });
});
