import type { Logger } from '../observability/logger.js';
import type { Store } from '../store/store.js';
import type { DaemonSpec } from '../workers/daemon.js';
import type { WebexTokenService } from './token-service.js';

export interface WebexTokenRefreshOptions {
  readonly store: Pick<Store, 'tokens'>;
  readonly tokens: Pick<WebexTokenService, 'ensureFresh'>;
  readonly logger: Logger;
  /** Default one hour: far below the 3-day refresh window. */
  readonly intervalMs?: number;
  readonly pageSize?: number;
}

/**
 * `webex-token-refresh` (singleton): pages through every stored token and, for each user with a
 * Webex refresh token, refreshes the access token when it expires within the service's window.
 * Refreshing also restarts the refresh token's 90 days, so idle users' links do not lapse.
 */
export function webexTokenRefreshDaemon(options: WebexTokenRefreshOptions): DaemonSpec {
  const pageSize = options.pageSize ?? 200;
  return {
    name: 'webex-token-refresh',
    intervalMs: options.intervalMs ?? 60 * 60 * 1000,
    singleton: true,
    async tick(signal) {
      const counts = { checked: 0, refreshed: 0, needsRelink: 0, failed: 0 };
      let cursor: string | null = null;
      do {
        const page = await options.store.tokens.list({ limit: pageSize, cursor });
        for (const record of page.items) {
          if (signal.aborted) break;
          if (record.kind !== 'webex_refresh') continue;
          counts.checked += 1;
          const fresh = await options.tokens.ensureFresh(record.userId);
          if (fresh.ok) {
            if (fresh.value.refreshed) counts.refreshed += 1;
          } else if (fresh.error.code === 'needs_relink') counts.needsRelink += 1;
          else if (fresh.error.code !== 'not_linked') counts.failed += 1;
        }
        cursor = page.next;
      } while (cursor !== null && !signal.aborted);
      if (counts.refreshed + counts.needsRelink + counts.failed > 0)
        options.logger.info(counts, 'webex token refresh sweep');
    },
  };
}
