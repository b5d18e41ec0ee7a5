import { randomUUID } from 'node:crypto';

/**
 * Entra's refusals as values. Each condition the stand-in can refuse is one constructor below,
 * carrying the OAuth `error`, the AADSTS number and the HTTP status the real token service
 * uses (reference: learn.microsoft.com/entra/identity-platform/reference-error-codes and the
 * protocol pages). Descriptions are our own words; clients must key on `error`/`error_codes`.
 */
export interface EntraError {
  readonly status: 400 | 401;
  /** The OAuth 2.0 / OIDC error string (`invalid_grant`, `interaction_required`, …). */
  readonly error: string;
  /** The AADSTS number, without the prefix. */
  readonly code: number;
  readonly message: string;
  readonly suberror?: string;
  /** A claims challenge (JSON text) the client must pass to an interactive request. */
  readonly claims?: string;
}

/** A success value or an Entra refusal. */
export type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: EntraError };

export const succeed = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const refuse = <T = never>(error: EntraError): Outcome<T> => ({ ok: false, error });

function entraError(
  status: 400 | 401,
  error: string,
  code: number,
  message: string,
  extra: Pick<EntraError, 'suberror' | 'claims'> = {},
): EntraError {
  return { status, error, code, message, ...extra };
}

/** The catalogue of refusals, named by condition. */
export const Aadsts = {
  missingParameter: (name: string) =>
    entraError(
      400,
      'invalid_request',
      900144,
      `The request body must contain the following parameter: '${name}'.`,
    ),
  invalidParameter: (name: string, value: string) =>
    entraError(400, 'invalid_request', 90100, `The parameter '${name}' is empty or not valid: '${value}'.`),
  postOnly: (method: string) =>
    entraError(
      400,
      'invalid_request',
      900561,
      `The endpoint only accepts POST requests. Received a ${method} request.`,
    ),
  tenantNotFound: (tenant: string) =>
    entraError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check the tenant identifier.`),
  unsupportedGrantType: (grantType: string) =>
    entraError(400, 'unsupported_grant_type', 70003, `The grant type '${grantType}' is not supported.`),
  grantNotOnCommon: () =>
    entraError(
      400,
      'invalid_request',
      9001023,
      'The grant type is not supported over the /common or /consumers endpoints. Use the /organizations or tenant-specific endpoint.',
    ),
  unknownClient: (clientId: string) =>
    entraError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory.`,
    ),
  missingClientCredential: () =>
    entraError(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    ),
  invalidClientSecret: (clientId: string) =>
    entraError(401, 'invalid_client', 7000215, `Invalid client secret provided for app '${clientId}'.`),
  clientAssertionUnsupported: () =>
    entraError(
      401,
      'invalid_client',
      700027,
      'Client assertion failed signature validation (the sandbox accepts client secrets only).',
    ),
  invalidScope: (scope: string, reason = '') =>
    entraError(
      400,
      'invalid_scope',
      70011,
      `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.${reason === '' ? '' : ` ${reason}`}`,
    ),
  multipleResources: (scope: string) =>
    entraError(
      400,
      'invalid_scope',
      700022,
      `The provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`,
    ),
  clientCredentialsNeedDefault: (scope: string) =>
    entraError(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    ),
  consentRequired: (clientId: string, clientName: string) =>
    entraError(
      400,
      'invalid_grant',
      65001,
      `The user or administrator has not consented to use the application with ID '${clientId}' named '${clientName}'. Send an interactive authorization request for this user and resource.`,
      { suberror: 'consent_required' },
    ),
  mfaRequired: (resource: string, claims: string) =>
    entraError(
      400,
      'interaction_required',
      50076,
      `Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${resource}'.`,
      { claims },
    ),
  invalidAssertion: (reason: string) =>
    entraError(400, 'invalid_grant', 50013, `Assertion failed validation. ${reason}`),
  assertionExpired: (now: number, expiredAt: number) =>
    entraError(
      400,
      'invalid_grant',
      500133,
      `Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token. Current time: ${isoSeconds(now)}, expiry time of assertion ${isoSeconds(expiredAt)}.`,
    ),
  userNotFound: (userId: string) =>
    entraError(400, 'invalid_grant', 50034, `The user account ${userId} does not exist in the directory.`),
  invalidRefreshToken: () =>
    entraError(
      400,
      'invalid_grant',
      70000,
      'The provided grant is invalid or malformed: the refresh token is not valid.',
    ),
  refreshTokenInactive: (issuedAt: number, inactiveSeconds: number) =>
    entraError(
      400,
      'invalid_grant',
      700082,
      `The refresh token has expired due to inactivity. The token was issued on ${isoSeconds(issuedAt)} and was inactive for ${inactiveSeconds} seconds.`,
    ),
  invalidCode: () =>
    entraError(
      400,
      'invalid_grant',
      9002313,
      'Invalid request. The authorization code is malformed or invalid.',
    ),
  codeExpired: () =>
    entraError(
      400,
      'invalid_grant',
      70008,
      'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request.',
    ),
  codeRedeemed: () =>
    entraError(
      400,
      'invalid_grant',
      54005,
      'The OAuth2 authorization code was already redeemed; retry with a new valid code or use an existing refresh token.',
    ),
  codeClientMismatch: () =>
    entraError(
      400,
      'invalid_grant',
      70000,
      'The provided grant is invalid: the authorization code was issued to another client.',
    ),
  redirectUriMismatch: (redirectUri: string) =>
    entraError(
      400,
      'invalid_grant',
      50011,
      `The redirect URI '${redirectUri}' does not match the redirect URI used to obtain the authorization code.`,
    ),
  pkceMismatch: () =>
    entraError(
      400,
      'invalid_grant',
      501481,
      'The code_verifier does not match the code_challenge supplied in the authorization request.',
    ),
  invalidCodeChallenge: () =>
    entraError(400, 'invalid_request', 501491, 'Invalid size of the code_challenge parameter.'),
  missingCodeChallenge: () =>
    entraError(400, 'invalid_request', 50147, 'A code_challenge_method was sent without a code_challenge.'),
  invalidCodeChallengeMethod: (method: string) =>
    entraError(
      400,
      'invalid_request',
      9002313,
      `Invalid request: the code_challenge_method '${method}' is not supported; use S256 or plain.`,
    ),
  userDeclinedConsent: () =>
    entraError(400, 'access_denied', 65004, 'The user declined to consent to access the app.'),
  adminConsentRequired: () =>
    entraError(
      400,
      'access_denied',
      90094,
      'Administrator consent is required for one or more of the requested permissions.',
    ),
  unsupportedResponseType: (responseType: string) =>
    entraError(
      400,
      'unsupported_response_type',
      70005,
      `The response type '${responseType}' is not supported; the sandbox supports 'code'.`,
    ),
  unsupportedResponseMode: (mode: string) =>
    entraError(400, 'invalid_request', 70007, `The response_mode '${mode}' is not supported.`),
  redirectUriNotRegistered: (redirectUri: string, clientId: string) =>
    entraError(
      400,
      'invalid_request',
      50011,
      `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'.`,
    ),
  loginRequired: () =>
    entraError(400, 'login_required', 50058, 'A silent sign-in request was sent but no user is signed in.'),
  commonNotAllowedForAdminConsent: () =>
    entraError(
      400,
      'invalid_request',
      90130,
      "Admin consent can't be requested over the /common endpoint. Use /organizations or a tenant-specific endpoint.",
    ),
} as const;

/** The values one request's errors share, so the trace and correlation ids line up. */
export interface ErrorContext {
  readonly now: number;
  /** The client's `client-request-id` when it sent one (MSAL does), else a new GUID. */
  readonly correlationId: string;
  readonly traceId: string;
  /** Base URL of this stand-in, for `error_uri`. */
  readonly baseUrl: string;
}

export function newErrorContext(
  now: number,
  baseUrl: string,
  clientRequestId: string | undefined,
): ErrorContext {
  const correlationId =
    clientRequestId !== undefined && GUID.test(clientRequestId) ? clientRequestId : randomUUID();
  return { now, correlationId, traceId: randomUUID(), baseUrl };
}

/** The JSON body Entra's token endpoint answers a refusal with. */
export interface EntraErrorBody {
  readonly error: string;
  readonly error_description: string;
  readonly error_codes: readonly number[];
  readonly timestamp: string;
  readonly trace_id: string;
  readonly correlation_id: string;
  readonly error_uri: string;
  readonly suberror?: string;
  readonly claims?: string;
}

export function errorBody(error: EntraError, context: ErrorContext): EntraErrorBody {
  const timestamp = entraTimestamp(context.now);
  return {
    error: error.error,
    error_description: errorDescription(error, context),
    error_codes: [error.code],
    timestamp,
    trace_id: context.traceId,
    correlation_id: context.correlationId,
    error_uri: `${context.baseUrl}/error?code=${error.code}`,
    ...(error.suberror === undefined ? {} : { suberror: error.suberror }),
    ...(error.claims === undefined ? {} : { claims: error.claims }),
  };
}

/** `AADSTS<code>: <message>` followed by the trace, correlation and time lines Entra appends. */
export function errorDescription(error: EntraError, context: ErrorContext): string {
  return (
    `AADSTS${error.code}: ${error.message}\r\n` +
    `Trace ID: ${context.traceId}\r\n` +
    `Correlation ID: ${context.correlationId}\r\n` +
    `Timestamp: ${entraTimestamp(context.now)}`
  );
}

/** Entra's timestamp format: `2024-05-01 22:43:20Z`. */
export function entraTimestamp(now: number): string {
  return `${new Date(now).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

function isoSeconds(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
