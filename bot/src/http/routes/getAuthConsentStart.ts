import { EXTRA, type ConsentDeps } from '../../auth/consent/deps.js';
import type { Route } from '../route.js';

/**
 * `GET /auth/consent/start?attempt=`: opened in the sign-in popup. The shared popup flow uses up
 * the attempt, seals the state (PKCE verifier, browser binding) and sets the binding cookie; this
 * redirects to Entra's authorize endpoint in the user's tenant for Graph (`.default`), offline
 * access and sign-in, with the caller's login hint, `prompt=consent` only when asked, and the
 * claims challenge when one was given.
 */
export function getAuthConsentStart(deps: ConsentDeps): Route {
  return deps.flow.startRoute((request) => {
    const extras = request.attempt.x ?? {};
    const authorize = new URL(
      `${deps.entra.authorityHost}/${encodeURIComponent(request.attempt.tid)}/oauth2/v2.0/authorize`,
    );
    const params = new URLSearchParams({
      client_id: deps.entra.clientId,
      response_type: 'code',
      redirect_uri: request.redirectUri,
      response_mode: 'query',
      scope: deps.scope,
      state: request.state,
      nonce: request.nonce,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
    });
    const hint = extras[EXTRA.loginHint];
    if (hint !== undefined) params.set('login_hint', hint);
    if (extras[EXTRA.prompt] === 'consent') params.set('prompt', 'consent');
    const claims = extras[EXTRA.claims];
    if (claims !== undefined) params.set('claims', claims);
    authorize.search = params.toString();
    return authorize.toString();
  });
}
