import { decodeJwt } from 'jose';
import { forbidden, invalidToken, GraphError, type ErrorDialect } from './errors.js';

/**
 * Who is calling, read from a Graph access token: delegated tokens carry `scp` (space-separated
 * scopes) and the signed-in user's `oid`; application tokens carry `roles` and no user.
 */
export interface Caller {
  readonly kind: 'delegated' | 'application';
  readonly tenantId: string;
  /** The client application (`azp` in v2 tokens, `appid` in v1 tokens). */
  readonly appId: string;
  /** The signed-in user (delegated tokens only). */
  readonly userId: string | undefined;
  /** `scp` for delegated tokens, `roles` for application tokens. */
  readonly permissions: ReadonlySet<string>;
  /** Token expiry (ms); a subscription's delivery pauses once the token that authorised it expires. */
  readonly expiresAt: number | undefined;
}

/** Verifies a bearer token's signature and returns its claims, or undefined when it is not valid. */
export type VerifyAccessToken = (token: string) => Promise<Readonly<Record<string, unknown>> | undefined>;

/** Graph accepts its resource URI and its application id as the audience. */
const GRAPH_AUDIENCES = new Set([
  'https://graph.microsoft.com',
  'https://graph.microsoft.com/',
  '00000003-0000-0000-c000-000000000000',
]);

/**
 * Turns the `Authorization` header into a caller, or throws Graph's 401. Expiry is checked against
 * the stand-in's clock as well as by the verifier, so tests can expire tokens by advancing time.
 */
export async function authenticate(
  authorization: string | undefined,
  verify: VerifyAccessToken,
  now: number,
  tenantId: string,
): Promise<Caller> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (token === undefined) throw invalidToken('Access token is empty.');
  const claims = await verify(token);
  if (claims === undefined) {
    // The verifier does not say why it refused; an expired `exp` is the case clients handle specially.
    throw invalidToken(
      isExpired(unverifiedClaims(token), now) ? expiredMessage : 'Access token validation failure.',
    );
  }
  if (isExpired(claims, now)) throw invalidToken(expiredMessage);
  const aud = claims.aud;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.some((a) => typeof a === 'string' && GRAPH_AUDIENCES.has(a))) {
    throw invalidToken('Access token validation failure. Invalid audience.');
  }
  if (claims.tid !== tenantId) throw invalidToken('Access token validation failure. Invalid tenant.');
  const appId = stringClaim(claims, 'azp') ?? stringClaim(claims, 'appid');
  if (appId === undefined) throw invalidToken('Access token validation failure.');
  const scp = stringClaim(claims, 'scp');
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  if (scp !== undefined) {
    const userId = stringClaim(claims, 'oid');
    if (userId === undefined) throw invalidToken('Access token validation failure.');
    return {
      kind: 'delegated',
      tenantId,
      appId,
      userId,
      permissions: new Set(scp.split(' ').filter(Boolean)),
      expiresAt: exp,
    };
  }
  const roles = Array.isArray(claims.roles)
    ? claims.roles.filter((r): r is string => typeof r === 'string')
    : [];
  return {
    kind: 'application',
    tenantId,
    appId,
    userId: undefined,
    permissions: new Set(roles),
    expiresAt: exp,
  };
}

const expiredMessage = 'Lifetime validation failed, the token is expired.';

function isExpired(claims: Readonly<Record<string, unknown>> | undefined, now: number): boolean {
  return typeof claims?.exp === 'number' && claims.exp * 1000 <= now;
}

function unverifiedClaims(token: string): Readonly<Record<string, unknown>> | undefined {
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

function stringClaim(claims: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The permissions an endpoint accepts, least privileged first, per token kind. An empty list means
 * that token kind is not supported by the endpoint.
 */
export interface PermissionRule {
  readonly delegated: readonly string[];
  readonly application: readonly string[];
}

export function hasPermission(caller: Caller, rule: PermissionRule): boolean {
  const accepted = caller.kind === 'delegated' ? rule.delegated : rule.application;
  return accepted.some((p) => caller.permissions.has(p));
}

/** Throws the owning service's 403 unless the token carries one of the rule's permissions. */
export function requirePermission(caller: Caller, rule: PermissionRule, dialect: ErrorDialect): void {
  if (hasPermission(caller, rule)) return;
  const accepted = caller.kind === 'delegated' ? rule.delegated : rule.application;
  throw forbidden(dialect, accepted, [...caller.permissions]);
}

/** `/me` needs a signed-in user; Graph rejects it for app-only tokens with this 400. */
export function signedInUser(caller: Caller): string {
  if (caller.userId === undefined) {
    throw new GraphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
  }
  return caller.userId;
}
