import { authenticateRequest } from '../../auth/request-identity.js';
import type { WebexLinkDeps } from '../../webex-link/deps.js';
import { noStore } from '../../oauth-popup/index.js';
import type { Route } from '../route.js';

/** `GET /api/webex/link` (Teams SSO): `{ linked, personId?, linkedAt?, expiresAt?, needsRelink? }`, never a token. */
export function getWebexLinkStatus(deps: Pick<WebexLinkDeps, 'validator' | 'store' | 'tokens'>): Route {
  return {
    method: 'get',
    path: '/api/webex/link',
    handler: async (req, res) => {
      const identity = await authenticateRequest(req, deps.validator, deps.store);
      if (!identity.ok) throw identity.error;
      const status = await deps.tokens.status(identity.value.user.id);
      noStore(res);
      res.status(200);
      res.json(status);
    },
  };
}
