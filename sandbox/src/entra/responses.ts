import { json, type SandboxRequest, type SandboxResponse } from '../shared/http.js';
import type { EntraContext } from './context.js';
import { errorBody, newErrorContext, type EntraError, type ErrorContext } from './errors.js';

/** The error context for one request: Entra echoes MSAL's `client-request-id` as correlation id. */
export function errorContextFor(req: SandboxRequest, ctx: EntraContext): ErrorContext {
  return newErrorContext(ctx.now(), ctx.endpoints.base, header(req, 'client-request-id'));
}

/** Headers Entra puts on token-endpoint answers, success or not. */
export function tokenHeaders(req: SandboxRequest, errors: ErrorContext): Record<string, string> {
  return {
    'cache-control': 'no-store, no-cache',
    pragma: 'no-cache',
    'x-ms-request-id': errors.traceId,
    ...(header(req, 'return-client-request-id') === 'true'
      ? { 'client-request-id': errors.correlationId }
      : {}),
  };
}

/** An Entra JSON error answer (the status comes from the error: 400, or 401 for client auth). */
export function errorResponse(
  error: EntraError,
  errors: ErrorContext,
  headers: Record<string, string> = {},
): SandboxResponse {
  return json(error.status, errorBody(error, errors), headers);
}

export function header(req: SandboxRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A form or query as a string map; anything else (JSON, no body) as empty. */
export function formOf(body: unknown): Readonly<Record<string, string>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const form: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) if (typeof value === 'string') form[key] = value;
  return form;
}
