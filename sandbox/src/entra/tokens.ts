import { createHash, randomBytes } from 'node:crypto';
import { compactVerify, createLocalJWKSet, type JWTPayload } from 'jose';
import type { DemoUser } from '../seed/org.js';
import type { Issuer } from '../shared/issuer.js';
import type { Endpoints } from './endpoints.js';
import { Aadsts, refuse, succeed, type Outcome } from './errors.js';
import type { ResourceApp } from './resources.js';
import type { ResourceScopes } from './scopes.js';

/**
 * Minting and checking the JWTs Entra issues. Claim sets follow Microsoft's access-token and
 * ID-token claims references: the token *format* (v1.0 or v2.0) is the resource's choice, so a
 * Graph or Bot Framework token is v1.0 (`iss` https://sts.windows.net/{tid}/, `appid`) even
 * though it came from the v2.0 endpoint, while the CallBridge API gets v2.0 (`azp`).
 */

export interface IssuedToken {
  readonly token: string;
  readonly expiresIn: number;
}

export interface DelegatedTokenInput {
  readonly user: DemoUser;
  /** The client the token is issued to (`azp` in v2.0, `appid` in v1.0). */
  readonly clientId: string;
  readonly clientDisplayName: string;
  /** Confidential clients authenticate (`azpacr`/`appidacr` 1); Teams' own client is public (0). */
  readonly confidentialClient: boolean;
  readonly audience: string;
  readonly scopes: readonly string[];
  readonly version: 1 | 2;
  readonly lifetimeSeconds?: number;
  readonly amr?: readonly string[];
  /** Directory role template ids (`wids`); left out of the token when undefined. */
  readonly wids?: readonly string[] | undefined;
}

export interface AppTokenInput {
  readonly clientId: string;
  readonly clientDisplayName: string;
  readonly clientServicePrincipalId: string;
  readonly audience: string;
  readonly roles: readonly string[];
  readonly version: 1 | 2;
}

/** The parts of a verified user assertion the on-behalf-of flow relies on. */
export interface UserAssertion {
  readonly userId: string;
  readonly audience: string;
  readonly claims: JWTPayload;
}

/** Allowed clock skew for `nbf`, as token validators conventionally allow. */
const NOT_BEFORE_SKEW_SECONDS = 300;

export class TokenFactory {
  constructor(
    private readonly issuer: Issuer,
    private readonly endpoints: Endpoints,
    private readonly now: () => number,
    private readonly defaultLifetimeSeconds: number,
  ) {}

  get tenantId(): string {
    return this.endpoints.tenantId;
  }

  async delegated(input: DelegatedTokenInput): Promise<IssuedToken> {
    const lifetime = input.lifetimeSeconds ?? this.defaultLifetimeSeconds;
    const { user } = input;
    const common = {
      aud: input.audience,
      ...this.times(lifetime),
      aio: opaque(40),
      name: user.displayName,
      oid: user.id,
      rh: opaque(32),
      scp: input.scopes.join(' '),
      sub: pairwiseSubject(user.id, input.clientId),
      tid: this.tenantId,
      uti: opaque(16),
      ...(input.wids === undefined ? {} : { wids: [...input.wids] }),
    };
    const claims =
      input.version === 2
        ? {
            ...common,
            iss: this.endpoints.issuerV2(),
            azp: input.clientId,
            azpacr: input.confidentialClient ? '1' : '0',
            preferred_username: user.userPrincipalName,
            ver: '2.0',
          }
        : {
            ...common,
            iss: this.endpoints.issuerV1(),
            acr: '1',
            amr: [...(input.amr ?? ['pwd'])],
            app_displayname: input.clientDisplayName,
            appid: input.clientId,
            appidacr: input.confidentialClient ? '1' : '0',
            family_name: user.surname,
            given_name: user.givenName,
            ipaddr: '127.0.0.1',
            unique_name: user.userPrincipalName,
            upn: user.userPrincipalName,
            ver: '1.0',
          };
    return { token: await this.issuer.sign(claims), expiresIn: lifetime };
  }

  async appOnly(input: AppTokenInput): Promise<IssuedToken> {
    const lifetime = this.defaultLifetimeSeconds;
    const common = {
      aud: input.audience,
      ...this.times(lifetime),
      aio: opaque(40),
      idtyp: 'app',
      oid: input.clientServicePrincipalId,
      rh: opaque(32),
      // Entra omits `roles` entirely when the client holds no application permission.
      ...(input.roles.length > 0 ? { roles: [...input.roles] } : {}),
      sub: input.clientServicePrincipalId,
      tid: this.tenantId,
      uti: opaque(16),
    };
    const claims =
      input.version === 2
        ? { ...common, iss: this.endpoints.issuerV2(), azp: input.clientId, azpacr: '1', ver: '2.0' }
        : {
            ...common,
            iss: this.endpoints.issuerV1(),
            app_displayname: input.clientDisplayName,
            appid: input.clientId,
            appidacr: '1',
            idp: this.endpoints.issuerV1(),
            ver: '1.0',
          };
    return { token: await this.issuer.sign(claims), expiresIn: lifetime };
  }

  /** A v2.0 ID token for the client (`aud` = client id), with `nonce` when the sign-in sent one. */
  async idToken(
    user: DemoUser,
    clientId: string,
    nonce: string | undefined,
    email: boolean,
  ): Promise<string> {
    return this.issuer.sign({
      aud: clientId,
      iss: this.endpoints.issuerV2(),
      ...this.times(3600),
      aio: opaque(40),
      name: user.displayName,
      ...(nonce === undefined ? {} : { nonce }),
      ...(email ? { email: user.mail } : {}),
      oid: user.id,
      preferred_username: user.userPrincipalName,
      rh: opaque(32),
      sub: pairwiseSubject(user.id, clientId),
      tid: this.tenantId,
      uti: opaque(16),
      ver: '2.0',
    });
  }

  /**
   * Checks a token presented as an on-behalf-of assertion: signed by this tenant's keys,
   * issued by this tenant (v1.0 or v2.0 issuer), within its validity, for one of
   * `acceptedAudiences`, and representing a user (delegated `scp`, an `oid`).
   */
  async verifyUserAssertion(
    assertion: string,
    acceptedAudiences: readonly string[],
  ): Promise<Outcome<UserAssertion>> {
    let claims: JWTPayload;
    try {
      const { payload } = await compactVerify(assertion, createLocalJWKSet(this.issuer.jwks()), {
        algorithms: ['RS256'],
      });
      claims = JSON.parse(new TextDecoder().decode(payload)) as JWTPayload;
    } catch {
      return refuse(
        Aadsts.invalidAssertion('The signature could not be validated with the tenant signing keys.'),
      );
    }
    const issuers = [this.endpoints.issuerV2(), this.endpoints.issuerV1()];
    if (typeof claims.iss !== 'string' || !issuers.includes(claims.iss) || claims.tid !== this.tenantId) {
      return refuse(Aadsts.invalidAssertion(`The token issuer '${String(claims.iss)}' is not this tenant.`));
    }
    const nowMs = this.now();
    const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : 0;
    const nbf = typeof claims.nbf === 'number' ? claims.nbf * 1000 : 0;
    if (exp <= nowMs || nbf - NOT_BEFORE_SKEW_SECONDS * 1000 > nowMs)
      return refuse(Aadsts.assertionExpired(nowMs, exp));
    const audience = typeof claims.aud === 'string' ? claims.aud : '';
    if (!acceptedAudiences.some((accepted) => accepted.toLowerCase() === audience.toLowerCase())) {
      return refuse(
        Aadsts.invalidAssertion(
          `The assertion audience '${audience}' does not match the client app presenting it.`,
        ),
      );
    }
    if (typeof claims.scp !== 'string' || typeof claims.oid !== 'string') {
      return refuse(Aadsts.invalidAssertion('The assertion is not a delegated user token.'));
    }
    return succeed({ userId: claims.oid, audience, claims });
  }

  private times(lifetimeSeconds: number): { iat: number; nbf: number; exp: number } {
    const iat = Math.floor(this.now() / 1000);
    return { iat, nbf: iat, exp: iat + lifetimeSeconds };
  }
}

/**
 * The `aud` a token for this request carries. v2.0 tokens always name the resource's app id;
 * v1.0 tokens carry the identifier the client asked with, so Graph tokens read
 * `https://graph.microsoft.com` when requested as such and the Graph app id when a bare scope
 * (`User.Read`) was requested.
 */
export function audienceFor(request: ResourceScopes): string {
  if (request.resource.accessTokenVersion === 2 || request.bare) return request.resource.appId;
  return request.identifier.replace(/\/+$/, '');
}

/** The audiences a token for `api` may carry (its app id and identifier URIs). */
export function audiencesOf(api: ResourceApp): readonly string[] {
  return [api.appId, ...api.identifierUris];
}

/** Entra's `sub` is pairwise: stable per user and application, unlinkable across applications. */
export function pairwiseSubject(userId: string, appId: string): string {
  return createHash('sha256')
    .update(`${userId.toLowerCase()}|${appId.toLowerCase()}`)
    .digest('base64url')
    .slice(0, 43);
}

/** Opaque random text, as Entra's `aio`, `rh`, `uti`, codes and refresh tokens look to clients. */
export function opaque(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}
