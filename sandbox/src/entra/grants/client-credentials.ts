import type { EntraContext } from '../context.js';
import type { RegisteredApp, TenantRef } from '../directory.js';
import { Aadsts, refuse, succeed, type Outcome } from '../errors.js';
import { parseTokenScopes } from '../scopes.js';
import { audienceFor } from '../tokens.js';
import type { TokenResponseBody } from './delegated.js';

/**
 * `grant_type=client_credentials`: an app-only token for `<resource>/.default`, carrying as
 * `roles` the application permissions an admin granted the client on that resource (none:
 * no `roles` claim, as Entra does). Covers the bot's `https://api.botframework.com/.default`.
 */
export async function clientCredentialsGrant(
  ctx: EntraContext,
  client: RegisteredApp,
  form: Readonly<Record<string, string>>,
  tenant: TenantRef,
): Promise<Outcome<TokenResponseBody>> {
  if (tenant === 'common') return refuse(Aadsts.grantNotOnCommon());
  const raw = form.scope;
  if (raw === undefined || raw.trim() === '') return refuse(Aadsts.missingParameter('scope'));
  const items = raw.split(/\s+/).filter((item) => item !== '');
  if (!items.every((item) => item.endsWith('/.default')))
    return refuse(Aadsts.clientCredentialsNeedDefault(raw));
  const parsed = parseTokenScopes(raw, ctx.directory);
  if (!parsed.ok) return parsed;
  const request = parsed.value.resource;
  if (request === undefined) return refuse(Aadsts.clientCredentialsNeedDefault(raw));
  const token = await ctx.tokens.appOnly({
    clientId: client.clientId,
    clientDisplayName: client.displayName,
    clientServicePrincipalId: client.servicePrincipalId,
    audience: audienceFor(request),
    roles: ctx.ledger.appRoles(client.clientId, request.resource.appId),
    version: request.resource.accessTokenVersion,
  });
  // Entra's client-credentials answer has no `scope` member.
  return succeed({
    token_type: 'Bearer',
    expires_in: token.expiresIn,
    ext_expires_in: token.expiresIn,
    access_token: token.token,
  });
}
