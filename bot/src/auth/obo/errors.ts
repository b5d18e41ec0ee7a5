import type { TokenEndpointError } from './entra-token-client.js';

/**
 * What can go wrong getting a delegated Graph token, as values. Messages are for operators and
 * for the tab; they never contain token material, user names or Entra's error_description.
 */

/** Why an interactive exchange (the tab's SSO token → Graph tokens) failed. */
export type ExchangeError =
  /** The user (or an admin) has not consented; the tab must run the consent popup. */
  | {
      readonly code: 'consent_required';
      readonly aadsts: number | undefined;
      readonly message: string;
    }
  /** MFA / Conditional Access: the tab must sign in interactively, passing `claims`. */
  | {
      readonly code: 'interaction_required';
      readonly aadsts: number | undefined;
      readonly claims: string | undefined;
      readonly message: string;
    }
  /** Entra refused the SSO token as assertion (expired, wrong audience, …): get a new one. */
  | { readonly code: 'invalid_assertion'; readonly aadsts: number | undefined; readonly message: string }
  | UnavailableError
  | MisconfiguredError;

/** Why background access (no user present) failed. */
export type BackgroundTokenError =
  /**
   * The user must open the Call tab and sign in again. The user has been marked
   * `needs_sign_in` and their Graph token records deleted (when this call found them unusable).
   */
  | {
      readonly code: 'needs_sign_in';
      readonly reason: NeedsSignInReason;
      readonly aadsts: number | undefined;
      readonly message: string;
    }
  | UnavailableError
  | MisconfiguredError;

export type NeedsSignInReason =
  /** No refresh token stored (never signed in, or already signed out). */
  | 'not_signed_in'
  /** Consent was revoked (AADSTS65001). */
  | 'consent_required'
  /** MFA / Conditional Access now requires an interactive sign-in (AADSTS50076/50079, claims). */
  | 'interaction_required'
  /** Refresh token expired (AADSTS700082), revoked or reused (AADSTS70000), or otherwise refused. */
  | 'invalid_grant'
  /** No CallBridge user with that id. */
  | 'unknown_user';

/** Entra is down, slow or throttling: retry later; nothing about the user was changed. */
export interface UnavailableError {
  readonly code: 'unavailable';
  readonly retryAfterMs: number | undefined;
  readonly message: string;
}

/**
 * Our side is wrong (bad client secret, unknown client, invalid scope, vault key missing):
 * the operator must fix it; users are NOT marked, since signing in again would not help.
 */
export interface MisconfiguredError {
  readonly code: 'misconfigured';
  readonly aadsts: number | undefined;
  readonly message: string;
}

/** AADSTS codes that mean "the user must consent". */
const CONSENT_CODES = new Set([65001]);
/** AADSTS codes that mean "the user must interact" (MFA, CA, password change, …). */
const INTERACTION_CODES = new Set([50076, 50079, 50072, 50074, 50158, 50173, 53000, 53001]);
/** AADSTS codes that mean the SSO assertion itself was refused. */
const ASSERTION_CODES = new Set([50013, 500133, 5000224]);
/** OAuth errors that mean our own request or registration is wrong. */
const CLIENT_ERRORS = new Set([
  'invalid_client',
  'unauthorized_client',
  'invalid_request',
  'invalid_scope',
  'unsupported_grant_type',
]);

/** The first AADSTS code, for logs and error values. */
export function primaryCode(error: TokenEndpointError): number | undefined {
  return error.kind === 'oauth' ? error.codes[0] : undefined;
}

function isConsent(error: Extract<TokenEndpointError, { kind: 'oauth' }>): boolean {
  return (
    error.suberror === 'consent_required' ||
    error.error === 'consent_required' ||
    error.codes.some((c) => CONSENT_CODES.has(c))
  );
}

function isInteraction(error: Extract<TokenEndpointError, { kind: 'oauth' }>): boolean {
  return (
    error.error === 'interaction_required' ||
    error.error === 'login_required' ||
    error.claims !== undefined ||
    error.codes.some((c) => INTERACTION_CODES.has(c))
  );
}

export function classifyExchangeError(error: TokenEndpointError): ExchangeError {
  if (error.kind === 'unavailable') {
    return { code: 'unavailable', retryAfterMs: error.retryAfterMs, message: error.message };
  }
  const aadsts = error.codes[0];
  if (isConsent(error)) {
    return {
      code: 'consent_required',
      aadsts,
      message:
        'CallBridge needs your consent to access Microsoft Graph for you. Sign in and accept the permissions.',
    };
  }
  if (isInteraction(error)) {
    return {
      code: 'interaction_required',
      aadsts,
      claims: error.claims,
      message:
        'Your organization requires you to sign in again interactively (for example with multi-factor authentication).',
    };
  }
  if (CLIENT_ERRORS.has(error.error)) return misconfigured(error);
  if (error.error === 'invalid_grant' || error.codes.some((c) => ASSERTION_CODES.has(c))) {
    return {
      code: 'invalid_assertion',
      aadsts,
      message:
        'The sign-in token was refused by Microsoft Entra ID. Get a new one with authentication.getAuthToken() and retry.',
    };
  }
  return misconfigured(error);
}

/** Background refresh: consent, interaction and invalid_grant all mean "sign in again". */
export function classifyRefreshError(error: TokenEndpointError): BackgroundTokenError {
  if (error.kind === 'unavailable') {
    return { code: 'unavailable', retryAfterMs: error.retryAfterMs, message: error.message };
  }
  const aadsts = error.codes[0];
  const reason: NeedsSignInReason | undefined = isConsent(error)
    ? 'consent_required'
    : isInteraction(error)
      ? 'interaction_required'
      : error.error === 'invalid_grant'
        ? 'invalid_grant'
        : undefined;
  if (reason === undefined) return misconfigured(error);
  return { code: 'needs_sign_in', reason, aadsts, message: NEEDS_SIGN_IN_MESSAGE };
}

export const NEEDS_SIGN_IN_MESSAGE = 'Open the CallBridge Call tab to sign in again.';

function misconfigured(error: Extract<TokenEndpointError, { kind: 'oauth' }>): MisconfiguredError {
  return {
    code: 'misconfigured',
    aadsts: error.codes[0],
    message: `Microsoft Entra ID refused CallBridge's token request (${error.error}${
      error.codes[0] === undefined ? '' : `, AADSTS${error.codes[0]}`
    }): check the app registration, client secret and requested scopes.`,
  };
}
