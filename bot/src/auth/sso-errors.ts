/**
 * Why a Teams SSO token was refused. `message` is for operators' logs: it may name expected
 * values (our audience, the tenant id) but never echoes the token or its signature.
 */
export interface SsoError {
  readonly code: SsoErrorCode;
  readonly message: string;
}

export type SsoErrorCode =
  | 'missing_token'
  | 'malformed'
  | 'bad_signature'
  | 'unknown_key'
  | 'wrong_audience'
  | 'wrong_issuer'
  | 'tenant_not_allowed'
  | 'expired'
  | 'not_yet_valid'
  | 'missing_scope'
  | 'wrong_version'
  | 'unsupported_alg'
  | 'jwks_unavailable';

/** The JSON body an API answers with when the SSO token is refused. */
export interface SsoFailureBody {
  readonly code: SsoErrorCode;
  readonly message: string;
}

/**
 * Fixed, client-facing text per code: it tells the tab what to do next and carries nothing
 * from the token or from the validator's internal message.
 */
const CLIENT_MESSAGES: Readonly<Record<SsoErrorCode, string>> = {
  missing_token:
    'Sign-in required: send the Teams SSO token from authentication.getAuthToken() as "Authorization: Bearer <token>".',
  malformed:
    'The sign-in token is not a valid Teams SSO token. Get a new one with authentication.getAuthToken().',
  bad_signature: 'The sign-in token signature is invalid. Get a new one with authentication.getAuthToken().',
  unknown_key:
    'The sign-in token was signed with a key this service does not know. Get a new token and retry in a minute.',
  wrong_audience:
    'The sign-in token was issued for another application. Check that the app manifest webApplicationInfo matches this service.',
  wrong_issuer: 'The sign-in token was not issued by Microsoft Entra ID for your organization.',
  tenant_not_allowed:
    'Your organization is not enabled for CallBridge. Ask your administrator to add its tenant to the allowed list.',
  expired: 'The sign-in token has expired. Get a new one with authentication.getAuthToken() and retry.',
  not_yet_valid:
    'The sign-in token is not valid yet. Check the device clock, then get a new token and retry.',
  missing_scope:
    'The sign-in token lacks the access_as_user permission. Consent to the app and sign in again.',
  wrong_version:
    'The sign-in token version does not match its issuer. Get a new one with authentication.getAuthToken().',
  unsupported_alg: 'The sign-in token uses a signing algorithm this service does not accept.',
  jwks_unavailable:
    'Sign-in cannot be checked right now because Microsoft Entra ID is unreachable. Retry shortly.',
};

/** `{ code, message }` for a 401 (or 503) response body. */
export function ssoFailureBody(error: SsoError): SsoFailureBody {
  return { code: error.code, message: CLIENT_MESSAGES[error.code] };
}

/**
 * 503 when we could not fetch the authority's keys (our outage, worth retrying and alerting on);
 * 401 for every problem with the token itself.
 */
export function ssoFailureStatus(error: Pick<SsoError, 'code'>): 401 | 503 {
  return error.code === 'jwks_unavailable' ? 503 : 401;
}
