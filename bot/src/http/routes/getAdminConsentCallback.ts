import { randomBytes } from 'node:crypto';
import {
  ADMIN_CONSENT_CALLBACK_PATH,
  ADMIN_CONSENT_PATH,
  type AdminConsentDeps,
} from '../../admin-consent/deps.js';
import { checkGrants } from '../../admin-consent/grant-check.js';
import { ENTRA_PERMISSIONS_HINT, sendConsentPage, type ConsentPage } from '../../admin-consent/pages.js';
import { missingPermissions } from '../../admin-consent/required-permissions.js';
import type { Route } from '../route.js';

const START_AGAIN = `Open ${ADMIN_CONSENT_PATH} on CallBridge again to start over.`;

/** Who granted: Entra's redirect names only the tenant, so the admin's identity is not known. */
const GRANTED_BY_UNKNOWN = 'unknown';

/**
 * `GET /adminconsent/callback?admin_consent=True&tenant&scope&state` (or `?error&error_description&state`):
 * where Entra sends the admin back. Checks the state (ours, unexpired, unused, same tenant), then
 * reads what was granted from Entra itself — application permissions from the `roles` of an
 * app-only Graph token, delegated ones from the redirect's `scope` (each user's sign-in confirms
 * them again) — records them for the tenant and shows "All set" or what is missing.
 * Cancel or an Entra error: a page saying so; nothing is recorded.
 */
export function getAdminConsentCallback(deps: AdminConsentDeps): Route {
  return {
    method: 'get',
    path: ADMIN_CONSENT_CALLBACK_PATH,
    handler: async (req, res) => {
      sendConsentPage(res, await handle(deps, new URLSearchParams(req.getQuery())));
    },
  };
}

async function handle(deps: AdminConsentDeps, query: URLSearchParams): Promise<ConsentPage> {
  const fail = (status: number, outcome: string, title: string, ...paragraphs: string[]): ConsentPage => ({
    status,
    outcome,
    title,
    paragraphs,
  });
  const verified = deps.states.verify(query.get('state') ?? undefined);
  if (!verified.ok) {
    return verified.error.code === 'expired'
      ? fail(400, 'expired', 'This consent link has expired', `It is valid for 15 minutes. ${START_AGAIN}`)
      : fail(
          400,
          'invalid_state',
          'Invalid consent response',
          `This page was not opened by a CallBridge consent request. ${START_AGAIN}`,
        );
  }
  const claims = verified.value;
  const now = deps.now();
  // Single use across instances: a lease named after the nonce, held past the state's expiry.
  const used = await deps.store.leases.tryAcquire(
    `admin-consent:${claims.n}`,
    `consume:${randomBytes(12).toString('base64url')}`,
    Math.max(1, claims.exp - now) + 60_000,
  );
  if (used === null) return fail(400, 'replayed', 'This consent response was already used', START_AGAIN);

  const error = query.get('error');
  if (error !== null) {
    const declined = error === 'access_denied';
    deps.logger.info(
      { tenantId: claims.tid, error: declined ? 'access_denied' : 'other' },
      'admin consent refused',
    );
    return declined
      ? fail(
          400,
          'access_denied',
          'Consent was not granted',
          'The request was cancelled in Microsoft Entra, so CallBridge has no new permissions.',
          START_AGAIN,
        )
      : fail(
          400,
          'entra_error',
          'Consent was not granted',
          'Microsoft Entra refused the consent request.',
          START_AGAIN,
        );
  }
  if (query.get('admin_consent')?.toLowerCase() !== 'true') {
    return fail(
      400,
      'invalid_request',
      'Invalid consent response',
      `Microsoft Entra did not report a consent. ${START_AGAIN}`,
    );
  }
  const tenant = query.get('tenant');
  if (tenant === null || tenant.toLowerCase() !== claims.tid.toLowerCase()) {
    deps.logger.warn({ tenantId: claims.tid }, 'admin consent callback for another tenant');
    return fail(
      400,
      'wrong_tenant',
      'Consent was given in another organization',
      `CallBridge is registered in a different Microsoft 365 organization. Sign in as an admin of that organization. ${START_AGAIN}`,
    );
  }

  const checked = await checkGrants(deps.tokens, claims.tid, query.get('scope'));
  if (!checked.ok) {
    deps.logger.warn(
      { tenantId: claims.tid, code: checked.error.code },
      'app-only Graph token for the consent check failed',
    );
    return fail(
      502,
      'check_failed',
      'Consent could not be checked',
      'Microsoft Entra did not issue CallBridge a token to check the permissions. Try again in a few minutes.',
      START_AGAIN,
    );
  }
  const granted = checked.value;
  await deps.store.tenantConsents.record({
    tenantId: claims.tid,
    grantedBy: GRANTED_BY_UNKNOWN,
    grantedAt: now,
    scopes: granted.scopes,
    roles: granted.roles,
  });
  const missing = missingPermissions(granted);
  deps.logger.info({ tenantId: claims.tid, missing }, 'admin consent recorded');
  if (missing.length === 0) {
    return {
      status: 200,
      outcome: 'granted',
      title: 'All set',
      paragraphs: [
        'CallBridge has every permission it needs in your organization. Users can now call and sync presence from Teams.',
      ],
    };
  }
  return {
    status: 200,
    outcome: 'partial',
    title: 'Some permissions are still missing',
    paragraphs: [
      `Missing: ${missing.join(', ')} — ${ENTRA_PERMISSIONS_HINT}.`,
      'Permissions granted a moment ago can take a few minutes to show; if you just granted them, start over in a few minutes.',
    ],
    list: missing,
  };
}
