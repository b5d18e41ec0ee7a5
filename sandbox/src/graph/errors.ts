import type { SandboxResponse } from '../shared/http.js';
import { innerErrorDate } from './time-format.js';

/**
 * Graph's error vocabulary. Handlers throw a `GraphError`; the pipeline turns it into Graph's body
 * `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`.
 *
 * Codes differ by the service behind a path, and clients branch on them, so each resource family
 * answers with its own service's codes: the directory (users, extensions) says
 * `Request_ResourceNotFound` / `Authorization_RequestDenied`, Outlook (contacts) says
 * `ErrorItemNotFound` / `ErrorAccessDenied`, Teams-backed services (members, presence, call
 * records) say `NotFound` / `Forbidden`, and the subscriptions service says `ResourceNotFound` /
 * `ExtensionError`.
 */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

/** Which backing service's error codes a resource family uses. */
export type ErrorDialect = 'directory' | 'outlook' | 'teams' | 'subscriptions';

export interface ErrorIds {
  readonly requestId: string;
  readonly clientRequestId: string;
  readonly now: number;
}

export function errorResponse(error: GraphError, ids: ErrorIds): SandboxResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'application/json', ...error.headers },
    body: {
      error: {
        code: error.code,
        message: error.message,
        innerError: {
          date: innerErrorDate(ids.now),
          'request-id': ids.requestId,
          'client-request-id': ids.clientRequestId,
        },
      },
    },
  };
}

/** 400 `BadRequest`: the OData layer's answer to a malformed request (bad syntax, unknown property). */
export function badRequest(message: string): GraphError {
  return new GraphError(400, 'BadRequest', message);
}

/** 404 in the dialect of the service that owns the resource. */
export function notFound(dialect: ErrorDialect, what: string): GraphError {
  switch (dialect) {
    case 'directory':
      return new GraphError(
        404,
        'Request_ResourceNotFound',
        `Resource '${what}' does not exist or one of its queried reference-property objects are not present.`,
      );
    case 'outlook':
      return new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    case 'teams':
      return new GraphError(404, 'NotFound', `${what} not found.`);
    case 'subscriptions':
      return new GraphError(404, 'ResourceNotFound', `Subscription '${what}' not found.`);
  }
}

/**
 * 403 for a token that lacks the endpoint's permission, in the owning service's words. The Teams
 * wording names the accepted and the presented scopes, as Teams-backed Graph APIs do.
 */
export function forbidden(
  dialect: ErrorDialect,
  accepted: readonly string[],
  presented: readonly string[],
): GraphError {
  switch (dialect) {
    case 'directory':
      return new GraphError(
        403,
        'Authorization_RequestDenied',
        'Insufficient privileges to complete the operation.',
      );
    case 'outlook':
      return new GraphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    case 'teams':
      return accepted.length === 0
        ? new GraphError(
            403,
            'Forbidden',
            'This API does not support the permission type of the presented token.',
          )
        : new GraphError(
            403,
            'Forbidden',
            `Missing scope permissions on the request. API requires one of '${accepted.join(', ')}'. Scopes on the request '${presented.join(', ')}'`,
          );
    case 'subscriptions':
      return subscriptionServiceError(
        403,
        'Create',
        'Forbidden',
        'The request is not authorized for this user or application.',
      );
  }
}

/**
 * The subscriptions service wraps failures of the service behind a resource in `ExtensionError`
 * with an "Operation: …; Exception: [Status Code: …; Reason: …]" message (seen for presence
 * permission and duplicate-subscription failures).
 */
export function subscriptionServiceError(
  status: number,
  operation: string,
  statusName: string,
  reason: string,
): GraphError {
  return new GraphError(
    status,
    'ExtensionError',
    `Operation: ${operation}; Exception: [Status Code: ${statusName}; Reason: ${reason}]`,
  );
}

const AUTH_CHALLENGE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

/** 401 `InvalidAuthenticationToken` with Graph's `WWW-Authenticate` challenge. */
export function invalidToken(message: string): GraphError {
  return new GraphError(401, 'InvalidAuthenticationToken', message, { 'www-authenticate': AUTH_CHALLENGE });
}

/** 429 as documented on the throttling page, with `Retry-After` in whole seconds. */
export function tooManyRequests(retryAfterSeconds: number): GraphError {
  return new GraphError(429, 'TooManyRequests', 'Please retry again later.', {
    'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))),
  });
}
