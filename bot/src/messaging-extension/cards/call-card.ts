import type { CallEndReason, CallError, CallState, CallView, DeepLinks } from '../../calls/call-service.js';
import {
  ADAPTIVE_CARD_SCHEMA,
  ADAPTIVE_CARD_VERSION,
  CALL_STATUS_VERB,
  callWithWebexAction,
  escapeMarkdown,
  webexDialUrl,
  type CallTarget,
} from './person-card.js';

/**
 * The cards the bot answers "Call with Webex" with (`adaptiveCard/action`): the call's progress
 * (ringing your devices, connecting, connected, ended…) with "Check status", a deep-link card for
 * someone who has not linked Webex, and a plain-words card when the call could not be placed.
 * Each replaces the card for the user who pressed the button.
 */

export const RINGING_DEVICES_TEXT = 'Ringing your Webex devices — answer to connect';
export const CHECK_STATUS_TITLE = 'Check status';
export const CALL_AGAIN_TITLE = 'Call again';
export const TRY_AGAIN_TITLE = 'Try again';
export const LINK_WEBEX_TITLE = 'Link Webex';
export const OPEN_IN_WEBEX_TITLE = 'Call in the Webex app';
export const OPEN_CALL_TAB_TITLE = 'Open the Call tab';

export type AdaptiveCardJson = Readonly<Record<string, unknown>>;

/** The `data` of "Check status" and of the refresh: the call, and who it is to (for the card). */
export interface CallStatusData extends CallTarget {
  readonly callId: string;
}

export interface CallCardContext {
  /** Where the user links Webex or dials by hand: the Call tab (Teams deep link, or its web page). */
  readonly callTabUrl: string;
  /**
   * The Teams user id (`29:…`) of whoever pressed the button: an in-progress card refreshes by
   * itself for them only (a User Specific View), everyone else keeps the card they had.
   */
  readonly viewerId?: string;
}

type TextColor = 'Default' | 'Good' | 'Warning' | 'Attention' | 'Accent';

const ACTIVE: ReadonlySet<CallState> = new Set([
  'ringing_devices',
  'connecting',
  'ringing_remote',
  'connected',
  'held',
]);

const REASON_TEXT: Record<CallEndReason, string> = {
  not_answered: 'no one answered',
  busy: 'the line was busy',
  declined: 'the call was declined',
  webex_unavailable: 'Webex was not available',
  unknown: 'no reason was given',
};

function who(target: CallTarget): string {
  return target.name ?? target.number;
}

/** The state in words (never colour alone) and a colour that agrees with them. */
export function callStateText(
  view: Pick<CallView, 'state' | 'reason'>,
  target: CallTarget,
): {
  readonly text: string;
  readonly color: TextColor;
} {
  const reason = view.reason === undefined ? '' : `: ${REASON_TEXT[view.reason]}`;
  switch (view.state) {
    case 'ringing_devices':
      return { text: RINGING_DEVICES_TEXT, color: 'Accent' };
    case 'connecting':
      return { text: 'Connecting your call…', color: 'Accent' };
    case 'ringing_remote':
      return { text: `Ringing ${who(target)}…`, color: 'Accent' };
    case 'connected':
      return { text: 'Connected', color: 'Good' };
    case 'held':
      return { text: 'On hold', color: 'Warning' };
    case 'ended':
      return { text: `Call ended${reason}`, color: 'Default' };
    case 'failed':
      return { text: `The call did not go through${reason}`, color: 'Attention' };
  }
}

function card(
  body: readonly Record<string, unknown>[],
  actions: readonly Record<string, unknown>[],
): Record<string, unknown> {
  return {
    $schema: ADAPTIVE_CARD_SCHEMA,
    type: 'AdaptiveCard',
    version: ADAPTIVE_CARD_VERSION,
    body,
    ...(actions.length === 0 ? {} : { actions }),
  };
}

function heading(text: string): Record<string, unknown> {
  return { type: 'TextBlock', text: escapeMarkdown(text), weight: 'Bolder', size: 'Medium', wrap: true };
}

function line(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'TextBlock', text: escapeMarkdown(text), wrap: true, ...extra };
}

/** The number under the name (when the name is not the number already). */
function numberLine(target: CallTarget): Record<string, unknown>[] {
  return target.name === undefined ? [] : [line(target.number, { isSubtle: true, spacing: 'None' })];
}

function openUrl(title: string, url: string): Record<string, unknown> {
  return { type: 'Action.OpenUrl', title, url };
}

function statusAction(data: CallStatusData, title = CHECK_STATUS_TITLE): Record<string, unknown> {
  return { type: 'Action.Execute', title, verb: CALL_STATUS_VERB, data: { ...data } };
}

/** The call's progress; an active call offers "Check status" and refreshes itself for the caller. */
export function callProgressCard(
  target: CallTarget,
  view: CallView,
  context: CallCardContext,
): AdaptiveCardJson {
  const state = callStateText(view, target);
  const data: CallStatusData = { ...target, callId: view.id };
  const active = ACTIVE.has(view.state);
  const built = card(
    [
      heading(`Calling ${who(target)} with Webex`),
      ...numberLine(target),
      line(state.text, { color: state.color, weight: 'Bolder', spacing: 'Medium' }),
    ],
    active ? [statusAction(data)] : [callWithWebexAction(target, CALL_AGAIN_TITLE)],
  );
  if (active && context.viewerId !== undefined) {
    built['refresh'] = { action: statusAction(data, 'Refresh'), userIds: [context.viewerId] };
  }
  return built;
}

/** For someone who has not linked Webex (or is new to CallBridge): the Webex app's deep link, and where to link. */
export function deepLinkCard(
  target: CallTarget,
  links: DeepLinks | undefined,
  context: CallCardContext,
): AdaptiveCardJson {
  const webex = links?.webex ?? webexDialUrl(target.number);
  return card(
    [
      heading(`Call ${who(target)}`),
      ...numberLine(target),
      line(
        'Link your Webex account and CallBridge rings your Webex devices for you. Until then, place the call in the Webex app.',
      ),
    ],
    [
      ...(webex === undefined ? [] : [openUrl(OPEN_IN_WEBEX_TITLE, webex)]),
      openUrl(LINK_WEBEX_TITLE, context.callTabUrl),
    ],
  );
}

/** The call could not be placed or followed: the service's plain words, and what the user can do next. */
export function callErrorCard(
  target: CallTarget,
  error: CallError,
  context: CallCardContext,
): AdaptiveCardJson {
  const webex = webexDialUrl(target.number);
  const inWebex = webex === undefined ? [] : [openUrl(OPEN_IN_WEBEX_TITLE, webex)];
  const actions: Record<string, unknown>[] = (() => {
    switch (error.code) {
      case 'webex_relink_required':
        return [openUrl(LINK_WEBEX_TITLE, context.callTabUrl), ...inWebex];
      case 'not_calling_enabled':
        return inWebex;
      case 'webex_unavailable':
        return [callWithWebexAction(target, TRY_AGAIN_TITLE), ...inWebex];
      case 'call_not_found':
        return [callWithWebexAction(target, CALL_AGAIN_TITLE)];
      case 'invalid_number':
      case 'voicemail_not_found':
        return [openUrl(OPEN_CALL_TAB_TITLE, context.callTabUrl)];
    }
  })();
  return card(
    [
      heading(error.code === 'call_not_found' ? `Call to ${who(target)}` : `Could not call ${who(target)}`),
      ...numberLine(target),
      line(error.message, { color: error.code === 'call_not_found' ? 'Default' : 'Attention' }),
    ],
    actions,
  );
}

/**
 * Webex did not answer in time for Teams. Placing: the call may still ring, so the card says so
 * rather than offering to dial again at once. Following a call: "Check status" again.
 */
export function webexSlowCard(
  target: CallTarget,
  callId: string | undefined,
  context: CallCardContext,
): AdaptiveCardJson {
  return card(
    [
      heading(`Calling ${who(target)} with Webex`),
      ...numberLine(target),
      line(
        callId === undefined
          ? 'Webex is taking longer than usual. If your Webex devices ring, answer to connect; if they do not, try again in a moment.'
          : 'Webex is taking longer than usual to say how the call is going. Check again in a moment.',
        { color: 'Warning' },
      ),
    ],
    callId === undefined
      ? [openUrl(OPEN_CALL_TAB_TITLE, context.callTabUrl)]
      : [statusAction({ ...target, callId })],
  );
}
