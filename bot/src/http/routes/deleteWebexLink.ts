import { authenticateRequest } from '../../auth/request-identity.js';
import type { WebexLinkDeps } from '../../webex-link/deps.js';
import { noStore } from '../../oauth-popup/index.js';
import { unlinkWebex } from '../../webex-link/unlink.js';
import type { Route } from '../route.js';

/**
 * `DELETE /api/webex/link` (Teams SSO): forgets the caller's Webex tokens and unlinks the person
 * (bot/src/webex-link/unlink.ts). Idempotent: unlinking an unlinked user answers the same.
 */
export function deleteWebexLink(
  deps: Pick<WebexLinkDeps, 'validator' | 'store' | 'tokens' | 'logger'>,
): Route {
  return {
    method: 'del',
    path: '/api/webex/link',
    handler: async (req, res) => {
      const identity = await authenticateRequest(req, deps.validator, deps.store);
      if (!identity.ok) throw identity.error;
      const { user } = identity.value;
      await unlinkWebex(user, deps, 'tab');
      noStore(res);
      res.status(200);
      res.json({ linked: false });
    },
  };
}
