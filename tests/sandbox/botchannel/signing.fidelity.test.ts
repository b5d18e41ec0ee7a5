import assert from 'node:assert/strict';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { startBotChannel } from '../../../sandbox/src/botchannel/index.js';
import { createDemoOrg, DEMO_TENANT_ID } from '../../../sandbox/src/seed/org.js';
import { BOT_ID, startChannel, type ChannelHarness } from './harness.js';

/**
 * The channel's OpenID metadata and keys look like login.botframework.com's, and every activity
 * it sends carries a JWT that verifies against them exactly as the Bot Connector authentication
 * documentation requires.
 */
describe('Bot Framework channel stand-in: OpenID metadata, keys and activity signatures', () => {
  let h: ChannelHarness;
  before(async () => {
    h = await startChannel();
  });
  after(async () => {
    await h.close();
  });

  it('serves the OpenID metadata document at /v1/.well-known/openidconfiguration', async () => {
    assert.ok(h.channel.openIdMetadataUrl.endsWith('/v1/.well-known/openidconfiguration'));
    const response = await fetch(h.channel.openIdMetadataUrl);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const doc = (await response.json()) as Record<string, unknown>;
    assert.equal(doc.issuer, 'https://api.botframework.com');
    assert.equal(doc.jwks_uri, h.channel.jwksUrl);
    assert.deepEqual(doc.id_token_signing_alg_values_supported, ['RS256']);
    assert.deepEqual(doc.token_endpoint_auth_signing_alg_values_supported, ['RS256']);
    assert.deepEqual(doc.token_endpoint_auth_methods_supported, ['private_key_jwt']);
    assert.equal(typeof doc.authorization_endpoint, 'string');
  });

  it('publishes two RSA signing keys with msteams endorsements', async () => {
    const jwks = (await (await fetch(h.channel.jwksUrl)).json()) as { keys: Record<string, unknown>[] };
    assert.equal(jwks.keys.length, 2);
    for (const key of jwks.keys) {
      assert.equal(key.kty, 'RSA');
      assert.equal(key.use, 'sig');
      assert.equal(typeof key.kid, 'string');
      assert.equal(key.x5t, key.kid);
      assert.equal(key.e, 'AQAB');
      assert.ok(typeof key.n === 'string' && key.n.length > 300, '2048-bit modulus');
      assert.ok(Array.isArray(key.endorsements) && key.endorsements.includes('msteams'));
      assert.equal(key.d, undefined, 'no private parts');
    }
    assert.ok(jwks.keys.some((k) => k.kid === h.channel.signingKid));
  });

  it('signs every activity like the channel: iss, aud = bot id, serviceurl, ~1 h lifetime, RS256 with a published kid', async () => {
    await h.channel.sendMessage(h.org.users[0]!.id, 'hi');
    const { headers, activity } = h.bot.received.at(-1)!;
    const m = /^Bearer (.+)$/.exec(headers.authorization ?? '');
    assert.ok(m?.[1] !== undefined, 'Bearer token sent');
    const token = m[1];
    const header = decodeProtectedHeader(token);
    assert.equal(header.alg, 'RS256');
    assert.equal(header.typ, 'JWT');
    assert.equal(header.kid, h.channel.signingKid);
    assert.equal(header.x5t, header.kid);
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(h.channel.jwksUrl)), {
      issuer: 'https://api.botframework.com',
      audience: BOT_ID,
      algorithms: ['RS256'],
    });
    assert.equal(payload.serviceurl, activity.serviceUrl);
    assert.ok(typeof payload.exp === 'number' && typeof payload.nbf === 'number');
    assert.ok(payload.exp - payload.nbf >= 3000 && payload.exp - payload.nbf <= 3600);
    assert.equal(headers['content-type'], 'application/json; charset=utf-8');
  });

  it('rotates to a key it had already published, keeps the old one while in flight and publishes the next', async () => {
    const published = async (): Promise<string[]> =>
      ((await (await fetch(h.channel.jwksUrl)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const before = await published();
    const oldKid = h.channel.signingKid;
    await h.channel.rotateKeys();
    const newKid = h.channel.signingKid;
    assert.notEqual(newKid, oldKid);
    assert.ok(before.includes(newKid), 'the new signing key was published before it was used');
    const after = await published();
    assert.ok(after.includes(newKid) && after.includes(oldKid) && after.length === 3);
    assert.ok(
      after.some((kid) => !before.includes(kid)),
      'a fresh key is published for the next rotation',
    );
    await h.channel.sendMessage(h.org.users[0]!.id, 'after rotation');
    const token = /^Bearer (.+)$/.exec(h.bot.received.at(-1)!.headers.authorization ?? '')?.[1] ?? '';
    assert.equal(decodeProtectedHeader(token).kid, newKid);
  });

  it('refuses to start without a way to check the bot tokens', async () => {
    await assert.rejects(
      startBotChannel({
        botEndpoint: 'http://127.0.0.1:9/api/messages',
        botAppId: BOT_ID,
        tenantId: DEMO_TENANT_ID,
        org: createDemoOrg(),
      }),
      /verifyBotToken|botAppPassword/,
    );
  });
});
