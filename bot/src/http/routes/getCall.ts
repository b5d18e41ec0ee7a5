import { callIdParam, callsOf, callValue } from '../../call-tab/call-routes.js';
import type { CallTabDeps } from '../../call-tab/deps.js';
import { reply, tabRoute } from '../../call-tab/tab-route.js';
import type { Route } from '../route.js';

/** `GET /api/calls/{id}` (Teams SSO): the call's progress; 404 call_not_found. */
export function getCall(deps: Pick<CallTabDeps, 'validator' | 'store' | 'calls'>): Route {
  return tabRoute(deps, { method: 'get', path: '/api/calls/:id' }, async (req, res, identity) => {
    reply(res, 200, callValue(await callsOf(deps).status(identity.user.id, callIdParam(req))));
  });
}
