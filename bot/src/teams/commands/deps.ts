import { unlinkWebex } from '../../webex-link/unlink.js';
import type { Logger } from '../../observability/logger.js';
import type { PeopleSearch } from '../../people/person.js';
import type { Store, User } from '../../store/store.js';
import type { WebexLinkStatus, WebexTokenService } from '../../webex-link/index.js';

/** What the personal bot's commands need. Everything they read comes from the store (fast). */
export interface BotCommandDeps {
  readonly store: Pick<Store, 'users' | 'presence'>;
  /** Webex link state (store only, no call to Webex) and unlinking; see {@link webexCommandDeps}. */
  readonly webex: BotWebexDeps;
  /** `call <name>`: without it the bot says people search is not available yet. */
  readonly people?: PeopleSearch;
  /** A Teams deep link to the Call tab; without it the bot tells the user where the tab is. */
  readonly tabDeepLink?: string;
  /** `call <name>` answers with what arrived by then (default 2500 ms). */
  readonly peopleDeadlineMs?: number;
  /** After `sync on`/`sync off` changed the setting: presence sync starts or stops watching the user. */
  readonly onSyncChanged?: (userId: string, enabled: boolean) => Promise<void>;
}

export interface BotWebexDeps {
  status(userId: string): Promise<WebexLinkStatus>;
  /** Forgets the user's Webex tokens and unlinks the person, as `DELETE /api/webex/link` does. */
  unlinkWebex(userId: string): Promise<void>;
}

/** The Webex part of {@link BotCommandDeps}, from the Webex linking feature. */
export function webexCommandDeps(
  store: Pick<Store, 'users'>,
  tokens: Pick<WebexTokenService, 'status' | 'deleteTokens'>,
  logger: Logger,
): BotWebexDeps {
  return {
    status: (userId) => tokens.status(userId),
    unlinkWebex: async (userId) => {
      const user = await store.users.get(userId);
      if (user !== undefined) await unlinkWebex(user, { store, tokens, logger }, 'bot');
    },
  };
}

/** Who sent the activity, as far as the store knows. */
export interface Caller {
  readonly tenantId: string;
  readonly aadObjectId: string;
  readonly user: User | undefined;
}
