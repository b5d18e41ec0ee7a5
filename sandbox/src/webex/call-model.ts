import type { CallType } from './destination.js';

/**
 * Call legs as Webex Calling's Call Controls API describes them: one leg per user per call,
 * with a personality, a state and the remote party as that user sees it.
 */

/** `clickToDial` alerts the user's own devices for a dial request; answering makes it `originator`. */
export type Personality = 'originator' | 'terminator' | 'clickToDial';
export type CallState = 'connecting' | 'alerting' | 'connected' | 'held' | 'remoteHeld' | 'disconnected';
export const CALL_STATES: readonly CallState[] = [
  'connecting',
  'alerting',
  'connected',
  'held',
  'remoteHeld',
  'disconnected',
];
export const PERSONALITIES: readonly Personality[] = ['originator', 'terminator', 'clickToDial'];
export const CALL_TYPES: readonly CallType[] = [
  'location',
  'organization',
  'external',
  'emergency',
  'repair',
  'other',
];

/** Webhook `event` of a telephony_calls notification. */
export type CallWebhookEvent = 'created' | 'updated' | 'deleted';

/**
 * `data.eventType` of a telephony_calls notification: `received`, `updated` and `answered`
 * appear in captured payloads; the others follow the same naming for the remaining transitions.
 */
export type CallEventType =
  'received' | 'originated' | 'answered' | 'held' | 'remoteHeld' | 'resumed' | 'disconnected';

export interface RemoteParty {
  readonly name?: string;
  readonly number: string;
  readonly personId?: string;
  readonly privacyEnabled: boolean;
  readonly callType: CallType;
}

export interface CallLeg {
  readonly id: string;
  readonly sessionId: string;
  /** Person whose call this is. */
  readonly ownerId: string;
  personality: Personality;
  state: CallState;
  readonly remoteParty: RemoteParty;
  readonly appearance: number;
  readonly created: number;
  answered: number | undefined;
  disconnected: number | undefined;
  /** The colleague's leg of the same call, when the other side is a Webex Calling user here. */
  peerId: string | undefined;
  /** Set on a caller's leg answered by a colleague's voicemail (the colleague is on DND). */
  voicemailOf: string | undefined;
}

/** Whether the leg keeps its owner "in a call" (ringing alone does not). */
export function isEngaged(leg: CallLeg): boolean {
  return (
    leg.state === 'connecting' ||
    leg.state === 'connected' ||
    leg.state === 'held' ||
    leg.state === 'remoteHeld'
  );
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Fields shared by the REST call object and the webhook `data`. */
function commonFields(leg: CallLeg): Record<string, unknown> {
  const muteCapable = leg.state === 'connected' || leg.state === 'held' || leg.state === 'remoteHeld';
  return {
    callSessionId: leg.sessionId,
    personality: leg.personality,
    state: leg.state,
    remoteParty: leg.remoteParty,
    appearance: leg.appearance,
    created: iso(leg.created),
    ...(leg.answered === undefined ? {} : { answered: iso(leg.answered) }),
    ...(leg.disconnected === undefined ? {} : { disconnected: iso(leg.disconnected) }),
    muteCapable,
    muted: false,
  };
}

/** The call object of `GET /telephony/calls` and `GET /telephony/calls/{callId}` (id is `id`). */
export function callJson(leg: CallLeg): Record<string, unknown> {
  return { id: leg.id, ...commonFields(leg) };
}

/** The `data` of a telephony_calls webhook notification (id is `callId`, plus the event fields). */
export function callEventData(leg: CallLeg, eventType: CallEventType, at: number): Record<string, unknown> {
  return {
    callId: leg.id,
    ...commonFields(leg),
    eventType,
    eventTimestamp: iso(at),
    completedElsewhere: false,
  };
}
