import { decodeJwt, type JWTPayload } from 'jose';
import type { ConsentDeps } from '../../auth/consent/deps.js';
import { classifyExchangeError, primaryCode } from '../../auth/obo/errors.js';
import {
  failPage,
  START_AGAIN,
  userOfState,
  type CallbackContext,
  type ResultPage,
} from '../../oauth-popup/index.js';
import type { Route } from '../route.js';

/**
 * `GET /auth/consent/callback?code&state` (or `?error&state`): where Entra sends the popup back.
 * Once the shared popup flow has checked the state (ours, unexpired, unused, same browser), this
 * redeems the code as the confidential client with the PKCE verifier, checks from the ID token
 * that the person who signed in is the Teams user who started it (`tid` + `oid`, never a name or
 * email), and hands the refresh and access tokens to the Graph token service, which stores them
 * sealed and marks the user `active`. Every outcome is a small page that reports to the tab via
 * teams-js: `signed_in` with notifySuccess, an error code with notifyFailure.
 *
 * The ID token comes straight from the token endpoint over TLS in answer to our authenticated
 * request, so (OpenID Connect Core 3.1.3.7) its claims are checked without a signature check.
 */
export function getAuthConsentCallback(deps: ConsentDeps): Route {
  return deps.flow.callbackRoute({
    onAuthorizeError: (error, state) => {
      const known = ['access_denied', 'consent_required', 'interaction_required', 'login_required'];
      const outcome = known.includes(error) ? error : 'sign_in_error';
      deps.logger.info({ userId: state.uid, error: outcome }, 'consent sign-in refused at Entra');
      return outcome === 'access_denied'
        ? failPage(
            400,
            'access_denied',
            'CallBridge was not allowed',
            'You cancelled the sign-in or declined the permissions. Start again from the Call tab to allow them.',
          )
        : failPage(
            400,
            outcome,
            'Sign-in did not finish',
            `Microsoft refused the sign-in request. ${START_AGAIN}`,
          );
    },
    complete: (context) => complete(deps, context),
  });
}

async function complete(deps: ConsentDeps, context: CallbackContext): Promise<ResultPage> {
  const { state } = context;
  const found = await userOfState(deps.store.users, state);
  if (!found.ok) return found.error;
  const user = found.value;
  const issuedAt = deps.now();
  const redeemed = await deps.tokens.redeemCode({
    tenantId: state.tid,
    code: context.code,
    codeVerifier: context.codeVerifier,
    redirectUri: context.redirectUri,
    scope: deps.scope,
  });
  if (!redeemed.ok) {
    const error = classifyExchangeError(redeemed.error);
    deps.logger.warn(
      { userId: user.id, code: error.code, aadsts: primaryCode(redeemed.error) },
      'consent sign-in code redemption refused',
    );
    switch (error.code) {
      case 'consent_required':
        return failPage(
          403,
          'consent_required',
          'CallBridge was not allowed',
          `${error.message} ${START_AGAIN}`,
        );
      case 'interaction_required':
        return failPage(
          403,
          'interaction_required',
          'Sign-in did not finish',
          `${error.message} ${START_AGAIN}`,
        );
      case 'invalid_assertion':
        return failPage(
          400,
          'invalid_grant',
          'Sign-in did not finish',
          `The sign-in could not be completed. ${START_AGAIN}`,
        );
      case 'unavailable':
        return failPage(
          502,
          'unavailable',
          'Sign-in did not finish',
          'Microsoft Entra ID did not answer. Try again in a few minutes from the Call tab.',
        );
      case 'misconfigured':
        return failPage(
          500,
          'misconfigured',
          'Sign-in did not finish',
          'Sign-in is not set up correctly on the server. Contact your administrator.',
        );
    }
  }
  const grant = redeemed.value;

  const claims = readIdToken(grant.idToken);
  if (
    claims === undefined ||
    claims.aud !== deps.entra.clientId ||
    claims.nonce !== context.nonce ||
    typeof claims.tid !== 'string' ||
    typeof claims.oid !== 'string'
  ) {
    deps.logger.warn({ userId: user.id }, 'consent sign-in answered without a usable ID token');
    return failPage(
      502,
      'invalid_response',
      'Sign-in did not finish',
      `Microsoft did not say who signed in. ${START_AGAIN}`,
    );
  }
  if (
    claims.tid.toLowerCase() !== user.tenantId.toLowerCase() ||
    claims.oid.toLowerCase() !== user.aadObjectId.toLowerCase()
  ) {
    // Nothing is stored: the tokens belong to another account.
    deps.logger.warn({ userId: user.id }, 'consent sign-in completed by a different account; refused');
    return failPage(
      403,
      'wrong_account',
      'You signed in as someone else',
      'The Microsoft account you signed in with is not the one you use in Teams, so nothing was changed. Start again from the Call tab and pick your own account.',
    );
  }
  if (grant.refreshToken === undefined) {
    deps.logger.warn({ userId: user.id }, 'consent sign-in granted no refresh token (offline_access)');
    return failPage(
      403,
      'consent_required',
      'CallBridge was not allowed',
      `CallBridge needs your consent to keep working in the background (offline access). ${START_AGAIN}`,
    );
  }
  const adopted = await deps.graphTokens.adoptTokens(
    user,
    { ...grant, refreshToken: grant.refreshToken },
    issuedAt,
  );
  if (!adopted.ok) {
    return failPage(
      500,
      'save_failed',
      'Sign-in did not finish',
      'Something went wrong. Try again from the Call tab.',
    );
  }
  deps.logger.info({ userId: user.id }, 'consent sign-in completed');
  return {
    status: 200,
    outcome: 'signed_in',
    success: true,
    title: 'You are signed in',
    message: 'CallBridge can now work with Microsoft Teams for you, also in the background.',
  };
}

function readIdToken(token: string | undefined): (JWTPayload & Record<string, unknown>) | undefined {
  if (token === undefined) return undefined;
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}
