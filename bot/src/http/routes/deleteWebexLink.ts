import { authenticateRequest } from '../../auth/request-identity.js';
import type { WebexLinkDeps } from '../../webex-link/deps.js';
import { noStore } from '../../oauth-popup/index.js';
import type { Route } from '../route.js';

/**
 * `DELETE /api/webex/link` (Teams SSO): forgets the caller's Webex tokens and unlinks the person.
 * Webex's public API has no token revocation endpoint, so the grant stays valid at Webex until
 * the user removes CallBridge under their Webex account's authorized apps; we only stop holding it.
 * Idempotent: unlinking an unlinked user answers the same.
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
      // Tokens first: if unlinking then fails, the user shows as needing to relink, never as linked with tokens we meant to drop.
      await deps.tokens.deleteTokens(user);
      if (user.webex !== null) {
        await deps.store.users.unlinkWebex(user.id);
        deps.logger.info({ userId: user.id }, 'webex account unlinked');
      }
      noStore(res);
      res.status(200);
      res.json({ linked: false });
    },
  };
}
