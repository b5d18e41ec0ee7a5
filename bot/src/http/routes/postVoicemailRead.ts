import { callsOf, callValue } from '../../call-tab/call-routes.js';
import type { CallTabDeps } from '../../call-tab/deps.js';
import { tabRoute } from '../../call-tab/tab-route.js';
import { HttpError, type Route } from '../route.js';

/** `POST /api/voicemail/{id}/read` (Teams SSO): 204; 404 voicemail_not_found. */
export function postVoicemailRead(deps: Pick<CallTabDeps, 'validator' | 'store' | 'calls'>): Route {
  return tabRoute(
    deps,
    { method: 'post', path: '/api/voicemail/:id/read', body: 'none' },
    async (req, res, identity) => {
      const id = (req.params as Record<string, string | undefined>).id ?? '';
      if (!/^[A-Za-z0-9_=:.-]{1,512}$/.test(id))
        throw new HttpError(400, 'invalid_request', 'id: must be a voice message id from GET /api/voicemail');
      callValue(await callsOf(deps).markVoicemailRead(identity.user.id, id));
      res.status(204);
      res.end();
    },
  );
}
