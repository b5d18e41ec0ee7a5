import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { EntraStandIn } from '../../../sandbox/src/entra/index.js';
import {
  ADMIN,
  ALICE,
  BOT_ID,
  BOT_SECRET,
  REDIRECT_URI,
  SERVICE_CLIENT_ID,
  assertEntraError,
  claimsOf,
  org,
  raw,
  serviceCredentials,
  startTestEntra,
  token,
  type RawResponse,
} from './fixture.js';

/**
 * The authorization code flow with PKCE (learn.microsoft.com v2-oauth2-auth-code-flow): the
 * authorize request's checks and redirects (query, fragment, form_post; error redirects with
 * `error`/`error_description`/`state`), the code's single use, binding to client and redirect
 * URI, ten-minute life and PKCE verification, and `prompt=none`.
 */

const GRAPH_SCOPES = 'openid profile offline_access https://graph.microsoft.com/User.Read';

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('Entra stand-in: authorization code + PKCE (fidelity)', () => {
  let clock: number;
  let entra: EntraStandIn;
  let pair: { verifier: string; challenge: string };

  beforeEach(async () => {
    clock = Date.now();
    entra = await startTestEntra({ now: () => clock });
    pair = pkce();
  });

  afterEach(async () => {
    await entra.close();
  });

  const authorizeParams = (overrides: Record<string, string> = {}): Record<string, string> => ({
    client_id: SERVICE_CLIENT_ID,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: GRAPH_SCOPES,
    state: 'state-123',
    nonce: 'nonce-456',
    code_challenge: pair.challenge,
    code_challenge_method: 'S256',
    ...overrides,
  });

  const authorizeGet = (
    params: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<RawResponse> =>
    raw(`${entra.url}/${org.tenantId}/oauth2/v2.0/authorize?${new URLSearchParams(params).toString()}`, {
      headers,
    });

  /** What the page's form submits when a user picks an account and presses a button. */
  const decide = (
    params: Record<string, string>,
    decision: 'accept' | 'cancel',
    account?: string,
  ): Promise<RawResponse> =>
    raw(`${entra.url}/${org.tenantId}/oauth2/v2.0/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        ...params,
        decision,
        ...(account === undefined ? {} : { account }),
      }).toString(),
    });

  function location(res: RawResponse): URL {
    assert.equal(res.status, 302, res.text);
    return new URL(String(res.headers.location));
  }

  async function signIn(params = authorizeParams(), account = ALICE.id): Promise<string> {
    const url = location(await decide(params, 'accept', account));
    return url.searchParams.get('code') ?? '';
  }

  const redeem = (code: string, extra: Record<string, string> = {}) =>
    token(entra, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: pair.verifier,
      client_info: '1',
      ...serviceCredentials,
      ...extra,
    });

  describe('the authorize page', () => {
    it('lists the demo users as radio buttons, the requested permissions and Accept / Cancel', async () => {
      const res = await authorizeGet(authorizeParams());
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.equal(res.text.match(/type="radio" name="account"/g)?.length, org.users.length);
      assert.match(res.text, /CallBridge/);
      assert.match(res.text, /Microsoft Graph: User\.Read/);
      assert.match(res.text, /Maintain access to data you have given it access to/);
      assert.match(res.text, /<button type="submit" name="decision" value="accept"[^>]*>Accept<\/button>/);
      assert.match(res.text, /<button type="submit" name="decision" value="cancel"[^>]*>Cancel<\/button>/);
      assert.match(res.text, /<legend>Pick an account<\/legend>/);
    });

    it('pre-selects and lists first the user named by login_hint', async () => {
      const res = await authorizeGet(authorizeParams({ login_hint: ALICE.userPrincipalName }));
      const first = /value="([^"]+)" required checked/.exec(res.text);
      assert.equal(first?.[1], ALICE.id);
    });

    it('shows an error page, never a redirect, for an unknown client or unregistered redirect URI', async () => {
      const unknown = await authorizeGet(
        authorizeParams({ client_id: '11111111-1111-4111-8111-111111111111' }),
      );
      assert.equal(unknown.status, 400);
      assert.match(unknown.text, /AADSTS700016/);
      const elsewhere = await authorizeGet(authorizeParams({ redirect_uri: 'https://evil.example/cb' }));
      assert.equal(elsewhere.status, 400);
      assert.equal(elsewhere.headers.location, undefined);
      assert.match(elsewhere.text, /AADSTS50011/);
    });

    it('redirects protocol errors with error, error_description (AADSTS…) and state', async () => {
      const type = location(await authorizeGet(authorizeParams({ response_type: 'token' })));
      assert.equal(type.origin + type.pathname, REDIRECT_URI);
      assert.equal(type.searchParams.get('error'), 'unsupported_response_type');
      assert.match(type.searchParams.get('error_description') ?? '', /^AADSTS70005: /);
      assert.equal(type.searchParams.get('state'), 'state-123');

      const noScope = location(await authorizeGet(authorizeParams({ scope: '' })));
      assert.equal(noScope.searchParams.get('error'), 'invalid_request');
      assert.match(noScope.searchParams.get('error_description') ?? '', /^AADSTS900144: /);

      const method = location(await authorizeGet(authorizeParams({ code_challenge_method: 'S512' })));
      assert.equal(method.searchParams.get('error'), 'invalid_request');
    });

    it('Cancel redirects with access_denied (AADSTS65004) and state', async () => {
      const url = location(await decide(authorizeParams(), 'cancel'));
      assert.equal(url.searchParams.get('error'), 'access_denied');
      assert.equal(url.searchParams.get('error_subcode'), 'cancel');
      assert.match(url.searchParams.get('error_description') ?? '', /^AADSTS65004: /);
      assert.equal(url.searchParams.get('state'), 'state-123');
      assert.equal(url.searchParams.get('code'), null);
    });
  });

  describe('redeeming the code', () => {
    it('Accept redirects with code and state; the code redeems for Entra-shaped tokens', async () => {
      const accepted = await decide(authorizeParams(), 'accept', ALICE.id);
      const url = location(accepted);
      assert.equal(url.origin + url.pathname, REDIRECT_URI);
      assert.equal(url.searchParams.get('state'), 'state-123');
      assert.match(String(accepted.headers['set-cookie']), /entra_sandbox_session=/);

      const res = await redeem(url.searchParams.get('code') ?? '');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.token_type, 'Bearer');
      for (const member of ['access_token', 'refresh_token', 'id_token', 'client_info', 'scope'])
        assert.equal(typeof res.body[member], 'string', member);
      assert.equal(typeof res.body.expires_in, 'number');
      assert.equal(typeof res.body.ext_expires_in, 'number');
      const access = claimsOf(res.body.access_token);
      assert.equal(access.aud, 'https://graph.microsoft.com');
      assert.equal(access.oid, ALICE.id);
      assert.ok(String(access.scp).split(' ').includes('User.Read'));
      const id = claimsOf(res.body.id_token);
      assert.equal(id.nonce, 'nonce-456');
      assert.equal(id.aud, SERVICE_CLIENT_ID);
      assert.equal(id.iss, `${entra.url}/${org.tenantId}/v2.0`);
      assert.equal(id.preferred_username, ALICE.userPrincipalName);
    });

    it('a code is single use: AADSTS54005 on the second redemption', async () => {
      const code = await signIn();
      assert.equal((await redeem(code)).status, 200);
      assertEntraError(await redeem(code), 400, 'invalid_grant', 54005);
    });

    it('PKCE: a wrong or missing verifier is AADSTS501481, and leaves the code usable', async () => {
      const code = await signIn();
      assertEntraError(await redeem(code, { code_verifier: pkce().verifier }), 400, 'invalid_grant', 501481);
      const withoutVerifier = await token(entra, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        ...serviceCredentials,
      });
      assertEntraError(withoutVerifier, 400, 'invalid_grant', 501481);
      assert.equal((await redeem(code)).status, 200);
    });

    it('PKCE plain: the verifier must equal the challenge', async () => {
      const plain = randomBytes(40).toString('base64url');
      const code = await signIn(authorizeParams({ code_challenge: plain, code_challenge_method: 'plain' }));
      assertEntraError(await redeem(code, { code_verifier: pair.verifier }), 400, 'invalid_grant', 501481);
      assert.equal((await redeem(code, { code_verifier: plain })).status, 200);
    });

    it('is bound to the redirect URI (AADSTS50011) and to the client (AADSTS70000)', async () => {
      const code = await signIn();
      assertEntraError(
        await redeem(code, { redirect_uri: 'https://localhost:3978/other' }),
        400,
        'invalid_grant',
        50011,
      );
      assertEntraError(
        await redeem(code, { client_id: BOT_ID, client_secret: BOT_SECRET }),
        400,
        'invalid_grant',
        70000,
      );
    });

    it('expires after ten minutes: AADSTS70008', async () => {
      const code = await signIn();
      clock += 10 * 60 * 1000 + 1000;
      assertEntraError(await redeem(code), 400, 'invalid_grant', 70008);
    });

    it('an unknown code: invalid_grant', async () => {
      const res = await redeem('1.garbage');
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_grant');
    });

    it('returns the code in the fragment, or as a self-posting form, when asked', async () => {
      const fragment = location(
        await decide(authorizeParams({ response_mode: 'fragment' }), 'accept', ALICE.id),
      );
      const hash = new URLSearchParams(fragment.hash.slice(1));
      assert.ok((hash.get('code') ?? '').length > 0);
      assert.equal(hash.get('state'), 'state-123');

      const posted = await decide(authorizeParams({ response_mode: 'form_post' }), 'accept', ALICE.id);
      assert.equal(posted.status, 200);
      assert.match(posted.text, new RegExp(`<form method="post" action="${REDIRECT_URI}">`));
      assert.match(posted.text, /<input type="hidden" name="code" value="[^"]+">/);
      assert.match(posted.text, /<input type="hidden" name="state" value="state-123">/);
    });
  });

  describe('consent and conditions through the page', () => {
    const obo = async (userId: string) =>
      token(entra, {
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        requested_token_use: 'on_behalf_of',
        assertion: await entra.ssoToken(userId),
        scope: 'https://graph.microsoft.com/User.Read',
        ...serviceCredentials,
      });

    it("records the user's consent, which lets on-behalf-of succeed", async () => {
      assert.equal((await obo(ALICE.id)).status, 400, 'precondition: no consent');
      await signIn();
      const consent = entra.userConsents().find((c) => c.userId === ALICE.id);
      assert.deepEqual(consent?.scopes, ['User.Read']);
      assert.equal((await obo(ALICE.id)).status, 200);
    });

    it('signing in again lifts a revocation and satisfies an MFA requirement', async () => {
      entra.grantAdminConsent(SERVICE_CLIENT_ID);
      entra.revokeConsent(ALICE.id);
      entra.requireMfa(ALICE.id);
      assert.equal((await obo(ALICE.id)).body.error, 'invalid_grant');
      const code = await signIn();
      assert.deepEqual(entra.userConditions(ALICE.id), { consentRevokedFor: [], mfaRequired: false });
      assert.equal((await obo(ALICE.id)).status, 200);
      const redeemed = await redeem(code);
      assert.deepEqual(claimsOf(redeemed.body.access_token).amr, ['pwd', 'mfa']);
    });

    it('a regular user cannot consent to an admin-restricted scope: access_denied AADSTS90094', async () => {
      const params = authorizeParams({ scope: 'openid https://graph.microsoft.com/User.Read.All' });
      const refused = location(await decide(params, 'accept', ALICE.id));
      assert.equal(refused.searchParams.get('error'), 'access_denied');
      assert.match(refused.searchParams.get('error_description') ?? '', /^AADSTS90094: /);
      const admin = location(await decide(params, 'accept', ADMIN.id));
      assert.ok(admin.searchParams.get('code'), 'the Global Administrator can');
    });
  });

  describe('prompt=none', () => {
    it('without a session: login_required', async () => {
      const url = location(await authorizeGet(authorizeParams({ prompt: 'none' })));
      assert.equal(url.searchParams.get('error'), 'login_required');
      assert.equal(url.searchParams.get('state'), 'state-123');
    });

    it('with a session and consent: a code, without any page', async () => {
      const accepted = await decide(authorizeParams(), 'accept', ALICE.id);
      const cookie = String(accepted.headers['set-cookie']).split(';')[0] ?? '';
      const url = location(await authorizeGet(authorizeParams({ prompt: 'none' }), { cookie }));
      assert.ok(url.searchParams.get('code'));
      assert.equal((await redeem(url.searchParams.get('code') ?? '')).status, 200);
    });

    it('with a session but consent revoked or MFA required: consent_required / interaction_required', async () => {
      const accepted = await decide(authorizeParams(), 'accept', ALICE.id);
      const cookie = String(accepted.headers['set-cookie']).split(';')[0] ?? '';
      entra.requireMfa(ALICE.id);
      const mfa = location(await authorizeGet(authorizeParams({ prompt: 'none' }), { cookie }));
      assert.equal(mfa.searchParams.get('error'), 'interaction_required');
      entra.revokeConsent(ALICE.id);
      const consent = location(await authorizeGet(authorizeParams({ prompt: 'none' }), { cookie }));
      assert.equal(consent.searchParams.get('error'), 'consent_required');
      assert.match(consent.searchParams.get('error_description') ?? '', /^AADSTS65001: /);
    });
  });
});
