import { callsOf, callValue } from '../../call-tab/call-routes.js';
import type { CallTabDeps } from '../../call-tab/deps.js';
import { reply, tabRoute } from '../../call-tab/tab-route.js';
import type { Route } from '../route.js';

/** `GET /api/voicemail` (Teams SSO): `{ linked, messages, unread }` from Webex voice messages. */
export function getVoicemail(deps: Pick<CallTabDeps, 'validator' | 'store' | 'calls'>): Route {
  return tabRoute(deps, { method: 'get', path: '/api/voicemail' }, async (_req, res, identity) => {
    reply(res, 200, callValue(await callsOf(deps).voicemail(identity.user.id)));
  });
}
