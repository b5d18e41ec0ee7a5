import { ADMIN_CONSENT_STATUS_PATH, type AdminConsentDeps } from '../../admin-consent/deps.js';
import { missingPermissions } from '../../admin-consent/required-permissions.js';
import { authenticateRequest } from '../../auth/request-identity.js';
import type { Route } from '../route.js';

/**
 * `GET /api/admin/consent` (Teams SSO): whether the caller's tenant has granted everything
 * CallBridge needs, for the tab's presence-sync card: `{ granted, grantedAt?, missing }`.
 * `missing` is recomputed against today's required set, so a new permission shows up as missing.
 */
export function getAdminConsentStatus(deps: Pick<AdminConsentDeps, 'validator' | 'store'>): Route {
  return {
    method: 'get',
    path: ADMIN_CONSENT_STATUS_PATH,
    handler: async (req, res) => {
      const identity = await authenticateRequest(req, deps.validator, deps.store);
      if (!identity.ok) throw identity.error;
      const record = await deps.store.tenantConsents.get(identity.value.sso.tenantId);
      const missing = missingPermissions(record ?? { scopes: [], roles: [] });
      res.header('Cache-Control', 'no-store');
      res.status(200);
      res.json({
        granted: record !== undefined && missing.length === 0,
        ...(record === undefined ? {} : { grantedAt: new Date(record.grantedAt).toISOString() }),
        missing,
      });
    },
  };
}
