import { stableGuid, type DemoUser } from '../../seed/org.js';
import type { EntraContext } from '../context.js';
import type { RegisteredApp } from '../directory.js';
import { Aadsts, refuse, succeed, type Outcome } from '../errors.js';
import { GRAPH_APP_ID, MICROSOFT_GRAPH } from '../resources.js';
import { formatScope, type ResourceScopes } from '../scopes.js';
import { audienceFor } from '../tokens.js';

/**
 * What every user-delegated grant (on-behalf-of, refresh token, authorization code) shares:
 * deciding which scopes the user's consent covers, and shaping Entra's token response.
 */

/** Entra's token endpoint success body. */
export interface TokenResponseBody {
  readonly token_type: 'Bearer';
  readonly scope?: string;
  readonly expires_in: number;
  readonly ext_expires_in: number;
  readonly access_token: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
  readonly client_info?: string;
}

/** The scopes a delegated token will carry for one resource. */
export interface DelegatedGrant {
  readonly request: ResourceScopes;
  /** Consented scopes of the resource: the token carries all of them, as Entra's do. */
  readonly scopes: readonly string[];
}

/** A sign-in that names no resource (only OIDC scopes) yields a Graph token, as in Entra. */
const SIGN_IN_ONLY: ResourceScopes = {
  resource: MICROSOFT_GRAPH,
  identifier: GRAPH_APP_ID,
  bare: true,
  isDefault: true,
  names: [],
};

/** The Conditional Access policy the sandbox's "require MFA" control stands for. */
const MFA_POLICY_ID = stableGuid('conditional-access:require-mfa');

/**
 * Decides whether the user's consent (their own or the admin's, unless they revoked it) covers
 * the request, and whether a forced MFA requirement blocks non-interactive issuance.
 */
export function authorizeDelegated(
  ctx: EntraContext,
  client: RegisteredApp,
  user: DemoUser,
  request: ResourceScopes | undefined,
): Outcome<DelegatedGrant> {
  if (ctx.ledger.isConsentRevoked(user.id, client.clientId)) {
    return refuse(Aadsts.consentRequired(client.clientId, client.displayName));
  }
  const target = request ?? SIGN_IN_ONLY;
  const granted = ctx.ledger.delegatedScopes(user.id, client.clientId, target.resource.appId);
  if (request !== undefined) {
    const covered = request.isDefault ? granted.size > 0 : request.names.every((name) => granted.has(name));
    if (!covered) return refuse(Aadsts.consentRequired(client.clientId, client.displayName));
  }
  if (ctx.ledger.isMfaRequired(user.id)) {
    const claims = JSON.stringify({ access_token: { polids: { essential: true, values: [MFA_POLICY_ID] } } });
    return refuse(Aadsts.mfaRequired(target.resource.appId, claims));
  }
  return succeed({ request: target, scopes: [...granted] });
}

export interface DelegatedIssue {
  readonly client: RegisteredApp;
  readonly user: DemoUser;
  readonly grant: DelegatedGrant;
  readonly oidc: ReadonlySet<string>;
  readonly amr: readonly string[];
  readonly nonce?: string | undefined;
  /** MSAL sends `client_info=1` and builds its account ids from the answer. */
  readonly clientInfo: boolean;
  /** The refresh grant always answers with a (rotated) refresh token. */
  readonly alwaysRefreshToken?: boolean;
}

export async function issueDelegated(ctx: EntraContext, issue: DelegatedIssue): Promise<TokenResponseBody> {
  const { client, user, grant, oidc } = issue;
  const resource = grant.request.resource;
  // openid/profile/email are Microsoft Graph permissions, so Graph tokens list them in `scp`.
  const signInScopes =
    resource.appId === GRAPH_APP_ID ? ['openid', 'profile', 'email'].filter((s) => oidc.has(s)) : [];
  const scp = [...new Set([...grant.scopes, ...signInScopes])];
  const access = await ctx.tokens.delegated({
    user,
    clientId: client.clientId,
    clientDisplayName: client.displayName,
    confidentialClient: true,
    audience: audienceFor(grant.request),
    scopes: scp,
    version: resource.accessTokenVersion,
    amr: issue.amr,
    wids: ctx.directory.widsFor(resource, user.id),
  });
  const refreshToken =
    oidc.has('offline_access') || issue.alwaysRefreshToken === true
      ? ctx.refreshTokens.issue({
          clientId: client.clientId,
          userId: user.id,
          resourceAppId: resource.appId,
          amr: issue.amr,
        })
      : undefined;
  const idToken = oidc.has('openid')
    ? await ctx.tokens.idToken(user, client.clientId, issue.nonce, oidc.has('email'))
    : undefined;
  return {
    token_type: 'Bearer',
    scope: scp
      .map((name) => (signInScopes.includes(name) ? name : formatScope(grant.request, name)))
      .join(' '),
    expires_in: access.expiresIn,
    ext_expires_in: access.expiresIn,
    access_token: access.token,
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
    ...(idToken === undefined ? {} : { id_token: idToken }),
    ...(issue.clientInfo ? { client_info: clientInfo(user.id, ctx.tokens.tenantId) } : {}),
  };
}

/** Entra's `client_info`: base64url JSON of the user's object id and home tenant. */
function clientInfo(userId: string, tenantId: string): string {
  return Buffer.from(JSON.stringify({ uid: userId, utid: tenantId })).toString('base64url');
}
