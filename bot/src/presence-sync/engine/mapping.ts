import type { PresenceSyncRule } from '../../store/store.js';

/**
 * The presence mapping between Webex and Teams, as one table operators can override
 * (`createPresenceSync({ mapping })`). The defaults follow issue 7:
 *
 * | Webex (what the user is doing)            | Teams app presence session we post    |
 * | ----------------------------------------- | ------------------------------------- |
 * | call connected / held / remote held       | Busy / InACall                        |
 * | two or more such calls at once (conference) | Busy / InAConferenceCall            |
 * | in a Webex meeting                        | Busy / InAConferenceCall              |
 * | presenting in a Webex meeting             | DoNotDisturb / Presenting             |
 * | nothing of the above                      | no session (clearPresence)            |
 *
 * | Teams (the user's own presence)                         | Webex, per the user's rule           |
 * | ------------------------------------------------------- | ------------------------------------ |
 * | InAMeeting, InAConferenceCall, Presenting               | DND for `always` and `meetings_only` |
 * | InACall, DoNotDisturb (activity or availability)        | DND for `always` only                |
 * | anything else (Available, Away, AvailableInactive, BeRightBack, Offline…) | no DND (ours undone)  |
 *
 * Teams' automatic decay (AvailableInactive, Away, BeRightBack) never writes anything to Webex by
 * itself: it only means "not busy", which undoes a DND we set and nothing else.
 */

/** The pairs Graph's setPresence accepts (platform facts A6). */
export type TeamsSessionState =
  | { readonly availability: 'Busy'; readonly activity: 'InACall' | 'InAConferenceCall' }
  | { readonly availability: 'DoNotDisturb'; readonly activity: 'Presenting' }
  | { readonly availability: 'Available'; readonly activity: 'Available' }
  | { readonly availability: 'Away'; readonly activity: 'Away' };

/** What the user is doing in Webex, strongest first. */
export type WebexActivity = 'presenting' | 'meeting' | 'conference' | 'call' | 'none';
export const WEBEX_ACTIVITY_RANK: readonly WebexActivity[] = [
  'presenting',
  'meeting',
  'conference',
  'call',
  'none',
];

export interface PresenceMapping {
  /** Webex call states (`data.state` / REST `state`) in which the user counts as on a call. */
  readonly activeCallStates: readonly string[];
  /** How many simultaneous active calls count as a conference. */
  readonly conferenceMinCalls: number;
  /** The Teams session for each Webex activity; `null`: no session. */
  readonly webexToTeams: Readonly<Record<WebexActivity, TeamsSessionState | null>>;
  /** Teams activities (or availabilities) that hold Webex calls, per rule. */
  readonly teamsToWebexDnd: Readonly<Record<PresenceSyncRule, readonly string[]>>;
}

export const DEFAULT_MAPPING: PresenceMapping = {
  activeCallStates: ['connected', 'held', 'remoteHeld'],
  conferenceMinCalls: 2,
  webexToTeams: {
    presenting: { availability: 'DoNotDisturb', activity: 'Presenting' },
    meeting: { availability: 'Busy', activity: 'InAConferenceCall' },
    conference: { availability: 'Busy', activity: 'InAConferenceCall' },
    call: { availability: 'Busy', activity: 'InACall' },
    none: null,
  },
  teamsToWebexDnd: {
    always: ['InAMeeting', 'InAConferenceCall', 'Presenting', 'InACall', 'DoNotDisturb'],
    meetings_only: ['InAMeeting', 'InAConferenceCall', 'Presenting'],
    never: [],
  },
};

export interface TeamsPresence {
  readonly availability: string;
  readonly activity: string;
}

export interface WebexCallView {
  readonly state: string;
}

/** What the user is doing in Webex, from their calls and (when known) their meeting status. */
export function webexActivityOf(
  mapping: PresenceMapping,
  calls: readonly WebexCallView[],
  meeting: WebexMeetingState | undefined,
): WebexActivity {
  if (meeting?.presenting === true) return 'presenting';
  if (meeting?.inMeeting === true) return 'meeting';
  const active = calls.filter((c) => mapping.activeCallStates.includes(c.state)).length;
  if (active >= Math.max(2, mapping.conferenceMinCalls)) return 'conference';
  return active > 0 ? 'call' : 'none';
}

export interface WebexMeetingState {
  readonly inMeeting: boolean;
  readonly presenting: boolean;
}

/**
 * What the REST `Person.status` (webex-messaging OpenAPI: `active | call | DoNotDisturb | inactive
 * | meeting | OutOfOffice | pending | presenting | unknown`) says about meetings. It is one value in
 * Webex's own precedence, so `call` and `DoNotDisturb` may hide a meeting under them: those are
 * `hidden` (the caller decides what it knew before); everything else, new values included, means
 * "not in a meeting we can see". `DoNotDisturb` is never a Teams state of its own: the table maps
 * meetings and presenting only, so neither a user's Webex DND nor ours is mirrored to Teams.
 */
export function meetingFromPersonStatus(
  status: string,
): WebexMeetingState | { readonly hiddenBy: 'call' | 'dnd' } {
  switch (status) {
    case 'presenting':
      return { inMeeting: true, presenting: true };
    case 'meeting':
      return { inMeeting: true, presenting: false };
    case 'call':
      return { hiddenBy: 'call' };
    case 'DoNotDisturb':
      return { hiddenBy: 'dnd' };
    default:
      return { inMeeting: false, presenting: false };
  }
}

/** Whether the table maps Webex meetings at all: if not, their status is never read. */
export function mapsMeetings(mapping: PresenceMapping): boolean {
  return mapping.webexToTeams.meeting !== null || mapping.webexToTeams.presenting !== null;
}

export function teamsTargetFor(mapping: PresenceMapping, activity: WebexActivity): TeamsSessionState | null {
  return mapping.webexToTeams[activity];
}

/** Whether the user's own Teams presence should hold their Webex calls under `rule`. */
export function teamsWantsWebexDnd(
  mapping: PresenceMapping,
  rule: PresenceSyncRule,
  presence: TeamsPresence,
): boolean {
  const triggers = mapping.teamsToWebexDnd[rule];
  return triggers.includes(presence.activity) || triggers.includes(presence.availability);
}

export function samePresence(a: TeamsPresence | undefined, b: TeamsPresence | undefined): boolean {
  return a !== undefined && b !== undefined && a.availability === b.availability && a.activity === b.activity;
}
