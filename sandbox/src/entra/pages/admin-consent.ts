import type { Router, SandboxRequest, SandboxResponse } from '../../shared/http.js';
import { grantAdminConsent, grantedScopeList, planAdminConsent } from '../consent-plan.js';
import type { EntraContext } from '../context.js';
import type { RegisteredApp, ResolvedPermission } from '../directory.js';
import { Aadsts } from '../errors.js';
import { errorContextFor, formOf } from '../responses.js';
import { parseScopes } from '../scopes.js';
import { verifyClient } from './client-check.js';
import { errorPage, escapeHtml, hiddenFields, htmlPage } from './html.js';
import { applicationLine, delegatedLine, permissionList } from './permissions.js';
import { redirectError, redirectWith, type RedirectTarget } from './redirect.js';

/**
 * `GET /{tenant}/v2.0/adminconsent?client_id&scope&redirect_uri&state`: the tenant's Global
 * Administrator (the demo org's first user) reviews the permissions and accepts for the whole
 * organization, or cancels. The answer goes to the redirect URI with `admin_consent=True`
 * plus `tenant` and the granted `scope`, or plus `error` / `error_description`.
 */
export function addAdminConsentPage(router: Router, ctx: EntraContext): void {
  router.add('GET', '/:tenant/v2.0/adminconsent', (req) =>
    handle(ctx, req, Object.fromEntries(req.url.searchParams)),
  );
  router.add('POST', '/:tenant/v2.0/adminconsent', (req) => handle(ctx, req, formOf(req.body)));
}

const PROTOCOL_PARAMS = ['client_id', 'redirect_uri', 'scope', 'state'] as const;

function handle(
  ctx: EntraContext,
  req: SandboxRequest,
  params: Readonly<Record<string, string>>,
): SandboxResponse {
  const errors = errorContextFor(req, ctx);
  const segment = req.params.tenant ?? '';
  const verified = verifyClient(ctx.directory, segment, params);
  if (!verified.ok) return errorPage(verified.error, errors);
  // Personal accounts can't consent for a tenant, so the docs rule out `common` here.
  if (verified.value.tenant === 'common') return errorPage(Aadsts.commonNotAllowedForAdminConsent(), errors);
  const target: RedirectTarget = {
    redirectUri: verified.value.redirectUri,
    responseMode: 'query',
    state: params.state,
  };
  const flow = { admin_consent: 'True' };
  const scopes = parseScopes(params.scope, ctx.directory);
  if (!scopes.ok) return redirectError(target, scopes.error, errors, flow);
  const client = verified.value.client;
  const plan = planAdminConsent(client, scopes.value);

  if (params.decision === undefined) return consentPage(ctx, segment, client, plan, params);
  if (params.decision !== 'accept') {
    return redirectError(target, Aadsts.userDeclinedConsent(), errors, { ...flow, error_subcode: 'cancel' });
  }
  grantAdminConsent(ctx.ledger, client, plan, ctx.directory.admin);
  ctx.log(`entra: admin consent granted to ${client.displayName}`);
  return redirectWith(target, { ...flow, tenant: ctx.directory.tenantId, scope: grantedScopeList(plan) });
}

function consentPage(
  ctx: EntraContext,
  segment: string,
  client: RegisteredApp,
  plan: readonly ResolvedPermission[],
  params: Readonly<Record<string, string>>,
): SandboxResponse {
  const admin = ctx.directory.admin;
  const app = client.displayName;
  const delegated = plan.flatMap((p) => p.scopes.map((name) => delegatedLine(p.resource, name)));
  const application = plan.flatMap((p) => p.roles.map((role) => applicationLine(p.resource, role)));
  return htmlPage(
    200,
    'Permissions requested',
    `<h1>Permissions requested</h1>
<p>Signed in as <strong>${escapeHtml(admin.displayName)}</strong> (${escapeHtml(admin.userPrincipalName)}), Global Administrator.</p>
<p><strong>${escapeHtml(app)}</strong> <span class="note">(client id <code>${escapeHtml(client.clientId)}</code>)</span> needs permission to access resources in your organization that only an admin can grant.</p>
<form method="post" action="/${escapeHtml(encodeURIComponent(segment))}/v2.0/adminconsent">
${hiddenFields(Object.fromEntries(PROTOCOL_PARAMS.map((name) => [name, params[name]])))}
<section aria-labelledby="delegated-heading">
<h2 id="delegated-heading">Delegated permissions (on behalf of signed-in users)</h2>
${permissionList(delegated, 'None.')}
</section>
<section aria-labelledby="application-heading">
<h2 id="application-heading">Application permissions (without a signed-in user)</h2>
${permissionList(application, 'None.')}
</section>
<p class="note">Accepting grants these permissions to ${escapeHtml(app)} for every user in ${escapeHtml(ctx.directory.domain)}.</p>
<div class="actions">
<button type="submit" name="decision" value="accept" class="primary">Accept</button>
<button type="submit" name="decision" value="cancel">Cancel</button>
</div>
</form>`,
  );
}
