import type { Logger } from '../observability/logger.js';
import type { Store, User } from '../store/store.js';
import type { WebexTokenService } from './token-service.js';

/**
 * Forgets the user's Webex tokens and unlinks the person: the one unlink both the tab
 * (`DELETE /api/webex/link`) and the bot (`unlink webex`) use. Tokens go first: if unlinking then
 * fails, the user shows as needing to relink, never as linked with tokens we meant to drop.
 * Webex's public API has no token revocation, so the grant stays valid at Webex until the user
 * removes CallBridge from their Webex account's authorized apps; we only stop holding it.
 */
export async function unlinkWebex(
  user: User,
  deps: {
    readonly store: Pick<Store, 'users'>;
    readonly tokens: Pick<WebexTokenService, 'deleteTokens'>;
    readonly logger: Logger;
  },
  via: 'tab' | 'bot',
): Promise<void> {
  await deps.tokens.deleteTokens(user);
  if (user.webex !== null) {
    await deps.store.users.unlinkWebex(user.id);
    deps.logger.info({ userId: user.id, via }, 'webex account unlinked');
  }
}
