import { requirePermission, type Caller, type PermissionRule } from './auth.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, type GraphClock } from './clock.js';
import type { Directory } from './directory.js';
import { badRequest, GraphError } from './errors.js';
import { PresenceStore, type PresenceState } from './presence-state.js';
import { empty, odata, type GraphRequest, type GraphRoute } from './route.js';
import { parseDuration } from './time-format.js';

/**
 * Presence endpoints: get (own, another user's, many users'), and the setPresence /
 * clearPresence / setUserPreferredPresence / clearUserPreferredPresence actions.
 */

const READ_OWN: PermissionRule = { delegated: ['Presence.Read', 'Presence.Read.All'], application: [] };
const READ_ANY: PermissionRule = {
  delegated: ['Presence.Read.All'],
  application: ['Presence.Read.All', 'Presence.ReadWrite.All'],
};
const WRITE: PermissionRule = { delegated: ['Presence.ReadWrite'], application: ['Presence.ReadWrite.All'] };

/** setPresence accepts exactly these availability/activity pairs. */
export const SESSION_COMBINATIONS: readonly PresenceState[] = [
  { availability: 'Available', activity: 'Available' },
  { availability: 'Busy', activity: 'InACall' },
  { availability: 'Busy', activity: 'InAConferenceCall' },
  { availability: 'Away', activity: 'Away' },
  { availability: 'DoNotDisturb', activity: 'Presenting' },
];

/** setUserPreferredPresence accepts exactly these pairs. */
export const PREFERRED_COMBINATIONS: readonly PresenceState[] = [
  { availability: 'Available', activity: 'Available' },
  { availability: 'Busy', activity: 'Busy' },
  { availability: 'DoNotDisturb', activity: 'DoNotDisturb' },
  { availability: 'BeRightBack', activity: 'BeRightBack' },
  { availability: 'Away', activity: 'Away' },
  { availability: 'Offline', activity: 'OffWork' },
];

const MAX_BATCH_IDS = 650;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The presence store, also telling `onTeamsClient` after each change of a user's own Teams client
 * session (`undefined`: signed out). Call records use it to turn "In a call" into Teams calls.
 */
export class TeamsClientObservedStore extends PresenceStore {
  constructor(
    userIds: Iterable<string>,
    clock: GraphClock,
    onChange: (userId: string) => void,
    private readonly onTeamsClient: (userId: string, state: PresenceState | undefined) => void,
  ) {
    super(userIds, clock, onChange);
  }

  override setTeamsClient(userId: string, state: PresenceState | undefined): void {
    super.setTeamsClient(userId, state);
    this.onTeamsClient(userId, state);
  }
}

export interface PresenceDeps {
  readonly directory: Directory;
  readonly presence: PresenceStore;
}

/** The presence JSON of a user (without `@odata.context`). */
export function presenceJson(store: PresenceStore, userId: string): Record<string, unknown> {
  const view = store.view(userId);
  return {
    id: userId,
    availability: view.availability,
    activity: view.activity,
    statusMessage: null,
    outOfOfficeSettings: { message: null, isOutOfOffice: false },
    sequenceNumber: view.sequenceNumber,
  };
}

export function presenceRoutes(deps: PresenceDeps): GraphRoute[] {
  const { directory, presence } = deps;

  /** Resolves the user a presence path names and checks the caller may act on them. */
  const subject = (r: GraphRequest, own: PermissionRule, other: PermissionRule): string => {
    const userId =
      r.params.userId === undefined ? directory.me(r.caller, 'teams').id : requireUser(r.params.userId);
    const isSelf = r.caller.userId?.toLowerCase() === userId.toLowerCase();
    requirePermission(r.caller, isSelf ? own : other, 'teams');
    return userId;
  };
  const requireUser = (id: string): string => {
    const user = directory.find(id);
    if (user === undefined) throw new GraphError(404, 'NotFound', `User '${id}' was not found.`);
    return user.id;
  };
  const single = (r: GraphRequest, userId: string, context: string): ReturnType<typeof odata> =>
    odata(200, {
      '@odata.context': `${r.serviceRoot}/$metadata#${context}`,
      ...presenceJson(presence, userId),
    });

  const routes: GraphRoute[] = [
    {
      method: 'GET',
      template: '/me/presence',
      family: 'presence',
      handler: (r) => {
        const userId = subject(r, READ_OWN, READ_ANY);
        return single(r, userId, `users('${userId}')/presence/$entity`);
      },
    },
    {
      method: 'GET',
      template: '/users/:userId/presence',
      family: 'presence',
      handler: (r) => {
        const userId = subject(r, READ_OWN, READ_ANY);
        return single(r, userId, `users('${userId}')/presence/$entity`);
      },
    },
    {
      method: 'GET',
      template: '/communications/presences/:userId',
      family: 'presence',
      handler: (r) => single(r, subject(r, READ_OWN, READ_ANY), 'communications/presences/$entity'),
    },
    {
      method: 'POST',
      template: '/communications/getPresencesByUserId',
      family: 'presence',
      handler: (r) => {
        requirePermission(r.caller, READ_ANY, 'teams');
        const ids = r.jsonBody().ids;
        if (
          !Array.isArray(ids) ||
          ids.length === 0 ||
          !ids.every((id): id is string => typeof id === 'string' && GUID.test(id))
        ) {
          throw badRequest("The 'ids' parameter must be a non-empty list of user object ids.");
        }
        if (ids.length > MAX_BATCH_IDS) {
          throw badRequest(`The number of ids must not exceed ${MAX_BATCH_IDS}.`);
        }
        const value = ids.map((id) => {
          const user = directory.find(id);
          // Users without Teams presence come back PresenceUnknown rather than failing the batch.
          return user === undefined
            ? {
                id,
                availability: 'PresenceUnknown',
                activity: 'PresenceUnknown',
                statusMessage: null,
                outOfOfficeSettings: null,
              }
            : presenceJson(presence, user.id);
        });
        return odata(200, {
          '@odata.context': `${r.serviceRoot}/$metadata#Collection(microsoft.graph.presence)`,
          value,
        });
      },
    },
  ];

  const actions: readonly [string, (r: GraphRequest, userId: string) => void][] = [
    [
      'setPresence',
      (r, userId) => {
        setPresence(r.jsonBody(), r.caller, userId, presence);
      },
    ],
    [
      'clearPresence',
      (r, userId) => {
        clearPresence(r.jsonBody(), r.caller, userId, presence);
      },
    ],
    [
      'setUserPreferredPresence',
      (r, userId) => {
        setPreferred(r.jsonBody(), userId, presence);
      },
    ],
    [
      'clearUserPreferredPresence',
      (_r, userId) => {
        presence.clearPreferred(userId);
      },
    ],
  ];
  for (const base of ['/me/presence', '/users/:userId/presence', '/communications/presences/:userId']) {
    for (const [action, run] of actions) {
      routes.push({
        method: 'POST',
        template: `${base}/${action}`,
        family: 'presence',
        handler: (r) => {
          const userId = subject(r, WRITE, WRITE);
          if (r.caller.kind === 'delegated' && r.caller.userId !== userId) {
            // Presence.ReadWrite acts for the signed-in user only.
            throw new GraphError(
              403,
              'Forbidden',
              "A delegated token can only change the signed-in user's presence.",
            );
          }
          run(r, userId);
          // The presence actions answer 200 OK without a body.
          return empty(200);
        },
      });
    }
  }
  return routes;
}

function stringField(body: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function combination(
  body: Readonly<Record<string, unknown>>,
  allowed: readonly PresenceState[],
): PresenceState {
  const availability = stringField(body, 'availability');
  const activity = stringField(body, 'activity');
  if (availability === undefined || activity === undefined) {
    throw badRequest('The availability and activity parameters are required.');
  }
  const match = allowed.find((c) => c.availability === availability && c.activity === activity);
  if (match === undefined) {
    throw badRequest(
      `The combination of availability '${availability}' and activity '${activity}' is not supported.`,
    );
  }
  return match;
}

function duration(body: Readonly<Record<string, unknown>>, fallbackMs: number): number | undefined {
  const value = body.expirationDuration;
  if (value === undefined || value === null) return fallbackMs;
  return typeof value === 'string' ? parseDuration(value) : undefined;
}

/** The session id must be the calling app's id (documented as "Provide the ID of the application"). */
function requireOwnSession(body: Readonly<Record<string, unknown>>, caller: Caller): void {
  const sessionId = stringField(body, 'sessionId');
  if (sessionId === undefined) throw badRequest('The sessionId parameter is required.');
  if (sessionId.toLowerCase() !== caller.appId.toLowerCase()) {
    // The refusal's wording is undocumented; a 400 naming the expected id is the sandbox's choice.
    throw badRequest(`The sessionId must be the id of the calling application ('${caller.appId}').`);
  }
}

function setPresence(
  body: Readonly<Record<string, unknown>>,
  caller: Caller,
  userId: string,
  store: PresenceStore,
): void {
  requireOwnSession(body, caller);
  const state = combination(body, SESSION_COMBINATIONS);
  const ms = duration(body, 5 * MINUTE_MS);
  if (ms === undefined || ms < 5 * MINUTE_MS || ms > 4 * HOUR_MS) {
    throw badRequest('The expirationDuration must be an ISO 8601 duration from PT5M to PT4H.');
  }
  store.setAppSession(userId, caller.appId, state, ms);
}

function clearPresence(
  body: Readonly<Record<string, unknown>>,
  caller: Caller,
  userId: string,
  store: PresenceStore,
): void {
  requireOwnSession(body, caller);
  store.clearAppSession(userId, caller.appId);
}

function setPreferred(body: Readonly<Record<string, unknown>>, userId: string, store: PresenceStore): void {
  const state = combination(body, PREFERRED_COMBINATIONS);
  // Documented defaults: 1 day for DoNotDisturb and Busy, 7 days otherwise.
  const fallback =
    state.availability === 'DoNotDisturb' || state.availability === 'Busy' ? DAY_MS : 7 * DAY_MS;
  const ms = duration(body, fallback);
  if (ms === undefined || ms <= 0)
    throw badRequest('The expirationDuration must be a positive ISO 8601 duration.');
  store.setPreferred(userId, state, ms);
}
