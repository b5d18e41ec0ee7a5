import { z } from 'zod';
import { err, ok, type Result } from '../../shared/result.js';
import type { TokenEndpointError, TokenGrant } from '../obo/entra-token-client.js';

/**
 * `grant_type=authorization_code` at Entra's v2.0 token endpoint, as the confidential client
 * (client secret) with the PKCE verifier. Kept here rather than in entra-token-client.ts because
 * only the consent popup redeems codes, and it also needs the `id_token` (who signed in), which
 * that client's grant type does not carry. Errors use the same {@link TokenEndpointError} shape,
 * so bot/src/auth/obo/errors.ts classifies them; no error value ever holds a token, the code or
 * Entra's `error_description`.
 */

export interface RedeemCodeOptions {
  /** e.g. `https://login.microsoftonline.com`. */
  readonly authorityHost: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

export interface RedeemCodeRequest {
  /** The tenant the authorize request went to. */
  readonly tenantId: string;
  readonly code: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
  readonly scope: string;
}

/** Credentials: never log this object. */
export interface RedeemedCode {
  readonly grant: TokenGrant;
  /** Absent when `openid` was not granted. */
  readonly idToken: string | undefined;
}

const success = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]),
  refresh_token: z.string().min(1).optional(),
  id_token: z.string().min(1).optional(),
  scope: z.string().optional(),
});
const failure = z.looseObject({
  error: z.string().min(1),
  suberror: z.string().optional(),
  error_codes: z.array(z.number()).optional(),
  claims: z.string().optional(),
  trace_id: z.string().optional(),
  correlation_id: z.string().optional(),
});

export async function redeemAuthorizationCode(
  options: RedeemCodeOptions,
  request: RedeemCodeRequest,
): Promise<Result<RedeemedCode, TokenEndpointError>> {
  const endpoint = `${options.authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(request.tenantId)}/oauth2/v2.0/token`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const unavailable = (status: number | undefined, message: string, retryAfter?: string | null) =>
    err<TokenEndpointError>({
      kind: 'unavailable',
      status,
      retryAfterMs:
        retryAfter === null || retryAfter === undefined || !/^\d+$/.test(retryAfter)
          ? undefined
          : Number(retryAfter) * 1000,
      message,
    });
  let response: Response;
  let text: string;
  try {
    response = await (options.fetch ?? globalThis.fetch)(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: request.code,
        redirect_uri: request.redirectUri,
        code_verifier: request.codeVerifier,
        scope: request.scope,
        client_id: options.clientId,
        client_secret: options.clientSecret,
      }).toString(),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    text = await response.text();
  } catch {
    return unavailable(undefined, 'token endpoint unreachable or did not answer in time');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (response.ok) {
    const parsed = success.safeParse(json);
    if (!parsed.success) return unavailable(response.status, 'token endpoint answered 2xx without tokens');
    const body = parsed.data;
    return ok({
      grant: {
        accessToken: body.access_token,
        refreshToken: body.refresh_token,
        expiresInSeconds: body.expires_in,
        scope: body.scope,
      },
      idToken: body.id_token,
    });
  }
  if (response.status >= 500 || response.status === 429) {
    return unavailable(
      response.status,
      `token endpoint answered ${response.status}`,
      response.headers.get('retry-after'),
    );
  }
  const parsed = failure.safeParse(json);
  if (!parsed.success)
    return unavailable(
      response.status,
      `token endpoint answered ${response.status} without an OAuth error body`,
    );
  const body = parsed.data;
  return err({
    kind: 'oauth',
    status: response.status,
    error: body.error,
    suberror: body.suberror,
    codes: body.error_codes ?? [],
    claims: body.claims,
    traceId: body.trace_id,
    correlationId: body.correlation_id,
  });
}
