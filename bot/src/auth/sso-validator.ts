import { compactVerify, decodeProtectedHeader, errors, type CryptoKey } from 'jose';
import { z } from 'zod';
import type { Config } from '../config/env.js';
import type { Logger } from '../observability/logger.js';
import { err, ok, type Result } from '../shared/result.js';
import { createJwksCache, printableKid, type JwksCache } from './jwks-cache.js';
import type { SsoError, SsoErrorCode } from './sso-errors.js';

export type { SsoError, SsoErrorCode } from './sso-errors.js';
export { ssoFailureBody, ssoFailureStatus } from './sso-errors.js';

/**
 * Who a valid Teams SSO token (from `authentication.getAuthToken()` in the tab, or
 * `value.authentication.token` in a messaging-extension invoke) says the caller is.
 */
export interface SsoIdentity {
  readonly tenantId: string;
  readonly aadObjectId: string;
  readonly name?: string;
  readonly preferredUsername?: string;
  /** The delegated scopes (`scp`), e.g. `['access_as_user']`. */
  readonly scopes: readonly string[];
  /**
   * The template ids (lower-case GUIDs) of the caller's tenant-wide directory roles, from the
   * `wids` claim, which Entra emits because the app manifest sets `groupMembershipClaims` to
   * `DirectoryRole`. Absent when the token carries no such claim or a malformed one; absence
   * means "no role known", never "admin".
   */
  readonly wids?: readonly string[];
  /** When the token expires, epoch ms. */
  readonly expiresAt: number;
  /** The token itself, for the on-behalf-of exchange. A credential: never log it, never return it. */
  readonly token: string;
}

export interface SsoValidator {
  /** Accepts the raw token (no `Bearer ` prefix; see {@link bearerToken}). */
  validate(token: string | undefined): Promise<Result<SsoIdentity, SsoError>>;
}

export interface SsoValidatorOptions {
  /** Our Entra app's client id: the `aud` of v2 Teams SSO tokens. */
  readonly clientId: string;
  /** `api://<host>/botid-<botId>`: the other accepted `aud` form. */
  readonly applicationIdUri: string;
  /** Home tenant: where the OpenID configuration (and so the key endpoint) is discovered. */
  readonly tenantId: string;
  /** e.g. `https://login.microsoftonline.com`: v2 issuer is `${authorityHost}/${tid}/v2.0`. */
  readonly authorityHost: string;
  /** e.g. `https://sts.windows.net`: v1 issuer is `${v1TokenIssuerHost}/${tid}/`. */
  readonly v1TokenIssuerHost: string;
  readonly allowedTenantIds: readonly string[];
  /** Default `access_as_user`. */
  readonly requiredScope?: string;
  /** Tolerance on `exp`/`nbf`. Default and maximum 300 s; larger values are capped. */
  readonly clockSkewSeconds?: number;
  /** Minimum time between two key-set fetches. Default 30 s. */
  readonly jwksRefetchIntervalMs?: number;
  /** Keys older than this are refreshed on the next lookup. Default 24 h. */
  readonly jwksMaxAgeMs?: number;
  readonly fetch?: typeof fetch;
  /** Epoch ms. */
  readonly now?: () => number;
  readonly logger?: Logger;
}

export const MAX_CLOCK_SKEW_SECONDS = 300;
const MAX_TOKEN_CHARS = 16 * 1024;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** More than there are built-in Entra roles; a longer list is not a list Entra made. */
const MAX_WIDS = 256;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const widsSchema = z.array(z.string().regex(GUID)).max(MAX_WIDS);

/** What the validator needs from the loaded configuration. */
export function ssoValidatorOptionsFromConfig(
  config: Pick<Config, 'entra'>,
): Pick<
  SsoValidatorOptions,
  'clientId' | 'applicationIdUri' | 'tenantId' | 'authorityHost' | 'v1TokenIssuerHost' | 'allowedTenantIds'
> {
  const { clientId, applicationIdUri, tenantId, authorityHost, v1TokenIssuerHost, allowedTenantIds } =
    config.entra;
  return { clientId, applicationIdUri, tenantId, authorityHost, v1TokenIssuerHost, allowedTenantIds };
}

/** The token from an `Authorization: Bearer <token>` header, or `undefined`. */
export function bearerToken(header: string | readonly string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  return match?.[1];
}

// Only what we read; everything else in the token is ignored.
const claimsSchema = z.object({
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  tid: z.string().min(1).max(128),
  oid: z.string().min(1).max(128),
  exp: z.number(),
  nbf: z.number().optional(),
  ver: z.string().optional(),
  scp: z.string().optional(),
  name: z.string().optional(),
  preferred_username: z.string().optional(),
  upn: z.string().optional(),
  // Checked on its own (see readWids): a bad shape here must not refuse sign-in.
  wids: z.unknown().optional(),
});

export function createSsoValidator(options: SsoValidatorOptions): SsoValidator {
  const now = options.now ?? Date.now;
  const skew = clockSkew(options.clockSkewSeconds);
  const requiredScope = options.requiredScope ?? 'access_as_user';
  const authorityHost = stripSlash(options.authorityHost);
  const v1Host = stripSlash(options.v1TokenIssuerHost);
  const allowed = new Set(options.allowedTenantIds.map((t) => t.toLowerCase()));
  const audiences = new Set([options.clientId, options.applicationIdUri]);
  const jwks: JwksCache = createJwksCache({
    discoveryUrl: `${authorityHost}/${options.tenantId}/v2.0/.well-known/openid-configuration`,
    fallbackJwksUri: `${authorityHost}/common/discovery/v2.0/keys`,
    fetch: options.fetch ?? globalThis.fetch,
    now,
    ...(options.jwksRefetchIntervalMs === undefined
      ? {}
      : { refetchIntervalMs: options.jwksRefetchIntervalMs }),
    ...(options.jwksMaxAgeMs === undefined ? {} : { maxAgeMs: options.jwksMaxAgeMs }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });

  async function verifySignature(token: string): Promise<Result<Uint8Array, SsoError>> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return fail('malformed', 'the token header is not valid base64url JSON');
    }
    if (header.alg !== 'RS256') {
      return fail('unsupported_alg', `tokens must be signed with RS256 (got ${printableAlg(header.alg)})`);
    }
    // Unencoded payloads and critical extensions have no place in an Entra access token.
    if (header.crit !== undefined || header.b64 !== undefined) {
      return fail('malformed', 'the token header carries crit/b64 parameters');
    }
    const kid = header.kid;
    if (typeof kid !== 'string' || kid === '' || kid.length > 256) {
      return fail('malformed', 'the token header has no key id (kid)');
    }
    // Keys come only from the authority's JWKS; jku/x5u/jwk in the header are never followed.
    const key = await jwks.getKey(kid);
    if (!key.ok) return err(key.error);
    return await verifyWith(token, key.value, kid);
  }

  return {
    async validate(token) {
      if (token === undefined || token.trim() === '') {
        return fail('missing_token', 'no SSO token was sent');
      }
      if (token.length > MAX_TOKEN_CHARS || !COMPACT_JWS.test(token)) {
        return fail('malformed', 'the token is not a compact JWS');
      }
      const verified = await verifySignature(token);
      if (!verified.ok) return verified;

      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(verified.value));
      } catch {
        return fail('malformed', 'the token payload is not JSON');
      }
      const parsed = claimsSchema.safeParse(json);
      if (!parsed.success) {
        const names = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? 'payload')))].join(', ');
        return fail('malformed', `the token lacks or mistypes required claims: ${names}`);
      }
      const claims = parsed.data;
      const tid = claims.tid;

      const v2Issuer = `${authorityHost}/${tid}/v2.0`;
      const v1Issuer = `${v1Host}/${tid}/`;
      const form = claims.iss === v2Issuer ? 'v2' : claims.iss === v1Issuer ? 'v1' : undefined;
      if (form === undefined) {
        return fail(
          'wrong_issuer',
          `the issuer is not the Entra authority of the token's tenant (expected ${authorityHost}/<tid>/v2.0 or ${v1Host}/<tid>/)`,
        );
      }
      const expectedVersion = form === 'v2' ? '2.0' : '1.0';
      if (claims.ver !== expectedVersion) {
        return fail('wrong_version', `a ${form} issuer must come with ver "${expectedVersion}"`);
      }
      if (typeof claims.aud !== 'string' || !audiences.has(claims.aud)) {
        return fail(
          'wrong_audience',
          `the token is not for this app (audience must be ${options.clientId} or ${options.applicationIdUri})`,
        );
      }
      if (!allowed.has(tid.toLowerCase())) {
        return fail('tenant_not_allowed', `tenant ${printableTenant(tid)} is not in ALLOWED_TENANT_IDS`);
      }
      const nowSeconds = now() / 1000;
      if (nowSeconds > claims.exp + skew) {
        return fail('expired', `the token expired more than ${skew} s ago`);
      }
      if (claims.nbf !== undefined && nowSeconds < claims.nbf - skew) {
        return fail('not_yet_valid', `the token is not valid for more than ${skew} s yet (check clocks)`);
      }
      const scopes = (claims.scp ?? '').split(' ').filter((s) => s.length > 0);
      if (!scopes.includes(requiredScope)) {
        return fail('missing_scope', `the token lacks the delegated scope ${requiredScope}`);
      }

      const preferredUsername = claims.preferred_username ?? claims.upn;
      const wids = readWids(claims.wids, options.logger);
      return ok({
        tenantId: tid,
        aadObjectId: claims.oid,
        ...(claims.name === undefined ? {} : { name: claims.name }),
        ...(preferredUsername === undefined ? {} : { preferredUsername }),
        scopes,
        ...(wids === undefined ? {} : { wids }),
        expiresAt: claims.exp * 1000,
        token,
      });
    },
  };
}

async function verifyWith(token: string, key: CryptoKey, kid: string): Promise<Result<Uint8Array, SsoError>> {
  try {
    const { payload } = await compactVerify(token, key, { algorithms: ['RS256'] });
    return ok(payload);
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      return fail('bad_signature', `the signature does not verify with key ${printableKid(kid)}`);
    }
    return fail(
      'malformed',
      `the token could not be verified (${error instanceof errors.JOSEError ? error.code : 'error'})`,
    );
  }
}

/**
 * The `wids` claim as lower-case template ids, or `undefined` when absent or malformed. A
 * malformed claim is ignored, not refused: the token still proves who the caller is, and only
 * role checks (which then see no role) depend on it.
 */
function readWids(claim: unknown, logger: Logger | undefined): readonly string[] | undefined {
  if (claim === undefined) return undefined;
  const parsed = widsSchema.safeParse(claim);
  if (!parsed.success) {
    logger?.warn(
      { claim: 'wids' },
      'ignored a malformed wids claim in an SSO token; no directory role assumed',
    );
    return undefined;
  }
  return parsed.data.map((id) => id.toLowerCase());
}

function fail(code: SsoErrorCode, message: string): Result<never, SsoError> {
  return err({ code, message });
}

function clockSkew(seconds: number | undefined): number {
  if (seconds === undefined) return MAX_CLOCK_SKEW_SECONDS;
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new RangeError('clockSkewSeconds must be a non-negative number');
  return Math.min(seconds, MAX_CLOCK_SKEW_SECONDS);
}

function stripSlash(u: string): string {
  return u.replace(/\/+$/, '');
}

function printableAlg(alg: unknown): string {
  return typeof alg === 'string' && /^[A-Za-z0-9_-]{1,16}$/.test(alg) ? `"${alg}"` : 'an unsupported value';
}

function printableTenant(tid: string): string {
  return /^[0-9a-fA-F-]{36}$/.test(tid) ? tid : '(not a GUID)';
}
