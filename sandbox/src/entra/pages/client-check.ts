import type { Directory, RegisteredApp, TenantRef } from '../directory.js';
import { Aadsts, refuse, succeed, type Outcome } from '../errors.js';

/**
 * The checks both interactive endpoints make before they may redirect anywhere: a known
 * tenant, a registered client, and a redirect URI registered for it (matched exactly). Until
 * these pass, errors are shown on Entra's own page, never sent to an unverified redirect URI.
 */
export interface VerifiedClient {
  readonly tenant: TenantRef;
  readonly client: RegisteredApp;
  readonly redirectUri: string;
}

export function verifyClient(
  directory: Directory,
  segment: string,
  params: Readonly<Record<string, string>>,
): Outcome<VerifiedClient> {
  const tenant = directory.resolveTenant(segment);
  if (tenant === undefined) return refuse(Aadsts.tenantNotFound(segment));
  const clientId = params.client_id;
  if (clientId === undefined || clientId === '') return refuse(Aadsts.missingParameter('client_id'));
  const client = directory.client(clientId);
  if (client === undefined) return refuse(Aadsts.unknownClient(clientId));
  const redirectUri = params.redirect_uri;
  if (redirectUri === undefined || redirectUri === '') return refuse(Aadsts.missingParameter('redirect_uri'));
  if (!client.registration.redirectUris.includes(redirectUri)) {
    return refuse(Aadsts.redirectUriNotRegistered(redirectUri, client.clientId));
  }
  return succeed({ tenant, client, redirectUri });
}
