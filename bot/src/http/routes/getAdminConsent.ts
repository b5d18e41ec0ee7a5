import { ADMIN_CONSENT_PATH, redirectUri, type AdminConsentDeps } from '../../admin-consent/deps.js';
import { requiredPermissionLines, sendConsentPage } from '../../admin-consent/pages.js';
import type { Route } from '../route.js';

/**
 * `GET /adminconsent`: the page an admin opens (from the README or the tab's "ask your admin"
 * link). Lists what CallBridge asks for and links to Entra's v2.0 admin consent endpoint with a
 * fresh signed state (valid 15 minutes, usable once).
 */
export function getAdminConsent(deps: AdminConsentDeps): Route {
  return {
    method: 'get',
    path: ADMIN_CONSENT_PATH,
    handler: (_req, res) => {
      const { state } = deps.states.issue(deps.tenantId);
      const url = new URL(
        `${deps.authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(deps.tenantId)}/v2.0/adminconsent`,
      );
      url.search = new URLSearchParams({
        client_id: deps.clientId,
        scope: 'https://graph.microsoft.com/.default',
        redirect_uri: redirectUri(deps),
        state,
      }).toString();
      sendConsentPage(res, {
        status: 200,
        outcome: 'start',
        title: 'Grant CallBridge access for your organization',
        paragraphs: [
          'A Global Administrator (or Privileged Role / Cloud Application Administrator) of your Microsoft 365 organization grants these Microsoft Graph permissions once, for every user. CallBridge uses them to place Webex calls from Teams and keep presence in step.',
          'After you accept in Microsoft Entra, CallBridge checks which permissions were actually granted and shows the result here. This link is valid for 15 minutes.',
        ],
        list: requiredPermissionLines(),
        action: { href: url.toString(), label: 'Review and accept in Microsoft Entra' },
      });
      deps.logger.info({ tenantId: deps.tenantId }, 'admin consent page opened');
      return Promise.resolve();
    },
  };
}
