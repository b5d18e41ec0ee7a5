export {
  createPopupFlow,
  sha256,
  type AuthorizeRequest,
  type CallbackContext,
  type CallbackHandlers,
  type PopupFlow,
  type PopupFlowOptions,
} from './flow.js';
export {
  escapeHtml,
  failPage,
  noStore,
  popupAssetRoutes,
  sendResultPage,
  START_AGAIN,
  type ResultPage,
} from './pages.js';
export { userOfState } from './state-user.js';
export { consumeOnce } from './consume-once.js';
export {
  createFlowStateSealer,
  FLOW_TTL_MS,
  randomId,
  type AttemptClaims,
  type FlowStateError,
  type FlowStateSealer,
  type StateClaims,
} from './sealer.js';
