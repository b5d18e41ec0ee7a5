import assert from 'node:assert/strict';
import type { EntraStandIn } from '../../../sandbox/src/entra/index.js';
import {
  ALICE,
  SERVICE_CLIENT_ID,
  claimsOf,
  raw,
  serviceCredentials,
  startTestEntra,
  token,
} from './fixture.js';

/** The console's HTTP controls under /_sandbox/entra drive the same state as the methods. */
describe('Entra stand-in: /_sandbox/entra controls', () => {
  let entra: EntraStandIn;

  beforeEach(async () => {
    entra = await startTestEntra({ adminConsented: [SERVICE_CLIENT_ID] });
  });

  afterEach(async () => {
    await entra.close();
  });

  const post = async (
    path: string,
    body: unknown = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await raw(`${entra.url}/_sandbox/entra${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: JSON.parse(res.text) as Record<string, unknown> };
  };

  const obo = async (assertion: string) =>
    token(entra, {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      requested_token_use: 'on_behalf_of',
      assertion,
      scope: 'https://graph.microsoft.com/User.Read offline_access',
      ...serviceCredentials,
    });

  it('mints SSO tokens for a user, by object id or UPN', async () => {
    const res = await post(`/users/${encodeURIComponent(ALICE.userPrincipalName)}/sso-token`, {
      version: '1.0',
    });
    assert.equal(res.status, 200);
    const claims = claimsOf(res.body.token);
    assert.equal(claims.oid, ALICE.id);
    assert.equal(claims.ver, '1.0');
    assert.equal((await obo(String(res.body.token))).status, 200, 'the admin consent given at start applies');
  });

  it('revoke-consent and require-mfa change what on-behalf-of answers; GET shows the conditions', async () => {
    const sso = await entra.ssoToken(ALICE.id);
    assert.equal((await post(`/users/${ALICE.id}/require-mfa`)).status, 200);
    assert.equal((await obo(sso)).body.error, 'interaction_required');
    assert.equal((await post(`/users/${ALICE.id}/require-mfa`, { required: false })).body.mfaRequired, false);

    const revoked = await post(`/users/${ALICE.id}/revoke-consent`, { clientId: SERVICE_CLIENT_ID });
    assert.deepEqual(revoked.body.consentRevokedFor, [SERVICE_CLIENT_ID]);
    assert.equal((await obo(sso)).body.suberror, 'consent_required');
    const state = JSON.parse((await raw(`${entra.url}/_sandbox/entra/users/${ALICE.id}`)).text) as Record<
      string,
      unknown
    >;
    assert.deepEqual(state.consentRevokedFor, [SERVICE_CLIENT_ID]);
  });

  it('expire-refresh-tokens counts and expires the live ones', async () => {
    const rt = String((await obo(await entra.ssoToken(ALICE.id))).body.refresh_token);
    const res = await post(`/users/${ALICE.id}/expire-refresh-tokens`);
    assert.equal(res.body.expired, 1);
    const refreshed = await token(entra, {
      grant_type: 'refresh_token',
      refresh_token: rt,
      ...serviceCredentials,
    });
    assert.deepEqual(refreshed.body.error_codes, [700082]);
  });

  it('rotates keys and grants admin consent', async () => {
    const rotated = await post('/keys/rotate');
    assert.equal(typeof rotated.body.activeKid, 'string');
    const consent = await post(`/apps/${SERVICE_CLIENT_ID}/admin-consent`, {
      scope: 'https://graph.microsoft.com/Chat.Read',
    });
    assert.equal(consent.status, 200);
    assert.ok(
      (consent.body.grants as { delegatedScopes: string[] }[])[0]?.delegatedScopes.includes('Chat.Read'),
    );
  });

  it('answers 404 for unknown users and apps', async () => {
    assert.equal((await post('/users/nobody@northwind.example/require-mfa')).status, 404);
    assert.equal((await post('/apps/11111111-1111-4111-8111-111111111111/admin-consent')).status, 404);
  });
});
