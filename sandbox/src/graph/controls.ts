import { DAY_MS } from './clock.js';
import type { CallRecords, RecordCallInput } from './call-records.js';
import type { DeliveryRecord, DeliveryService, EndpointStats } from './delivery.js';
import type { Directory } from './directory.js';
import type { PresenceState, PresenceStore, UserPresenceView } from './presence-state.js';
import { subscriptionJson, type LifecycleEvent, type Subscriptions } from './subscriptions.js';
import type { Faults, Family, ThrottleRule, ThrottleState } from './throttle.js';

/**
 * The control surface tests and the sandbox console drive: the user's own Teams client and
 * preferred presence, subscriptions, delivery faults, throttling and delays, and call records.
 */

/** States of the user's own Teams client, as the console offers them. */
export const TEAMS_CLIENT_STATES = {
  available: { availability: 'Available', activity: 'Available' },
  away: { availability: 'Away', activity: 'Away' },
  busy: { availability: 'Busy', activity: 'Busy' },
  meeting: { availability: 'Busy', activity: 'InAMeeting' },
  call: { availability: 'Busy', activity: 'InACall' },
  presenting: { availability: 'DoNotDisturb', activity: 'Presenting' },
} as const satisfies Record<string, PresenceState>;

export type TeamsClientState = keyof typeof TEAMS_CLIENT_STATES | 'signedOut';

export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface PresenceControls {
  /** Sets the user's own Teams client session ("in a Teams meeting", "Teams call", "presenting"…). */
  setTeamsClient(user: string, state: TeamsClientState): void;
  /** Do Not Disturb as the user sets it in Teams: a user-preferred state (default 1 day). */
  setDoNotDisturb(user: string, on: boolean): void;
  setPreferred(user: string, state: PresenceState, durationMs?: number): void;
  clearPreferred(user: string): void;
  /** Aggregated presence with the per-session detail. */
  get(user: string): UserPresenceView;
  all(): UserPresenceView[];
  /** Re-evaluates every user against the clock (after advancing a clock without firing timers). */
  refresh(): void;
}

export interface SubscriptionControls {
  list(): Record<string, unknown>[];
  /** The subscription reaches its expiry now (Graph deletes it without a lifecycle notification). */
  expire(id: string): boolean;
  /** Graph removes the subscription and sends `subscriptionRemoved` to its lifecycle URL. */
  remove(id: string): boolean;
  sendLifecycle(id: string, event: LifecycleEvent): boolean;
}

export interface DeliveryControls {
  dropNext(count: number): void;
  markAllSlow(on: boolean): void;
  setLatency(ms: number): void;
  history(): readonly DeliveryRecord[];
  endpoints(): EndpointStats[];
  /** Resolves when no notification POST is in flight. */
  idle(): Promise<void>;
}

export interface FaultControls {
  throttle(family: Family, rule: ThrottleRule): void;
  clearThrottle(family?: Family): void;
  setDelay(family: Family, ms: number): void;
  clearDelays(): void;
  setGlobalLatency(ms: number): void;
  state(): { throttles: ThrottleState[]; delays: { family: Family; ms: number }[] };
}

export interface GraphControls {
  readonly presence: PresenceControls;
  readonly subscriptions: SubscriptionControls;
  readonly delivery: DeliveryControls;
  readonly faults: FaultControls;
  /** Stores a finished sandbox call as a call record and notifies callRecords subscriptions. */
  recordCall(input: RecordCallInput): { id: string };
  /** Publishes a new version of a call record (`updated` notifications). */
  reviseCallRecord(id: string): boolean;
}

export interface ControlDeps {
  readonly directory: Directory;
  readonly presence: PresenceStore;
  readonly subscriptions: Subscriptions;
  readonly delivery: DeliveryService;
  readonly faults: Faults;
  readonly callRecords: CallRecords;
}

export function createControls(deps: ControlDeps): GraphControls {
  const userId = (who: string): string => {
    const user = deps.directory.find(who);
    if (user === undefined) throw new ControlError(404, `unknown user ${who}`);
    return user.id;
  };
  return {
    presence: {
      setTeamsClient: (user, state) => {
        deps.presence.setTeamsClient(
          userId(user),
          state === 'signedOut' ? undefined : TEAMS_CLIENT_STATES[state],
        );
      },
      setDoNotDisturb: (user, on) => {
        if (on)
          deps.presence.setPreferred(
            userId(user),
            { availability: 'DoNotDisturb', activity: 'DoNotDisturb' },
            DAY_MS,
          );
        else deps.presence.clearPreferred(userId(user));
      },
      setPreferred: (user, state, durationMs = 7 * DAY_MS) => {
        deps.presence.setPreferred(userId(user), state, durationMs);
      },
      clearPreferred: (user) => {
        deps.presence.clearPreferred(userId(user));
      },
      get: (user) => deps.presence.view(userId(user)),
      all: () => deps.presence.userIds().map((id) => deps.presence.view(id)),
      refresh: () => {
        deps.presence.refreshAll();
      },
    },
    subscriptions: {
      list: () => deps.subscriptions.all().map(subscriptionJson),
      expire: (id) => deps.subscriptions.expire(id),
      remove: (id) => deps.subscriptions.remove(id),
      sendLifecycle: (id, event) => deps.subscriptions.sendLifecycle(id, event),
    },
    delivery: {
      dropNext: (count) => {
        deps.delivery.dropNext(count);
      },
      markAllSlow: (on) => {
        deps.delivery.markAllSlow(on);
      },
      setLatency: (ms) => {
        deps.delivery.setLatency(ms);
      },
      history: () => deps.delivery.history(),
      endpoints: () => deps.delivery.endpoints(),
      idle: () => deps.delivery.idle(),
    },
    faults: {
      throttle: (family, rule) => {
        deps.faults.throttle(family, rule);
      },
      clearThrottle: (family) => {
        deps.faults.clearThrottle(family);
      },
      setDelay: (family, ms) => {
        deps.faults.setDelay(family, ms);
      },
      clearDelays: () => {
        deps.faults.clearDelays();
      },
      setGlobalLatency: (ms) => {
        deps.faults.setGlobalLatency(ms);
      },
      state: () => ({ throttles: deps.faults.throttleStates(), delays: deps.faults.delayStates() }),
    },
    recordCall: (input) => {
      try {
        return { id: deps.callRecords.record(input).id };
      } catch (error) {
        throw new ControlError(400, error instanceof Error ? error.message : String(error));
      }
    },
    reviseCallRecord: (id) => deps.callRecords.revise(id) !== undefined,
  };
}
