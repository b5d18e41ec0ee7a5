import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, base64url, exportJWK, type JWK } from 'jose';
import {
  bearerToken,
  createSsoValidator,
  ssoFailureBody,
  ssoFailureStatus,
  type SsoErrorCode,
  type SsoValidator,
  type SsoValidatorOptions,
} from '../../../bot/src/auth/sso-validator.js';
import { captureLogs } from '../../support/log-capture.js';

const TENANT = '11111111-1111-4111-8111-111111111111';
const OTHER_TENANT = '99999999-9999-4999-8999-999999999999';
const CLIENT_ID = '22222222-2222-4222-8222-222222222222';
const APP_ID_URI = 'api://callbridge.contoso.com/botid-33333333-3333-4333-8333-333333333333';
const OID = '44444444-4444-4444-8444-444444444444';
const V1_HOST = 'https://sts.windows.net';
/** 2026-01-15T12:00:00Z, in seconds. */
const T0 = Date.UTC(2026, 0, 15, 12) / 1000;

interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly jwk: JWK;
}

function rsaKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey, jwk: {} };
}

async function withJwk(key: SigningKey): Promise<SigningKey> {
  const jwk = await exportJWK(key.publicKey);
  // Shaped like Entra's JWKS entries: no alg, use=sig, kid (x5c omitted).
  return { ...key, jwk: { ...jwk, kid: key.kid, use: 'sig' } };
}

/** A stand-in for the Entra authority: discovery document and key set, with request counters. */
class Authority {
  readonly server: Server;
  published: JWK[] = [];
  discoveryHits = 0;
  keysHits = 0;
  fallbackHits = 0;
  discoveryStatus = 200;
  keysStatus = 200;

  constructor() {
    this.server = createServer((req, res) => {
      const { status, body } = this.answer(req.url ?? '');
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  }

  private answer(path: string): { status: number; body: unknown } {
    if (path === `/${TENANT}/v2.0/.well-known/openid-configuration`) {
      this.discoveryHits++;
      if (this.discoveryStatus !== 200) return { status: this.discoveryStatus, body: { error: 'nope' } };
      return {
        status: 200,
        body: { issuer: `${this.url}/${TENANT}/v2.0`, jwks_uri: `${this.url}/${TENANT}/discovery/v2.0/keys` },
      };
    }
    if (path === `/${TENANT}/discovery/v2.0/keys` || path === '/common/discovery/v2.0/keys') {
      if (path.startsWith('/common')) this.fallbackHits++;
      else this.keysHits++;
      if (this.keysStatus !== 200) return { status: this.keysStatus, body: { error: 'down' } };
      return { status: 200, body: { keys: this.published } };
    }
    return { status: 404, body: { error: 'not found' } };
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.listen(0, '127.0.0.1', resolve);
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}

type Claims = Record<string, unknown>;

describe('SSO token validation', function () {
  const authority = new Authority();
  let keyA: SigningKey;
  let keyB: SigningKey;
  let attacker: SigningKey;
  let nowMs = T0 * 1000;

  before(async function () {
    await authority.listen();
    [keyA, keyB, attacker] = await Promise.all([
      withJwk(rsaKey('key-a')),
      withJwk(rsaKey('key-b')),
      withJwk(rsaKey('key-x')),
    ]);
  });

  after(async function () {
    await authority.close();
  });

  beforeEach(function () {
    nowMs = T0 * 1000;
    authority.published = [keyA.jwk];
    authority.discoveryHits = 0;
    authority.keysHits = 0;
    authority.fallbackHits = 0;
    authority.discoveryStatus = 200;
    authority.keysStatus = 200;
  });

  function validator(overrides: Partial<SsoValidatorOptions> = {}): SsoValidator {
    return createSsoValidator({
      clientId: CLIENT_ID,
      applicationIdUri: APP_ID_URI,
      tenantId: TENANT,
      authorityHost: authority.url,
      v1TokenIssuerHost: V1_HOST,
      allowedTenantIds: [TENANT],
      now: () => nowMs,
      ...overrides,
    });
  }

  function v2Claims(): Claims {
    return {
      aud: CLIENT_ID,
      iss: `${authority.url}/${TENANT}/v2.0`,
      tid: TENANT,
      oid: OID,
      scp: 'access_as_user',
      ver: '2.0',
      name: 'Adele Vance',
      preferred_username: 'adele@contoso.com',
      iat: T0 - 60,
      nbf: T0 - 60,
      exp: T0 + 3600,
    };
  }

  function v1Claims(): Claims {
    const { preferred_username: _ignored, ...rest } = v2Claims();
    return { ...rest, aud: APP_ID_URI, iss: `${V1_HOST}/${TENANT}/`, ver: '1.0', upn: 'adele@contoso.com' };
  }

  /** Claims set to `undefined` are left out. */
  async function sign(claims: Claims, key: SigningKey = keyA, kid: string = key.kid): Promise<string> {
    const payload = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
    return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).sign(key.privateKey);
  }

  function encode(value: unknown): string {
    return base64url.encode(JSON.stringify(value));
  }

  /** Keeps the signature, swaps header and/or payload: what an attacker can do without the key. */
  function reassemble(
    token: string,
    parts: { header?: unknown; payload?: unknown; signature?: string },
  ): string {
    const [h, p, s] = token.split('.');
    return [
      parts.header === undefined ? h : encode(parts.header),
      parts.payload === undefined ? p : encode(parts.payload),
      parts.signature ?? s,
    ].join('.');
  }

  const spkiPem = (): string => keyA.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const spkiDer = (): Buffer => keyA.publicKey.export({ type: 'spki', format: 'der' });

  describe('rejects each bad token with its own code', function () {
    const cases: readonly {
      readonly name: string;
      readonly token: () => Promise<string | undefined> | string | undefined;
      readonly code: SsoErrorCode;
    }[] = [
      { name: 'no token', token: () => undefined, code: 'missing_token' },
      { name: 'an empty token', token: () => '  ', code: 'missing_token' },
      { name: 'something that is not a JWT', token: () => 'not-a-jwt', code: 'malformed' },
      { name: 'a five-part JWE', token: () => 'a.b.c.d.e', code: 'malformed' },
      { name: 'a header that is not JSON', token: () => 'bm9wZQ.e30.c2ln', code: 'malformed' },
      {
        name: 'the wrong audience (another app)',
        token: () => sign({ ...v2Claims(), aud: '55555555-5555-4555-8555-555555555555' }),
        code: 'wrong_audience',
      },
      {
        name: 'an audience list, even one holding our client id',
        token: () => sign({ ...v2Claims(), aud: [CLIENT_ID, 'other'] }),
        code: 'wrong_audience',
      },
      {
        name: 'Microsoft Graph as audience',
        token: () => sign({ ...v2Claims(), aud: 'https://graph.microsoft.com' }),
        code: 'wrong_audience',
      },
      {
        name: 'a foreign issuer host',
        token: () => sign({ ...v2Claims(), iss: `https://login.evil.example/${TENANT}/v2.0` }),
        code: 'wrong_issuer',
      },
      {
        name: "an issuer for another tenant than the token's tid",
        token: () => sign({ ...v2Claims(), iss: `${authority.url}/${OTHER_TENANT}/v2.0` }),
        code: 'wrong_issuer',
      },
      {
        name: 'a tenant outside the allow-list',
        token: () => sign({ ...v2Claims(), tid: OTHER_TENANT, iss: `${authority.url}/${OTHER_TENANT}/v2.0` }),
        code: 'tenant_not_allowed',
      },
      {
        name: 'a token expired beyond the 5-minute skew',
        token: () => sign({ ...v2Claims(), nbf: T0 - 7200, exp: T0 - 301 }),
        code: 'expired',
      },
      {
        name: 'a token not valid for more than 5 minutes yet',
        token: () => sign({ ...v2Claims(), nbf: T0 + 301 }),
        code: 'not_yet_valid',
      },
      {
        name: 'alg none',
        token: async () =>
          reassemble(await sign(v2Claims()), {
            header: { alg: 'none', typ: 'JWT', kid: 'key-a' },
            signature: '',
          }),
        code: 'unsupported_alg',
      },
      {
        name: 'HS256 "signed" with the public key PEM',
        token: () =>
          new SignJWT(v2Claims())
            .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: 'key-a' })
            .sign(new TextEncoder().encode(spkiPem())),
        code: 'unsupported_alg',
      },
      {
        name: 'HS256 "signed" with the public key DER bytes',
        token: () =>
          new SignJWT(v2Claims())
            .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: 'key-a' })
            .sign(spkiDer()),
        code: 'unsupported_alg',
      },
      {
        name: 'RS512 in the header',
        token: async () => reassemble(await sign(v2Claims()), { header: { alg: 'RS512', kid: 'key-a' } }),
        code: 'unsupported_alg',
      },
      {
        name: 'PS256 in the header',
        token: async () => reassemble(await sign(v2Claims()), { header: { alg: 'PS256', kid: 'key-a' } }),
        code: 'unsupported_alg',
      },
      {
        name: 'no kid in the header',
        token: async () => reassemble(await sign(v2Claims()), { header: { alg: 'RS256', typ: 'JWT' } }),
        code: 'malformed',
      },
      {
        name: 'an unknown kid',
        token: () => sign(v2Claims(), attacker),
        code: 'unknown_key',
      },
      {
        name: "another key claiming a published key's kid",
        token: () => sign(v2Claims(), attacker, 'key-a'),
        code: 'bad_signature',
      },
      {
        name: 'a tampered payload (another user)',
        token: async () =>
          reassemble(await sign(v2Claims()), {
            payload: { ...v2Claims(), oid: '66666666-6666-4666-8666-666666666666' },
          }),
        code: 'bad_signature',
      },
      {
        name: 'a tampered payload (longer expiry)',
        token: async () =>
          reassemble(await sign(v2Claims()), { payload: { ...v2Claims(), exp: T0 + 86_400 } }),
        code: 'bad_signature',
      },
      {
        name: 'a signature of another token',
        token: async () =>
          reassemble(await sign(v2Claims()), {
            signature: (await sign({ ...v2Claims(), oid: 'x' })).split('.')[2]!,
          }),
        code: 'bad_signature',
      },
      {
        name: 'a missing access_as_user scope',
        token: () => sign({ ...v2Claims(), scp: 'User.Read Presence.Read' }),
        code: 'missing_scope',
      },
      {
        name: 'a scope that only contains access_as_user as a substring',
        token: () => sign({ ...v2Claims(), scp: 'access_as_user_admin' }),
        code: 'missing_scope',
      },
      {
        name: 'an app-only token (roles, no scp)',
        token: () => sign({ ...v2Claims(), scp: undefined, roles: ['access_as_user'] }),
        code: 'missing_scope',
      },
      {
        name: 'a v2 issuer with ver 1.0',
        token: () => sign({ ...v2Claims(), ver: '1.0' }),
        code: 'wrong_version',
      },
      {
        name: 'a v1 issuer with ver 2.0',
        token: () => sign({ ...v1Claims(), ver: '2.0' }),
        code: 'wrong_version',
      },
      {
        name: 'no ver claim',
        token: () => sign({ ...v2Claims(), ver: undefined }),
        code: 'wrong_version',
      },
      { name: 'no oid claim', token: () => sign({ ...v2Claims(), oid: undefined }), code: 'malformed' },
      { name: 'no tid claim', token: () => sign({ ...v2Claims(), tid: undefined }), code: 'malformed' },
      { name: 'no exp claim', token: () => sign({ ...v2Claims(), exp: undefined }), code: 'malformed' },
    ];

    for (const c of cases) {
      it(`${c.name} → ${c.code}`, async function () {
        const token = await c.token();
        const result = await validator().validate(token);
        assert.equal(result.ok, false, 'the token was accepted');
        assert.equal(result.error.code, c.code, result.error.message);
        // No part of the token (header, payload, signature) is echoed back.
        for (const part of (token ?? '').split('.').filter((p) => p.length > 8)) {
          assert.ok(
            !result.error.message.includes(part),
            `message echoes the token: ${result.error.message}`,
          );
        }
      });
    }
  });

  describe('accepts good tokens', function () {
    it('a v2 token with the client id as audience', async function () {
      const token = await sign(v2Claims());
      const result = await validator().validate(token);
      assert.ok(result.ok, result.ok ? '' : result.error.message);
      assert.deepEqual(result.value, {
        tenantId: TENANT,
        aadObjectId: OID,
        name: 'Adele Vance',
        preferredUsername: 'adele@contoso.com',
        scopes: ['access_as_user'],
        expiresAt: (T0 + 3600) * 1000,
        token,
      });
    });

    it('a v2 token with the api:// Application ID URI as audience', async function () {
      const result = await validator().validate(await sign({ ...v2Claims(), aud: APP_ID_URI }));
      assert.ok(result.ok, result.ok ? '' : result.error.message);
    });

    it('a v1 token (sts.windows.net issuer, ver 1.0, upn)', async function () {
      const result = await validator().validate(await sign(v1Claims()));
      assert.ok(result.ok, result.ok ? '' : result.error.message);
      assert.equal(result.value.preferredUsername, 'adele@contoso.com');
      assert.equal(result.value.tenantId, TENANT);
    });

    it('a v1 token from a configured v1 issuer host (sandbox)', async function () {
      const host = 'https://sts.sandbox.localhost';
      const result = await validator({ v1TokenIssuerHost: `${host}/` }).validate(
        await sign({ ...v1Claims(), iss: `${host}/${TENANT}/` }),
      );
      assert.ok(result.ok, result.ok ? '' : result.error.message);
    });

    it('a token from a second allowed tenant', async function () {
      const result = await validator({ allowedTenantIds: [TENANT, OTHER_TENANT.toUpperCase()] }).validate(
        await sign({ ...v2Claims(), tid: OTHER_TENANT, iss: `${authority.url}/${OTHER_TENANT}/v2.0` }),
      );
      assert.ok(result.ok, result.ok ? '' : result.error.message);
    });

    it('several scopes, access_as_user among them', async function () {
      const result = await validator().validate(
        await sign({ ...v2Claims(), scp: 'User.Read access_as_user' }),
      );
      assert.ok(result.ok, result.ok ? '' : result.error.message);
      assert.deepEqual(result.value.scopes, ['User.Read', 'access_as_user']);
    });
  });

  describe('directory roles (wids)', function () {
    const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';
    const TEAMS_ADMIN = '69091246-20e8-4a56-aa4d-066075b2a7a8';

    it('exposes the role template ids, lower-cased, in v2 and v1 tokens', async function () {
      for (const claims of [v2Claims(), v1Claims()]) {
        const result = await validator().validate(
          await sign({ ...claims, wids: [GLOBAL_ADMIN.toUpperCase(), TEAMS_ADMIN] }),
        );
        assert.ok(result.ok, result.ok ? '' : result.error.message);
        assert.deepEqual(result.value.wids, [GLOBAL_ADMIN, TEAMS_ADMIN]);
      }
    });

    it('leaves wids out when the token has none, and keeps an empty list empty', async function () {
      const none = await validator().validate(await sign(v2Claims()));
      assert.ok(none.ok);
      assert.equal('wids' in none.value, false);
      const empty = await validator().validate(await sign({ ...v2Claims(), wids: [] }));
      assert.ok(empty.ok);
      assert.deepEqual(empty.value.wids, []);
    });

    it('ignores a malformed wids claim (no role assumed) but still accepts the token, and says so in the log', async function () {
      const bad: readonly unknown[] = [
        GLOBAL_ADMIN,
        { [GLOBAL_ADMIN]: true },
        [GLOBAL_ADMIN, 42],
        [GLOBAL_ADMIN, 'Global Administrator'],
        [GLOBAL_ADMIN, `${GLOBAL_ADMIN} `],
        Array.from({ length: 257 }, () => GLOBAL_ADMIN),
        null,
      ];
      for (const wids of bad) {
        const { logger, lines } = captureLogs('debug');
        const result = await validator({ logger }).validate(await sign({ ...v2Claims(), wids }));
        assert.ok(result.ok, `${JSON.stringify(wids)}: ${result.ok ? '' : result.error.message}`);
        assert.equal('wids' in result.value, false, JSON.stringify(wids));
        const warned = lines().filter((l) => l.includes('malformed wids'));
        assert.equal(warned.length, 1, JSON.stringify(wids));
        assert.ok(!warned[0]!.includes(GLOBAL_ADMIN), 'the claim value is not logged');
      }
    });
  });

  describe('clock skew', function () {
    it('accepts a token expired 299 s ago and rejects one expired 301 s ago', async function () {
      assert.ok((await validator().validate(await sign({ ...v2Claims(), exp: T0 - 299 }))).ok);
      const late = await validator().validate(await sign({ ...v2Claims(), exp: T0 - 301 }));
      assert.equal(late.ok ? 'ok' : late.error.code, 'expired');
    });

    it('accepts nbf 299 s ahead', async function () {
      assert.ok((await validator().validate(await sign({ ...v2Claims(), nbf: T0 + 299 }))).ok);
    });

    it('honours a smaller configured skew', async function () {
      const result = await validator({ clockSkewSeconds: 30 }).validate(
        await sign({ ...v2Claims(), exp: T0 - 60 }),
      );
      assert.equal(result.ok ? 'ok' : result.error.code, 'expired');
    });

    it('caps a configured skew at 5 minutes', async function () {
      const result = await validator({ clockSkewSeconds: 3600 }).validate(
        await sign({ ...v2Claims(), exp: T0 - 600 }),
      );
      assert.equal(result.ok ? 'ok' : result.error.code, 'expired');
    });

    it('expires a token as the clock moves on', async function () {
      const v = validator();
      const token = await sign({ ...v2Claims(), exp: T0 + 60 });
      assert.ok((await v.validate(token)).ok);
      nowMs = (T0 + 60 + 301) * 1000;
      const later = await v.validate(token);
      assert.equal(later.ok ? 'ok' : later.error.code, 'expired');
    });
  });

  describe('signing keys', function () {
    it('discovers the key endpoint once and fetches the key set once for many tokens', async function () {
      const v = validator();
      for (let i = 0; i < 5; i++) assert.ok((await v.validate(await sign(v2Claims()))).ok);
      assert.equal(authority.discoveryHits, 1);
      assert.equal(authority.keysHits, 1);
      assert.equal(authority.fallbackHits, 0);
    });

    it('falls back to the common key endpoint when discovery fails', async function () {
      authority.discoveryStatus = 500;
      const result = await validator().validate(await sign(v2Claims()));
      assert.ok(result.ok, result.ok ? '' : result.error.message);
      assert.equal(authority.fallbackHits, 1);
    });

    it('picks up a rotated-in key after a refetch once the rate-limit window has passed', async function () {
      const v = validator();
      assert.ok((await v.validate(await sign(v2Claims()))).ok);
      assert.equal(authority.keysHits, 1);

      // Entra publishes key-b; a token signed with it arrives 31 s later.
      authority.published = [keyA.jwk, keyB.jwk];
      nowMs += 31_000;
      const rotated = await v.validate(await sign(v2Claims(), keyB));
      assert.ok(rotated.ok, rotated.ok ? '' : rotated.error.message);
      assert.equal(authority.keysHits, 2);
      // Known keys do not refetch.
      assert.ok((await v.validate(await sign(v2Claims(), keyB))).ok);
      assert.ok((await v.validate(await sign(v2Claims(), keyA))).ok);
      assert.equal(authority.keysHits, 2);
    });

    it('refetches at most once per 30 s, and an unknown kid inside the window is rejected', async function () {
      const v = validator();
      assert.ok((await v.validate(await sign(v2Claims()))).ok);
      assert.equal(authority.keysHits, 1);

      // key-b is published but the last fetch was just now: no refetch, reject.
      authority.published = [keyA.jwk, keyB.jwk];
      nowMs += 10_000;
      const early = await v.validate(await sign(v2Claims(), keyB));
      assert.equal(early.ok ? 'ok' : early.error.code, 'unknown_key');
      assert.equal(authority.keysHits, 1);

      // A flood of made-up kids within the window fetches nothing.
      const flood = await Promise.all(
        Array.from({ length: 20 }, async (_, i) =>
          v.validate(await sign(v2Claims(), attacker, `made-up-${i}`)),
        ),
      );
      assert.ok(flood.every((r) => !r.ok && r.error.code === 'unknown_key'));
      assert.equal(authority.keysHits, 1);

      // After the window, a flood of concurrent unknown kids shares a single fetch.
      nowMs += 21_000;
      const tokens = await Promise.all(
        Array.from({ length: 20 }, (_, i) => sign(v2Claims(), attacker, `made-up-again-${i}`)),
      );
      const second = await Promise.all(tokens.map((t) => v.validate(t)));
      assert.ok(second.every((r) => !r.ok && r.error.code === 'unknown_key'));
      assert.equal(authority.keysHits, 2);
      // And that fetch brought key-b.
      assert.ok((await v.validate(await sign(v2Claims(), keyB))).ok);
      assert.equal(authority.keysHits, 2);
    });

    it('answers jwks_unavailable when the key set cannot be fetched, and retries after a short backoff', async function () {
      authority.keysStatus = 503;
      const v = validator();
      const down = await v.validate(await sign(v2Claims()));
      assert.equal(down.ok ? 'ok' : down.error.code, 'jwks_unavailable');
      assert.equal(authority.keysHits, 1);

      const stillDown = await v.validate(await sign(v2Claims()));
      assert.equal(stillDown.ok ? 'ok' : stillDown.error.code, 'jwks_unavailable');
      assert.equal(authority.keysHits, 1, 'no refetch inside the failure backoff');

      authority.keysStatus = 200;
      nowMs += 5_000;
      assert.ok((await v.validate(await sign(v2Claims()))).ok);
      assert.equal(authority.keysHits, 2);
    });

    it('keeps serving cached keys when a refresh fails', async function () {
      const v = validator({ jwksMaxAgeMs: 60_000 });
      assert.ok((await v.validate(await sign(v2Claims()))).ok);
      authority.keysStatus = 500;
      nowMs += 61_000;
      assert.ok((await v.validate(await sign(v2Claims()))).ok);
      assert.equal(authority.keysHits, 2);
    });

    it('ignores JWKS entries that are not RS256 signing keys', async function () {
      authority.published = [
        { ...keyA.jwk, use: 'enc' },
        { ...keyA.jwk, kid: 'key-a-rs512', alg: 'RS512' },
        { kty: 'oct', kid: 'hmac', k: base64url.encode(spkiPem()) },
        keyB.jwk,
      ];
      const v = validator();
      for (const kid of ['key-a', 'key-a-rs512']) {
        const refused = await v.validate(await sign(v2Claims(), keyA, kid));
        assert.equal(refused.ok ? 'ok' : refused.error.code, 'unknown_key', kid);
      }
      assert.ok((await v.validate(await sign(v2Claims(), keyB))).ok);
    });

    it('takes the key set from an injected fetch', async function () {
      const seen: string[] = [];
      const v = validator({
        fetch: (input, init) => {
          seen.push(input instanceof Request ? input.url : input.toString());
          return fetch(input, init);
        },
      });
      assert.ok((await v.validate(await sign(v2Claims()))).ok);
      assert.deepEqual(seen, [
        `${authority.url}/${TENANT}/v2.0/.well-known/openid-configuration`,
        `${authority.url}/${TENANT}/discovery/v2.0/keys`,
      ]);
    });
  });
});

describe('SSO failure responses', function () {
  const codes: readonly SsoErrorCode[] = [
    'missing_token',
    'malformed',
    'bad_signature',
    'unknown_key',
    'wrong_audience',
    'wrong_issuer',
    'tenant_not_allowed',
    'expired',
    'not_yet_valid',
    'missing_scope',
    'wrong_version',
    'unsupported_alg',
    'jwks_unavailable',
  ];

  for (const code of codes) {
    it(`${code}: { code, message } with fixed text and no internal detail`, function () {
      const internal = `internal detail eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl for ${code}`;
      const body = ssoFailureBody({ code, message: internal });
      assert.deepEqual(Object.keys(body).sort(), ['code', 'message']);
      assert.equal(body.code, code);
      assert.ok(body.message.length > 20);
      assert.ok(!body.message.includes('eyJ'));
      assert.ok(!body.message.includes('internal detail'));
      assert.equal(ssoFailureStatus({ code }), code === 'jwks_unavailable' ? 503 : 401);
    });
  }

  it('bearerToken reads only a well-formed Bearer header', function () {
    assert.equal(bearerToken('Bearer abc.def.ghi'), 'abc.def.ghi');
    assert.equal(bearerToken('bearer abc.def.ghi'), 'abc.def.ghi');
    assert.equal(bearerToken('Basic dXNlcjpwYXNz'), undefined);
    assert.equal(bearerToken('Bearer'), undefined);
    assert.equal(bearerToken('Bearer a b'), undefined);
    assert.equal(bearerToken(undefined), undefined);
    assert.equal(bearerToken(['Bearer a', 'Bearer b']), undefined);
  });
});
