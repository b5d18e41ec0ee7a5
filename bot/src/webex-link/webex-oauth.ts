import { z } from 'zod';
import { resolvePolicy, type HttpPolicy, type HttpPolicyOptions } from '../integrations/http-policy.js';
import type { Logger } from '../observability/logger.js';
import { err, ok, type Result } from '../shared/result.js';

/**
 * Webex's OAuth token endpoint (`POST {baseUrl}/v1/access_token`, form-encoded) for the
 * integration: authorization_code with PKCE, and refresh_token. Errors are values that never
 * carry a token, code or secret.
 */

export interface WebexOAuthOptions {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly policy?: HttpPolicy | HttpPolicyOptions;
  readonly fetch?: typeof fetch;
  readonly logger?: Logger;
}

export interface WebexTokens {
  readonly accessToken: string;
  readonly accessExpiresInSec: number;
  readonly refreshToken: string;
  readonly refreshExpiresInSec: number | undefined;
}

export type WebexOAuthError =
  /** The code or refresh token is invalid, expired, used or revoked: the user must link again. */
  | { readonly code: 'invalid_grant'; readonly status: number }
  /** Our client id/secret were refused: an operator problem. */
  | { readonly code: 'invalid_client'; readonly status: number }
  /** Throttled, timed out, unreachable, 5xx or another refusal: try again later. */
  | { readonly code: 'unavailable'; readonly status?: number; readonly retryAfterMs?: number }
  | { readonly code: 'invalid_response' };

const tokenBody = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  refresh_token: z.string().min(1),
  refresh_token_expires_in: z.number().nonnegative().optional(),
});

export class WebexOAuthClient {
  private readonly url: string;
  private readonly policy: HttpPolicy;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: WebexOAuthOptions) {
    const base = new URL(options.baseUrl);
    this.url = `${base.origin}${base.pathname.replace(/\/+$/, '')}/v1/access_token`;
    this.policy = resolvePolicy(options.policy, options.logger);
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  exchangeCode(
    code: string,
    codeVerifier: string,
    redirectUri: string,
  ): Promise<Result<WebexTokens, WebexOAuthError>> {
    return this.post('oauth.code', {
      grant_type: 'authorization_code',
      code,
      code_verifier: codeVerifier,
      redirect_uri: redirectUri,
    });
  }

  refresh(refreshToken: string): Promise<Result<WebexTokens, WebexOAuthError>> {
    return this.post('oauth.refresh', { grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  private async post(
    operation: string,
    params: Record<string, string>,
  ): Promise<Result<WebexTokens, WebexOAuthError>> {
    const body = new URLSearchParams({
      ...params,
      client_id: this.options.clientId,
      client_secret: this.options.clientSecret,
    }).toString();
    const outcome = await this.policy.execute(
      (signal) =>
        this.fetchImpl(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body,
          signal,
        }),
      // A code is single use and Webex revokes the grant on a replay: never resend after a timeout.
      { service: 'webex', operation, method: 'POST', idempotent: false },
    );
    if (!outcome.ok) {
      const failure = outcome.error;
      const status = failure.status;
      const envelope =
        typeof failure.body === 'object' && failure.body !== null
          ? (failure.body as Record<string, unknown>)
          : {};
      const oauthCode = envelope.error;
      // Webex answers with its own envelope, sometimes without the RFC 6749 `error` field.
      const message = typeof envelope.message === 'string' ? envelope.message : '';
      if (status !== undefined && failure.code === 'http_error') {
        if (
          oauthCode === 'invalid_grant' ||
          (status === 400 &&
            oauthCode === undefined &&
            /invalid_grant|expired|revoked|invalid/i.test(message))
        )
          return err({ code: 'invalid_grant', status });
        if (oauthCode === 'invalid_client' || status === 401) return err({ code: 'invalid_client', status });
      }
      return err({
        code: 'unavailable',
        ...(status === undefined ? {} : { status }),
        ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }),
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(await outcome.value.text());
    } catch {
      return err({ code: 'invalid_response' });
    }
    const parsed = tokenBody.safeParse(json);
    if (!parsed.success) return err({ code: 'invalid_response' });
    return ok({
      accessToken: parsed.data.access_token,
      accessExpiresInSec: parsed.data.expires_in,
      refreshToken: parsed.data.refresh_token,
      refreshExpiresInSec: parsed.data.refresh_token_expires_in,
    });
  }
}
