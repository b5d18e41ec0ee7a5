import type { EntraContext } from '../context.js';
import type { RegisteredApp } from '../directory.js';
import { Aadsts, refuse, succeed, type Outcome } from '../errors.js';
import { parseScopes, parseTokenScopes, type ResourceScopes } from '../scopes.js';
import { authorizeDelegated, issueDelegated, type TokenResponseBody } from './delegated.js';

/**
 * `grant_type=authorization_code`: redeems a code from the authorize page (single use, same
 * client and redirect URI, PKCE verifier when a challenge was sent). The optional `scope`
 * picks the resource; by default it is the first resource the sign-in asked for.
 */
export async function authorizationCodeGrant(
  ctx: EntraContext,
  client: RegisteredApp,
  form: Readonly<Record<string, string>>,
): Promise<Outcome<TokenResponseBody>> {
  const code = form.code;
  if (code === undefined || code === '') return refuse(Aadsts.missingParameter('code'));
  const redeemed = ctx.codes.redeem(code, {
    clientId: client.clientId,
    redirectUri: form.redirect_uri,
    codeVerifier: form.code_verifier,
  });
  if (!redeemed.ok) return redeemed;
  const grantOfCode = redeemed.value;
  const user = ctx.directory.user(grantOfCode.userId);
  if (user === undefined) return refuse(Aadsts.userNotFound(grantOfCode.userId));

  const signIn = parseScopes(grantOfCode.scope, ctx.directory);
  if (!signIn.ok) return signIn;
  const oidc = new Set(signIn.value.oidc);
  let request: ResourceScopes | undefined = signIn.value.resources[0];
  if (form.scope !== undefined && form.scope.trim() !== '') {
    const asked = parseTokenScopes(form.scope, ctx.directory);
    if (!asked.ok) return asked;
    for (const s of asked.value.oidc) oidc.add(s);
    request = asked.value.resource;
  }

  const grant = authorizeDelegated(ctx, client, user, request);
  if (!grant.ok) return grant;
  return succeed(
    await issueDelegated(ctx, {
      client,
      user,
      grant: grant.value,
      oidc,
      amr: grantOfCode.amr,
      nonce: grantOfCode.nonce,
      clientInfo: form.client_info === '1',
    }),
  );
}
