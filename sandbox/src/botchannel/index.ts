/** The Bot Framework channel stand-in (Teams + Bot Connector, as the bot sees them). */
export {
  startBotChannel,
  type BotChannelOptions,
  type DeliverOptions,
  type Delivery,
  type InvokeResponse,
  type RunningBotChannel,
} from './channel.js';
export {
  BotChannelError,
  type CardActionRequest,
  type ComposeQueryRequest,
  type ConversationScope,
  type ConversationType,
  type ConversationUpdateRequest,
  type TeamsActivity,
} from './activities.js';
export type { BotTokenVerifier } from './connector.js';
export {
  BOT_FRAMEWORK_ISSUER,
  BOT_FRAMEWORK_SCOPE,
  botAccountId,
  personalConversationId,
  teamsUserId,
} from './identities.js';
export type { RecordedBotActivity, WaitOptions } from './recorder.js';
export type { StandInTokenEndpoint } from './standin-token-endpoint.js';
