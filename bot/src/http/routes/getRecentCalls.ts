import { callsOf, callValue } from '../../call-tab/call-routes.js';
import type { CallTabDeps } from '../../call-tab/deps.js';
import { reply, tabRoute } from '../../call-tab/tab-route.js';
import type { Route } from '../route.js';

/** `GET /api/calls/recent` (Teams SSO): Webex call history, newest first, at most 20. */
export function getRecentCalls(deps: Pick<CallTabDeps, 'validator' | 'store' | 'calls'>): Route {
  return tabRoute(deps, { method: 'get', path: '/api/calls/recent' }, async (_req, res, identity) => {
    reply(res, 200, callValue(await callsOf(deps).recent(identity.user.id)));
  });
}
