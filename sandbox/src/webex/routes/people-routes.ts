import { json, type Router, type SandboxRequest } from '../../shared/http.js';
import type { DirectoryEntry } from '../directory.js';
import { badRequest, notFound } from '../errors.js';
import { guard, queryFlag, tracked, type Caller } from '../http-kit.js';
import { paginate, readMax } from '../paging.js';
import { personJson, type PersonView } from '../person-json.js';
import { hasScope, SCOPES } from '../scopes.js';
import type { WebexWorld } from '../world.js';

/**
 * `GET /v1/people/me`, `GET /v1/people`, `GET /v1/people/{personId}` (webex-messaging OpenAPI).
 * Non-admins must give `email`, `displayName` or `id`; `id` takes at most 85 ids and omits
 * presence; `max` defaults to 100 (and is capped at 100 with `callingData=true`).
 */

export const MAX_IDS = 85;
const DEFAULT_MAX = 100;

export function addPeopleRoutes(router: Router, world: WebexWorld): void {
  router.add(
    'GET',
    '/v1/people/me',
    tracked((req) => {
      const g = guard(world, req, 'people', [SCOPES.peopleRead]);
      if (!g.ok) return g.response;
      return json(
        200,
        personJson(g.caller.person, world.presence, view(world, g.caller, !queryFlag(req, 'excludeStatus'))),
      );
    }),
  );

  router.add(
    'GET',
    '/v1/people',
    tracked((req) => {
      const g = guard(world, req, 'people', [SCOPES.peopleRead]);
      if (!g.ok) return g.response;
      return listPeople(world, req, g.caller);
    }),
  );

  router.add(
    'GET',
    '/v1/people/:personId',
    tracked((req) => {
      const g = guard(world, req, 'people', [SCOPES.peopleRead]);
      if (!g.ok) return g.response;
      const entry = world.directory.get(req.params.personId ?? '');
      if (entry === undefined) return notFound('Person not found.');
      return json(
        200,
        personJson(entry, world.presence, view(world, g.caller, !queryFlag(req, 'excludeStatus'))),
      );
    }),
  );
}

function listPeople(world: WebexWorld, req: SandboxRequest, caller: Caller) {
  const q = req.url.searchParams;
  const email = q.get('email') ?? undefined;
  const displayName = q.get('displayName') ?? undefined;
  const ids = q
    .get('id')
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const admin = isAdminCaller(world, caller);
  if (email === undefined && displayName === undefined && ids === undefined && !admin) {
    return badRequest('Email, displayName, or id list should be specified.');
  }
  if (ids !== undefined && ids.length > MAX_IDS)
    return badRequest(`Too many ids: at most ${MAX_IDS} can be given.`);
  const max = readMax(req);
  if (max === 'invalid') return badRequest('Invalid value for max.');
  const cap = queryFlag(req, 'callingData') ? 100 : Number.MAX_SAFE_INTEGER;
  let matches: DirectoryEntry[] = world.directory.all();
  const notFoundIds: string[] = [];
  if (ids !== undefined) {
    matches = ids.flatMap((id) => {
      const entry = world.directory.get(id);
      if (entry === undefined) notFoundIds.push(id);
      return entry === undefined ? [] : [entry];
    });
  }
  if (email !== undefined) matches = matches.filter((e) => e.email === email.trim().toLowerCase());
  if (displayName !== undefined) matches = matches.filter((e) => startsWithName(e, displayName));
  // "If this parameter [id] is provided then presence information ... will not be included."
  const includePresence = ids === undefined && !queryFlag(req, 'excludeStatus');
  const personView = view(world, caller, includePresence);
  const page = paginate(req, world.site.url, matches, Math.min(max ?? DEFAULT_MAX, cap));
  return json(
    200,
    { items: page.items.map((e) => personJson(e, world.presence, personView)), notFoundIds },
    page.headers,
  );
}

/** "List people whose name starts with this string" (first, last or full name, any case). */
function startsWithName(entry: DirectoryEntry, prefix: string): boolean {
  const p = prefix.trim().toLowerCase();
  return [entry.user.displayName, entry.user.givenName, entry.user.surname].some((n) =>
    n.toLowerCase().startsWith(p),
  );
}

/** An admin of the org using an admin-scoped token sees the administrative fields. */
export function isAdminCaller(world: WebexWorld, caller: Caller): boolean {
  return (
    world.admins.has(caller.person.personId) && hasScope(caller.principal.scopes, SCOPES.adminPeopleRead)
  );
}

function view(world: WebexWorld, caller: Caller, includePresence: boolean): PersonView {
  return {
    baseUrl: world.site.url,
    orgId: world.directory.orgId,
    includePresence,
    admin: isAdminCaller(world, caller),
    isAdminPerson: (id) => world.admins.has(id),
  };
}
