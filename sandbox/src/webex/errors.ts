import { randomUUID } from 'node:crypto';
import { json, type SandboxResponse } from '../shared/http.js';

/**
 * Webex REST errors carry `{ message, errors: [{ description }], trackingId }` and the same id in
 * a `trackingid` response header (captured 401 bodies in public SDK tests; webex-messaging OpenAPI
 * error descriptions).
 */

/** Message Webex sends with 401 for a missing, unknown or expired bearer token. */
export const UNAUTHORIZED_MESSAGE =
  'The request requires a valid access token set in the Authorization request header.';

/** Message Webex sends with 403 when scopes, roles or licences are missing. */
export const FORBIDDEN_MESSAGE =
  'The server understood the request, but refused to fulfill it because the access token is missing required scopes or the user is missing required roles or licenses.';

/** The 429 wording of the webex-messaging OpenAPI response description. */
export const TOO_MANY_REQUESTS_MESSAGE =
  'Too many requests have been sent in a given amount of time and the request has been rate limited. A Retry-After header should be present that specifies how many seconds you need to wait before a successful request can be made.';

/** A fresh tracking id in the shape Webex's API gateway uses. */
export function newTrackingId(): string {
  return `ROUTERGW_${randomUUID()}`;
}

/** The Webex error envelope. */
export interface WebexErrorBody {
  readonly message: string;
  readonly errors: readonly { readonly description: string }[];
  readonly trackingId: string;
}

/** Builds a Webex error response; `description` defaults to the message, as Webex does. */
export function webexError(
  status: number,
  message: string,
  description: string = message,
  headers: Record<string, string> = {},
): SandboxResponse {
  const trackingId = newTrackingId();
  const body: WebexErrorBody = { message, errors: [{ description }], trackingId };
  return json(status, body, { trackingid: trackingId, ...headers });
}

export const unauthorized = (): SandboxResponse => webexError(401, UNAUTHORIZED_MESSAGE);
export const forbidden = (description: string = FORBIDDEN_MESSAGE): SandboxResponse =>
  webexError(403, FORBIDDEN_MESSAGE, description);
export const badRequest = (message: string): SandboxResponse => webexError(400, message);
export const notFound = (message = 'The requested resource could not be found.'): SandboxResponse =>
  webexError(404, message);

/** 429 with `Retry-After` in whole seconds. */
export function tooManyRequests(retryAfterSeconds: number): SandboxResponse {
  return webexError(429, TOO_MANY_REQUESTS_MESSAGE, TOO_MANY_REQUESTS_MESSAGE, {
    'retry-after': String(Math.max(0, Math.ceil(retryAfterSeconds))),
  });
}
