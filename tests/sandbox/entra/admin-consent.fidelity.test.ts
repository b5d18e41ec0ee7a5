import assert from 'node:assert/strict';
import type { EntraStandIn } from '../../../sandbox/src/entra/index.js';
import {
  ADMIN,
  REDIRECT_URI,
  SERVICE_CLIENT_ID,
  claimsOf,
  org,
  raw,
  serviceCredentials,
  startTestEntra,
  token,
  type RawResponse,
} from './fixture.js';

/**
 * The v2.0 admin consent endpoint (learn.microsoft.com v2-admin-consent): the request
 * parameters, the success redirect (`admin_consent=True`, `tenant`, `scope`, `state`), the
 * error redirect (`admin_consent=True` with `error` / `error_description`), and the
 * tenant-wide grants it records.
 */
describe('Entra stand-in: admin consent (fidelity)', () => {
  let entra: EntraStandIn;

  beforeEach(async () => {
    entra = await startTestEntra();
  });

  afterEach(async () => {
    await entra.close();
  });

  const params = (overrides: Record<string, string> = {}): Record<string, string> => ({
    client_id: SERVICE_CLIENT_ID,
    scope: 'https://graph.microsoft.com/.default',
    redirect_uri: REDIRECT_URI,
    state: 'admin-state',
    ...overrides,
  });

  const page = (p: Record<string, string>, tenant = org.tenantId): Promise<RawResponse> =>
    raw(`${entra.url}/${tenant}/v2.0/adminconsent?${new URLSearchParams(p).toString()}`);

  const submit = (p: Record<string, string>, decision: 'accept' | 'cancel'): Promise<RawResponse> =>
    raw(`${entra.url}/${org.tenantId}/v2.0/adminconsent`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...p, decision }).toString(),
    });

  function location(res: RawResponse): URL {
    assert.equal(res.status, 302, res.text);
    return new URL(String(res.headers.location));
  }

  it('shows the admin, the delegated and the application permissions, and Accept / Cancel', async () => {
    const res = await page(params());
    assert.equal(res.status, 200);
    assert.ok(res.text.includes(ADMIN.displayName), 'names the signed-in admin');
    assert.match(res.text, /Global Administrator/);
    assert.match(res.text, /Microsoft Graph: Presence\.Read\.All/);
    assert.match(res.text, /Microsoft Graph: Presence\.ReadWrite\.All/);
    assert.match(res.text, /Application permissions/);
    assert.match(res.text, /value="accept"[^>]*>Accept</);
    assert.match(res.text, /value="cancel"[^>]*>Cancel</);
  });

  it('Accept redirects with admin_consent=True, tenant, the granted scope and state, and records the grant', async () => {
    const url = location(await submit(params(), 'accept'));
    assert.equal(url.origin + url.pathname, REDIRECT_URI);
    assert.equal(url.searchParams.get('admin_consent'), 'True');
    assert.equal(url.searchParams.get('tenant'), org.tenantId);
    assert.equal(url.searchParams.get('state'), 'admin-state');
    const scope = (url.searchParams.get('scope') ?? '').split(' ');
    assert.ok(scope.includes('https://graph.microsoft.com/User.Read'));
    assert.ok(scope.includes('https://graph.microsoft.com/Presence.ReadWrite.All'));

    const grants = entra.tenantGrants();
    assert.equal(grants.length, 1);
    const grant = grants[0]!;
    assert.equal(grant.clientId, SERVICE_CLIENT_ID);
    assert.equal(grant.resourceAppId, '00000003-0000-0000-c000-000000000000');
    assert.equal(grant.grantedBy, ADMIN.id);
    assert.ok(!Number.isNaN(Date.parse(grant.grantedAt)));
    assert.deepEqual([...grant.appRoles].sort(), ['Presence.ReadWrite.All', 'User.Read.All']);
    assert.ok(grant.delegatedScopes.includes('Presence.Read.All'));

    const app = await token(entra, {
      grant_type: 'client_credentials',
      scope: 'https://graph.microsoft.com/.default',
      ...serviceCredentials,
    });
    assert.deepEqual([...(claimsOf(app.body.access_token).roles as string[])].sort(), [
      'Presence.ReadWrite.All',
      'User.Read.All',
    ]);
  });

  it('explicit scopes grant those delegated permissions only', async () => {
    location(
      await submit(
        params({
          scope: 'https://graph.microsoft.com/Chat.Read https://graph.microsoft.com/ChatMember.Read',
        }),
        'accept',
      ),
    );
    const grant = entra.tenantGrants()[0]!;
    assert.deepEqual(grant.delegatedScopes, ['Chat.Read', 'ChatMember.Read']);
    assert.deepEqual(grant.appRoles, []);
  });

  it('Cancel redirects with admin_consent=True, error=access_denied and an AADSTS65004 description', async () => {
    const url = location(await submit(params(), 'cancel'));
    assert.equal(url.searchParams.get('admin_consent'), 'True');
    assert.equal(url.searchParams.get('error'), 'access_denied');
    assert.match(url.searchParams.get('error_description') ?? '', /^AADSTS65004: /);
    assert.equal(url.searchParams.get('state'), 'admin-state');
    assert.equal(entra.tenantGrants().length, 0);
  });

  it('refuses /common and unregistered redirect URIs on its own error page', async () => {
    const common = await page(params(), 'common');
    assert.equal(common.status, 400);
    assert.equal(common.headers.location, undefined);
    const elsewhere = await page(params({ redirect_uri: 'https://evil.example/' }));
    assert.equal(elsewhere.status, 400);
    assert.match(elsewhere.text, /AADSTS50011/);
  });

  it('exposes the grants to the console at /_sandbox/entra/grants', async () => {
    location(await submit(params(), 'accept'));
    const res = await raw(`${entra.url}/_sandbox/entra/grants`);
    const body = JSON.parse(res.text) as {
      tenantGrants: {
        clientId: string;
        clientServicePrincipalId: string;
        resourceServicePrincipalId: string;
      }[];
    };
    const grant = body.tenantGrants[0]!;
    assert.equal(grant.clientId, SERVICE_CLIENT_ID);
    assert.match(grant.clientServicePrincipalId, /^[0-9a-f-]{36}$/);
    assert.match(grant.resourceServicePrincipalId, /^[0-9a-f-]{36}$/);
  });
});
