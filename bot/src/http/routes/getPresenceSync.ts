import { authenticateRequest } from '../../auth/request-identity.js';
import type { EnrolmentRouteDeps } from '../../presence-sync/enrolment/index.js';
import type { Route } from '../route.js';

/** `GET /api/presence-sync` (Teams SSO) → 200 SyncStatus: on/off, rule, last synced, what blocks it. */
export function getPresenceSync(deps: Pick<EnrolmentRouteDeps, 'validator' | 'store' | 'enrolment'>): Route {
  return {
    method: 'get',
    path: '/api/presence-sync',
    handler: async (req, res) => {
      const identity = await authenticateRequest(req, deps.validator, deps.store);
      if (!identity.ok) throw identity.error;
      const status = await deps.enrolment.status(identity.value.user.id);
      res.header('Cache-Control', 'no-store');
      res.status(200);
      res.json(status);
    },
  };
}
