/**
 * The Teams dev host: a stand-in for the Teams web client, serving
 * - `/` the Call tab in an iframe, answering teams-js' host protocol (client/protocol.ts),
 * - `/compose` a compose box that sends messaging-extension queries through the Bot Framework
 *   channel stand-in and renders the answer,
 * - `/console` the sandbox console (sandbox/src/console),
 * and proxying the service and the stand-ins' control APIs so the browser talks to one origin.
 */
export {
  startTeamsHost,
  type TeamsHostOptions,
  type RunningTeamsHost,
  type EntraForHost,
  type BotChannelForHost,
  type StandInForHost,
} from './server.js';
export { SANDBOX_TEAMS_APP_ID } from './server.js';
