import { callsOf, callValue } from '../../call-tab/call-routes.js';
import type { CallTabDeps } from '../../call-tab/deps.js';
import { reply, tabRoute } from '../../call-tab/tab-route.js';
import { HttpError, type Route } from '../route.js';

/** `GET /api/calls/{id}` (Teams SSO): the call's progress; 404 call_not_found. */
export function getCall(deps: Pick<CallTabDeps, 'validator' | 'store' | 'calls'>): Route {
  return tabRoute(deps, { method: 'get', path: '/api/calls/:id' }, async (req, res, identity) => {
    const id = (req.params as Record<string, string | undefined>).id ?? '';
    if (!/^[A-Za-z0-9_=:.-]{1,512}$/.test(id))
      throw new HttpError(400, 'invalid_request', 'id: must be a call id returned by POST /api/calls');
    reply(res, 200, callValue(await callsOf(deps).status(identity.user.id, id)));
  });
}
