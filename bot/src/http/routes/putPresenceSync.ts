import { z } from 'zod';
import { authenticateRequest } from '../../auth/request-identity.js';
import type { EnrolmentRouteDeps } from '../../presence-sync/enrolment/index.js';
import { validate, type Route } from '../route.js';

const body = z.strictObject({
  enabled: z.boolean(),
  rule: z.enum(['always', 'meetings_only', 'never']).optional(),
});

/**
 * `PUT /api/presence-sync` (Teams SSO) `{ enabled, rule? }` → 200 SyncStatus, or 409
 * `{ code, message, action }` when sync cannot be turned on yet (`link_webex`, `sign_in`,
 * `admin_consent`): the tab shows the one button that fixes it.
 */
export function putPresenceSync(deps: Pick<EnrolmentRouteDeps, 'validator' | 'store' | 'enrolment'>): Route {
  return {
    method: 'put',
    path: '/api/presence-sync',
    body: 'json',
    maxBodyBytes: 1024,
    handler: async (req, res) => {
      const identity = await authenticateRequest(req, deps.validator, deps.store);
      if (!identity.ok) throw identity.error;
      const input = validate(body, req.body);
      if (!input.ok) throw input.error;
      const userId = identity.value.user.id;
      res.header('Cache-Control', 'no-store');
      if (!input.value.enabled) {
        res.status(200);
        res.json(await deps.enrolment.disable(userId));
        return;
      }
      const enabled = await deps.enrolment.enable(userId, input.value.rule);
      res.status(enabled.ok ? 200 : 409);
      res.json(enabled.ok ? enabled.value : enabled.error);
    },
  };
}
