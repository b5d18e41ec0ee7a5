export {
  PlaygroundApiError,
  PlaygroundClient,
  PlaygroundReplies,
  type ComposeExtensionQuery,
  type CreatedMessage,
  type PlaygroundConfig,
  type PlaygroundHttpAnswer,
  type PlaygroundStreamEvent,
  type PlaygroundStreamMessage,
} from './client.js';
export {
  findPlaygroundCli,
  PLAYGROUND_DEFAULT_PORT,
  PLAYGROUND_PACKAGE,
  PlaygroundUnavailableError,
  startPlaygroundSession,
  type PlaygroundSession,
  type PlaygroundSessionOptions,
} from './session.js';
export {
  PLAYGROUND_PLACEHOLDER_SECRET,
  PLAYGROUND_PLACEHOLDER_WEBEX_CLIENT_ID,
  playgroundServiceEnv,
} from './service-env.js';
