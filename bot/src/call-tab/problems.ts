import type { Response } from 'restify';
import type { CallError } from '../calls/call-service.js';
import type { GraphError } from '../integrations/graph/graph.client.js';

/**
 * A failed tab API request: a status and a `{ code, message, ...details }` body (details such as
 * `retryAfterSeconds`, `claims`, `bytesUsed`). Thrown by the Call tab routes and sent by
 * {@link sendProblem}; HttpError carries no details, hence this.
 */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiProblem';
  }

  static unavailable(message: string, retryAfterMs?: number): ApiProblem {
    return new ApiProblem(
      503,
      'upstream_unavailable',
      message,
      retryAfterMs === undefined ? {} : { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) },
    );
  }
}

export function sendProblem(res: Response, problem: ApiProblem): void {
  const retry = problem.details.retryAfterSeconds;
  if (typeof retry === 'number') res.header('retry-after', String(retry));
  res.header('cache-control', 'no-store');
  res.status(problem.status);
  res.json({ ...problem.details, code: problem.code, message: problem.message });
}

/** A Graph failure for the tab: permission problems need consent, the rest is "retry later". */
export function graphProblem(error: GraphError, what: string): ApiProblem {
  if (error.status === 403)
    return new ApiProblem(
      403,
      'consent_required',
      `CallBridge is not allowed to read ${what} in Microsoft 365. Grant the permissions it asks for, then retry.`,
    );
  if (error.status === 401 || error.kind === 'token_unavailable')
    return new ApiProblem(403, 'interaction_required', 'Sign in to Microsoft 365 again, then retry.');
  return new ApiProblem(
    error.kind === 'throttled' || error.kind === 'timeout' ? 503 : 502,
    'upstream_unavailable',
    `Microsoft 365 did not return ${what}. Retry in a moment.`,
    error.retryAfterMs === undefined
      ? {}
      : { retryAfterSeconds: Math.max(1, Math.ceil(error.retryAfterMs / 1000)) },
  );
}

const CALL_STATUS: Readonly<Record<CallError['code'], number>> = {
  invalid_number: 422,
  not_calling_enabled: 403,
  webex_relink_required: 409,
  webex_unavailable: 503,
  call_not_found: 404,
  voicemail_not_found: 404,
};

export function callProblem(error: CallError): ApiProblem {
  return new ApiProblem(
    CALL_STATUS[error.code],
    error.code,
    error.message,
    error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds },
  );
}
