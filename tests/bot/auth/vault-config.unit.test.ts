import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SANDBOX_DEV_KEY_ID, sandboxDevKey } from '../../../bot/src/auth/key-ring.js';
import { ssoValidatorOptionsFromConfig } from '../../../bot/src/auth/sso-validator.js';
import { createTokenVault } from '../../../bot/src/auth/token-vault.js';
import { loadConfig, summarizeConfig } from '../../../bot/src/config/env.js';

const KEY_A = randomBytes(32);
const KEY_B = randomBytes(32);
const b64 = (key: Buffer): string => key.toString('base64');

const LIVE = {
  AAD_APP_TENANT_ID: '11111111-1111-4111-8111-111111111111',
  AAD_APP_CLIENT_ID: '22222222-2222-4222-8222-222222222222',
  AAD_APP_CLIENT_SECRET: 'client-secret-value',
  BOT_ID: '33333333-3333-4333-8333-333333333333',
  BOT_PASSWORD: 'bot-password-value',
  BOT_ENDPOINT: 'https://callbridge.contoso.com/',
};
const KEYS = {
  TOKEN_ENCRYPTION_KEYS: `k-2025:${b64(KEY_A)}, k-2026:${b64(KEY_B)}`,
  TOKEN_ENCRYPTION_ACTIVE_KEY_ID: 'k-2026',
};

function problemsOf(env: Record<string, string>): readonly string[] {
  const result = loadConfig(env);
  assert.ok(!result.ok, 'configuration was accepted');
  return result.error.problems;
}

describe('token vault configuration', function () {
  describe('live mode', function () {
    it('accepts a valid ring and exposes it as key id → 32 bytes', function () {
      const result = loadConfig({ ...LIVE, ...KEYS });
      assert.ok(result.ok, result.ok ? '' : result.error.message);
      const ring = result.value.tokenVault;
      assert.equal(ring.activeKeyId, 'k-2026');
      assert.equal(ring.source, 'configured');
      assert.deepEqual([...ring.keys.keys()], ['k-2025', 'k-2026']);
      assert.ok(ring.keys.get('k-2025')?.equals(KEY_A));
      assert.ok(ring.keys.get('k-2026')?.equals(KEY_B));
      assert.ok(!ring.keys.has(SANDBOX_DEV_KEY_ID));
      assert.equal(createTokenVault(ring).activeKeyId, 'k-2026');
    });

    it('requires both variables, listed with the other problems in the one error', function () {
      const result = loadConfig({ AAD_APP_TENANT_ID: LIVE.AAD_APP_TENANT_ID, GRAPH_BASE_URL: 'nope' });
      assert.ok(!result.ok);
      const text = result.error.message;
      assert.match(text, /TOKEN_ENCRYPTION_KEYS: required in live mode/);
      assert.match(text, /TOKEN_ENCRYPTION_ACTIVE_KEY_ID: required in live mode/);
      assert.match(text, /SECRET_TOKEN_ENCRYPTION_KEYS/);
      for (const other of ['GRAPH_BASE_URL', 'BOT_ID', 'AAD_APP_CLIENT_SECRET'])
        assert.match(text, new RegExp(other));
    });

    it('reports only the two vault variables when everything else is set', function () {
      assert.equal(problemsOf(LIVE).length, 2);
    });

    it('reports every bad entry in one error, naming key ids but never key material', function () {
      const short = b64(randomBytes(16));
      const notBase64 = 'this-is-not*base64!!';
      const bareKey = b64(randomBytes(32));
      const problems = problemsOf({
        ...LIVE,
        GRAPH_BASE_URL: 'nope',
        TOKEN_ENCRYPTION_KEYS: [
          `k-short:${short}`,
          `k-junk:${notBase64}`,
          bareKey,
          `k-ok:${b64(KEY_A)}`,
          `k-ok:${b64(KEY_B)}`,
          `bad id!:${b64(KEY_A)}`,
        ].join(','),
        TOKEN_ENCRYPTION_ACTIVE_KEY_ID: 'k-missing',
      });
      const text = problems.join('\n');
      assert.match(text, /GRAPH_BASE_URL/);
      assert.match(text, /key "k-short" is 16 bytes; AES-256 needs exactly 32/);
      assert.match(text, /key "k-junk" is not valid base64/);
      assert.match(text, /entry 3 is not <keyId>:<base64 key>/);
      assert.match(text, /key "k-ok" is listed twice/);
      assert.match(text, /entry 6 has an invalid key id/);
      assert.match(text, /TOKEN_ENCRYPTION_ACTIVE_KEY_ID: key "k-missing" is not in TOKEN_ENCRYPTION_KEYS/);
      assert.equal(problems.length, 7);
      for (const material of [short, notBase64, bareKey, b64(KEY_A), b64(KEY_B)]) {
        assert.ok(!text.includes(material), 'a problem echoes key material');
      }
    });

    it('refuses the public sandbox key in live mode, by id or by value', function () {
      const byId = problemsOf({
        ...LIVE,
        TOKEN_ENCRYPTION_KEYS: `${SANDBOX_DEV_KEY_ID}:${b64(sandboxDevKey())}`,
        TOKEN_ENCRYPTION_ACTIVE_KEY_ID: SANDBOX_DEV_KEY_ID,
      });
      assert.match(byId.join('\n'), /public sandbox key id/);
      const byValue = problemsOf({
        ...LIVE,
        TOKEN_ENCRYPTION_KEYS: `prod:${b64(sandboxDevKey())}`,
        TOKEN_ENCRYPTION_ACTIVE_KEY_ID: 'prod',
      });
      assert.match(byValue.join('\n'), /key "prod" is the public sandbox key/);
    });

    it('reports an empty list', function () {
      const problems = problemsOf({
        ...LIVE,
        TOKEN_ENCRYPTION_KEYS: ' , ',
        TOKEN_ENCRYPTION_ACTIVE_KEY_ID: 'k',
      });
      assert.match(problems.join('\n'), /lists no key/);
    });
  });

  describe('sandbox mode', function () {
    it('uses the deterministic, clearly labelled sandbox-dev key when unset', function () {
      const first = loadConfig({});
      const second = loadConfig({});
      assert.ok(first.ok && second.ok);
      const ring = first.value.tokenVault;
      assert.equal(ring.activeKeyId, 'sandbox-dev');
      assert.equal(ring.source, 'sandbox-dev');
      assert.equal(ring.keys.get('sandbox-dev')?.length, 32);
      assert.ok(
        ring.keys
          .get('sandbox-dev')
          ?.equals(second.value.tokenVault.keys.get('sandbox-dev') ?? Buffer.alloc(0)),
      );
      // Data sealed by one sandbox run opens in the next.
      const binding = { tenantId: 't', userId: 'u', kind: 'webex_refresh' } as const;
      const sealed = createTokenVault(ring).seal('sandbox token', binding);
      const reopened = createTokenVault(second.value.tokenVault).open(sealed, binding);
      assert.ok(reopened.ok && reopened.value === 'sandbox token');
    });

    it('uses a configured ring, keeping sandbox-dev readable so old rows can be rotated away', function () {
      const result = loadConfig(KEYS);
      assert.ok(result.ok, result.ok ? '' : result.error.message);
      assert.equal(result.value.tokenVault.activeKeyId, 'k-2026');
      assert.equal(result.value.tokenVault.source, 'configured');
      assert.deepEqual([...result.value.tokenVault.keys.keys()].sort(), ['k-2025', 'k-2026', 'sandbox-dev']);
    });

    it('wants both variables once one is set', function () {
      assert.match(
        problemsOf({ TOKEN_ENCRYPTION_KEYS: KEYS.TOKEN_ENCRYPTION_KEYS }).join('\n'),
        /ACTIVE_KEY_ID/,
      );
      assert.match(
        problemsOf({ TOKEN_ENCRYPTION_ACTIVE_KEY_ID: 'k-2026' }).join('\n'),
        /TOKEN_ENCRYPTION_KEYS/,
      );
    });

    it('treats Teams Toolkit empty placeholders as unset', function () {
      const result = loadConfig({ TOKEN_ENCRYPTION_KEYS: '', TOKEN_ENCRYPTION_ACTIVE_KEY_ID: ' ' });
      assert.ok(result.ok);
      assert.equal(result.value.tokenVault.source, 'sandbox-dev');
    });
  });

  describe('summarizeConfig and serialization', function () {
    it('shows key ids and the active id only', function () {
      const result = loadConfig({ ...LIVE, ...KEYS });
      assert.ok(result.ok);
      const summary = summarizeConfig(result.value);
      assert.deepEqual(summary.tokenVault, {
        activeKeyId: 'k-2026',
        keyIds: ['k-2025', 'k-2026'],
        source: 'configured',
      });
      const text = JSON.stringify(summary);
      for (const key of [KEY_A, KEY_B]) {
        assert.ok(!text.includes(b64(key)));
        assert.ok(!text.includes(key.toString('hex')));
      }
    });

    it('labels the sandbox key in the summary', function () {
      const result = loadConfig({});
      assert.ok(result.ok);
      assert.deepEqual(summarizeConfig(result.value).tokenVault, {
        activeKeyId: 'sandbox-dev',
        keyIds: ['sandbox-dev'],
        source: 'sandbox-dev',
      });
    });

    it('leaves key bytes out even if the whole configuration is serialized by mistake', function () {
      const result = loadConfig({ ...LIVE, ...KEYS });
      assert.ok(result.ok);
      const text = JSON.stringify(result.value);
      for (const key of [KEY_A, KEY_B]) assert.ok(!text.includes(b64(key)));
    });
  });
});

describe('SSO validator configuration', function () {
  it('defaults the v1 issuer host to sts.windows.net and lets the sandbox change it', function () {
    const real = loadConfig({ ...LIVE, ...KEYS });
    assert.ok(real.ok);
    assert.equal(real.value.entra.v1TokenIssuerHost, 'https://sts.windows.net');
    const sandbox = loadConfig({ AAD_APP_V1_TOKEN_ISSUER_HOST: 'https://localhost:4443/sts/' });
    assert.ok(sandbox.ok);
    assert.equal(sandbox.value.entra.v1TokenIssuerHost, 'https://localhost:4443/sts');
    assert.match(
      problemsOf({ AAD_APP_V1_TOKEN_ISSUER_HOST: 'not a url' }).join('\n'),
      /AAD_APP_V1_TOKEN_ISSUER_HOST/,
    );
  });

  it('hands the validator our audiences, authority, issuers and tenants', function () {
    const result = loadConfig({ ...LIVE, ...KEYS, ALLOWED_TENANT_IDS: LIVE.AAD_APP_TENANT_ID });
    assert.ok(result.ok);
    assert.deepEqual(ssoValidatorOptionsFromConfig(result.value), {
      clientId: LIVE.AAD_APP_CLIENT_ID,
      applicationIdUri: `api://callbridge.contoso.com/botid-${LIVE.BOT_ID}`,
      tenantId: LIVE.AAD_APP_TENANT_ID,
      authorityHost: 'https://login.microsoftonline.com',
      v1TokenIssuerHost: 'https://sts.windows.net',
      allowedTenantIds: [LIVE.AAD_APP_TENANT_ID],
    });
  });
});
