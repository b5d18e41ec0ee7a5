import type { AdaptiveCardInvokeResponse, InvokeResponse, TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { CallError, CallService } from '../calls/call-service.js';
import type { Logger } from '../observability/logger.js';
import type { Store } from '../store/store.js';
import { senderOf } from '../teams/conversation-reference.js';
import { byDeadline } from '../teams/deadline.js';
import {
  callErrorCard,
  callProgressCard,
  deepLinkCard,
  webexSlowCard,
  type AdaptiveCardJson,
  type CallCardContext,
} from './cards/call-card.js';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  CALL_STATUS_VERB,
  CALL_VERB,
  normaliseDialNumber,
  plainName,
  type CallTarget,
} from './cards/person-card.js';

export interface CallActionDeps {
  /** Dials and follows calls for a CallBridge user (Click to Dial over their linked Webex). */
  readonly calls: Pick<CallService, 'place' | 'status'>;
  readonly store: Pick<Store, 'users'>;
  /** The Call tab, where users sign in, link Webex and dial by hand: a Teams deep link, or its web page. */
  readonly callTabUrl: string;
  readonly logger: Logger;
  /** The card goes out by then whatever Webex does (Teams waits 5 s for an invoke); default 4 s. */
  readonly deadlineMs?: number;
}

export const DEFAULT_CALL_ACTION_DEADLINE_MS = 4_000;

const MAX_ID_CHARS = 200;

const target = {
  number: z.string().max(64),
  name: z.string().max(1000).optional(),
};

/**
 * The Universal Action invoke value (`adaptiveCard/action`): Teams documents `action.type`
 * `Action.Execute`, `verb`, `data`, plus `trigger` (`manual` for a press, `automatic` for a refresh).
 */
const invokeValue = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.string(),
    data: z.unknown().optional(),
  }),
  trigger: z.enum(['manual', 'automatic']).optional(),
});

const callData = z.object(target);
const statusData = z.object({ callId: z.string().min(1).max(MAX_ID_CHARS) });

type Outcome = InvokeResponse<AdaptiveCardInvokeResponse>;

const UNDIALLABLE: CallError = {
  code: 'invalid_number',
  message: 'That number cannot be dialled. Open the Call tab to type the number in.',
};

/**
 * "Call with Webex" and "Check status" on a person card (`adaptiveCard/action`, Universal
 * Actions): the user who pressed the button is who the channel says sent the invoke (tenant and
 * Entra object id of the signed activity), and the answer is a card for that user:
 * - linked to Webex → Click to Dial through the call service; the card shows the call ringing on
 *   their devices, with "Check status" (and a refresh for them only) to follow its progress;
 * - not linked, or not yet a CallBridge user → the Webex app's deep link and "Link Webex";
 * - the call could not be placed (bad number, no Webex Calling, Webex down…) → plain words;
 * - Webex slower than the deadline → a card saying so, out before Teams gives up on the invoke.
 * A value that is not one of our actions is a 400 with `{ code, message }`. Numbers and names
 * are never logged.
 */
export async function handleCallAction(context: TurnContext, deps: CallActionDeps): Promise<Outcome> {
  const log = deps.logger.child({ component: 'call-action', activityId: context.activity.id });
  const parsed = invokeValue.safeParse(context.activity.value);
  if (!parsed.success) return badRequest('The card action is not an Action.Execute this app knows.');
  const { verb, data } = parsed.data.action;
  const cards: CallCardContext = {
    callTabUrl: deps.callTabUrl,
    ...(typeof context.activity.from.id === 'string' ? { viewerId: context.activity.from.id } : {}),
  };

  if (verb !== CALL_VERB && verb !== CALL_STATUS_VERB)
    return badRequest(`Unknown card action "${verb.slice(0, 40)}".`);
  const fields = callData.safeParse(data);
  const call = verb === CALL_STATUS_VERB ? statusData.safeParse(data) : undefined;
  if (!fields.success || call?.success === false)
    return badRequest('The card action is missing the number to call or the call id.');
  const callId = call?.data.callId;
  const number = normaliseDialNumber(fields.data.number);
  const name = plainName(fields.data.name);
  if (number === undefined) {
    const who: CallTarget =
      name === undefined ? { number: fields.data.number } : { number: fields.data.number, name };
    return card(callErrorCard(who, UNDIALLABLE, cards));
  }
  const who: CallTarget = name === undefined ? { number } : { number, name };

  const user = await userOf(context, deps);
  if (user === undefined) {
    log.info({ verb }, 'card call action from someone who is not a CallBridge user yet: deep link offered');
    return card(deepLinkCard(who, undefined, cards));
  }

  const deadlineMs = deps.deadlineMs ?? DEFAULT_CALL_ACTION_DEADLINE_MS;
  if (callId !== undefined) {
    const status = await byDeadline(deps.calls.status(user, callId), deadlineMs);
    if (status === 'late') {
      log.warn({ userId: user, verb, outcome: 'late' }, 'call status for a card: Webex too slow');
      return card(webexSlowCard(who, callId, cards));
    }
    log.info(
      { userId: user, verb, outcome: status.ok ? status.value.state : status.error.code },
      'call status for a card',
    );
    return card(
      status.ok ? callProgressCard(who, status.value, cards) : callErrorCard(who, status.error, cards),
    );
  }

  const placed = await byDeadline(
    deps.calls.place(
      user,
      name === undefined ? { destination: number } : { destination: number, displayName: name },
    ),
    deadlineMs,
  );
  if (placed === 'late') {
    log.warn({ userId: user, verb, outcome: 'late' }, 'card call action: Webex too slow to confirm the call');
    return card(webexSlowCard(who, undefined, cards));
  }
  if (!placed.ok) {
    log.info({ userId: user, verb, outcome: placed.error.code }, 'card call action: call not placed');
    return card(callErrorCard(who, placed.error, cards));
  }
  const value = placed.value;
  log.info(
    { userId: user, verb, outcome: value.mode === 'webex' ? value.call.state : 'deep_link' },
    'card call action',
  );
  return card(
    value.mode === 'webex' ? callProgressCard(who, value.call, cards) : deepLinkCard(who, value.links, cards),
  );
}

/** The CallBridge user id of whoever sent the invoke, from the channel's signed activity. */
async function userOf(context: TurnContext, deps: CallActionDeps): Promise<string | undefined> {
  const sender = senderOf(context.activity);
  if (sender === undefined) return undefined;
  return (await deps.store.users.getByAadObjectId(sender.tenantId, sender.aadObjectId))?.id;
}

function card(value: AdaptiveCardJson): Outcome {
  return {
    status: 200,
    body: { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value },
  };
}

function badRequest(message: string): Outcome {
  return {
    status: 400,
    body: {
      statusCode: 400,
      type: 'application/vnd.microsoft.error',
      value: { code: 'BadRequest', message },
    },
  };
}
