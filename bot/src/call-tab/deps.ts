import type { CountryCode } from 'libphonenumber-js/min';
import type { CallService } from '../calls/call-service.js';
import type { Logger } from '../observability/logger.js';
import type { PeopleSearch } from '../people/person.js';
import type { SpeedDialService } from '../speed-dials/speed-dial-service.js';
import type { WebexTokenService } from '../webex-link/token-service.js';
import type { GraphSessions } from './graph-session.js';
import type { TabRouteAuth } from './tab-route.js';

/** The presence-sync card's state (owned by presence sync; the bootstrap only passes it on). */
export interface SyncStatus {
  readonly enabled: boolean;
  readonly rule: 'always' | 'meetings_only' | 'never';
  readonly lastSyncedAt: number | null;
  readonly blocked: null | {
    readonly code: string;
    readonly action: 'sign_in' | 'link_webex' | 'admin_consent' | 'retry';
    readonly message: string;
  };
}

/** What the Call tab's API routes share; built once in bot/src/compose.ts. */
export interface CallTabDeps extends TabRouteAuth {
  readonly sessions: GraphSessions;
  readonly speedDials: SpeedDialService;
  readonly logger: Logger;
  /** Dial-pad numbers in speed dials are checked against this country's numbering. */
  readonly defaultCountry: CountryCode;
  readonly people?: PeopleSearch;
  /** Absent when Webex linking is not configured: calls answer 503 and bootstrap says so. */
  readonly calls?: CallService;
  readonly webex?: Pick<WebexTokenService, 'status'>;
  /** Presence sync's status for the card; absent until presence sync is wired. */
  readonly syncStatus?: (userId: string) => Promise<SyncStatus>;
  /** The whole bootstrap answers by then with what arrived (default 3 s). */
  readonly bootstrapDeadlineMs?: number;
  /** People search deadline (default 2.5 s). */
  readonly peopleDeadlineMs?: number;
}
