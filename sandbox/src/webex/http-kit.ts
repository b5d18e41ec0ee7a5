import { bearer, type Handler, type SandboxRequest, type SandboxResponse } from '../shared/http.js';
import type { Directory, DirectoryEntry } from './directory.js';
import { forbidden, newTrackingId, tooManyRequests, unauthorized } from './errors.js';
import type { OAuthServer, Principal } from './oauth.js';
import { hasScope } from './scopes.js';
import type { ApiFamily, Throttle } from './throttle.js';

/** What every REST handler needs to authenticate and rate-limit a request. */
export interface GuardContext {
  readonly oauth: OAuthServer;
  readonly throttle: Throttle;
  readonly directory: Directory;
}

export interface Caller {
  readonly principal: Principal;
  readonly person: DirectoryEntry;
}

export type Guarded =
  { readonly ok: true; readonly caller: Caller } | { readonly ok: false; readonly response: SandboxResponse };

/**
 * Authenticates the bearer token (401), applies the family's throttle (429) and checks that
 * every scope in `allOf` was granted (403), in that order.
 */
export function guard(
  ctx: GuardContext,
  req: SandboxRequest,
  family: ApiFamily,
  allOf: readonly string[],
): Guarded {
  const check = ctx.oauth.check(bearer(req));
  if (!check.ok) return { ok: false, response: unauthorized() };
  const person = ctx.directory.get(check.principal.personId);
  if (person === undefined) return { ok: false, response: unauthorized() };
  const retryAfter = ctx.throttle.take(family);
  if (retryAfter !== undefined) return { ok: false, response: tooManyRequests(retryAfter) };
  const missing = allOf.filter((scope) => !hasScope(check.principal.scopes, scope));
  if (missing.length > 0)
    return { ok: false, response: forbidden(`Missing scope(s): ${missing.join(', ')}`) };
  return { ok: true, caller: { principal: check.principal, person } };
}

/** Adds Webex's `trackingid` header to every response that lacks one. */
export function tracked(handler: Handler): Handler {
  return async (req) => {
    const response = await handler(req);
    if (response.headers?.trackingid !== undefined) return response;
    return { ...response, headers: { ...response.headers, trackingid: newTrackingId() } };
  };
}

/** 204 No Content. */
export function noContent(): SandboxResponse {
  return { status: 204 };
}

/** A JSON object body as a record (empty when absent or not an object). */
export function bodyRecord(req: SandboxRequest): Record<string, unknown> {
  const body = req.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}

/** A non-empty string field of a body, or undefined. */
export function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Query flag parsed like Webex booleans (`true`/`false`). */
export function queryFlag(req: SandboxRequest, name: string): boolean {
  return req.url.searchParams.get(name)?.toLowerCase() === 'true';
}
