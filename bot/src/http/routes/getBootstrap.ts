import { createBootstrap } from '../../call-tab/bootstrap.js';
import type { CallTabDeps } from '../../call-tab/deps.js';
import { reply, tabRoute } from '../../call-tab/tab-route.js';
import type { Route } from '../route.js';

/**
 * `GET /api/bootstrap` (Teams SSO): profile, speed dials, presence of the speed-dial people,
 * Webex link state and presence-sync status in one answer; failed sections are `null` and listed
 * in `problems`.
 */
export function getBootstrap(
  deps: Pick<
    CallTabDeps,
    | 'validator'
    | 'store'
    | 'sessions'
    | 'speedDials'
    | 'webex'
    | 'syncStatus'
    | 'logger'
    | 'bootstrapDeadlineMs'
  >,
): Route {
  const bootstrap = createBootstrap(deps);
  return tabRoute(deps, { method: 'get', path: '/api/bootstrap' }, async (_req, res, identity) => {
    reply(res, 200, await bootstrap(identity));
  });
}
