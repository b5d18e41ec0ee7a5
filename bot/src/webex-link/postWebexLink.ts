import { authenticateRequest } from '../auth/request-identity.js';
import type { Route } from '../http/route.js';
import { noStore } from '../oauth-popup/index.js';
import type { WebexLinkDeps } from './deps.js';

/**
 * `POST /api/webex/link` (Teams SSO): starts a link attempt for the caller and answers the URL
 * the tab opens with `authentication.authenticate` (a popup cannot carry the SSO token). The
 * attempt is a sealed, 10-minute, single-use value bound to the caller's tenant and user.
 */
export function postWebexLink(deps: WebexLinkDeps): Route {
  return {
    method: 'post',
    path: '/api/webex/link',
    body: 'none',
    handler: async (req, res) => {
      const identity = await authenticateRequest(req, deps.validator, deps.store);
      if (!identity.ok) throw identity.error;
      noStore(res);
      res.status(200);
      res.json({ url: deps.flow.attemptUrl(identity.value.user) });
    },
  };
}
