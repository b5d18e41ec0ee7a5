import assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { EntraStandIn } from '../../../sandbox/src/entra/index.js';
import { BOT_APP, BOT_ID, BOT_SECRET, getJson, headerOf, org, startTestEntra, token } from './fixture.js';

/**
 * OpenID Connect discovery as Entra documents and serves it (v2.0 metadata document and JWKS;
 * field names and values from Entra's published tenant metadata).
 */
describe('Entra stand-in: discovery (fidelity)', () => {
  let entra: EntraStandIn;

  before(async () => {
    entra = await startTestEntra();
  });

  after(async () => {
    await entra.close();
  });

  it('serves the tenant v2.0 metadata with Entra fields, issuer and endpoints under this host', async () => {
    const { status, body } = await getJson(
      `${entra.url}/${org.tenantId}/v2.0/.well-known/openid-configuration`,
    );
    assert.equal(status, 200);
    const base = `${entra.url}/${org.tenantId}`;
    assert.equal(body.issuer, `${base}/v2.0`);
    assert.equal(body.token_endpoint, `${base}/oauth2/v2.0/token`);
    assert.equal(body.authorization_endpoint, `${base}/oauth2/v2.0/authorize`);
    assert.equal(body.jwks_uri, `${base}/discovery/v2.0/keys`);
    assert.deepEqual(body.token_endpoint_auth_methods_supported, [
      'client_secret_post',
      'private_key_jwt',
      'client_secret_basic',
    ]);
    assert.deepEqual(body.response_modes_supported, ['query', 'fragment', 'form_post']);
    assert.deepEqual(body.subject_types_supported, ['pairwise']);
    assert.deepEqual(body.id_token_signing_alg_values_supported, ['RS256']);
    assert.deepEqual(body.scopes_supported, ['openid', 'profile', 'email', 'offline_access']);
    assert.equal(body.request_uri_parameter_supported, false);
    assert.equal(body.userinfo_endpoint, 'https://graph.microsoft.com/oidc/userinfo');
    assert.equal(body.tenant_region_scope, 'WW');
    assert.equal(body.cloud_instance_name, 'microsoftonline.com');
    assert.equal(body.msgraph_host, 'graph.microsoft.com');
    for (const claim of [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'nonce',
      'preferred_username',
      'name',
      'tid',
      'ver',
    ]) {
      assert.ok((body.claims_supported as string[]).includes(claim), claim);
    }
  });

  it('resolves the tenant domain to the tenant id, as Entra does', async () => {
    const { body } = await getJson(`${entra.url}/${org.domain}/v2.0/.well-known/openid-configuration`);
    assert.equal(body.issuer, `${entra.url}/${org.tenantId}/v2.0`);
    assert.equal(body.token_endpoint, `${entra.url}/${org.tenantId}/oauth2/v2.0/token`);
  });

  for (const segment of ['common', 'organizations']) {
    it(`serves /${segment} metadata with the {tenantid} issuer template and /${segment} endpoints`, async () => {
      const { status, body } = await getJson(`${entra.url}/${segment}/v2.0/.well-known/openid-configuration`);
      assert.equal(status, 200);
      assert.equal(body.issuer, `${entra.url}/{tenantid}/v2.0`);
      assert.equal(body.token_endpoint, `${entra.url}/${segment}/oauth2/v2.0/token`);
      assert.equal(body.jwks_uri, `${entra.url}/${segment}/discovery/v2.0/keys`);
      assert.equal(body.tenant_region_scope, null);
    });
  }

  it('refuses an unknown tenant with invalid_tenant / AADSTS90002', async () => {
    const { status, body } = await getJson(
      `${entra.url}/contoso.example/v2.0/.well-known/openid-configuration`,
    );
    assert.equal(status, 400);
    assert.equal(body.error, 'invalid_tenant');
    assert.deepEqual(body.error_codes, [90002]);
    assert.match(String(body.error_description), /^AADSTS90002: /);
  });

  it('publishes two RSA signing keys selected by kid, with x5t and issuer, without alg', async () => {
    const { status, body } = await getJson(`${entra.url}/${org.tenantId}/discovery/v2.0/keys`);
    assert.equal(status, 200);
    const keys = body.keys as Record<string, unknown>[];
    assert.equal(keys.length, 2);
    for (const key of keys) {
      assert.equal(key.kty, 'RSA');
      assert.equal(key.use, 'sig');
      assert.equal(key.e, 'AQAB');
      assert.equal(typeof key.n, 'string');
      assert.equal(key.x5t, key.kid);
      assert.equal(key.issuer, `${entra.url}/${org.tenantId}/v2.0`);
      assert.equal(key.alg, undefined);
    }
    const common = await getJson(`${entra.url}/common/discovery/v2.0/keys`);
    assert.equal((common.body.keys as Record<string, unknown>[])[0]?.issuer, `${entra.url}/{tenantid}/v2.0`);
  });

  it('signs with the active key and, after rotation, with a new one while still publishing the old', async () => {
    const before = await token(entra, {
      grant_type: 'client_credentials',
      client_id: BOT_ID,
      client_secret: BOT_SECRET,
      scope: 'https://api.botframework.com/.default',
    });
    const oldKid = headerOf(before.body.access_token).kid;

    const newKid = await entra.rotateKeys();
    assert.notEqual(newKid, oldKid);
    const { body } = await getJson(`${entra.url}/${org.tenantId}/discovery/v2.0/keys`);
    const kids = (body.keys as { kid: string }[]).map((k) => k.kid);
    assert.ok(kids.includes(newKid), 'the new key is published');
    assert.ok(kids.includes(oldKid ?? ''), 'the previous signing key stays published');

    const after = await token(entra, {
      grant_type: 'client_credentials',
      client_id: BOT_APP.clientId,
      client_secret: BOT_SECRET,
      scope: 'https://api.botframework.com/.default',
    });
    const header = headerOf(after.body.access_token);
    assert.equal(header.kid, newKid);
    assert.equal(header.alg, 'RS256');
    // Both tokens verify against the published set: a verifier keyed by kid keeps working.
    const jwks = createLocalJWKSet(body as { keys: [] });
    await jwtVerify(String(before.body.access_token), jwks);
    await jwtVerify(String(after.body.access_token), jwks);

    // Two rotations later the first key signs nothing in flight any more and is retired.
    await entra.rotateKeys();
    const third = await entra.rotateKeys();
    const again = await getJson(`${entra.url}/${org.tenantId}/discovery/v2.0/keys`);
    const kidsAfter = (again.body.keys as { kid: string }[]).map((k) => k.kid);
    assert.ok(!kidsAfter.includes(oldKid ?? ''), 'the first signing key is retired');
    assert.ok(kidsAfter.includes(third), 'the current signing key is published');
  });

  it('exposes the same facts on the control endpoint the console reads', async () => {
    const { status, body } = await getJson(`${entra.url}/_sandbox/entra`);
    assert.equal(status, 200);
    assert.equal(body.tenantId, org.tenantId);
    assert.equal(body.authority, `${entra.url}/${org.tenantId}`);
    assert.equal((body.admin as { id: string }).id, org.users[0]?.id);
    assert.equal(entra.host, `localhost:${entra.port}`);
  });
});
