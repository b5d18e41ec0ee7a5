import type { DemoUser } from '../../seed/org.js';
import type { Router, SandboxRequest, SandboxResponse } from '../../shared/http.js';
import type { CodeChallenge } from '../authorization-codes.js';
import { userConsentScopes } from '../consent-plan.js';
import type { EntraContext } from '../context.js';
import type { RegisteredApp } from '../directory.js';
import { Aadsts, refuse, succeed, type EntraError, type ErrorContext, type Outcome } from '../errors.js';
import { authorizeDelegated } from '../grants/delegated.js';
import { findScope } from '../resources.js';
import { errorContextFor, formOf } from '../responses.js';
import { parseScopes, type ScopeRequest } from '../scopes.js';
import { verifyClient } from './client-check.js';
import { errorPage, escapeHtml, hiddenFields, htmlPage } from './html.js';
import { delegatedLine, oidcLine, permissionList, type PermissionLine } from './permissions.js';
import { isResponseMode, redirectError, redirectWith, type RedirectTarget } from './redirect.js';
import { sessionCookie, sessionUserId } from './session.js';

/**
 * `GET|POST /{tenant}/oauth2/v2.0/authorize` with `response_type=code`: an account picker with
 * the requested permissions and Accept / Cancel. Accept records the user's consent (lifting a
 * revocation and satisfying a forced MFA requirement, as an interactive sign-in does) and
 * redirects with a single-use code; Cancel redirects with `access_denied`. `prompt=none`
 * answers silently from the sandbox session cookie or fails with `login_required`,
 * `consent_required` or `interaction_required`.
 */
export function addAuthorizePage(router: Router, ctx: EntraContext): void {
  router.add('GET', '/:tenant/oauth2/v2.0/authorize', (req) =>
    begin(ctx, req, Object.fromEntries(req.url.searchParams)),
  );
  router.add('POST', '/:tenant/oauth2/v2.0/authorize', (req) => {
    const form = formOf(req.body);
    // Entra accepts the protocol request as a POST too; the page's own POST carries a decision.
    return form.decision === undefined ? begin(ctx, req, form) : decide(ctx, req, form);
  });
}

interface AuthorizeRequest {
  readonly segment: string;
  readonly client: RegisteredApp;
  readonly target: RedirectTarget;
  readonly scope: string;
  readonly scopes: ScopeRequest;
  readonly nonce: string | undefined;
  readonly challenge: CodeChallenge | undefined;
  readonly prompt: string | undefined;
  readonly loginHint: string | undefined;
  /** The protocol parameters, carried through the page as hidden fields. */
  readonly params: Readonly<Record<string, string | undefined>>;
}

type Checked =
  | { readonly kind: 'ok'; readonly request: AuthorizeRequest }
  | { readonly kind: 'page'; readonly error: EntraError }
  | { readonly kind: 'redirect'; readonly target: RedirectTarget; readonly error: EntraError };

const PROTOCOL_PARAMS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'response_mode',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'prompt',
  'login_hint',
] as const;
const PROMPTS = ['login', 'none', 'consent', 'select_account'];

function begin(
  ctx: EntraContext,
  req: SandboxRequest,
  params: Readonly<Record<string, string>>,
): SandboxResponse {
  const errors = errorContextFor(req, ctx);
  const checked = check(ctx, req.params.tenant ?? '', params);
  if (checked.kind === 'page') return errorPage(checked.error, errors);
  if (checked.kind === 'redirect') return redirectError(checked.target, checked.error, errors);
  if (checked.request.prompt === 'none') return silently(ctx, req, checked.request, errors);
  return signInPage(ctx, checked.request);
}

function decide(
  ctx: EntraContext,
  req: SandboxRequest,
  form: Readonly<Record<string, string>>,
): SandboxResponse {
  const errors = errorContextFor(req, ctx);
  const checked = check(ctx, req.params.tenant ?? '', form);
  if (checked.kind === 'page') return errorPage(checked.error, errors);
  if (checked.kind === 'redirect') return redirectError(checked.target, checked.error, errors);
  const { request } = checked;
  if (form.decision !== 'accept') {
    return redirectError(request.target, Aadsts.userDeclinedConsent(), errors, { error_subcode: 'cancel' });
  }
  const user = form.account === undefined ? undefined : ctx.directory.user(form.account);
  if (user === undefined) return signInPage(ctx, request, 'Choose an account to continue.');
  if (!ctx.directory.isAdmin(user.id) && needsAdminApproval(ctx, request)) {
    return redirectError(request.target, Aadsts.adminConsentRequired(), errors);
  }
  for (const asked of request.scopes.resources) {
    const scopes = userConsentScopes(request.client, asked.resource, asked.isDefault, asked.names);
    if (scopes.length > 0) ctx.ledger.grantForUser(user.id, request.client.clientId, asked.resource, scopes);
  }
  ctx.ledger.restoreConsent(user.id, request.client.clientId);
  // Signing in interactively is where the user satisfies a multi-factor requirement.
  const amr = ctx.ledger.isMfaRequired(user.id) ? ['pwd', 'mfa'] : ['pwd'];
  ctx.ledger.requireMfa(user.id, false);
  ctx.log(`entra: ${user.userPrincipalName} signed in to ${request.client.displayName}`);
  return redirectWith(request.target, { code: issueCode(ctx, request, user, amr) }, sessionCookie(user.id));
}

/** `prompt=none`: succeed only if the session's user needs no interaction at all. */
function silently(
  ctx: EntraContext,
  req: SandboxRequest,
  request: AuthorizeRequest,
  errors: ErrorContext,
): SandboxResponse {
  const sessionUser = sessionUserId(req);
  const user = sessionUser === undefined ? undefined : ctx.directory.user(sessionUser);
  if (user === undefined || (request.loginHint !== undefined && !matchesHint(user, request.loginHint))) {
    return redirectError(request.target, Aadsts.loginRequired(), errors);
  }
  const asked = request.scopes.resources.length === 0 ? [undefined] : request.scopes.resources;
  for (const resource of asked) {
    const grant = authorizeDelegated(ctx, request.client, user, resource);
    if (!grant.ok) return redirectError(request.target, grant.error, errors);
  }
  return redirectWith(request.target, { code: issueCode(ctx, request, user, ['pwd']) });
}

function issueCode(
  ctx: EntraContext,
  request: AuthorizeRequest,
  user: DemoUser,
  amr: readonly string[],
): string {
  return ctx.codes.issue({
    clientId: request.client.clientId,
    redirectUri: request.target.redirectUri,
    userId: user.id,
    scope: request.scope,
    nonce: request.nonce,
    challenge: request.challenge,
    amr,
  });
}

/** Admin-restricted scopes a regular user asks for that the admin has not granted tenant-wide. */
function needsAdminApproval(ctx: EntraContext, request: AuthorizeRequest): boolean {
  return request.scopes.resources.some((asked) => {
    const tenantWide = ctx.ledger.tenantDelegatedScopes(request.client.clientId, asked.resource.appId);
    return userConsentScopes(request.client, asked.resource, asked.isDefault, asked.names).some(
      (name) => findScope(asked.resource, name)?.adminConsentRequired === true && !tenantWide.includes(name),
    );
  });
}

function check(ctx: EntraContext, segment: string, params: Readonly<Record<string, string>>): Checked {
  const verified = verifyClient(ctx.directory, segment, params);
  if (!verified.ok) return { kind: 'page', error: verified.error };
  const mode = params.response_mode ?? 'query';
  if (!isResponseMode(mode)) return { kind: 'page', error: Aadsts.unsupportedResponseMode(mode) };
  const target: RedirectTarget = {
    redirectUri: verified.value.redirectUri,
    responseMode: mode,
    state: params.state,
  };
  const fail = (error: EntraError): Checked => ({ kind: 'redirect', target, error });

  const responseType = params.response_type;
  if (responseType === undefined || responseType === '')
    return fail(Aadsts.missingParameter('response_type'));
  if (responseType !== 'code') return fail(Aadsts.unsupportedResponseType(responseType));
  const scopes = parseScopes(params.scope, ctx.directory);
  if (!scopes.ok) return fail(scopes.error);
  const challenge = codeChallenge(params);
  if (!challenge.ok) return fail(challenge.error);
  const prompt = params.prompt;
  if (prompt !== undefined && !PROMPTS.includes(prompt))
    return fail(Aadsts.invalidParameter('prompt', prompt));

  return {
    kind: 'ok',
    request: {
      segment,
      client: verified.value.client,
      target,
      scope: params.scope ?? '',
      scopes: scopes.value,
      nonce: params.nonce,
      challenge: challenge.value,
      prompt,
      loginHint: params.login_hint,
      params: Object.fromEntries(PROTOCOL_PARAMS.map((name) => [name, params[name]])),
    },
  };
}

/** PKCE parameters; without a method the challenge is plain, as the protocol defines. */
function codeChallenge(params: Readonly<Record<string, string>>): Outcome<CodeChallenge | undefined> {
  const value = params.code_challenge;
  const method = params.code_challenge_method;
  if (value === undefined || value === '') {
    return method === undefined ? succeed(undefined) : refuse(Aadsts.missingCodeChallenge());
  }
  const resolved = method ?? 'plain';
  if (resolved !== 'S256' && resolved !== 'plain') return refuse(Aadsts.invalidCodeChallengeMethod(resolved));
  if (value.length < 43 || value.length > 128) return refuse(Aadsts.invalidCodeChallenge());
  return succeed({ value, method: resolved });
}

function matchesHint(user: DemoUser, hint: string): boolean {
  const lower = hint.toLowerCase();
  return [user.id, user.userPrincipalName, user.mail].some((value) => value.toLowerCase() === lower);
}

function signInPage(ctx: EntraContext, request: AuthorizeRequest, problem?: string): SandboxResponse {
  const app = request.client.displayName;
  const hinted =
    request.loginHint === undefined
      ? undefined
      : ctx.directory.allUsers.find((u) => matchesHint(u, request.loginHint ?? ''));
  const users =
    hinted === undefined
      ? ctx.directory.allUsers
      : [hinted, ...ctx.directory.allUsers.filter((u) => u !== hinted)];
  const accounts = users
    .map(
      (user) =>
        `<label class="account"><input type="radio" name="account" value="${escapeHtml(user.id)}" required${
          user === hinted ? ' checked' : ''
        }> <span>${escapeHtml(user.displayName)}</span> <small>${escapeHtml(user.userPrincipalName)}</small></label>`,
    )
    .join('\n');
  return htmlPage(
    problem === undefined ? 200 : 400,
    `Sign in to ${app}`,
    `<h1>Sign in to ${escapeHtml(app)}</h1>
${problem === undefined ? '' : `<div role="alert"><p>${escapeHtml(problem)}</p></div>`}
<form method="post" action="/${escapeHtml(encodeURIComponent(request.segment))}/oauth2/v2.0/authorize">
${hiddenFields(request.params)}
<fieldset>
<legend>Pick an account</legend>
${accounts}
</fieldset>
<section aria-labelledby="permissions-heading">
<h2 id="permissions-heading">Permissions requested</h2>
<p>${escapeHtml(app)} <span class="note">(client id <code>${escapeHtml(request.client.clientId)}</code>)</span> would like to:</p>
${permissionList(requestedLines(request), 'Sign you in.')}
<p class="note">Accepting allows this app to use these permissions for the account you picked. The sandbox console can revoke them.</p>
</section>
<div class="actions">
<button type="submit" name="decision" value="accept" class="primary">Accept</button>
<button type="submit" name="decision" value="cancel" formnovalidate>Cancel</button>
</div>
</form>`,
  );
}

function requestedLines(request: AuthorizeRequest): PermissionLine[] {
  const lines = [...request.scopes.oidc].map(oidcLine);
  for (const asked of request.scopes.resources) {
    for (const name of userConsentScopes(request.client, asked.resource, asked.isDefault, asked.names)) {
      lines.push(delegatedLine(asked.resource, name));
    }
  }
  return lines;
}
