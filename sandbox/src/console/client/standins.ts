import { getJson, sendJson } from '../../teams-host/client/api.js';

/**
 * The stand-ins' `/_sandbox/...` control APIs as the console uses them, reached through the
 * dev host's proxy (same origin). One module, so a change in a stand-in's control surface is
 * one edit here.
 */

// ---------- Graph (Teams presence, subscriptions, throttling) ----------

export interface PresenceSession {
  readonly id: string;
  readonly source: 'app' | 'teamsClient';
  readonly availability: string;
  readonly activity: string;
  readonly expiresAt?: number | string | null;
}

export interface TeamsPresence {
  readonly userId: string;
  readonly availability: string;
  readonly activity: string;
  readonly preferred?: {
    readonly availability: string;
    readonly activity: string;
    readonly expiresAt?: number | string;
  } | null;
  readonly sessions: readonly PresenceSession[];
}

export interface GraphSubscription {
  readonly id: string;
  readonly resource: string;
  readonly changeType?: string;
  readonly notificationUrl?: string;
  readonly expirationDateTime?: string;
  readonly applicationId?: string;
}

/** A Teams call record a user took part in (`GET /_sandbox/graph/users/{id}/call-records`). */
export interface TeamsCallRecord {
  readonly id: string;
  readonly startDateTime: string;
  readonly endDateTime: string;
  readonly durationSeconds: number;
  /** False until Graph publishes it (GET /communications/callRecords/{id} answers 404 before). */
  readonly available: boolean;
  readonly availableDateTime: string;
}

/** What the user's own Teams client can be doing (Graph stand-in `teams-client` states). */
export const TEAMS_SESSION_STATES = {
  meeting: { label: 'In a meeting' },
  call: { label: 'In a call' },
  presenting: { label: 'Presenting' },
  dnd: { label: 'Do not disturb' },
} as const;
export type TeamsSessionState = keyof typeof TEAMS_SESSION_STATES;

export const PREFERRED_STATES = [
  { availability: 'Available', activity: 'Available', label: 'Available' },
  { availability: 'Busy', activity: 'Busy', label: 'Busy' },
  { availability: 'DoNotDisturb', activity: 'DoNotDisturb', label: 'Do not disturb' },
  { availability: 'BeRightBack', activity: 'BeRightBack', label: 'Be right back' },
  { availability: 'Away', activity: 'Away', label: 'Appear away' },
  { availability: 'Offline', activity: 'OffWork', label: 'Appear offline' },
] as const;

export const GRAPH_FAMILIES = [
  'users',
  'contacts',
  'extensions',
  'presence',
  'subscriptions',
  'members',
  'callRecords',
  'batch',
] as const;

const GRAPH = '/_sandbox/graph';
const graphUser = (userId: string): string => `${GRAPH}/users/${encodeURIComponent(userId)}`;

export const graph = {
  presences: async (): Promise<TeamsPresence[]> => (await getJson(`${GRAPH}/users`)) as TeamsPresence[],
  presence: async (userId: string): Promise<TeamsPresence> =>
    (await getJson(`${graphUser(userId)}/presence`)) as TeamsPresence,
  /** Meeting, call and presenting are Teams client sessions; DND is the user's choice in Teams (preferred). */
  setTeamsSession: async (userId: string, state: TeamsSessionState): Promise<unknown> =>
    state === 'dnd'
      ? sendJson('POST', `${graphUser(userId)}/dnd`, { on: true })
      : sendJson('POST', `${graphUser(userId)}/teams-client`, { state }),
  /** Back to an ordinary day: the Teams client Available and no Do Not Disturb. */
  clearTeamsSession: async (userId: string): Promise<unknown> => {
    await sendJson('POST', `${graphUser(userId)}/dnd`, { on: false });
    return sendJson('POST', `${graphUser(userId)}/teams-client`, { state: 'available' });
  },
  signOutTeams: (userId: string) =>
    sendJson('POST', `${graphUser(userId)}/teams-client`, { state: 'signedOut' }),
  setPreferred: (userId: string, availability: string, activity: string) =>
    sendJson('POST', `${graphUser(userId)}/preferred`, { availability, activity }),
  clearPreferred: (userId: string) => sendJson('DELETE', `${graphUser(userId)}/preferred`),
  /** Call records of the user's Teams calls ("In a call" and out again), newest first. */
  callRecords: async (userId: string): Promise<TeamsCallRecord[]> =>
    (await getJson(`${graphUser(userId)}/call-records`)) as TeamsCallRecord[],
  subscriptions: async (): Promise<GraphSubscription[]> =>
    (await getJson(`${GRAPH}/subscriptions`)) as GraphSubscription[],
  expireSubscription: (id: string) =>
    sendJson('POST', `${GRAPH}/subscriptions/${encodeURIComponent(id)}/expire`),
  removeSubscription: (id: string) =>
    sendJson('POST', `${GRAPH}/subscriptions/${encodeURIComponent(id)}/remove`),
  throttled: async (): Promise<unknown> =>
    ((await getJson(`${GRAPH}/faults`)) as { throttles?: unknown }).throttles,
  /** Every family answers 429 (Retry-After 10 s) until throttling is turned off. */
  throttleOn: () =>
    Promise.all(
      GRAPH_FAMILIES.map((family) =>
        sendJson('POST', `${GRAPH}/throttle`, { family, count: 1_000_000, retryAfterSeconds: 10 }),
      ),
    ),
  throttleOff: () => sendJson('DELETE', `${GRAPH}/throttle`),
};

// ---------- Webex (calls, DND, status, webhooks, throttling) ----------

export interface WebexPerson {
  readonly personId: string;
  readonly displayName: string;
  readonly email: string;
  readonly calling: boolean;
  readonly extension: string | undefined;
}

export interface WebexStatus {
  readonly personId: string;
  readonly status: string;
  readonly explicit?: { readonly status: string; readonly setBy: string; readonly expiresAt?: number } | null;
  readonly inCall: boolean;
  readonly inMeeting: boolean;
  readonly presenting: boolean;
}

export interface WebexDnd {
  readonly enabled: boolean;
}

export interface WebexCall {
  readonly id: string;
  readonly ownerId: string;
  readonly personality: string;
  readonly state: string;
  readonly remoteParty: { readonly name?: string; readonly number: string };
  readonly created: string;
}

export interface WebexWebhook {
  readonly id: string;
  readonly name?: string;
  readonly resource?: string;
  readonly event?: string;
  readonly targetUrl?: string;
  readonly status?: string;
  readonly recentFailures?: number;
}

export const WEBEX_STATUSES = ['active', 'inactive', 'ooo', 'dnd'] as const;
export const WEBEX_FAMILIES = ['people', 'calls', 'webhooks'] as const;

const WEBEX = '/_sandbox/webex';
const person = (personId: string): string => `${WEBEX}/people/${encodeURIComponent(personId)}`;

export const webex = {
  people: async (): Promise<WebexPerson[]> => (await getJson(`${WEBEX}/people`)) as WebexPerson[],
  status: async (personId: string): Promise<WebexStatus> =>
    (await getJson(`${person(personId)}/status`)) as WebexStatus,
  setStatus: (personId: string, status: string) =>
    sendJson('POST', `${person(personId)}/status`, { status, setBy: 'user' }),
  clearStatus: (personId: string) => sendJson('DELETE', `${person(personId)}/status`),
  dnd: async (personId: string): Promise<WebexDnd> => (await getJson(`${person(personId)}/dnd`)) as WebexDnd,
  setDnd: (personId: string, enabled: boolean) => sendJson('PUT', `${person(personId)}/dnd`, { enabled }),
  calls: async (personId?: string): Promise<WebexCall[]> =>
    (await getJson(
      personId === undefined ? `${WEBEX}/calls` : `${WEBEX}/calls?personId=${encodeURIComponent(personId)}`,
    )) as WebexCall[],
  ringUser: (toPersonId: string, fromNumber: string, fromName: string) =>
    sendJson('POST', `${WEBEX}/calls/incoming`, { toPersonId, fromNumber, fromName }),
  startCall: (personId: string, destination: string) =>
    sendJson('POST', `${WEBEX}/calls/start`, { personId, destination }),
  answerOnDevice: (callId: string, personId: string) =>
    sendJson('POST', `${WEBEX}/calls/${encodeURIComponent(callId)}/answer-on-device`, { personId }),
  remoteAnswer: (callId: string) =>
    sendJson('POST', `${WEBEX}/calls/${encodeURIComponent(callId)}/remote-answer`),
  remoteHangup: (callId: string) =>
    sendJson('POST', `${WEBEX}/calls/${encodeURIComponent(callId)}/remote-hangup`),
  webhooks: async (): Promise<WebexWebhook[]> => (await getJson(`${WEBEX}/webhooks`)) as WebexWebhook[],
  disableWebhook: (id: string) => sendJson('POST', `${WEBEX}/webhooks/${encodeURIComponent(id)}/disable`),
  throttled: async (): Promise<Record<string, unknown>> =>
    (await getJson(`${WEBEX}/throttle`)) as Record<string, unknown>,
  throttleOn: () =>
    Promise.all(
      WEBEX_FAMILIES.map((family) => sendJson('POST', `${WEBEX}/throttle`, { family, retryAfterSeconds: 5 })),
    ),
  throttleOff: () => sendJson('DELETE', `${WEBEX}/throttle`),
};

// ---------- Entra (consent, MFA, refresh tokens) ----------

const ENTRA = '/_sandbox/entra';

export interface EntraUserConditions {
  readonly id: string;
  /** Client ids whose consent the user revoked (`*`: every client). */
  readonly consentRevokedFor: readonly string[];
  readonly mfaRequired: boolean;
}

export const entra = {
  revokeConsent: (userId: string) =>
    sendJson('POST', `${ENTRA}/users/${encodeURIComponent(userId)}/revoke-consent`),
  requireMfa: (userId: string, required: boolean) =>
    sendJson('POST', `${ENTRA}/users/${encodeURIComponent(userId)}/require-mfa`, { required }),
  expireRefreshTokens: (userId: string) =>
    sendJson('POST', `${ENTRA}/users/${encodeURIComponent(userId)}/expire-refresh-tokens`),
  user: async (userId: string): Promise<EntraUserConditions> =>
    (await getJson(`${ENTRA}/users/${encodeURIComponent(userId)}`)) as EntraUserConditions,
};

// ---------- Bot channel (what the bot sent) ----------

export const botChannel = {
  conversations: async (): Promise<unknown> => getJson('/_sandbox/botchannel/conversations'),
};
