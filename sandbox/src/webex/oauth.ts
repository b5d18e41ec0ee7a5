import { createHash, timingSafeEqual } from 'node:crypto';
import { opaqueSecret, uuidOf } from './ids.js';

/**
 * The Webex OAuth authorization server for integrations: authorization codes (single use,
 * bound to client and redirect URI, PKCE-checked when a challenge was sent), grants with a
 * refresh token, and opaque access tokens that carry the person and the granted scopes.
 * Lifetimes per the Integrations guide: access 14 days, refresh 90 days, and the refresh
 * clock restarts whenever the refresh token is used.
 */

/** An integration registered in the sandbox (Webex: My Webex Apps → integration). */
export interface WebexIntegration {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  /** Scopes the integration was registered with; authorize requests may ask for a subset. */
  readonly scopes: readonly string[];
  readonly name?: string;
}

/** Who a valid access token acts for. */
export interface Principal {
  readonly personId: string;
  readonly scopes: readonly string[];
  readonly clientId: string;
}

/** Body of a successful `POST /v1/access_token`. */
export interface TokenResponse {
  readonly access_token: string;
  readonly expires_in: number;
  readonly refresh_token: string;
  readonly refresh_token_expires_in: number;
  readonly token_type: 'Bearer';
  readonly scope: string;
}

export type OAuthErrorCode =
  'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope';

/** A token-endpoint refusal: RFC 6749 code plus a human description. */
export interface OAuthFailure {
  readonly error: OAuthErrorCode;
  readonly description: string;
}

export interface AuthorizationRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly personId: string;
  readonly codeChallenge: string | undefined;
  readonly codeChallengeMethod: 'S256' | 'plain' | undefined;
}

export interface OAuthLifetimes {
  readonly accessTokenSeconds: number;
  readonly refreshTokenSeconds: number;
  readonly codeSeconds: number;
}

export const DEFAULT_LIFETIMES: OAuthLifetimes = {
  accessTokenSeconds: 1_209_600,
  refreshTokenSeconds: 7_776_000,
  codeSeconds: 300,
};

interface CodeRecord extends AuthorizationRequest {
  readonly expiresAt: number;
  used: boolean;
  grantId: string | undefined;
}

interface Grant {
  readonly id: string;
  readonly personId: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly refreshToken: string;
  refreshExpiresAt: number;
  revoked: boolean;
}

interface AccessToken {
  readonly grantId: string;
  expiresAt: number;
}

export type TokenCheck = { readonly ok: true; readonly principal: Principal } | { readonly ok: false };

export class OAuthServer {
  private readonly integrations = new Map<string, WebexIntegration>();
  private readonly codes = new Map<string, CodeRecord>();
  private readonly grants = new Map<string, Grant>();
  private readonly grantByRefresh = new Map<string, Grant>();
  private readonly tokens = new Map<string, AccessToken>();

  constructor(
    integrations: readonly WebexIntegration[],
    private readonly orgId: string,
    private readonly now: () => number,
    private readonly lifetimes: OAuthLifetimes = DEFAULT_LIFETIMES,
  ) {
    for (const integration of integrations) this.integrations.set(integration.clientId, integration);
  }

  integration(clientId: string): WebexIntegration | undefined {
    return this.integrations.get(clientId);
  }

  /** Issues a single-use authorization code once the person accepted. */
  issueCode(request: AuthorizationRequest): string {
    const code = opaqueSecret(32);
    this.codes.set(code, {
      ...request,
      expiresAt: this.now() + this.lifetimes.codeSeconds * 1000,
      used: false,
      grantId: undefined,
    });
    return code;
  }

  /** `grant_type=authorization_code`. */
  exchangeCode(params: {
    code: string | undefined;
    clientId: string;
    redirectUri: string | undefined;
    codeVerifier: string | undefined;
  }): TokenResponse | OAuthFailure {
    const record = params.code === undefined ? undefined : this.codes.get(params.code);
    if (record === undefined) return fail('invalid_grant', 'The authorization code is invalid.');
    if (record.used) {
      // A replayed code revokes what it produced (RFC 6749 §4.1.2).
      if (record.grantId !== undefined) this.revokeGrant(record.grantId);
      return fail('invalid_grant', 'The authorization code has already been used.');
    }
    if (record.expiresAt <= this.now()) return fail('invalid_grant', 'The authorization code has expired.');
    if (record.clientId !== params.clientId)
      return fail('invalid_grant', 'The authorization code was issued to another client.');
    if (record.redirectUri !== params.redirectUri)
      return fail('invalid_grant', 'The redirect_uri does not match the authorization request.');
    const pkce = checkPkce(record, params.codeVerifier);
    if (pkce !== undefined) return pkce;
    record.used = true;
    const grant = this.newGrant(record.personId, record.clientId, record.scopes);
    record.grantId = grant.id;
    return this.tokenResponse(grant);
  }

  /** `grant_type=refresh_token`: a new access token; the same refresh token lives 90 days from now. */
  refresh(clientId: string, refreshToken: string | undefined): TokenResponse | OAuthFailure {
    const grant = refreshToken === undefined ? undefined : this.grantByRefresh.get(refreshToken);
    if (
      grant === undefined ||
      grant.revoked ||
      grant.refreshExpiresAt <= this.now() ||
      grant.clientId !== clientId
    ) {
      return fail('invalid_grant', 'The refresh token provided is expired, revoked, malformed, or invalid.');
    }
    grant.refreshExpiresAt = this.now() + this.lifetimes.refreshTokenSeconds * 1000;
    return this.tokenResponse(grant);
  }

  /** Mints tokens without the browser dance (tests, console): as if the person had consented. */
  issueDirect(personId: string, clientId: string, scopes: readonly string[]): TokenResponse {
    return this.tokenResponse(this.newGrant(personId, clientId, scopes));
  }

  /** Resolves a bearer token to its principal when valid and unexpired. */
  check(token: string | undefined): TokenCheck {
    const record = token === undefined ? undefined : this.tokens.get(token);
    if (record === undefined || record.expiresAt <= this.now()) return { ok: false };
    const grant = this.grants.get(record.grantId);
    if (grant === undefined || grant.revoked) return { ok: false };
    return {
      ok: true,
      principal: { personId: grant.personId, scopes: grant.scopes, clientId: grant.clientId },
    };
  }

  /** Expires every access token of the person now (refresh tokens keep working). */
  expireAccessTokens(personId: string): number {
    let count = 0;
    for (const token of this.tokens.values()) {
      if (this.grants.get(token.grantId)?.personId === personId && token.expiresAt > this.now()) {
        token.expiresAt = this.now();
        count += 1;
      }
    }
    return count;
  }

  /** Revokes the person's grants (optionally for one client): tokens stop working, refresh fails. */
  revokeGrants(personId: string, clientId?: string): number {
    let count = 0;
    for (const grant of this.grants.values()) {
      if (
        grant.personId === personId &&
        !grant.revoked &&
        (clientId === undefined || grant.clientId === clientId)
      ) {
        this.revokeGrant(grant.id);
        count += 1;
      }
    }
    return count;
  }

  /** Application id Webex reports for an integration (`appId` of webhooks). */
  appId(clientId: string): string {
    return Buffer.from(`ciscospark://us/APPLICATION/${clientId}`).toString('base64url');
  }

  private revokeGrant(id: string): void {
    const grant = this.grants.get(id);
    if (grant !== undefined) grant.revoked = true;
  }

  private newGrant(personId: string, clientId: string, scopes: readonly string[]): Grant {
    const refreshToken = this.opaqueToken();
    const grant: Grant = {
      id: opaqueSecret(12),
      personId,
      clientId,
      scopes: [...scopes],
      refreshToken,
      refreshExpiresAt: this.now() + this.lifetimes.refreshTokenSeconds * 1000,
      revoked: false,
    };
    this.grants.set(grant.id, grant);
    this.grantByRefresh.set(refreshToken, grant);
    return grant;
  }

  private tokenResponse(grant: Grant): TokenResponse {
    const accessToken = this.opaqueToken();
    this.tokens.set(accessToken, {
      grantId: grant.id,
      expiresAt: this.now() + this.lifetimes.accessTokenSeconds * 1000,
    });
    return {
      access_token: accessToken,
      expires_in: this.lifetimes.accessTokenSeconds,
      refresh_token: grant.refreshToken,
      refresh_token_expires_in: Math.max(0, Math.floor((grant.refreshExpiresAt - this.now()) / 1000)),
      token_type: 'Bearer',
      scope: grant.scopes.join(' '),
    };
  }

  /** Webex tokens look like `<random>_<cluster>_<org uuid>`; opaque to clients either way. */
  private opaqueToken(): string {
    return `${opaqueSecret(48)}_PF84_${uuidOf(this.orgId) ?? 'org'}`;
  }
}

function fail(error: OAuthErrorCode, description: string): OAuthFailure {
  return { error, description };
}

/** Type guard for the token endpoint's two outcomes. */
export function isOAuthFailure(value: TokenResponse | OAuthFailure): value is OAuthFailure {
  return 'error' in value;
}

function checkPkce(record: CodeRecord, verifier: string | undefined): OAuthFailure | undefined {
  if (record.codeChallenge === undefined) return undefined;
  if (verifier === undefined || !/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) {
    return fail('invalid_grant', 'A valid code_verifier is required for this authorization code.');
  }
  const computed =
    record.codeChallengeMethod === 'plain'
      ? verifier
      : createHash('sha256').update(verifier).digest('base64url');
  const a = Buffer.from(computed);
  const b = Buffer.from(record.codeChallenge);
  if (a.length !== b.length || !timingSafeEqual(a, b))
    return fail('invalid_grant', 'The code_verifier does not match the code_challenge.');
  return undefined;
}
