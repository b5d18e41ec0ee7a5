import { callIdParam, callsOf, callValue } from '../../call-tab/call-routes.js';
import type { CallTabDeps } from '../../call-tab/deps.js';
import { reply, tabRoute } from '../../call-tab/tab-route.js';
import type { Route } from '../route.js';

/**
 * `DELETE /api/calls/{id}` (Teams SSO): cancels a ringing call or hangs up a connected one the
 * caller placed, answering 200 with the call `ended` (again on a repeat); 404 call_not_found,
 * 409 webex_relink_required, 503 webex_unavailable.
 */
export function deleteCall(deps: Pick<CallTabDeps, 'validator' | 'store' | 'calls'>): Route {
  return tabRoute(deps, { method: 'del', path: '/api/calls/:id' }, async (req, res, identity) => {
    reply(res, 200, callValue(await callsOf(deps).hangup(identity.user.id, callIdParam(req))));
  });
}
