import { randomUUID } from 'node:crypto';
import {
  SignJWT,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  createLocalJWKSet,
  type JWK,
  type JWTPayload,
  type CryptoKey,
} from 'jose';

/**
 * An RS256 signing authority with a JWKS of (at least) two keys, like Entra ID and the Bot
 * Framework publish: tokens are signed with the active key, and `rotate()` moves signing to a
 * fresh key while the old one stays published, so verifiers must select keys by `kid`.
 */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export class Issuer {
  private keys: SigningKey[] = [];
  private active = 0;

  private constructor() {}

  static async create(keyCount = 2): Promise<Issuer> {
    const issuer = new Issuer();
    for (let i = 0; i < keyCount; i += 1) issuer.keys.push(await newKey());
    return issuer;
  }

  /** The JSON Web Key Set to publish at the `jwks_uri`. */
  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }

  get activeKid(): string {
    const key = this.keys[this.active];
    if (key === undefined) throw new Error('issuer has no keys');
    return key.kid;
  }

  /**
   * Rotates the way Entra ID and the Bot Framework do: signing moves to a key that was already
   * published (so verifiers that cached the JWKS know it), a fresh key is published for the next
   * rotation, and the key that signed until now stays published while its tokens are in flight.
   * Keys older than that are retired beyond `keep`.
   */
  async rotate(keep = 3): Promise<void> {
    const previous = this.keys[this.active];
    const prePublished = [...this.keys].reverse().find((k) => k !== previous);
    const next = prePublished ?? (await newKey());
    if (prePublished === undefined) this.keys.push(next);
    this.keys.push(await newKey());
    const protectedKeys = new Set([previous, next]);
    while (this.keys.length > Math.max(keep, 3)) {
      const retiring = this.keys.findIndex((k) => !protectedKeys.has(k));
      this.keys.splice(retiring, 1);
    }
    this.active = this.keys.indexOf(next);
  }

  async sign(
    claims: JWTPayload & Record<string, unknown>,
    options: { lifetimeSeconds?: number; kid?: string } = {},
  ): Promise<string> {
    const key =
      options.kid === undefined ? this.keys[this.active] : this.keys.find((k) => k.kid === options.kid);
    if (key === undefined) throw new Error(`no signing key ${options.kid ?? ''}`);
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iat: now, nbf: now, exp: now + (options.lifetimeSeconds ?? 3600), ...claims })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid, x5t: key.kid })
      .sign(key.privateKey);
  }

  /** Verifies a token this issuer signed (used by stand-ins to check bearer tokens they issued). */
  async verify(token: string): Promise<JWTPayload | undefined> {
    try {
      const { payload } = await jwtVerify(token, createLocalJWKSet(this.jwks()), { algorithms: ['RS256'] });
      return payload;
    } catch {
      return undefined;
    }
  }
}

async function newKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', {
    modulusLength: 2048,
    extractable: true,
  });
  const kid = randomUUID().replace(/-/g, '').slice(0, 27);
  const publicJwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256', kty: 'RSA' };
  return { kid, privateKey, publicJwk };
}
