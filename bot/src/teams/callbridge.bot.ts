import { TeamsActivityHandler, TurnContext, type InvokeResponse } from 'botbuilder';
import { handleCallAction, type CallActionDeps } from '../messaging-extension/call-action.js';
import {
  handleQueryWithSso,
  type MessagingExtensionSsoDeps,
  type SsoMessagingExtensionQuery,
} from '../messaging-extension/sso-query.js';
import type { Logger } from '../observability/logger.js';
import { serializeError } from '../observability/logger.js';
import type { Store } from '../store/store.js';
import {
  cardAttachment,
  help,
  notUnderstood,
  parseCommand,
  parseSubmit,
  runCommand,
  welcomeCard,
  type BotCommand,
  type BotCommandDeps,
  type Caller,
  type CommandReply,
} from './commands/index.js';
import { personalReferenceOf, toJson } from './conversation-reference.js';

export { HELP_TEXT } from './commands/index.js';

/** Text on the welcome activity next to the card (notifications and clients without cards show it). */
export const WELCOME_SUMMARY = 'Welcome to CallBridge: Webex calling inside Teams.';

export interface CallBridgeBotDeps {
  /** Where the bot keeps each user's conversation reference for proactive messages. */
  readonly store: Pick<Store, 'conversations'>;
  readonly logger: Logger;
  /**
   * The search messaging extension's SSO contract (silentAuth, on-behalf-of, 412 for consent).
   * Without it `composeExtension/query` is answered 501 Not Implemented, as botbuilder does.
   */
  readonly messagingExtension?: MessagingExtensionSsoDeps;
  /**
   * The personal chat's commands (status, link/unlink webex, sync on/off, call). Without them
   * the bot answers help, and says the other commands are not available.
   */
  readonly commands?: Omit<BotCommandDeps, 'tabDeepLink'>;
  /** A Teams deep link to the Call tab, for the welcome card and the replies that send users there. */
  readonly tabDeepLink?: string;
  /**
   * "Call with Webex" and "Check status" on person cards (`adaptiveCard/action`). Without them the
   * invoke is answered 501 Not Implemented, as botbuilder does.
   */
  readonly callActions?: CallActionDeps;
}

/** Commands that read who the user is. */
const NEEDS_USER = new Set<BotCommand['kind']>([
  'status',
  'unlink_webex',
  'unlink_webex_confirm',
  'sync',
  'call',
]);

/**
 * The CallBridge bot. In the personal chat it answers commands (help, status, link/unlink webex,
 * sync on/off, call; see ./commands) typed or sent by its cards' Action.Submit buttons, welcomes
 * users who install it with a card, and keeps each user's 1:1 conversation reference (opaque ids
 * only) so CallBridge can message them later (e.g. "sign in again"). Commands read the store
 * only (people search has its own deadline), so replies come well inside Teams' 15 s; a failure
 * rejects the turn and the adapter's onTurnError answers it.
 *
 * A reference that cannot be saved is logged and the turn goes on: the user still gets their
 * answer, and the next message tries again.
 */
export class CallBridgeBot extends TeamsActivityHandler {
  private readonly store: Pick<Store, 'conversations'>;
  private readonly log: Logger;
  private readonly messagingExtension: MessagingExtensionSsoDeps | undefined;
  private readonly commands: BotCommandDeps | undefined;
  private readonly tabDeepLink: string | undefined;
  private readonly callActions: CallActionDeps | undefined;

  constructor(deps: CallBridgeBotDeps) {
    super();
    this.store = deps.store;
    this.callActions = deps.callActions;
    this.messagingExtension = deps.messagingExtension;
    this.tabDeepLink = deps.tabDeepLink;
    this.commands =
      deps.commands === undefined
        ? undefined
        : { ...deps.commands, ...(deps.tabDeepLink === undefined ? {} : { tabDeepLink: deps.tabDeepLink }) };
    this.log = deps.logger.child({ component: 'callbridge-bot' });

    this.onMessage(async (context, next) => {
      if (isPersonal(context)) {
        await this.remember(context);
        await this.answer(context);
      }
      await next();
    });

    this.onInstallationUpdateAdd(async (context, next) => {
      if (isPersonal(context)) {
        await this.remember(context);
        // `add-upgrade` (a new app version) only refreshes the reference.
        if (context.activity.action === 'add') {
          await context.sendActivity({
            type: 'message',
            text: WELCOME_SUMMARY,
            attachments: [cardAttachment(welcomeCard(this.tabDeepLink))],
          });
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
   * `adaptiveCard/action` goes to {@link handleCallAction}, which checks the value itself: botbuilder's
   * `onAdaptiveCardInvoke` path throws (a 500) on a value without `action`.
   */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name === 'composeExtension/query' && this.messagingExtension !== undefined) {
      return handleQueryWithSso(
        context,
        context.activity.value as SsoMessagingExtensionQuery | undefined,
        this.messagingExtension,
      );
    }
    if (context.activity.name === 'adaptiveCard/action' && this.callActions !== undefined) {
      return handleCallAction(context, this.callActions);
    }
    return super.onInvokeActivity(context);
  }

  /** A typed command (after the bot's @mention is removed) or a card's Action.Submit. */
  private async answer(context: TurnContext): Promise<void> {
    const activity = context.activity;
    // An Action.Submit carries `value` and no text, though botbuilder types `text` as always present.
    const text: unknown = activity.text;
    const command =
      parseSubmit(activity.value) ??
      parseCommand(typeof text === 'string' ? TurnContext.removeRecipientMention(activity) : '');
    const reply = await this.reply(context, command);
    if ('card' in reply) {
      await context.sendActivity({ type: 'message', attachments: [cardAttachment(reply.card)] });
    } else if ('cards' in reply) {
      await context.sendActivity({
        type: 'message',
        text: reply.text,
        textFormat: 'plain',
        attachmentLayout: 'list',
        attachments: reply.cards.map(cardAttachment),
      });
    } else {
      await context.sendActivity({ type: 'message', text: reply.text, textFormat: reply.format });
    }
  }

  private async reply(context: TurnContext, command: BotCommand): Promise<CommandReply> {
    const deps = this.commands;
    if (deps === undefined) {
      if (command.kind === 'help') return help();
      if (command.kind === 'unknown') return notUnderstood(command.text);
      return { text: 'That command is not available on this CallBridge yet. Send "help".', format: 'plain' };
    }
    const found = personalReferenceOf(context.activity);
    const caller: Caller =
      found === undefined
        ? NO_CALLER
        : {
            tenantId: found.tenantId,
            aadObjectId: found.aadObjectId,
            user: NEEDS_USER.has(command.kind)
              ? await deps.store.users.getByAadObjectId(found.tenantId, found.aadObjectId)
              : undefined,
          };
    return runCommand(deps, caller, command);
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

const NO_CALLER: Caller = { tenantId: '', aadObjectId: '', user: undefined };
