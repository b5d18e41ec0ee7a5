import type { EntraContext } from '../context.js';
import type { RegisteredApp } from '../directory.js';
import { Aadsts, refuse, succeed, type Outcome } from '../errors.js';
import { parseTokenScopes } from '../scopes.js';
import { audiencesOf } from '../tokens.js';
import { authorizeDelegated, issueDelegated, type TokenResponseBody } from './delegated.js';

/**
 * `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` with `requested_token_use=on_behalf_of`:
 * exchanges the user's token for the calling API (the Teams SSO token) for a token to a
 * downstream resource. The assertion must be this tenant's, unexpired, and addressed to the
 * calling client (its app id or Application ID URI); a refresh token comes back only when
 * `offline_access` was asked for.
 */
export async function onBehalfOfGrant(
  ctx: EntraContext,
  client: RegisteredApp,
  form: Readonly<Record<string, string>>,
): Promise<Outcome<TokenResponseBody>> {
  const use = form.requested_token_use;
  if (use === undefined) return refuse(Aadsts.missingParameter('requested_token_use'));
  if (use !== 'on_behalf_of') return refuse(Aadsts.invalidParameter('requested_token_use', use));
  const assertion = form.assertion;
  if (assertion === undefined || assertion === '') return refuse(Aadsts.missingParameter('assertion'));
  if (form.scope === undefined) return refuse(Aadsts.missingParameter('scope'));
  const scopes = parseTokenScopes(form.scope, ctx.directory);
  if (!scopes.ok) return scopes;

  const audiences = client.api === undefined ? [client.clientId] : audiencesOf(client.api);
  const verified = await ctx.tokens.verifyUserAssertion(assertion, audiences);
  if (!verified.ok) return verified;
  const user = ctx.directory.user(verified.value.userId);
  if (user === undefined) return refuse(Aadsts.userNotFound(verified.value.userId));

  const grant = authorizeDelegated(ctx, client, user, scopes.value.resource);
  if (!grant.ok) return grant;
  const amr = verified.value.claims.amr;
  return succeed(
    await issueDelegated(ctx, {
      client,
      user,
      grant: grant.value,
      oidc: scopes.value.oidc,
      amr: Array.isArray(amr) ? amr.filter((m): m is string => typeof m === 'string') : ['pwd'],
      clientInfo: form.client_info === '1',
    }),
  );
}
