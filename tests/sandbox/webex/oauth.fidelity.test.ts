import assert from 'node:assert/strict';
import type { WebexStandIn } from '../../../sandbox/src/webex/index.js';
import {
  api,
  authorizeViaForm,
  INTEGRATION,
  pkcePair,
  rec,
  startTestWebex,
  TestClock,
  tokenRequest,
} from './helpers.js';

/**
 * OAuth for Webex integrations, checked against the Integrations & Authorization guide:
 * authorization code (+PKCE S256), single-use codes bound to client and redirect URI,
 * token response `{ access_token, expires_in: 1209600, refresh_token, refresh_token_expires_in:
 * 7776000, token_type, scope }`, refresh resets the 90-day clock, Webex error bodies.
 */

const REDIRECT = INTEGRATION.redirectUris[0] ?? '';
const DAY = 86_400_000;
const UNAUTHORIZED = 'The request requires a valid access token set in the Authorization request header.';

describe('Webex stand-in: OAuth integration (fidelity)', () => {
  let webex: WebexStandIn;
  let clock: TestClock;
  let person: string;
  const other = {
    ...INTEGRATION,
    clientId: 'C0ther',
    clientSecret: 'other-secret',
    redirectUris: ['https://other.example/cb'],
  };

  beforeEach(async () => {
    clock = new TestClock();
    webex = await startTestWebex({ now: clock.now, integrations: [INTEGRATION, other] });
    person = webex.people()[1]?.personId ?? '';
  });
  afterEach(async () => {
    await webex.close();
  });

  const authParams = (extra: Record<string, string> = {}): Record<string, string> => ({
    client_id: INTEGRATION.clientId,
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'spark:people_read spark:calls_read',
    state: 'st-42',
    ...extra,
  });

  async function codeFor(extra: Record<string, string> = {}): Promise<string> {
    const result = await authorizeViaForm(webex, authParams(extra), person);
    assert.equal(result.status, 302);
    const code = result.location?.searchParams.get('code');
    assert.ok(code);
    return code;
  }

  it('shows an HTML consent page listing the requested scopes', async () => {
    const page = await fetch(`${webex.url}/v1/authorize?${new URLSearchParams(authParams()).toString()}`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    assert.match(html, /<html lang="en">/);
    assert.match(html, /spark:calls_read/);
    assert.match(html, /<label for="person">/);
  });

  it('refuses unknown clients and unregistered redirect URIs without redirecting', async () => {
    const unknown = await authorizeViaForm(webex, authParams({ client_id: 'nope' }), person);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.location, undefined);
    const badRedirect = await authorizeViaForm(
      webex,
      authParams({ redirect_uri: 'https://evil.example/cb' }),
      person,
    );
    assert.equal(badRedirect.status, 400);
    assert.equal(badRedirect.location, undefined);
  });

  it('redirects protocol errors back to the client with state', async () => {
    const badType = await authorizeViaForm(webex, authParams({ response_type: 'token' }), person);
    assert.equal(badType.status, 302);
    assert.equal(badType.location?.searchParams.get('error'), 'unsupported_response_type');
    assert.equal(badType.location.searchParams.get('state'), 'st-42');
    const badScope = await authorizeViaForm(webex, authParams({ scope: 'spark:messages_write' }), person);
    assert.equal(badScope.location?.searchParams.get('error'), 'invalid_scope');
  });

  it('redirects with code and state on Accept, and access_denied on Decline', async () => {
    const accepted = await authorizeViaForm(webex, authParams(), person);
    assert.equal(accepted.status, 302);
    assert.equal(`${accepted.location?.origin ?? ''}${accepted.location?.pathname ?? ''}`, REDIRECT);
    assert.ok(accepted.location?.searchParams.get('code'));
    assert.equal(accepted.location?.searchParams.get('state'), 'st-42');
    const declined = await authorizeViaForm(webex, authParams(), person, 'decline');
    assert.equal(declined.location?.searchParams.get('error'), 'access_denied');
    assert.equal(declined.location.searchParams.get('state'), 'st-42');
    assert.equal(declined.location.searchParams.get('code'), null);
  });

  it('exchanges a PKCE code for the documented token response with opaque tokens', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await codeFor({ code_challenge: challenge, code_challenge_method: 'S256' });
    const res = await tokenRequest(webex, {
      grant_type: 'authorization_code',
      client_id: INTEGRATION.clientId,
      client_secret: INTEGRATION.clientSecret,
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    assert.equal(res.status, 200);
    const body = rec(res.body);
    assert.deepEqual(Object.keys(body).sort(), [
      'access_token',
      'expires_in',
      'refresh_token',
      'refresh_token_expires_in',
      'scope',
      'token_type',
    ]);
    assert.equal(body.expires_in, 1_209_600);
    assert.equal(body.refresh_token_expires_in, 7_776_000);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.scope, 'spark:people_read spark:calls_read');
    const access = String(body.access_token);
    assert.notEqual(access.split('.').length, 3, 'Webex access tokens are not JWTs');
    const me = await api(webex, access, 'GET', '/v1/people/me');
    assert.equal(me.status, 200);
    assert.equal(rec(me.body).id, person);
  });

  it('verifies the PKCE code_verifier', async () => {
    const { challenge } = pkcePair();
    const base = {
      grant_type: 'authorization_code',
      client_id: INTEGRATION.clientId,
      client_secret: INTEGRATION.clientSecret,
      redirect_uri: REDIRECT,
    };
    const wrong = await tokenRequest(webex, {
      ...base,
      code: await codeFor({ code_challenge: challenge, code_challenge_method: 'S256' }),
      code_verifier: pkcePair().verifier,
    });
    assert.equal(wrong.status, 400);
    assert.equal(rec(wrong.body).error, 'invalid_grant');
    const missing = await tokenRequest(webex, {
      ...base,
      code: await codeFor({ code_challenge: challenge, code_challenge_method: 'S256' }),
    });
    assert.equal(missing.status, 400);
    assert.equal(rec(missing.body).error, 'invalid_grant');
  });

  it('uses a code once, and a replay revokes what it produced', async () => {
    const code = await codeFor();
    const form = {
      grant_type: 'authorization_code',
      client_id: INTEGRATION.clientId,
      client_secret: INTEGRATION.clientSecret,
      code,
      redirect_uri: REDIRECT,
    };
    const first = await tokenRequest(webex, form);
    assert.equal(first.status, 200);
    const replay = await tokenRequest(webex, form);
    assert.equal(replay.status, 400);
    const error = rec(replay.body);
    assert.equal(error.error, 'invalid_grant');
    assert.match(String(error.message), /invalid_grant/);
    assert.ok(Array.isArray(error.errors));
    assert.match(String(error.trackingId), /\S/);
    const me = await api(webex, String(rec(first.body).access_token), 'GET', '/v1/people/me');
    assert.equal(me.status, 401);
  });

  it('binds a code to its client and redirect URI, and expires it', async () => {
    const sameClientOtherRedirect = await tokenRequest(webex, {
      grant_type: 'authorization_code',
      client_id: INTEGRATION.clientId,
      client_secret: INTEGRATION.clientSecret,
      code: await codeFor(),
      redirect_uri: 'https://callbridge.example/other',
    });
    assert.equal(sameClientOtherRedirect.status, 400);
    const otherClient = await tokenRequest(webex, {
      grant_type: 'authorization_code',
      client_id: other.clientId,
      client_secret: other.clientSecret,
      code: await codeFor(),
      redirect_uri: REDIRECT,
    });
    assert.equal(otherClient.status, 400);
    const code = await codeFor();
    clock.advance(11 * 60 * 1000);
    const late = await tokenRequest(webex, {
      grant_type: 'authorization_code',
      client_id: INTEGRATION.clientId,
      client_secret: INTEGRATION.clientSecret,
      code,
      redirect_uri: REDIRECT,
    });
    assert.equal(late.status, 400);
  });

  it('rejects bad client credentials (401) and unknown grant types (400)', async () => {
    const badSecret = await tokenRequest(webex, {
      grant_type: 'refresh_token',
      client_id: INTEGRATION.clientId,
      client_secret: 'x',
      refresh_token: 'y',
    });
    assert.equal(badSecret.status, 401);
    assert.equal(rec(badSecret.body).error, 'invalid_client');
    const badGrant = await tokenRequest(webex, {
      grant_type: 'password',
      client_id: INTEGRATION.clientId,
      client_secret: INTEGRATION.clientSecret,
    });
    assert.equal(badGrant.status, 400);
    assert.equal(rec(badGrant.body).error, 'unsupported_grant_type');
  });

  it('expires access tokens after 14 days with a Webex 401 body and trackingid header', async () => {
    const tokens = webex.issueTokens(person, ['spark:people_read']);
    clock.advance(14 * DAY - 1000);
    assert.equal((await api(webex, tokens.access_token, 'GET', '/v1/people/me')).status, 200);
    clock.advance(2000);
    const expired = await api(webex, tokens.access_token, 'GET', '/v1/people/me');
    assert.equal(expired.status, 401);
    const body = rec(expired.body);
    assert.equal(body.message, UNAUTHORIZED);
    assert.deepEqual(body.errors, [{ description: UNAUTHORIZED }]);
    assert.equal(expired.headers.get('trackingid'), body.trackingId);
    const none = await api(webex, undefined, 'GET', '/v1/people/me');
    assert.equal(none.status, 401);
    assert.equal(rec(none.body).message, UNAUTHORIZED);
  });

  it('refreshes with a new access token and restarts the 90-day refresh clock', async () => {
    const tokens = webex.issueTokens(person, ['spark:people_read'], INTEGRATION.clientId);
    const refresh = (): Promise<Awaited<ReturnType<typeof tokenRequest>>> =>
      tokenRequest(webex, {
        grant_type: 'refresh_token',
        client_id: INTEGRATION.clientId,
        client_secret: INTEGRATION.clientSecret,
        refresh_token: tokens.refresh_token,
      });
    clock.advance(80 * DAY);
    const first = await refresh();
    assert.equal(first.status, 200);
    assert.equal(rec(first.body).refresh_token_expires_in, 7_776_000);
    assert.equal(rec(first.body).expires_in, 1_209_600);
    assert.notEqual(rec(first.body).access_token, tokens.access_token);
    clock.advance(80 * DAY);
    assert.equal((await refresh()).status, 200, 'the clock restarted at the last refresh');
    clock.advance(91 * DAY);
    const stale = await refresh();
    assert.equal(stale.status, 400);
    assert.equal(rec(stale.body).error, 'invalid_grant');
  });

  it('lets controls expire access tokens (refresh still works) and revoke grants (refresh fails)', async () => {
    const tokens = webex.issueTokens(person, ['spark:people_read'], INTEGRATION.clientId);
    assert.equal(webex.expireAccessTokens(person), 1);
    assert.equal((await api(webex, tokens.access_token, 'GET', '/v1/people/me')).status, 401);
    const form = {
      grant_type: 'refresh_token',
      client_id: INTEGRATION.clientId,
      client_secret: INTEGRATION.clientSecret,
      refresh_token: tokens.refresh_token,
    };
    const refreshed = await tokenRequest(webex, form);
    assert.equal(refreshed.status, 200);
    assert.equal(
      (await api(webex, String(rec(refreshed.body).access_token), 'GET', '/v1/people/me')).status,
      200,
    );
    assert.equal(webex.revokeGrants(person), 1);
    assert.equal(
      (await api(webex, String(rec(refreshed.body).access_token), 'GET', '/v1/people/me')).status,
      401,
    );
    const afterRevoke = await tokenRequest(webex, form);
    assert.equal(afterRevoke.status, 400);
    assert.equal(rec(afterRevoke.body).error, 'invalid_grant');
  });

  it('answers 403 with the Webex message when a scope is missing', async () => {
    const token = webex.issueTokens(person, ['spark:calls_read']).access_token;
    const res = await api(webex, token, 'GET', '/v1/people/me');
    assert.equal(res.status, 403);
    assert.match(String(rec(res.body).message), /missing required scopes/);
  });
});
