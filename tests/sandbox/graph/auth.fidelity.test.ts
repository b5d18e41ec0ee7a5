import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { graphError, startHarness, type Harness } from './support/harness.js';

/**
 * Authentication and the error envelope, from "Microsoft Graph error responses and resource
 * types" (error body with innerError date / request-id / client-request-id) and the observed
 * 401 InvalidAuthenticationToken answers.
 */
describe('graph stand-in: authentication and error envelope (fidelity)', () => {
  let h: Harness;

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('answers a request without a token with 401 InvalidAuthenticationToken and a Bearer challenge', async () => {
    const res = await h.call('GET', '/me');
    assert.equal(res.status, 401);
    const error = graphError(res);
    assert.equal(error.code, 'InvalidAuthenticationToken');
    assert.equal(error.message, 'Access token is empty.');
    assert.match(
      res.headers.get('www-authenticate') ?? '',
      /^Bearer realm="", authorization_uri="https:\/\/login\.microsoftonline\.com/,
    );
  });

  it('puts date, request-id and client-request-id in innerError and echoes them as headers', async () => {
    const clientRequestId = randomUUID();
    const res = await h.call('GET', '/me', { headers: { 'client-request-id': clientRequestId } });
    const { innerError } = graphError(res);
    assert.match(String(innerError.date), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    assert.match(String(innerError['request-id']), /^[0-9a-f-]{36}$/);
    assert.equal(innerError['client-request-id'], clientRequestId);
    assert.equal(res.headers.get('request-id'), innerError['request-id']);
    assert.equal(res.headers.get('client-request-id'), clientRequestId);
  });

  it('refuses a token signed by someone else', async () => {
    const { Issuer } = await import('../../../sandbox/src/shared/issuer.js');
    const stranger = await Issuer.create();
    const token = await stranger.sign({
      aud: 'https://graph.microsoft.com',
      tid: h.org.tenantId,
      oid: h.user(0).id,
      appid: 'x',
      scp: 'User.Read',
    });
    const res = await h.call('GET', '/me', { token });
    assert.equal(res.status, 401);
    assert.equal(graphError(res).message, 'Access token validation failure.');
  });

  it('refuses a token for another audience, and accepts both Graph audiences', async () => {
    const wrong = await h.delegated(h.user(0), 'User.Read', { aud: 'api://callbridge' });
    const res = await h.call('GET', '/me', { token: wrong });
    assert.equal(res.status, 401);
    assert.equal(graphError(res).message, 'Access token validation failure. Invalid audience.');
    for (const aud of ['https://graph.microsoft.com', '00000003-0000-0000-c000-000000000000']) {
      const ok = await h.call('GET', '/me', { token: await h.delegated(h.user(0), 'User.Read', { aud }) });
      assert.equal(ok.status, 200, aud);
    }
  });

  it("says 'the token is expired' once the stand-in's clock passes exp", async () => {
    const token = await h.delegated(h.user(0), 'User.Read');
    assert.equal((await h.call('GET', '/me', { token })).status, 200);
    await h.clock.advance(3601 * 1000);
    const res = await h.call('GET', '/me', { token });
    assert.equal(res.status, 401);
    assert.equal(graphError(res).message, 'Lifetime validation failed, the token is expired.');
  });

  it('answers 403 in each service dialect when the token lacks the permission', async () => {
    const token = await h.delegated(h.user(0), 'openid profile');
    const directory = await h.call('GET', '/users', { token });
    assert.equal(directory.status, 403);
    assert.equal(graphError(directory).code, 'Authorization_RequestDenied');
    assert.equal(graphError(directory).message, 'Insufficient privileges to complete the operation.');
    const outlook = await h.call('GET', '/me/contacts', { token });
    assert.equal(outlook.status, 403);
    assert.equal(graphError(outlook).code, 'ErrorAccessDenied');
    const teams = await h.call('GET', '/me/presence', { token });
    assert.equal(teams.status, 403);
    assert.equal(graphError(teams).code, 'Forbidden');
    assert.match(
      graphError(teams).message,
      /API requires one of 'Presence\.Read, Presence\.Read\.All'\. Scopes on the request 'openid, profile'/,
    );
  });

  it('rejects /me with an application token as Graph does', async () => {
    const res = await h.call('GET', '/me', { token: await h.app(['User.Read.All']) });
    assert.equal(res.status, 400);
    assert.equal(graphError(res).message, '/me request is only valid with delegated authentication flow.');
  });

  it('answers unknown segments with 400 naming the segment, and wrong methods with 405', async () => {
    const token = await h.delegated(h.user(0), 'User.Read');
    const unknown = await h.call('GET', '/me/nonsense', { token });
    assert.equal(unknown.status, 400);
    assert.equal(graphError(unknown).message, "Resource not found for the segment 'nonsense'.");
    const method = await h.call('PUT', '/me', { token, body: {} });
    assert.equal(method.status, 405);
    assert.equal(graphError(method).code, 'Request_BadRequest');
  });

  it('serves /beta as an alias of v1.0', async () => {
    const res = await h.call('GET', '/beta/me', { token: await h.delegated(h.user(0), 'User.Read') });
    assert.equal(res.status, 200);
    assert.equal(res.json['@odata.context'], `${h.graph.url}/beta/$metadata#users/$entity`);
  });
});
