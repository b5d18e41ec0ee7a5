import type { SandboxRequest } from '../shared/http.js';
import type { Directory, RegisteredApp } from './directory.js';
import { Aadsts, refuse, succeed, type Outcome } from './errors.js';
import { header } from './responses.js';

/**
 * Confidential-client authentication at the token endpoint: `client_id` + `client_secret` in
 * the form body, or HTTP Basic (RFC 6749 §2.3.1, each part form-URL-encoded) — Entra accepts
 * both. Certificate assertions are not emulated.
 */
export function authenticateClient(
  req: SandboxRequest,
  form: Readonly<Record<string, string>>,
  directory: Directory,
): Outcome<RegisteredApp> {
  const basic = basicCredentials(header(req, 'authorization'));
  const clientId = basic?.clientId ?? form.client_id;
  if (clientId === undefined || clientId === '') return refuse(Aadsts.missingParameter('client_id'));
  const client = directory.client(clientId);
  if (client === undefined) return refuse(Aadsts.unknownClient(clientId));
  if (form.client_assertion !== undefined) return refuse(Aadsts.clientAssertionUnsupported());
  const secret = basic?.secret ?? form.client_secret;
  if (secret === undefined || secret === '') return refuse(Aadsts.missingClientCredential());
  if (secret !== client.registration.clientSecret) return refuse(Aadsts.invalidClientSecret(client.clientId));
  return succeed(client);
}

function basicCredentials(
  authorization: string | undefined,
): { clientId: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
    };
  } catch {
    return undefined;
  }
}
