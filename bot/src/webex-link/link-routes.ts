import { WebexClient } from '../integrations/webex/webex.client.js';
import type { Route } from '../http/route.js';
import {
  failPage,
  START_AGAIN,
  userOfState,
  type CallbackContext,
  type ResultPage,
} from '../oauth-popup/index.js';
import type { WebexLinkDeps } from './deps.js';

/**
 * The Webex side of the shared popup flow (bot/src/oauth-popup/flow.ts):
 *
 * - `GET /auth/webex/start?attempt=` redirects to Webex's authorize page (PKCE S256, the link scopes);
 * - `GET /auth/webex/callback?code&state` (or `?error&state`), once the flow has checked the state
 *   (sealed by us, unexpired, unused, same browser as the start): exchanges the code with the
 *   PKCE verifier, asks Webex who signed in (`/v1/people/me`: identities come from the signed-in
 *   flow, never from an email), links that person to the user the state names, and stores the
 *   sealed tokens. Every outcome is a small page that reports to the tab via teams-js.
 */

export function webexLinkStartRoute(deps: WebexLinkDeps): Route {
  return deps.flow.startRoute((request) => {
    const authorize = new URL(`${deps.webex.baseUrl}/v1/authorize`);
    authorize.search = new URLSearchParams({
      client_id: deps.webex.clientId,
      response_type: 'code',
      redirect_uri: request.redirectUri,
      scope: deps.scopes.join(' '),
      state: request.state,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
    }).toString();
    return authorize.toString();
  });
}

export function webexLinkCallbackRoute(deps: WebexLinkDeps): Route {
  return deps.flow.callbackRoute({
    onAuthorizeError: (error, state) => {
      const denied = error === 'access_denied';
      deps.logger.info(
        { userId: state.uid, error: denied ? 'access_denied' : 'other' },
        'webex authorize refused',
      );
      return denied
        ? failPage(
            400,
            'access_denied',
            'Webex was not linked',
            'You declined access in Webex. Start again from the Call tab to link it.',
          )
        : failPage(
            400,
            'webex_error',
            'Webex was not linked',
            `Webex refused the sign-in request. ${START_AGAIN}`,
          );
    },
    complete: (context) => completeLink(deps, context),
  });
}

async function completeLink(deps: WebexLinkDeps, context: CallbackContext): Promise<ResultPage> {
  const { state } = context;
  const found = await userOfState(deps.store.users, state);
  if (!found.ok) return found.error;
  const user = found.value;

  const exchanged = await deps.oauth.exchangeCode(context.code, context.codeVerifier, context.redirectUri);
  if (!exchanged.ok) {
    deps.logger.warn({ userId: user.id, code: exchanged.error.code }, 'webex code exchange failed');
    return exchanged.error.code === 'invalid_grant'
      ? failPage(
          400,
          'invalid_grant',
          'Webex was not linked',
          `The sign-in could not be completed. ${START_AGAIN}`,
        )
      : failPage(
          502,
          'webex_unavailable',
          'Webex was not linked',
          'Webex did not answer. Try again in a few minutes from the Call tab.',
        );
  }
  const tokens = exchanged.value;

  const webex = new WebexClient({
    baseUrl: deps.webex.baseUrl,
    getAccessToken: () => Promise.resolve(tokens.accessToken),
    policy: deps.policy,
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
  });
  const me = await webex.getMe();
  if (!me.ok || me.value.orgId === undefined || me.value.id === '') {
    deps.logger.warn(
      { userId: user.id, code: me.ok ? 'no_org' : me.error.code },
      'webex people/me failed after linking',
    );
    return failPage(
      502,
      'webex_unavailable',
      'Webex was not linked',
      'Webex did not say who signed in. Try again from the Call tab.',
    );
  }

  const linked = await deps.store.users.linkWebex(user.id, { personId: me.value.id, orgId: me.value.orgId });
  if (!linked.ok) {
    if (linked.error.code === 'webex_already_linked') {
      deps.logger.info({ userId: user.id }, 'webex person already linked to another user');
      return failPage(
        409,
        'webex_already_linked',
        'This Webex account is linked to someone else',
        'Another CallBridge user has linked this Webex account. Sign in to Webex as yourself, or ask them to unlink it first.',
      );
    }
    return failPage(
      400,
      'invalid_state',
      'Invalid sign-in response',
      `Your CallBridge account was not found. ${START_AGAIN}`,
    );
  }
  const saved = await deps.tokens.saveGrant(linked.value, tokens);
  if (!saved.ok) {
    deps.logger.error({ userId: user.id }, 'webex tokens could not be saved after linking');
    return failPage(
      500,
      'save_failed',
      'Webex was not linked',
      'Something went wrong. Try again from the Call tab.',
    );
  }
  deps.logger.info({ userId: user.id }, 'webex account linked');
  return {
    status: 200,
    outcome: 'linked',
    success: true,
    title: 'Webex is linked',
    message: `CallBridge can now use your Webex account${me.value.displayName === undefined ? '' : ` (${me.value.displayName})`}.`,
  };
}
