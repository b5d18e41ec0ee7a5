import type { Result } from '../../shared/result.js';
import type { TeamsPresence, TeamsSessionState } from './mapping.js';

/**
 * The engine's outbound boundary. Production adapters (adapters.ts) speak Graph and Webex; the
 * simulation and unit tests put fakes here. Every failure says whether retrying can help.
 */

export interface PortError {
  /** Short code for logs and the user's status (`throttled`, `webex_unauthorized`…). */
  readonly code: string;
  /** Worth retrying later (throttling, outages); false when the user or an admin must act. */
  readonly transient: boolean;
  readonly retryAfterMs?: number;
  /** What fixes a permanent failure, for the tab: a `SyncAction` (`link_webex`, `admin_consent`, `retry`…). */
  readonly action?: string;
}

/** Who the user is in Graph; presence calls address users by Entra object id. */
export interface TeamsUserRef {
  readonly tenantId: string;
  readonly aadObjectId: string;
}

export interface TeamsPresencePort {
  /** Aggregated presence of one user. */
  read(user: TeamsUserRef): Promise<Result<TeamsPresence, PortError>>;
  /** Aggregated presence of many users of one tenant, ≤ 650 ids per upstream call; keyed by aadObjectId. */
  readMany(
    tenantId: string,
    aadObjectIds: readonly string[],
  ): Promise<Result<ReadonlyMap<string, TeamsPresence>, PortError>>;
  /** Posts (or keeps alive) our app's presence session for `expirationMs`. */
  setSession(
    user: TeamsUserRef,
    state: TeamsSessionState,
    expirationMs: number,
  ): Promise<Result<void, PortError>>;
  clearSession(user: TeamsUserRef): Promise<Result<void, PortError>>;
}

export interface WebexCallsPort {
  /** The user's current calls (`GET /v1/telephony/calls` with their token). */
  list(
    userId: string,
  ): Promise<Result<readonly { readonly id: string; readonly state: string }[], PortError>>;
}

/** The user's own Webex person (REST, their token). */
export interface WebexPeoplePort {
  /**
   * `Person.status` of `GET /v1/people/me` (`active | call | DoNotDisturb | inactive | meeting |
   * OutOfOffice | pending | presenting | unknown`); undefined when Webex leaves it out (the user
   * hides their status).
   */
  status(userId: string): Promise<Result<string | undefined, PortError>>;
}

export interface WebexDndPort {
  /** Webex Calling DND of the user (their own token). */
  get(userId: string): Promise<Result<boolean, PortError>>;
  set(userId: string, enabled: boolean): Promise<Result<void, PortError>>;
}

/**
 * The Webex App status (`active | inactive | ooo | dnd` with a TTL), as the official JS SDK's
 * presence plugin sets it with the user's token. See docs/decisions/presence-sync.md.
 */
export interface WebexStatusPort {
  /**
   * Sets `dnd` for `ttlSeconds` unless the user has an explicit status of their own
   * (`user_owned`: nothing written).
   */
  setDnd(userId: string, ttlSeconds: number): Promise<Result<'set' | 'user_owned', PortError>>;
  /** Ends the `dnd` we set (only ours: a status the user set since is left alone). */
  clearDnd(userId: string): Promise<Result<void, PortError>>;
  /** Meeting state, when the adapter learns it (SDK presence events); undefined when unknown. */
  meeting?(
    userId: string,
  ): Promise<Result<{ inMeeting: boolean; presenting: boolean } | undefined, PortError>>;
}

export interface PresencePorts {
  readonly teams: TeamsPresencePort;
  readonly webexCalls: WebexCallsPort;
  readonly webexDnd: WebexDndPort;
  /** Meetings and presenting by polling `Person.status`, until a status port reports them. */
  readonly webexPeople?: WebexPeoplePort;
  readonly webexStatus?: WebexStatusPort;
}
