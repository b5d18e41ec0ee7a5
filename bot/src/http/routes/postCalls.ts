import { z } from 'zod';
import { callsOf, callValue } from '../../call-tab/call-routes.js';
import type { CallTabDeps } from '../../call-tab/deps.js';
import { reply, tabRoute } from '../../call-tab/tab-route.js';
import { validate, type Route } from '../route.js';

const body = z.strictObject({
  destination: z.string().max(256, 'must be at most 256 characters'),
  displayName: z.string().max(256, 'must be at most 256 characters').optional(),
});

/**
 * `POST /api/calls` (Teams SSO) `{ destination, displayName? }`: Webex Click to Dial for a linked
 * user (201 `{ mode: 'webex', call }`), deep links otherwise (200 `{ mode: 'deep_link', … }`);
 * 422 invalid_number, 403 not_calling_enabled, 409 webex_relink_required, 503 webex_unavailable.
 */
export function postCalls(deps: Pick<CallTabDeps, 'validator' | 'store' | 'calls'>): Route {
  return tabRoute(deps, { method: 'post', path: '/api/calls', body: 'json' }, async (req, res, identity) => {
    const input = validate(body, req.body);
    if (!input.ok) throw input.error;
    const placed = callValue(
      await callsOf(deps).place(identity.user.id, {
        destination: input.value.destination,
        ...(input.value.displayName === undefined ? {} : { displayName: input.value.displayName }),
      }),
    );
    reply(res, placed.mode === 'webex' ? 201 : 200, placed);
  });
}
