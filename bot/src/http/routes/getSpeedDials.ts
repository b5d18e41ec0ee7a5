import type { CallTabDeps } from '../../call-tab/deps.js';
import { speedDialFailure } from '../../call-tab/speed-dial-problems.js';
import { reply, tabRoute } from '../../call-tab/tab-route.js';
import type { Route } from '../route.js';

/** `GET /api/speed-dials` (Teams SSO): the caller's speed dials from their Graph open extension. */
export function getSpeedDials(
  deps: Pick<CallTabDeps, 'validator' | 'store' | 'sessions' | 'speedDials'>,
): Route {
  return tabRoute(deps, { method: 'get', path: '/api/speed-dials' }, async (_req, res, identity) => {
    const graph = await deps.sessions.forRequest(identity);
    if (!graph.ok) throw graph.error;
    const read = await deps.speedDials.read(graph.value);
    if (!read.ok) throw speedDialFailure(read.error);
    reply(res, 200, read.value);
  });
}
