import { z } from 'zod';
import type { CallTabDeps } from '../../call-tab/deps.js';
import { speedDialFailure } from '../../call-tab/speed-dial-problems.js';
import { reply, tabRoute } from '../../call-tab/tab-route.js';
import { parseDestination } from '../../calls/destination.js';
import { speedDialListSchema } from '../../speed-dials/codec.js';
import { validate, type Route } from '../route.js';

/** Far more than fits in 2 KB; bounds the work of validating a hostile body. */
const MAX_ENTRIES = 100;

/**
 * `PUT /api/speed-dials` (Teams SSO) `{ entries, base: { version, entries } }`: saves the whole
 * set, three-way merged with edits made elsewhere since `base`. 200 with `merged`/`conflicts`,
 * 413 `speed_dials_full` (nothing written), 400 `invalid_request` naming each bad field.
 */
export function putSpeedDials(
  deps: Pick<CallTabDeps, 'validator' | 'store' | 'sessions' | 'speedDials' | 'defaultCountry'>,
): Route {
  const entry = z.array(z.unknown()).max(MAX_ENTRIES, `at most ${String(MAX_ENTRIES)} entries`);
  const body = z.strictObject({
    entries: entry.pipe(speedDialListSchema).superRefine((entries, ctx) => {
      entries.forEach((e, index) => {
        const parsed = parseDestination(e.number, deps.defaultCountry);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', path: [index, 'number'], message: parsed.error });
      });
    }),
    base: z.strictObject({
      version: z.string().min(1).max(64),
      entries: entry.pipe(speedDialListSchema),
    }),
  });
  return tabRoute(
    deps,
    { method: 'put', path: '/api/speed-dials', body: 'json', maxBodyBytes: 64 * 1024 },
    async (req, res, identity) => {
      const input = validate(body, req.body);
      if (!input.ok) throw input.error;
      const graph = await deps.sessions.forRequest(identity);
      if (!graph.ok) throw graph.error;
      const saved = await deps.speedDials.write(identity.user.id, graph.value, input.value);
      if (!saved.ok) throw speedDialFailure(saved.error);
      reply(res, 200, saved.value);
    },
  );
}
