import type { CloudAdapter } from 'botbuilder';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import type { Config } from '../config/env.js';
import type { Route } from '../http/route.js';
import { postMessages, type TurnHandler } from '../http/routes/postMessages.js';
import type { MessagingExtensionSsoDeps } from '../messaging-extension/sso-query.js';
import type { Logger } from '../observability/logger.js';
import type { ConversationRepo, Store } from '../store/store.js';
import { createAdapter } from './adapter.js';
import { CallBridgeBot, type CallBridgeBotDeps } from './callbridge.bot.js';

export interface BotRouteDeps {
  /** Outbound bot → channel credentials; by default our client-credentials token client. */
  readonly credentialsFactory?: ServiceClientCredentialsFactory;
  /**
   * Where the default bot keeps conversation references. Without it references are not kept
   * (a warning says so) and proactive messages find no one to reach.
   */
  readonly store?: Pick<Store, 'conversations'>;
  /**
   * For the default bot: the search messaging extension's SSO contract. Without it the bot
   * answers `composeExtension/query` with 501 Not Implemented.
   */
  readonly messagingExtension?: MessagingExtensionSsoDeps;
  /**
   * For the default bot: the personal chat's commands (status, link/unlink webex, sync on/off,
   * call). Without them the bot answers help only.
   */
  readonly commands?: CallBridgeBotDeps['commands'];
  /** For the default bot: a Teams deep link to the Call tab (welcome card, replies). */
  readonly tabDeepLink?: string;
  /** For the default bot: "Call with Webex" on person cards. Without it the invoke answers 501. */
  readonly callActions?: CallBridgeBotDeps['callActions'];
  /** The turn handler; by default a new {@link CallBridgeBot}. */
  readonly bot?: TurnHandler;
}

export interface BotRouteParts {
  /** `POST /api/messages`. */
  readonly routes: readonly Route[];
  /** For proactive messages (`continueConversationAsync`, `createConversationAsync`). */
  readonly adapter: CloudAdapter;
}

/** What the composition root calls to put the Teams bot on the HTTP server. */
export function createBotRoute(config: Config, logger: Logger, deps: BotRouteDeps = {}): BotRouteParts {
  const adapter = createAdapter(
    config,
    logger,
    deps.credentialsFactory === undefined ? {} : { credentialsFactory: deps.credentialsFactory },
  );
  const bot =
    deps.bot ??
    new CallBridgeBot({
      store: deps.store ?? notKept(logger),
      logger,
      ...(deps.messagingExtension === undefined ? {} : { messagingExtension: deps.messagingExtension }),
      ...(deps.commands === undefined ? {} : { commands: deps.commands }),
      ...(deps.tabDeepLink === undefined ? {} : { tabDeepLink: deps.tabDeepLink }),
      ...(deps.callActions === undefined ? {} : { callActions: deps.callActions }),
    });
  return { routes: [postMessages(adapter, bot, logger.child({ component: 'bot' }))], adapter };
}

/** Until the composition root passes the store: nothing is kept, and the log says so once. */
function notKept(logger: Logger): Pick<Store, 'conversations'> {
  logger.warn('the bot has no store: conversation references are not kept, so no proactive messages');
  const conversations: ConversationRepo = {
    upsert: (tenantId, aadObjectId, reference) =>
      Promise.resolve({ tenantId, aadObjectId, reference, updatedAt: Date.now() }),
    get: () => Promise.resolve(undefined),
    delete: () => Promise.resolve(false),
  };
  return { conversations };
}
