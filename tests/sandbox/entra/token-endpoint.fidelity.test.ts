import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { EntraStandIn } from '../../../sandbox/src/entra/index.js';
import { Issuer } from '../../../sandbox/src/shared/issuer.js';
import {
  ALICE,
  APP_ID_URI,
  BOB,
  BOT_ID,
  BOT_SECRET,
  SERVICE_CLIENT_ID,
  SERVICE_SECRET,
  assertEntraError,
  claimsOf,
  org,
  raw,
  serviceCredentials,
  startTestEntra,
  token,
} from './fixture.js';

/**
 * The v2.0 token endpoint against Entra's documented behaviour: success bodies of each grant
 * (learn.microsoft.com v2-oauth2-client-creds-grant-flow, v2-oauth2-on-behalf-of-flow,
 * v2-oauth2-auth-code-flow "Refresh the access token"), claims of the tokens (access-token
 * claims reference: Graph and Bot Framework tokens are v1.0, our API's v2.0), and the error
 * shape and AADSTS codes of each refusal (reference-error-codes).
 */

const TEAMS_DESKTOP = '1fec8e78-bce4-4aaf-ab1b-5451cc387264';
const GRAPH_GUID = '00000003-0000-0000-c000-000000000000';
const botCredentials = { client_id: BOT_ID, client_secret: BOT_SECRET };
const STS_ISSUER = `https://sts.windows.net/${org.tenantId}/`;

describe('Entra stand-in: token endpoint (fidelity)', () => {
  let clock: number;
  let entra: EntraStandIn;

  beforeEach(async () => {
    clock = Date.now();
    entra = await startTestEntra({ now: () => clock });
  });

  afterEach(async () => {
    await entra.close();
  });

  describe('client_credentials', () => {
    it('issues the bot a v1.0 Bot Framework token: aud api.botframework.com, appid = bot id, no roles', async () => {
      const res = await token(entra, {
        grant_type: 'client_credentials',
        scope: 'https://api.botframework.com/.default',
        ...botCredentials,
      });
      assert.equal(res.status, 200);
      assert.deepEqual(Object.keys(res.body).sort(), [
        'access_token',
        'expires_in',
        'ext_expires_in',
        'token_type',
      ]);
      assert.equal(res.body.token_type, 'Bearer');
      assert.equal(typeof res.body.expires_in, 'number');
      assert.equal(res.body.ext_expires_in, res.body.expires_in);
      assert.equal(res.headers['cache-control'], 'no-store, no-cache');
      assert.equal(res.headers.pragma, 'no-cache');
      const claims = claimsOf(res.body.access_token);
      assert.equal(claims.aud, 'https://api.botframework.com');
      assert.equal(claims.iss, STS_ISSUER);
      assert.equal(claims.appid, BOT_ID);
      assert.equal(claims.appidacr, '1');
      assert.equal(claims.idtyp, 'app');
      assert.equal(claims.tid, org.tenantId);
      assert.equal(claims.ver, '1.0');
      assert.equal(claims.roles, undefined);
      assert.equal(claims.scp, undefined);
      assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), res.body.expires_in);
      assert.ok(
        (await entra.verifyToken(String(res.body.access_token))) !== undefined,
        'verifies with the tenant JWKS',
      );
    });

    it('puts the admin-granted application permissions in roles of a Graph token', async () => {
      const before = await token(entra, {
        grant_type: 'client_credentials',
        scope: 'https://graph.microsoft.com/.default',
        ...serviceCredentials,
      });
      assert.equal(claimsOf(before.body.access_token).roles, undefined, 'no grant, no roles');

      entra.grantAdminConsent(SERVICE_CLIENT_ID);
      const after = await token(entra, {
        grant_type: 'client_credentials',
        scope: 'https://graph.microsoft.com/.default',
        ...serviceCredentials,
      });
      const claims = claimsOf(after.body.access_token);
      assert.equal(claims.aud, 'https://graph.microsoft.com');
      assert.deepEqual([...(claims.roles as string[])].sort(), ['Presence.ReadWrite.All', 'User.Read.All']);
      assert.equal(claims.appid, SERVICE_CLIENT_ID);
    });

    it('accepts the client secret by HTTP Basic authentication', async () => {
      const basic = Buffer.from(`${encodeURIComponent(BOT_ID)}:${encodeURIComponent(BOT_SECRET)}`).toString(
        'base64',
      );
      const res = await token(
        entra,
        { grant_type: 'client_credentials', scope: 'https://api.botframework.com/.default' },
        { headers: { authorization: `Basic ${basic}` } },
      );
      assert.equal(res.status, 200);
    });

    it('issues a v2.0 token for our own API: aud = its client id, azp = caller', async () => {
      const res = await token(entra, {
        grant_type: 'client_credentials',
        scope: `${APP_ID_URI}/.default`,
        ...botCredentials,
      });
      assert.equal(res.status, 200);
      const claims = claimsOf(res.body.access_token);
      assert.equal(claims.aud, SERVICE_CLIENT_ID);
      assert.equal(claims.iss, `${entra.url}/${org.tenantId}/v2.0`);
      assert.equal(claims.azp, BOT_ID);
      assert.equal(claims.ver, '2.0');
    });

    it('refuses a wrong secret: 401 invalid_client AADSTS7000215', async () => {
      const res = await token(entra, {
        grant_type: 'client_credentials',
        scope: 'https://api.botframework.com/.default',
        client_id: BOT_ID,
        client_secret: 'nope',
      });
      assertEntraError(res, 401, 'invalid_client', 7000215);
    });

    it('refuses a missing secret: 401 invalid_client AADSTS7000218', async () => {
      const res = await token(entra, {
        grant_type: 'client_credentials',
        scope: 'https://api.botframework.com/.default',
        client_id: BOT_ID,
      });
      assertEntraError(res, 401, 'invalid_client', 7000218);
    });

    it('refuses an unknown client: unauthorized_client AADSTS700016', async () => {
      const res = await token(entra, {
        grant_type: 'client_credentials',
        scope: 'https://api.botframework.com/.default',
        client_id: randomUUID(),
        client_secret: 'x',
      });
      assertEntraError(res, 400, 'unauthorized_client', 700016);
    });

    it('refuses a scope without /.default: invalid_scope AADSTS1002012', async () => {
      const res = await token(entra, {
        grant_type: 'client_credentials',
        scope: 'https://graph.microsoft.com/User.Read.All',
        ...serviceCredentials,
      });
      assertEntraError(res, 400, 'invalid_scope', 1002012);
    });

    it('refuses an unknown resource: invalid_scope AADSTS70011', async () => {
      const res = await token(entra, {
        grant_type: 'client_credentials',
        scope: 'https://foo.example.com/.default',
        ...serviceCredentials,
      });
      assertEntraError(res, 400, 'invalid_scope', 70011);
    });

    it('refuses scopes of two resources: invalid_scope AADSTS700022', async () => {
      const res = await token(entra, {
        grant_type: 'client_credentials',
        scope: 'https://graph.microsoft.com/.default https://api.botframework.com/.default',
        ...serviceCredentials,
      });
      assertEntraError(res, 400, 'invalid_scope', 700022);
    });

    it('refuses client_credentials over /common: AADSTS9001023', async () => {
      const res = await token(
        entra,
        {
          grant_type: 'client_credentials',
          scope: 'https://api.botframework.com/.default',
          ...botCredentials,
        },
        { tenant: 'common' },
      );
      assertEntraError(res, 400, 'invalid_request', 9001023);
    });
  });

  describe('protocol refusals', () => {
    it('missing grant_type: invalid_request AADSTS900144', async () => {
      assertEntraError(await token(entra, { ...serviceCredentials }), 400, 'invalid_request', 900144);
    });

    it('unknown grant type: unsupported_grant_type AADSTS70003', async () => {
      assertEntraError(
        await token(entra, { grant_type: 'password', ...serviceCredentials }),
        400,
        'unsupported_grant_type',
        70003,
      );
    });

    it('unknown tenant: AADSTS90002', async () => {
      const res = await token(
        entra,
        {
          grant_type: 'client_credentials',
          scope: 'https://api.botframework.com/.default',
          ...botCredentials,
        },
        { tenant: 'contoso.example' },
      );
      assertEntraError(res, 400, 'invalid_request', 90002);
    });

    it('GET on the token endpoint: AADSTS900561', async () => {
      const res = await raw(`${entra.url}/${org.tenantId}/oauth2/v2.0/token`);
      assertEntraError(
        { status: res.status, body: JSON.parse(res.text) as Record<string, unknown> },
        400,
        'invalid_request',
        900561,
      );
    });

    it("echoes the client's client-request-id as correlation id (and header on request)", async () => {
      const id = randomUUID();
      const res = await token(
        entra,
        { grant_type: 'password', ...serviceCredentials },
        { headers: { 'client-request-id': id, 'return-client-request-id': 'true' } },
      );
      assert.equal(res.body.correlation_id, id);
      assert.ok(String(res.body.error_description).includes(`Correlation ID: ${id}`));
      assert.equal(res.headers['client-request-id'], id);
      assert.equal(res.body.error_uri, `${entra.url}/error?code=70003`);
    });
  });

  describe('SSO tokens (what Teams getAuthToken returns)', () => {
    it('v2.0 by default: aud = the service client id, azp = Teams, scp access_as_user', async () => {
      const claims = claimsOf(await entra.ssoToken(ALICE.id));
      assert.equal(claims.aud, SERVICE_CLIENT_ID);
      assert.equal(claims.iss, `${entra.url}/${org.tenantId}/v2.0`);
      assert.equal(claims.azp, TEAMS_DESKTOP);
      assert.equal(claims.azpacr, '0');
      assert.equal(claims.scp, 'access_as_user');
      assert.equal(claims.ver, '2.0');
      assert.equal(claims.oid, ALICE.id);
      assert.equal(claims.tid, org.tenantId);
      assert.equal(claims.preferred_username, ALICE.userPrincipalName);
      assert.equal(claims.name, ALICE.displayName);
      assert.equal(typeof claims.sub, 'string');
    });

    it('v1.0 on request: sts.windows.net issuer, appid, the Application ID URI as aud', async () => {
      const claims = claimsOf(await entra.ssoToken(ALICE.id, { version: '1.0' }));
      assert.equal(claims.iss, STS_ISSUER);
      assert.equal(claims.appid, TEAMS_DESKTOP);
      assert.equal(claims.aud, APP_ID_URI);
      assert.equal(claims.upn, ALICE.userPrincipalName);
      assert.equal(claims.ver, '1.0');
      assert.equal(claims.azp, undefined);
    });
  });

  describe('on-behalf-of', () => {
    const obo = (assertion: string, scope: string, extra: Record<string, string> = {}) =>
      token(entra, {
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        requested_token_use: 'on_behalf_of',
        assertion,
        scope,
        ...serviceCredentials,
        ...extra,
      });

    it('exchanges the SSO token for a v1.0 Graph token carrying the consented scopes', async () => {
      entra.grantAdminConsent(SERVICE_CLIENT_ID);
      const res = await obo(
        await entra.ssoToken(ALICE.id),
        'https://graph.microsoft.com/User.Read offline_access openid profile',
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.token_type, 'Bearer');
      assert.equal(typeof res.body.expires_in, 'number');
      assert.equal(typeof res.body.ext_expires_in, 'number');
      assert.equal(typeof res.body.refresh_token, 'string', 'offline_access asks for a refresh token');
      assert.equal(typeof res.body.id_token, 'string', 'openid asks for an ID token');
      const scope = String(res.body.scope).split(' ');
      assert.ok(scope.includes('https://graph.microsoft.com/User.Read'), String(res.body.scope));
      const claims = claimsOf(res.body.access_token);
      assert.equal(claims.aud, 'https://graph.microsoft.com');
      assert.equal(claims.iss, STS_ISSUER);
      assert.equal(claims.appid, SERVICE_CLIENT_ID);
      assert.equal(claims.oid, ALICE.id);
      assert.equal(claims.upn, ALICE.userPrincipalName);
      assert.equal(claims.ver, '1.0');
      const scp = String(claims.scp).split(' ');
      for (const granted of ['User.Read', 'Presence.Read.All', 'Presence.ReadWrite', 'Contacts.Read'])
        assert.ok(scp.includes(granted), granted);
      const id = claimsOf(res.body.id_token);
      assert.equal(id.aud, SERVICE_CLIENT_ID);
      assert.equal(id.oid, ALICE.id);
      assert.equal(id.ver, '2.0');
    });

    it('names Graph by its app id in aud when the scope was bare, and answers bare scopes', async () => {
      entra.grantAdminConsent(SERVICE_CLIENT_ID);
      const res = await obo(await entra.ssoToken(ALICE.id), 'User.Read');
      assert.equal(res.status, 200);
      assert.equal(claimsOf(res.body.access_token).aud, GRAPH_GUID);
      assert.ok(String(res.body.scope).split(' ').includes('User.Read'));
      assert.equal(res.body.refresh_token, undefined, 'no offline_access, no refresh token');
      assert.equal(res.body.id_token, undefined, 'no openid, no ID token');
    });

    it('accepts a v1.0 SSO token addressed to the Application ID URI, and answers client_info', async () => {
      entra.grantAdminConsent(SERVICE_CLIENT_ID);
      const res = await obo(
        await entra.ssoToken(BOB.id, { version: '1.0' }),
        'https://graph.microsoft.com/.default',
        { client_info: '1' },
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const info = JSON.parse(
        Buffer.from(String(res.body.client_info), 'base64url').toString('utf8'),
      ) as unknown;
      assert.deepEqual(info, { uid: BOB.id, utid: org.tenantId });
    });

    it('without any consent: invalid_grant AADSTS65001, suberror consent_required', async () => {
      const res = await obo(await entra.ssoToken(ALICE.id), 'https://graph.microsoft.com/User.Read');
      assertEntraError(res, 400, 'invalid_grant', 65001);
      assert.equal(res.body.suberror, 'consent_required');
    });

    it('for a scope outside the consent: AADSTS65001', async () => {
      entra.grantAdminConsent(SERVICE_CLIENT_ID);
      const res = await obo(await entra.ssoToken(ALICE.id), 'https://graph.microsoft.com/Chat.Read');
      assertEntraError(res, 400, 'invalid_grant', 65001);
    });

    it('after the user revoked consent, even with admin consent: AADSTS65001 consent_required', async () => {
      entra.grantAdminConsent(SERVICE_CLIENT_ID);
      entra.revokeConsent(ALICE.id);
      const res = await obo(await entra.ssoToken(ALICE.id), 'https://graph.microsoft.com/User.Read');
      assertEntraError(res, 400, 'invalid_grant', 65001);
      assert.equal(res.body.suberror, 'consent_required');
      const bob = await obo(await entra.ssoToken(BOB.id), 'https://graph.microsoft.com/User.Read');
      assert.equal(bob.status, 200, 'other users are unaffected');
    });

    it('when MFA is required: interaction_required AADSTS50076 with a claims challenge', async () => {
      entra.grantAdminConsent(SERVICE_CLIENT_ID);
      entra.requireMfa(ALICE.id);
      const res = await obo(await entra.ssoToken(ALICE.id), 'https://graph.microsoft.com/User.Read');
      assertEntraError(res, 400, 'interaction_required', 50076);
      const challenge = JSON.parse(String(res.body.claims)) as { access_token?: unknown };
      assert.ok(challenge.access_token !== undefined, 'claims challenge names access_token requirements');
      entra.requireMfa(ALICE.id, false);
      assert.equal(
        (await obo(await entra.ssoToken(ALICE.id), 'https://graph.microsoft.com/User.Read')).status,
        200,
      );
    });

    it('an assertion for another audience: invalid_grant AADSTS50013', async () => {
      entra.grantAdminConsent(SERVICE_CLIENT_ID);
      const res = await obo(
        await entra.ssoToken(ALICE.id, { audience: 'api://someone-else' }),
        'https://graph.microsoft.com/User.Read',
      );
      assertEntraError(res, 400, 'invalid_grant', 50013);
    });

    it("another client redeeming the service's assertion: AADSTS50013", async () => {
      const res = await token(entra, {
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        requested_token_use: 'on_behalf_of',
        assertion: await entra.ssoToken(ALICE.id),
        scope: 'https://graph.microsoft.com/User.Read',
        ...botCredentials,
      });
      assertEntraError(res, 400, 'invalid_grant', 50013);
    });

    it('an assertion signed by a foreign key: AADSTS50013', async () => {
      const genuine = claimsOf(await entra.ssoToken(ALICE.id));
      const forged = await (await Issuer.create(1)).sign({ ...genuine });
      assertEntraError(
        await obo(forged, 'https://graph.microsoft.com/User.Read'),
        400,
        'invalid_grant',
        50013,
      );
    });

    it('an expired assertion: invalid_grant AADSTS500133', async () => {
      entra.grantAdminConsent(SERVICE_CLIENT_ID);
      const sso = await entra.ssoToken(ALICE.id, { lifetimeSeconds: 600 });
      clock += 601_000;
      assertEntraError(await obo(sso, 'https://graph.microsoft.com/User.Read'), 400, 'invalid_grant', 500133);
    });

    it('without requested_token_use: AADSTS900144; an unknown Graph scope: AADSTS70011', async () => {
      const sso = await entra.ssoToken(ALICE.id);
      const missing = await token(entra, {
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: sso,
        scope: 'https://graph.microsoft.com/User.Read',
        ...serviceCredentials,
      });
      assertEntraError(missing, 400, 'invalid_request', 900144);
      assertEntraError(await obo(sso, 'https://graph.microsoft.com/Nope.Read'), 400, 'invalid_scope', 70011);
    });
  });

  describe('refresh_token (rotating)', () => {
    const GRACE_MS = 30_000;

    async function refreshTokenFor(userId: string): Promise<string> {
      entra.grantAdminConsent(SERVICE_CLIENT_ID);
      const res = await token(entra, {
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        requested_token_use: 'on_behalf_of',
        assertion: await entra.ssoToken(userId),
        scope: 'https://graph.microsoft.com/User.Read offline_access',
        ...serviceCredentials,
      });
      return String(res.body.refresh_token);
    }

    const refresh = (refreshToken: string, credentials: Record<string, string> = serviceCredentials) =>
      token(entra, {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        scope: 'https://graph.microsoft.com/Presence.Read.All offline_access',
        ...credentials,
      });

    it('answers new tokens and a NEW refresh token, for any consented Graph scope', async () => {
      const first = await refreshTokenFor(ALICE.id);
      const res = await refresh(first);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.token_type, 'Bearer');
      assert.equal(typeof res.body.refresh_token, 'string');
      assert.notEqual(res.body.refresh_token, first);
      assert.ok(String(res.body.scope).split(' ').includes('https://graph.microsoft.com/Presence.Read.All'));
      assert.equal(claimsOf(res.body.access_token).oid, ALICE.id);
    });

    it('honours a superseded refresh token during the grace period, refuses it after: AADSTS70000', async () => {
      const first = await refreshTokenFor(ALICE.id);
      const second = String((await refresh(first)).body.refresh_token);
      clock += GRACE_MS - 1000;
      assert.equal((await refresh(first)).status, 200, 'still inside the grace period');
      clock += 2000;
      assertEntraError(await refresh(first), 400, 'invalid_grant', 70000);
      assert.equal((await refresh(second)).status, 200, 'the newest token still works');
    });

    it("refuses another client's refresh token: AADSTS70000", async () => {
      const first = await refreshTokenFor(ALICE.id);
      assertEntraError(await refresh(first, botCredentials), 400, 'invalid_grant', 70000);
    });

    it('after the console expired them: invalid_grant AADSTS700082', async () => {
      const first = await refreshTokenFor(ALICE.id);
      assert.equal(entra.expireRefreshTokens(ALICE.id), 1);
      assertEntraError(await refresh(first), 400, 'invalid_grant', 700082);
    });

    it('after 90 days of inactivity: AADSTS700082', async () => {
      const first = await refreshTokenFor(ALICE.id);
      clock += 91 * 24 * 60 * 60 * 1000;
      assertEntraError(await refresh(first), 400, 'invalid_grant', 700082);
    });

    it('after consent was revoked: AADSTS65001 consent_required; with MFA required: AADSTS50076', async () => {
      const first = await refreshTokenFor(ALICE.id);
      entra.requireMfa(ALICE.id);
      assertEntraError(await refresh(first), 400, 'interaction_required', 50076);
      entra.revokeConsent(ALICE.id, SERVICE_CLIENT_ID);
      const revoked = await refresh(first);
      assertEntraError(revoked, 400, 'invalid_grant', 65001);
      assert.equal(revoked.body.suberror, 'consent_required');
    });

    it('an unknown refresh token: AADSTS70000', async () => {
      assertEntraError(
        await refresh('1.not-a-token', { client_id: SERVICE_CLIENT_ID, client_secret: SERVICE_SECRET }),
        400,
        'invalid_grant',
        70000,
      );
    });
  });
});
