import { z } from 'zod';
import type { CallTabDeps } from '../../call-tab/deps.js';
import { ApiProblem } from '../../call-tab/problems.js';
import { MAX_PEOPLE_QUERY_CHARS } from '../../people/people-search.js';
import { reply, tabRoute } from '../../call-tab/tab-route.js';
import { validate, type Route } from '../route.js';

const query = z.object({
  q: z
    .string()
    .max(MAX_PEOPLE_QUERY_CHARS, `must be at most ${String(MAX_PEOPLE_QUERY_CHARS)} characters`)
    .default(''),
  top: z.coerce.number().int('must be a whole number').min(1).max(25).default(15),
});

/**
 * `GET /api/people?q=&top=` (Teams SSO): the people search (directory, Outlook contacts, speed
 * dials; merged, ranked, with presence) as `{ people, partial, slowSources, failedSources }`.
 */
export function getPeople(
  deps: Pick<CallTabDeps, 'validator' | 'store' | 'sessions' | 'people' | 'peopleDeadlineMs'>,
): Route {
  return tabRoute(deps, { method: 'get', path: '/api/people' }, async (req, res, identity) => {
    const params = validate(query, Object.fromEntries(new URLSearchParams(req.getQuery())));
    if (!params.ok) throw params.error;
    const people = deps.people;
    if (people === undefined)
      throw new ApiProblem(503, 'upstream_unavailable', 'People search is not set up on this server.');
    // Signs the user in server-side first when needed, so every source runs with a session.
    const graph = await deps.sessions.forRequest(identity);
    if (!graph.ok) throw graph.error;
    const found = await people.search({
      userId: identity.user.id,
      query: params.value.q,
      skip: 0,
      count: params.value.top,
      deadlineMs: deps.peopleDeadlineMs ?? 2_500,
    });
    reply(res, 200, {
      people: found.people,
      partial: found.slowSources.length > 0 || found.failedSources.length > 0,
      slowSources: found.slowSources,
      failedSources: found.failedSources,
    });
  });
}
