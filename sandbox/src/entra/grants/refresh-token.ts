import type { EntraContext } from '../context.js';
import type { RegisteredApp } from '../directory.js';
import { Aadsts, refuse, succeed, type Outcome } from '../errors.js';
import { parseTokenScopes, type ResourceScopes } from '../scopes.js';
import { authorizeDelegated, issueDelegated, type TokenResponseBody } from './delegated.js';

/**
 * `grant_type=refresh_token`: new tokens for any resource the user consented to for this
 * client, and a NEW refresh token; the presented one is superseded (see RefreshTokenStore).
 */
export async function refreshTokenGrant(
  ctx: EntraContext,
  client: RegisteredApp,
  form: Readonly<Record<string, string>>,
): Promise<Outcome<TokenResponseBody>> {
  const presented = form.refresh_token;
  if (presented === undefined || presented === '') return refuse(Aadsts.missingParameter('refresh_token'));
  const checked = ctx.refreshTokens.check(presented, client.clientId);
  if (!checked.ok) return checked;
  const user = ctx.directory.user(checked.value.userId);
  if (user === undefined) return refuse(Aadsts.userNotFound(checked.value.userId));

  let oidc: ReadonlySet<string> = new Set(['openid', 'profile', 'offline_access']);
  let request: ResourceScopes | undefined;
  if (form.scope !== undefined && form.scope.trim() !== '') {
    const scopes = parseTokenScopes(form.scope, ctx.directory);
    if (!scopes.ok) return scopes;
    oidc = scopes.value.oidc;
    request = scopes.value.resource;
  } else {
    // Without a scope the token is for the resource of the original request.
    const resourceAppId = checked.value.resourceAppId;
    const resource = resourceAppId === undefined ? undefined : ctx.directory.resource(resourceAppId);
    if (resource !== undefined) {
      request = {
        resource,
        identifier: resource.identifierUris[0] ?? resource.appId,
        bare: false,
        isDefault: true,
        names: [],
      };
    }
  }

  const grant = authorizeDelegated(ctx, client, user, request);
  if (!grant.ok) return grant;
  const body = await issueDelegated(ctx, {
    client,
    user,
    grant: grant.value,
    oidc,
    amr: checked.value.amr,
    clientInfo: form.client_info === '1',
    alwaysRefreshToken: true,
  });
  ctx.refreshTokens.supersede(presented);
  return succeed(body);
}
