import type { CallService } from '../calls/call-service.js';
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
