import type { GraphTokenService } from '../../auth/obo/graph-token-service.js';
import { authenticateRequest } from '../../auth/request-identity.js';
import type { SsoValidator } from '../../auth/sso-validator.js';
import type { Logger } from '../../observability/logger.js';
import type { Store } from '../../store/store.js';
import { HttpError, sendError, type Route } from '../route.js';

export interface PostAuthTokenDeps {
  readonly validator: SsoValidator;
  readonly store: Pick<Store, 'users'>;
  readonly graphTokens: Pick<GraphTokenService, 'exchange'>;
  readonly logger: Logger;
}

/**
 * `POST /api/auth/token`: the tab calls it with its Teams SSO token (from getAuthToken) to enrol
 * or renew the server-side session, i.e. the on-behalf-of exchange that stores the user's Graph
 * refresh token. It never returns a token: 200 `{ status: 'signed_in' }`, or
 * - 401 from the SSO check (`authenticateRequest`) or when Entra refuses the SSO token;
 * - 403 `{ code: 'consent_required', message }`: run the consent popup (authentication.authenticate);
 * - 403 `{ code: 'interaction_required', message, claims? }`: sign in interactively with `claims`;
 * - 503 `{ code: 'unavailable', message }`: Entra is unreachable, retry (with Retry-After when known).
 */
export function postAuthToken(deps: PostAuthTokenDeps): Route {
  const log = deps.logger.child({ route: 'POST /api/auth/token' });
  return {
    method: 'post',
    path: '/api/auth/token',
    // The tab may send `{}` or nothing; the body carries no meaning.
    body: 'none',
    handler: async (req, res) => {
      const identity = await authenticateRequest(req, deps.validator, deps.store);
      if (!identity.ok) throw identity.error;
      const { sso, user } = identity.value;
      const exchanged = await deps.graphTokens.exchange(sso, user);
      res.header('cache-control', 'no-store');
      if (exchanged.ok) {
        res.status(200);
        res.json({ status: 'signed_in' });
        return;
      }
      const error = exchanged.error;
      switch (error.code) {
        case 'consent_required':
          sendError(res, 403, 'consent_required', error.message);
          return;
        case 'interaction_required':
          res.status(403);
          res.json({
            code: 'interaction_required',
            message: error.message,
            ...(error.claims === undefined ? {} : { claims: error.claims }),
          });
          return;
        case 'invalid_assertion':
          throw new HttpError(401, 'invalid_token', error.message);
        case 'unavailable':
          if (error.retryAfterMs !== undefined)
            res.header('retry-after', String(Math.ceil(error.retryAfterMs / 1000)));
          sendError(
            res,
            503,
            'unavailable',
            'Microsoft Entra ID could not be reached to complete sign-in. Retry in a moment.',
          );
          return;
        case 'misconfigured':
          log.error(
            { userId: user.id, aadsts: error.aadsts },
            'sign-in exchange failed: service misconfigured',
          );
          sendError(
            res,
            500,
            'misconfigured',
            'Sign-in is not set up correctly on the server. Contact your administrator.',
          );
          return;
      }
    },
  };
}
