import { json, type Router, type SandboxRequest, type SandboxResponse } from '../shared/http.js';
import { authenticateClient } from './client-auth.js';
import type { EntraContext } from './context.js';
import { Aadsts, refuse, type Outcome } from './errors.js';
import { authorizationCodeGrant } from './grants/authorization-code.js';
import { clientCredentialsGrant } from './grants/client-credentials.js';
import type { TokenResponseBody } from './grants/delegated.js';
import { onBehalfOfGrant } from './grants/on-behalf-of.js';
import { refreshTokenGrant } from './grants/refresh-token.js';
import { errorContextFor, errorResponse, formOf, tokenHeaders } from './responses.js';

/** `POST /{tenant}/oauth2/v2.0/token`: form-encoded, answered with Entra's JSON (success or error). */
export function addTokenEndpoint(router: Router, ctx: EntraContext): void {
  router.add('POST', '/:tenant/oauth2/v2.0/token', async (req) => handleToken(ctx, req));
  // Entra answers other verbs with its own error body rather than a bare 405.
  router.add('GET', '/:tenant/oauth2/v2.0/token', (req) => {
    const errors = errorContextFor(req, ctx);
    return errorResponse(Aadsts.postOnly(req.method), errors, tokenHeaders(req, errors));
  });
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

async function handleToken(ctx: EntraContext, req: SandboxRequest): Promise<SandboxResponse> {
  const errors = errorContextFor(req, ctx);
  const headers = tokenHeaders(req, errors);
  const outcome = await exchange(ctx, req);
  if (!outcome.ok) {
    ctx.log(`entra: token refused AADSTS${outcome.error.code} ${outcome.error.error}`);
    return errorResponse(outcome.error, errors, headers);
  }
  return json(200, outcome.value, headers);
}

async function exchange(ctx: EntraContext, req: SandboxRequest): Promise<Outcome<TokenResponseBody>> {
  const segment = req.params.tenant ?? '';
  const tenant = ctx.directory.resolveTenant(segment);
  if (tenant === undefined) return refuse(Aadsts.tenantNotFound(segment));
  const form = formOf(req.body);
  const grantType = form.grant_type;
  if (grantType === undefined || grantType === '') return refuse(Aadsts.missingParameter('grant_type'));
  if (!['client_credentials', JWT_BEARER, 'refresh_token', 'authorization_code'].includes(grantType)) {
    return refuse(Aadsts.unsupportedGrantType(grantType));
  }
  const client = authenticateClient(req, form, ctx.directory);
  if (!client.ok) return client;
  switch (grantType) {
    case 'client_credentials':
      return clientCredentialsGrant(ctx, client.value, form, tenant);
    case JWT_BEARER:
      return onBehalfOfGrant(ctx, client.value, form);
    case 'refresh_token':
      return refreshTokenGrant(ctx, client.value, form);
    default:
      return authorizationCodeGrant(ctx, client.value, form);
  }
}
