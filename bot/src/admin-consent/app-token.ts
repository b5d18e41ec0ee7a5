import { err, ok, type Result } from '../shared/result.js';

/**
 * An app-only Microsoft Graph token (client credentials, `https://graph.microsoft.com/.default`)
 * from Entra's v2.0 token endpoint: what the grant check reads the tenant's grants with. A fresh
 * token per check (checks are rare). Errors carry the OAuth `error` code only, never Entra's
 * description or a token.
 */

export interface AppTokenOptions {
  readonly authorityHost: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

export interface AppTokenError {
  /** `invalid_client`, `unauthorized_client`, … or `unavailable` (network, 5xx, unreadable). */
  readonly code: string;
  readonly status?: number;
}

export async function getGraphAppToken(options: AppTokenOptions): Promise<Result<string, AppTokenError>> {
  const endpoint = `${options.authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(options.tenantId)}/oauth2/v2.0/token`;
  let response: Response;
  let text: string;
  try {
    response = await (options.fetch ?? globalThis.fetch)(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: options.clientId,
        client_secret: options.clientSecret,
        scope: 'https://graph.microsoft.com/.default',
      }).toString(),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    text = await response.text();
  } catch {
    return err({ code: 'unavailable' });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return err({ code: 'unavailable', status: response.status });
  }
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  if (response.ok && typeof fields.access_token === 'string' && fields.access_token !== '') {
    return ok(fields.access_token);
  }
  const code =
    typeof fields.error === 'string' && /^[a-z_]{1,64}$/.test(fields.error) ? fields.error : 'unavailable';
  return err({ code, status: response.status });
}
