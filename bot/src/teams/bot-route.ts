import type { CloudAdapter } from 'botbuilder';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import type { Config } from '../config/env.js';
import type { Route } from '../http/route.js';
import { postMessages, type TurnHandler } from '../http/routes/postMessages.js';
import type { Logger } from '../observability/logger.js';
import { createAdapter } from './adapter.js';
import { CallBridgeBot } from './callbridge.bot.js';

export interface BotRouteDeps {
  /** Outbound bot → channel credentials; by default our client-credentials token client. */
  readonly credentialsFactory?: ServiceClientCredentialsFactory;
  /** The turn handler; by default a new {@link CallBridgeBot}. */
  readonly bot?: TurnHandler;
}

export interface BotRouteParts {
  /** `POST /api/messages`. */
  readonly routes: readonly Route[];
  /** For proactive messages (`continueConversationAsync`, `createConversationAsync`) in later issues. */
  readonly adapter: CloudAdapter;
}

/** What the composition root calls to put the Teams bot on the HTTP server. */
export function createBotRoute(config: Config, logger: Logger, deps: BotRouteDeps = {}): BotRouteParts {
  const adapter = createAdapter(
    config,
    logger,
    deps.credentialsFactory === undefined ? {} : { credentialsFactory: deps.credentialsFactory },
  );
  const bot = deps.bot ?? new CallBridgeBot();
  return { routes: [postMessages(adapter, bot, logger.child({ component: 'bot' }))], adapter };
}
