import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  ConfidentialClientApplication,
  InteractionRequiredAuthError,
  LogLevel,
  ServerError,
  type Configuration,
} from '@azure/msal-node';
import type { EntraStandIn } from '../../../sandbox/src/entra/index.js';
import {
  ALICE,
  BOT_ID,
  BOT_SECRET,
  REDIRECT_URI,
  SERVICE_CLIENT_ID,
  SERVICE_SECRET,
  claimsOf,
  org,
  raw,
  serviceCredentials,
  startTestEntra,
  token,
} from './fixture.js';

/**
 * The real @azure/msal-node against the stand-in, configured the way the service must be:
 * authority `https://localhost:<port>/<tenant>` with the host in `knownAuthorities` (without
 * it MSAL sends instance discovery to login.microsoftonline.com), and the sandbox CA trusted
 * by Node through NODE_EXTRA_CA_CERTS (set by scripts/test.mjs before Node starts).
 */
describe('Entra stand-in: @azure/msal-node interop', function () {
  let entra: EntraStandIn;

  before(async function () {
    entra = await startTestEntra({ adminConsented: [SERVICE_CLIENT_ID] });
    try {
      await fetch(`${entra.url}/_sandbox/entra`);
    } catch (error) {
      await entra.close();
      const reason =
        error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      console.log(
        `      (skipped: this process does not trust the sandbox CA (${reason}); run through node scripts/test.mjs, which sets NODE_EXTRA_CA_CERTS)`,
      );
      this.skip();
    }
  });

  after(async () => {
    await entra.close();
  });

  function msal(clientId: string, clientSecret: string): ConfidentialClientApplication {
    const config: Configuration = {
      auth: { clientId, clientSecret, authority: entra.authority, knownAuthorities: [entra.host] },
      system: {
        loggerOptions: {
          logLevel: LogLevel.Error,
          piiLoggingEnabled: false,
          loggerCallback: () => undefined,
        },
      },
    };
    return new ConfidentialClientApplication(config);
  }

  it('acquireTokenByClientCredential: the bot gets a Bot Framework token', async () => {
    const result = await msal(BOT_ID, BOT_SECRET).acquireTokenByClientCredential({
      scopes: ['https://api.botframework.com/.default'],
    });
    assert.ok(result !== null);
    assert.equal(result.tokenType, 'Bearer');
    const claims = claimsOf(result.accessToken);
    assert.equal(claims.aud, 'https://api.botframework.com');
    assert.equal(claims.appid, BOT_ID);
    assert.ok(result.expiresOn !== null && result.expiresOn.getTime() > Date.now());
  });

  it('acquireTokenOnBehalfOf: the SSO token becomes a Graph token for the user', async () => {
    const app = msal(SERVICE_CLIENT_ID, SERVICE_SECRET);
    const result = await app.acquireTokenOnBehalfOf({
      oboAssertion: await entra.ssoToken(ALICE.id),
      scopes: ['https://graph.microsoft.com/User.Read'],
    });
    assert.ok(result !== null);
    const claims = claimsOf(result.accessToken);
    assert.equal(claims.aud, 'https://graph.microsoft.com');
    assert.equal(claims.oid, ALICE.id);
    const account = result.account;
    assert.ok(account, 'MSAL built an account');
    assert.equal(account.homeAccountId, `${ALICE.id}.${org.tenantId}`, 'from client_info');
    assert.equal(account.username, ALICE.userPrincipalName);
  });

  it('acquireTokenByRefreshToken: redeems a refresh token from a raw OBO with offline_access', async () => {
    const obo = await token(entra, {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      requested_token_use: 'on_behalf_of',
      assertion: await entra.ssoToken(ALICE.id),
      scope: 'https://graph.microsoft.com/User.Read offline_access',
      ...serviceCredentials,
    });
    const result = await msal(SERVICE_CLIENT_ID, SERVICE_SECRET).acquireTokenByRefreshToken({
      refreshToken: String(obo.body.refresh_token),
      scopes: ['https://graph.microsoft.com/Presence.Read.All'],
    });
    assert.ok(result !== null);
    assert.ok(String(claimsOf(result.accessToken).scp).split(' ').includes('Presence.Read.All'));
  });

  it('getAuthCodeUrl + acquireTokenByCode: MSAL redeems a code from the authorize page (PKCE)', async () => {
    const app = msal(SERVICE_CLIENT_ID, SERVICE_SECRET);
    const verifier = randomBytes(32).toString('base64url');
    const url = await app.getAuthCodeUrl({
      scopes: ['https://graph.microsoft.com/User.Read'],
      redirectUri: REDIRECT_URI,
      codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
      codeChallengeMethod: 'S256',
      state: 'msal-state',
    });
    const authorize = new URL(url);
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${entra.authority}/oauth2/v2.0/authorize`);
    const page = await raw(url);
    assert.equal(page.status, 200, 'the page renders for MSAL-built parameters');

    const submitted = await raw(`${entra.authority}/oauth2/v2.0/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        ...Object.fromEntries(authorize.searchParams),
        decision: 'accept',
        account: ALICE.id,
      }).toString(),
    });
    const callback = new URL(String(submitted.headers.location));
    const result = await app.acquireTokenByCode({
      code: callback.searchParams.get('code') ?? '',
      scopes: ['https://graph.microsoft.com/User.Read'],
      redirectUri: REDIRECT_URI,
      codeVerifier: verifier,
    });
    assert.equal(result.account?.homeAccountId, `${ALICE.id}.${org.tenantId}`);
    assert.equal(claimsOf(result.idToken).oid, ALICE.id);
  });

  it('surfaces consent_required as InteractionRequiredAuthError (AADSTS65001)', async () => {
    entra.revokeConsent(ALICE.id, SERVICE_CLIENT_ID);
    try {
      await assert.rejects(
        msal(SERVICE_CLIENT_ID, SERVICE_SECRET).acquireTokenOnBehalfOf({
          oboAssertion: await entra.ssoToken(ALICE.id),
          scopes: ['https://graph.microsoft.com/User.Read'],
        }),
        (error: unknown) => {
          assert.ok(error instanceof InteractionRequiredAuthError, String(error));
          assert.equal(error.errorCode, 'invalid_grant');
          assert.equal(error.subError, 'consent_required');
          assert.equal(String(error.errorNo), '65001');
          assert.match(error.errorMessage, /AADSTS65001/);
          return true;
        },
      );
    } finally {
      entra.grantUserConsent(ALICE.id, SERVICE_CLIENT_ID, 'https://graph.microsoft.com/User.Read');
    }
  });

  it('surfaces the MFA challenge as InteractionRequiredAuthError with claims (AADSTS50076)', async () => {
    entra.requireMfa(ALICE.id);
    try {
      await assert.rejects(
        msal(SERVICE_CLIENT_ID, SERVICE_SECRET).acquireTokenOnBehalfOf({
          oboAssertion: await entra.ssoToken(ALICE.id),
          scopes: ['https://graph.microsoft.com/User.Read'],
        }),
        (error: unknown) => {
          assert.ok(error instanceof InteractionRequiredAuthError, String(error));
          assert.equal(error.errorCode, 'interaction_required');
          assert.ok(error.claims.includes('access_token'));
          return true;
        },
      );
    } finally {
      entra.requireMfa(ALICE.id, false);
    }
  });

  it('surfaces an invalid client secret as a ServerError (invalid_client, AADSTS7000215)', async () => {
    await assert.rejects(
      msal(BOT_ID, 'wrong-secret').acquireTokenByClientCredential({
        scopes: ['https://api.botframework.com/.default'],
      }),
      (error: unknown) => {
        assert.ok(error instanceof ServerError, String(error));
        assert.equal(error.errorCode, 'invalid_client');
        assert.equal(String(error.errorNo), '7000215');
        return true;
      },
    );
  });
});
