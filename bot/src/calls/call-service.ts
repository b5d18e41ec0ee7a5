import type { Result } from '../shared/result.js';
import type { CallState } from './call-state.js';

/**
 * Calling for a CallBridge user, over their linked Webex account: Click to Dial, the call's
 * progress, call history and voicemail. Shared by the Call tab routes, the bot and the messaging
 * extension. Expected failures are `CallError` values with plain-words messages; a user who has
 * not linked Webex gets deep links from `place` and empty lists (`linked: false`) elsewhere.
 */
export interface CallService {
  place(
    userId: string,
    input: { readonly destination: string; readonly displayName?: string },
  ): Promise<Result<PlacedCall, CallError>>;
  status(userId: string, callId: string): Promise<Result<CallView, CallError>>;
  /**
   * Ends a call the user placed through CallBridge, ringing or answered, and answers it `ended`.
   * Idempotent: a call already over answers the same; another user's call is `call_not_found`.
   */
  hangup(userId: string, callId: string): Promise<Result<CallView, CallError>>;
  recent(userId: string): Promise<Result<{ linked: boolean; calls: RecentCall[] }, CallError>>;
  voicemail(
    userId: string,
  ): Promise<Result<{ linked: boolean; messages: VoiceMessage[]; unread: number }, CallError>>;
  markVoicemailRead(userId: string, id: string): Promise<Result<void, CallError>>;
}

export type { CallState } from './call-state.js';

export type CallEndReason = 'not_answered' | 'busy' | 'declined' | 'webex_unavailable' | 'unknown';

export interface CallView {
  readonly id: string;
  readonly state: CallState;
  readonly destination: string;
  /** Epoch ms. */
  readonly startedAt: number;
  readonly reason?: CallEndReason;
}

export interface DeepLinks {
  /** `webextel:<number>`, or `webexteams://im?space=…`-style link for a SIP address. */
  readonly webex: string;
  readonly tel?: string;
  readonly sip?: string;
}

export type PlacedCall =
  | { readonly mode: 'webex'; readonly call: CallView }
  | { readonly mode: 'deep_link'; readonly links: DeepLinks; readonly linkWebex: true };

export interface RecentCall {
  readonly id: string;
  readonly direction: 'placed' | 'received' | 'missed';
  readonly name?: string;
  readonly number: string;
  /** Epoch ms. */
  readonly at: number;
  readonly durationSeconds?: number;
}

export interface VoiceMessage {
  readonly id: string;
  readonly from: { readonly name?: string; readonly number?: string };
  /** Epoch ms. */
  readonly at: number;
  readonly durationSeconds?: number;
  readonly read: boolean;
}

export type CallErrorCode =
  | 'invalid_number'
  | 'not_calling_enabled'
  | 'webex_relink_required'
  | 'webex_unavailable'
  | 'call_not_found'
  | 'voicemail_not_found';

export interface CallError {
  readonly code: CallErrorCode;
  /** Plain words for the user: what happened and what to do. */
  readonly message: string;
  readonly retryAfterSeconds?: number;
}

export { createCallService, type CallServiceDeps } from './webex-call-service.js';
