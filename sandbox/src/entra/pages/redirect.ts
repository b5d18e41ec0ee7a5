import type { SandboxResponse } from '../../shared/http.js';
import { errorDescription, type EntraError, type ErrorContext } from '../errors.js';
import { escapeHtml, hiddenFields, htmlPage } from './html.js';

/**
 * Answers sent back to the client's redirect URI, in the three response modes Entra supports:
 * `query` (302, parameters in the query), `fragment` (302, parameters after `#`) and
 * `form_post` (a self-submitting form POSTed to the redirect URI).
 */

export type ResponseMode = 'query' | 'fragment' | 'form_post';

export interface RedirectTarget {
  readonly redirectUri: string;
  readonly responseMode: ResponseMode;
  readonly state: string | undefined;
}

export function isResponseMode(value: string): value is ResponseMode {
  return value === 'query' || value === 'fragment' || value === 'form_post';
}

export function redirectWith(
  target: RedirectTarget,
  params: Readonly<Record<string, string>>,
  headers: Readonly<Record<string, string>> = {},
): SandboxResponse {
  const all = { ...params, ...(target.state === undefined ? {} : { state: target.state }) };
  if (target.responseMode === 'form_post') {
    const page = htmlPage(
      200,
      'Working…',
      `<form method="post" action="${escapeHtml(target.redirectUri)}">
${hiddenFields(all)}
<noscript><p>Script is off: continue to the application.</p></noscript>
<button type="submit" class="primary">Continue</button>
</form>
<script>document.forms[0].submit();</script>`,
    );
    return { ...page, headers: { ...page.headers, ...headers } };
  }
  const url = new URL(target.redirectUri);
  if (target.responseMode === 'fragment') {
    url.hash = new URLSearchParams(all).toString();
  } else {
    for (const [key, value] of Object.entries(all)) url.searchParams.set(key, value);
  }
  return { status: 302, headers: { location: url.toString(), 'cache-control': 'no-store', ...headers } };
}

/** An OAuth error redirect: `error`, `error_description` (with the AADSTS code) and `state`. */
export function redirectError(
  target: RedirectTarget,
  error: EntraError,
  errors: ErrorContext,
  extra: Readonly<Record<string, string>> = {},
): SandboxResponse {
  return redirectWith(target, {
    ...extra,
    // Token-endpoint refusals carry consent_required as a suberror; on a redirect it is the error.
    error: error.suberror ?? error.error,
    error_description: errorDescription(error, errors),
    error_uri: `${errors.baseUrl}/error?code=${error.code}`,
  });
}
