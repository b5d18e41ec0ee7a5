import { randomUUID } from 'node:crypto';
import type { ConversationReference, TurnContext } from 'botbuilder';
import type { NeedsSignInReason } from '../auth/obo/errors.js';
import type { Logger } from '../observability/logger.js';
import { serializeError } from '../observability/logger.js';
import { err, ok, type Result } from '../shared/result.js';
import type { ConversationRef, Store, User } from '../store/store.js';
import {
  parseStoredReference,
  toConversationReference,
  type StoredReference,
} from '../teams/conversation-reference.js';

/**
 * Proactive messages to one user in their 1:1 chat with the bot, through the conversation
 * reference the bot saved when they installed it or last wrote to it.
 *
 * Called from background paths (token refresh, presence sync), so nothing here throws: every
 * outcome is a value and failures are logged with opaque ids only.
 */

/** The part of botbuilder's CloudAdapter a proactive message needs. */
export interface ProactiveAdapter {
  continueConversationAsync(
    botAppId: string,
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void>;
}

export interface UserNotifierDeps {
  /** The bot's adapter (`createBotRoute(...).adapter`): its outbound credentials sign the message. */
  readonly adapter: ProactiveAdapter;
  /** `config.bot.appId`. */
  readonly botAppId: string;
  readonly store: Pick<Store, 'conversations' | 'leases'>;
  readonly logger: Logger;
  /** For durations in logs; default `Date.now`. Deduplication uses the store's clock (leases). */
  readonly now?: () => number;
}

/** Who to notify: the ids a stored user has (a whole `User` will do). */
export type NotifiedUser = Pick<User, 'id' | 'tenantId' | 'aadObjectId'>;

export type NotifyOutcome =
  /** The message reached the Bot Connector. */
  | { readonly status: 'sent'; readonly activityId: string | undefined }
  /** This user was sent the same notice less than 24 h ago (by any instance): nothing sent. */
  | { readonly status: 'already_notified' }
  /** No conversation reference: the user never installed the bot, or uninstalled it. Nothing sent. */
  | { readonly status: 'no_conversation' };

export interface NotifyError {
  /**
   * `store_unavailable`: the reference or the dedupe lease could not be read/written.
   * `invalid_reference`: the stored reference is unusable (the user's next message replaces it).
   * `send_failed`: the Bot Connector (or the bot's token endpoint) refused or did not answer.
   */
  readonly code: 'store_unavailable' | 'invalid_reference' | 'send_failed';
  /** The connector's HTTP status, when it answered. */
  readonly httpStatus: number | undefined;
  readonly message: string;
}

export type NotifyResult = Result<NotifyOutcome, NotifyError>;

export interface UserNotifier {
  /**
   * Tells the user in their chat with the bot to open the Call tab and sign in again. At most
   * once per user per 24 h across instances; a failed send does not count, so a later call retries.
   */
  notifyNeedsSignIn(user: NotifiedUser, reason: NeedsSignInReason): Promise<NotifyResult>;
  /**
   * A presence-sync notice (e.g. "Webex stopped sending your call events; CallBridge turned them
   * back on"). At most once per user and kind per 24 h across instances, like the sign-in notice.
   */
  notifyPresenceSync(user: NotifiedUser, notice: PresenceSyncNotice): Promise<NotifyResult>;
}

/** Presence-sync notices a user can be sent. */
export type PresenceSyncNotice = 'webex_events_resumed';

const PRESENCE_SYNC_NOTICE_TEXT: Record<PresenceSyncNotice, string> = {
  webex_events_resumed:
    'Webex had stopped sending CallBridge your call events, so Teams may not have shown you as in a call. ' +
    'CallBridge has turned them back on; nothing for you to do.',
};

export function presenceSyncNoticeText(notice: PresenceSyncNotice): string {
  return PRESENCE_SYNC_NOTICE_TEXT[notice];
}

export function presenceSyncLeaseName(userId: string, notice: PresenceSyncNotice): string {
  return `notify:${notice}:${userId}`;
}

/** How long one "sign in again" notice silences the next for the same user. */
export const NEEDS_SIGN_IN_NOTICE_PERIOD_MS = 24 * 60 * 60 * 1000;

/** The lease that marks "notified in the last 24 h"; shared by every instance through the store. */
export function needsSignInLeaseName(userId: string): string {
  return `notify:needs_sign_in:${userId}`;
}

/** Plain, actionable text; reason-specific where the user can tell what changed. */
export function needsSignInText(reason: NeedsSignInReason): string {
  switch (reason) {
    case 'consent_required':
      return (
        'CallBridge no longer has your permission to keep your presence in step between Teams and Webex. ' +
        'Open the Call tab in Teams and sign in again to allow it.'
      );
    case 'interaction_required':
      return (
        'Your organization now asks you to sign in again (for example with multi-factor authentication) ' +
        'before CallBridge can keep your presence in step: open the Call tab in Teams.'
      );
    case 'not_signed_in':
    case 'invalid_grant':
    case 'unknown_user':
      return "CallBridge can't keep your presence in step until you sign in again: open the Call tab in Teams.";
  }
}

export function createUserNotifier(deps: UserNotifierDeps): UserNotifier {
  const { adapter, botAppId, store } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'user-notifier' });

  function notifyNeedsSignIn(user: NotifiedUser, reason: NeedsSignInReason): Promise<NotifyResult> {
    return notifyOnce(user, {
      ids: { userId: user.id, reason, notice: 'needs_sign_in' },
      label: 'sign-in notice',
      leaseName: needsSignInLeaseName(user.id),
      text: needsSignInText(reason),
    });
  }

  function notifyPresenceSync(user: NotifiedUser, notice: PresenceSyncNotice): Promise<NotifyResult> {
    return notifyOnce(user, {
      ids: { userId: user.id, notice },
      label: 'presence sync notice',
      leaseName: presenceSyncLeaseName(user.id, notice),
      text: presenceSyncNoticeText(notice),
    });
  }

  async function notifyOnce(
    user: NotifiedUser,
    notice: { ids: Record<string, string>; label: string; leaseName: string; text: string },
  ): Promise<NotifyResult> {
    const started = now();
    const { ids, label, leaseName } = notice;

    let stored: ConversationRef | undefined;
    try {
      stored = await store.conversations.get(user.tenantId, user.aadObjectId);
    } catch (error) {
      log.error({ ...ids, err: serializeError(error) }, `${label} not sent: store unavailable`);
      return err(failure('store_unavailable', undefined, 'The conversation reference could not be read.'));
    }
    if (stored === undefined) {
      log.info(ids, `${label} not sent: the user has no chat with the bot (not installed)`);
      return ok({ status: 'no_conversation' });
    }
    const reference = parseStoredReference(stored.reference);
    if (reference === undefined) {
      log.error(ids, `${label} not sent: the stored conversation reference is unusable`);
      return err(failure('invalid_reference', undefined, 'The stored conversation reference is unusable.'));
    }

    // A fresh owner per attempt: a lease held by this same instance must also count as "notified".
    const owner = `notifier:${randomUUID()}`;
    let token: number | null;
    try {
      token = await store.leases.tryAcquire(leaseName, owner, NEEDS_SIGN_IN_NOTICE_PERIOD_MS);
    } catch (error) {
      log.error({ ...ids, err: serializeError(error) }, `${label} not sent: store unavailable`);
      return err(failure('store_unavailable', undefined, 'The notice lease could not be taken.'));
    }
    if (token === null) {
      log.debug(ids, `${label} not sent: already sent in the last 24 h`);
      return ok({ status: 'already_notified' });
    }

    const sent = await send(reference, notice.text);
    if (sent.ok) {
      log.info({ ...ids, activityId: sent.value, durationMs: now() - started }, `${label} sent to the user`);
      return ok({ status: 'sent', activityId: sent.value });
    }
    const httpStatus = statusOf(sent.error);
    log.error(
      { ...ids, httpStatus, err: serializeError(sent.error), durationMs: now() - started },
      `${label} could not be sent`,
    );
    // Give the period back so the next trigger can try again.
    await store.leases.release(leaseName, owner, token).catch((error: unknown) => {
      log.warn({ ...ids, err: serializeError(error) }, `could not release the ${label} lease`);
    });
    return err(
      failure(
        'send_failed',
        httpStatus,
        httpStatus === undefined
          ? 'The message could not be sent to the Bot Connector.'
          : `The Bot Connector answered ${String(httpStatus)}.`,
      ),
    );
  }

  /**
   * The adapter hands errors thrown inside the turn to its `onTurnError` (which swallows them),
   * so the send's own failure is caught in the turn and returned.
   */
  async function send(
    reference: StoredReference,
    text: string,
  ): Promise<Result<string | undefined, unknown>> {
    let outcome: Result<string | undefined, unknown> = err(new Error('the proactive turn did not run'));
    try {
      await adapter.continueConversationAsync(
        botAppId,
        toConversationReference(reference),
        async (context) => {
          try {
            const response = await context.sendActivity({ type: 'message', text, textFormat: 'plain' });
            outcome = ok(response?.id);
          } catch (error) {
            outcome = err(error);
          }
        },
      );
    } catch (error) {
      outcome = err(error);
    }
    return outcome;
  }

  return { notifyNeedsSignIn, notifyPresenceSync };
}

function failure(code: NotifyError['code'], httpStatus: number | undefined, message: string): NotifyError {
  return { code, httpStatus, message };
}

/** The HTTP status a botframework-connector RestError carries, if any. */
function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}
