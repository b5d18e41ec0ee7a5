import assert from 'node:assert/strict';
import { AuthenticationConstants } from 'botframework-connector';
import { loadConfig, type Config } from '../../../bot/src/config/env.js';
import { authenticationSettings, createAdapter } from '../../../bot/src/teams/adapter.js';
import { captureLogs } from '../../support/log-capture.js';

const TENANT = '6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
const BOT_ID = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';

function config(env: Record<string, string>): Config {
  const loaded = loadConfig(env);
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
  return loaded.value;
}

/** Default endpoints are the real cloud's; sandbox mode keeps this test independent of live-only settings. */
const realCloud = (): Config => config({ BOT_ID, BOT_TENANT_ID: TENANT, BOT_PASSWORD: 'p' });

describe('bot adapter authentication settings', () => {
  it('against the real cloud, equal what botbuilder itself would use', () => {
    const settings = authenticationSettings(realCloud());
    assert.equal(
      settings.ToBotFromChannelOpenIdMetadataUrl,
      AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
    );
    assert.equal(settings.ToBotFromChannelTokenIssuer, AuthenticationConstants.ToBotFromChannelTokenIssuer);
    assert.equal(
      settings.ToBotFromEmulatorOpenIdMetadataUrl,
      AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    );
    assert.equal(settings.ToChannelFromBotOAuthScope, AuthenticationConstants.ToChannelFromBotOAuthScope);
    assert.equal(
      settings.ToChannelFromBotLoginUrl,
      `${AuthenticationConstants.ToChannelFromBotLoginUrlPrefix}${TENANT}`,
    );
    assert.equal(settings.OAuthUrl, AuthenticationConstants.OAuthUrl);
    assert.equal(settings.MicrosoftAppId, BOT_ID);
    assert.equal(settings.MicrosoftAppTenantId, TENANT);
  });

  it('in the sandbox, point every endpoint at the configured stand-ins', () => {
    const settings = authenticationSettings(
      config({
        BOT_PASSWORD: 'p',
        BOT_FRAMEWORK_OPENID_METADATA_URL: 'https://localhost:4001/v1/.well-known/openidconfiguration',
        AAD_APP_OAUTH_AUTHORITY_HOST: 'https://localhost:4002',
      }),
    );
    const urls = [
      'ToBotFromChannelOpenIdMetadataUrl',
      'ToBotFromEmulatorOpenIdMetadataUrl',
      'ToChannelFromBotLoginUrl',
    ];
    for (const key of urls) assert.match(String(settings[key]), /^https:\/\/localhost:400[12]\//, key);
  });

  it('refuses the unauthenticated switch outside the sandbox', () => {
    const { logger } = captureLogs();
    const base = realCloud();
    const unsafe: Config = {
      ...base,
      mode: 'live',
      bot: { ...base.bot, dangerouslyAllowUnauthenticated: true },
    };
    assert.throws(() => createAdapter(unsafe, logger), /sandbox mode/);
  });

  it('starts without BOT_PASSWORD in the sandbox, with a warning', () => {
    const { logger, lines } = captureLogs();
    createAdapter(config({}), logger);
    assert.ok(lines().some((l) => l.includes('BOT_PASSWORD is not set')));
  });
});
