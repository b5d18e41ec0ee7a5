import { TeamsActivityHandler, type InvokeResponse, type TurnContext } from 'botbuilder';
import {
  handleQueryWithSso,
  type MessagingExtensionSsoDeps,
  type SsoMessagingExtensionQuery,
} from '../messaging-extension/sso-query.js';
import type { Logger } from '../observability/logger.js';
import { serializeError } from '../observability/logger.js';
import type { Store } from '../store/store.js';
import { personalReferenceOf, toJson } from './conversation-reference.js';

/** What the bot says in its personal chat until the command issues add real commands. */
export const HELP_TEXT = [
  'Hi, I am CallBridge: Webex calling inside Teams.',
  '- Open the **Call** tab to dial a number or a colleague with Webex.',
  '- In any chat, use the CallBridge search in the compose box to find people and share a call link.',
  '- Your Teams and Webex presence will be kept in step.',
].join('\n');

/** Sent once when a user installs the app in their personal scope (the full welcome card is a later issue). */
export const WELCOME_TEXT = [
  'Welcome to CallBridge: Webex calling inside Teams.',
  '- **Open the Call tab to sign in**, then dial numbers or colleagues with Webex.',
  '- In any chat, use the CallBridge search in the compose box to find people and share a call link.',
  '- Once you are signed in, your Teams and Webex presence are kept in step.',
  'Send me "help" any time.',
].join('\n');

export interface CallBridgeBotDeps {
  /** Where the bot keeps each user's conversation reference for proactive messages. */
  readonly store: Pick<Store, 'conversations'>;
  readonly logger: Logger;
  /**
   * The search messaging extension's SSO contract (silentAuth, on-behalf-of, 412 for consent).
   * Without it `composeExtension/query` is answered 501 Not Implemented, as botbuilder does.
   */
  readonly messagingExtension?: MessagingExtensionSsoDeps;
}

/**
 * The CallBridge bot. It answers personal messages with a short help text, welcomes users who
 * install it, and keeps each user's 1:1 conversation reference (opaque ids only) so CallBridge
 * can message them later (e.g. "sign in again"); later issues add commands, the search
 * messaging extension and the welcome card.
 *
 * A reference that cannot be saved is logged and the turn goes on: the user still gets their
 * answer, and the next message tries again.
 */
export class CallBridgeBot extends TeamsActivityHandler {
  private readonly store: Pick<Store, 'conversations'>;
  private readonly log: Logger;
  private readonly messagingExtension: MessagingExtensionSsoDeps | undefined;

  constructor(deps: CallBridgeBotDeps) {
    super();
    this.store = deps.store;
    this.messagingExtension = deps.messagingExtension;
    this.log = deps.logger.child({ component: 'callbridge-bot' });

    this.onMessage(async (context, next) => {
      if (isPersonal(context)) {
        await this.remember(context);
        await context.sendActivity({ type: 'message', text: HELP_TEXT, textFormat: 'markdown' });
      }
      await next();
    });

    this.onInstallationUpdateAdd(async (context, next) => {
      if (isPersonal(context)) {
        await this.remember(context);
        // `add-upgrade` (a new app version) only refreshes the reference.
        if (context.activity.action === 'add') {
          await context.sendActivity({ type: 'message', text: WELCOME_TEXT, textFormat: 'markdown' });
        }
      }
      await next();
    });

    this.onInstallationUpdateRemove(async (context, next) => {
      // `remove-upgrade` is an update in progress, not an uninstall.
      if (isPersonal(context) && context.activity.action === 'remove') await this.forget(context);
      await next();
    });
  }

  /**
   * `composeExtension/query` goes to {@link handleQueryWithSso} here rather than through
   * `handleTeamsMessagingExtensionQuery`, because its answer can be a bare invoke status (412,
   * "consent needed"), which botbuilder's handler (always 200 + body) cannot express.
   */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name === 'composeExtension/query' && this.messagingExtension !== undefined) {
      return handleQueryWithSso(
        context,
        context.activity.value as SsoMessagingExtensionQuery | undefined,
        this.messagingExtension,
      );
    }
    return super.onInvokeActivity(context);
  }

  private async remember(context: TurnContext): Promise<void> {
    const found = personalReferenceOf(context.activity);
    if (found === undefined) {
      this.log.warn(
        { activityId: context.activity.id, activityType: context.activity.type },
        'personal activity without tenant or user ids: conversation reference not kept',
      );
      return;
    }
    try {
      await this.store.conversations.upsert(found.tenantId, found.aadObjectId, toJson(found.reference));
    } catch (error) {
      this.log.error(
        { err: serializeError(error), activityId: context.activity.id, activityType: context.activity.type },
        'could not save the conversation reference',
      );
    }
  }

  private async forget(context: TurnContext): Promise<void> {
    const found = personalReferenceOf(context.activity);
    if (found === undefined) return;
    try {
      await this.store.conversations.delete(found.tenantId, found.aadObjectId);
    } catch (error) {
      this.log.error(
        { err: serializeError(error), activityId: context.activity.id },
        'could not delete the conversation reference after uninstall',
      );
    }
  }
}

function isPersonal(context: TurnContext): boolean {
  const conversation = context.activity.conversation as { conversationType?: string } | undefined;
  return conversation?.conversationType === 'personal';
}
