import type { TokenKeyRing } from '../auth/key-ring.js';
import {
  createFlowStateSealer,
  FLOW_TTL_MS,
  type FlowStateError,
  type FlowStateSealer,
} from '../oauth-popup/index.js';

/**
 * Webex linking's sealed attempt/state values: the shared popup-flow sealer
 * (bot/src/oauth-popup/sealer.ts) with Webex linking's own key label, unchanged since v1 so
 * flows in flight survive a deploy.
 */

export const WEBEX_LINK_STATE_LABEL = 'callbridge/webex-link-state/v1';
export const LINK_FLOW_TTL_MS = FLOW_TTL_MS;
export type LinkStateSealer = FlowStateSealer;
export type LinkStateError = FlowStateError;
export type { AttemptClaims, StateClaims } from '../oauth-popup/index.js';
export { randomId } from '../oauth-popup/index.js';

export function createLinkStateSealer(ring: TokenKeyRing, now: () => number = Date.now): LinkStateSealer {
  return createFlowStateSealer(ring, WEBEX_LINK_STATE_LABEL, now);
}
