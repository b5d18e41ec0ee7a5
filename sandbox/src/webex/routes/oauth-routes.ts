import { json, text, type Router, type SandboxRequest, type SandboxResponse } from '../../shared/http.js';
import { renderAuthorizeError, renderAuthorizePage } from '../authorize-page.js';
import { newTrackingId } from '../errors.js';
import { tracked } from '../http-kit.js';
import { isOAuthFailure, type OAuthErrorCode, type OAuthFailure, type WebexIntegration } from '../oauth.js';
import { parseScopeList } from '../scopes.js';
import type { WebexWorld } from '../world.js';

/**
 * `GET/POST /v1/authorize` (consent page, then a redirect with `code` and `state`, or
 * `error=access_denied`) and `POST /v1/access_token` (authorization_code with PKCE, and
 * refresh_token), per the Integrations & Authorization guide.
 */

interface PendingAuthorization {
  readonly integration: WebexIntegration;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly state: string | undefined;
  readonly codeChallenge: string | undefined;
  readonly codeChallengeMethod: 'S256' | 'plain' | undefined;
}

type AuthorizeCheck =
  | { readonly ok: true; readonly request: PendingAuthorization }
  | { readonly ok: false; readonly response: SandboxResponse };

const CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/;

export function addOAuthRoutes(router: Router, world: WebexWorld): void {
  router.add(
    'GET',
    '/v1/authorize',
    tracked((req) => {
      const params = Object.fromEntries(req.url.searchParams);
      const check = readAuthorization(world, params);
      if (!check.ok) return check.response;
      const hint = params.login_hint ?? params.email;
      const hinted = hint === undefined ? undefined : world.directory.byEmailAddress(hint);
      return htmlPage(
        200,
        renderAuthorizePage({
          integrationName: check.request.integration.name ?? check.request.integration.clientId,
          scopes: check.request.scopes,
          people: world.directory.all(),
          selectedPersonId: hinted?.personId,
          hidden: {
            client_id: check.request.integration.clientId,
            response_type: 'code',
            redirect_uri: check.request.redirectUri,
            scope: check.request.scopes.join(' '),
            state: check.request.state,
            code_challenge: check.request.codeChallenge,
            code_challenge_method: check.request.codeChallengeMethod,
          },
        }),
      );
    }),
  );

  router.add(
    'POST',
    '/v1/authorize',
    tracked((req) => {
      const form = formRecord(req);
      const check = readAuthorization(world, form);
      if (!check.ok) return check.response;
      const { request } = check;
      if (form.decision !== 'accept')
        return redirect(request.redirectUri, { error: 'access_denied', state: request.state });
      const person = form.person === undefined ? undefined : world.directory.get(form.person);
      if (person === undefined) return htmlPage(400, renderAuthorizeError('Choose who to sign in as.'));
      const code = world.oauth.issueCode({
        clientId: request.integration.clientId,
        redirectUri: request.redirectUri,
        scopes: request.scopes,
        personId: person.personId,
        codeChallenge: request.codeChallenge,
        codeChallengeMethod: request.codeChallengeMethod,
      });
      world.presence.setLastActivity(person.personId);
      return redirect(request.redirectUri, { code, state: request.state });
    }),
  );

  router.add(
    'POST',
    '/v1/access_token',
    tracked((req) => {
      const form = formRecord(req);
      const client = clientCredentials(req, form);
      const integration = client === undefined ? undefined : world.oauth.integration(client.id);
      if (client === undefined || integration === undefined || integration.clientSecret !== client.secret) {
        return tokenError({ error: 'invalid_client', description: 'Client authentication failed.' });
      }
      let result;
      if (form.grant_type === 'authorization_code') {
        result = world.oauth.exchangeCode({
          code: form.code,
          clientId: integration.clientId,
          redirectUri: form.redirect_uri,
          codeVerifier: form.code_verifier,
        });
      } else if (form.grant_type === 'refresh_token') {
        result = world.oauth.refresh(integration.clientId, form.refresh_token);
      } else {
        return tokenError({
          error: 'unsupported_grant_type',
          description: 'grant_type must be authorization_code or refresh_token.',
        });
      }
      return isOAuthFailure(result) ? tokenError(result) : json(200, result, { 'cache-control': 'no-store' });
    }),
  );
}

/** Validates the authorization parameters the way the page and its form post both need. */
function readAuthorization(world: WebexWorld, params: Record<string, string | undefined>): AuthorizeCheck {
  const integration = params.client_id === undefined ? undefined : world.oauth.integration(params.client_id);
  if (integration === undefined)
    return { ok: false, response: htmlPage(400, renderAuthorizeError('Unknown client_id.')) };
  const redirectUri = params.redirect_uri;
  if (redirectUri === undefined || !integration.redirectUris.includes(redirectUri)) {
    return {
      ok: false,
      response: htmlPage(400, renderAuthorizeError('redirect_uri is not registered for this integration.')),
    };
  }
  const state = params.state;
  const refuse = (error: OAuthErrorCode | 'unsupported_response_type'): AuthorizeCheck => ({
    ok: false,
    response: redirect(redirectUri, { error, state }),
  });
  if (params.response_type !== 'code') return refuse('unsupported_response_type');
  const scopes = parseScopeList(params.scope);
  if (scopes.length === 0 || scopes.some((s) => !integration.scopes.includes(s)))
    return refuse('invalid_scope');
  const challenge = params.code_challenge === '' ? undefined : params.code_challenge;
  const method = params.code_challenge_method === '' ? undefined : params.code_challenge_method;
  if (challenge !== undefined && !CHALLENGE.test(challenge)) return refuse('invalid_request');
  if (method !== undefined && (challenge === undefined || (method !== 'S256' && method !== 'plain')))
    return refuse('invalid_request');
  return {
    ok: true,
    request: {
      integration,
      redirectUri,
      scopes,
      state,
      codeChallenge: challenge,
      // RFC 7636: without a method the challenge is plain.
      codeChallengeMethod: challenge === undefined ? undefined : method === 'S256' ? 'S256' : 'plain',
    },
  };
}

function redirect(target: string, params: Record<string, string | undefined>): SandboxResponse {
  const url = new URL(target);
  for (const [key, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(key, value);
  return { status: 302, headers: { location: url.toString(), 'cache-control': 'no-store' } };
}

function htmlPage(status: number, body: string): SandboxResponse {
  return text(status, body, 'text/html; charset=utf-8');
}

function formRecord(req: SandboxRequest): Record<string, string | undefined> {
  const body = req.body;
  if (typeof body !== 'object' || body === null) return {};
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>))
    if (typeof value === 'string') out[key] = value;
  return out;
}

/** Client credentials from the form, or from HTTP Basic as RFC 6749 also allows. */
function clientCredentials(
  req: SandboxRequest,
  form: Record<string, string | undefined>,
): { id: string; secret: string } | undefined {
  if (form.client_id !== undefined && form.client_secret !== undefined)
    return { id: form.client_id, secret: form.client_secret };
  const header = req.headers.authorization;
  const m = typeof header === 'string' ? /^Basic\s+(.+)$/i.exec(header) : null;
  if (m?.[1] === undefined) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0
    ? undefined
    : { id: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) };
}

/**
 * Token-endpoint errors: the Webex envelope (message, errors, trackingId) carrying the OAuth
 * code in the text, plus the RFC 6749 `error`/`error_description` fields.
 */
function tokenError(failure: OAuthFailure): SandboxResponse {
  const trackingId = newTrackingId();
  const message = `(${failure.error}) ${failure.description}`;
  return json(
    failure.error === 'invalid_client' ? 401 : 400,
    {
      error: failure.error,
      error_description: failure.description,
      message,
      errors: [{ description: message }],
      trackingId,
    },
    { trackingid: trackingId, 'cache-control': 'no-store' },
  );
}
