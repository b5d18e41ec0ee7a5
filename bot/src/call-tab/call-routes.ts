import type { CallService } from '../calls/call-service.js';
import { HttpError, type RouteRequest } from '../http/route.js';
import type { Result } from '../shared/result.js';
import type { CallError } from '../calls/call-service.js';
import type { CallTabDeps } from './deps.js';
import { ApiProblem, callProblem } from './problems.js';

/** The call service, or why calling is off on this server. */
export function callsOf(deps: Pick<CallTabDeps, 'calls'>): CallService {
  if (deps.calls !== undefined) return deps.calls;
  throw new ApiProblem(
    503,
    'webex_unavailable',
    'Calling through Webex is not set up on this server. Ask your administrator to configure Webex.',
  );
}

/** The value, or the call failure as the tab expects it. */
export function callValue<T>(result: Result<T, CallError>): T {
  if (!result.ok) throw callProblem(result.error);
  return result.value;
}

/** The `{id}` of `/api/calls/{id}`, as POST /api/calls returned it; 400 for anything else. */
export function callIdParam(req: RouteRequest): string {
  const id = (req.params as Record<string, string | undefined>).id ?? '';
  if (!/^[A-Za-z0-9_=:.-]{1,512}$/.test(id))
    throw new HttpError(400, 'invalid_request', 'id: must be a call id returned by POST /api/calls');
  return id;
}
