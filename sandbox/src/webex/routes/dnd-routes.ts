import { json, type Router, type SandboxRequest, type SandboxResponse } from '../../shared/http.js';
import { readDndPatch } from '../dnd.js';
import { badRequest, forbidden, notFound } from '../errors.js';
import { guard, noContent, tracked, type Caller } from '../http-kit.js';
import { hasScope, SCOPES } from '../scopes.js';
import type { WebexWorld } from '../world.js';

/**
 * Webex Calling Do Not Disturb:
 * - `GET/PUT /v1/people/{personId}/features/doNotDisturb` — an admin with
 *   `spark-admin:people_read`/`_write`, or the person themself with `spark:people_read`/`_write`;
 *   PUT answers 204.
 * - `GET/PUT /v1/telephony/config/people/me/settings/doNotDisturb` (beta "Call Settings For Me")
 *   — `spark:telephony_config_read`/`_write`; its PUT requires `webexGoOverrideEnabled`.
 */
export function addDndRoutes(router: Router, world: WebexWorld): void {
  const personRoute = (write: boolean) =>
    tracked((req) => {
      const g = guard(world, req, 'people', []);
      if (!g.ok) return g.response;
      const target = world.directory.get(req.params.personId ?? '');
      if (!mayManage(world, g.caller, req.params.personId ?? '', write)) return forbidden();
      if (target?.calling !== true) return notFound('Person not found or not a Webex Calling user.');
      return write
        ? applyPatch(world, target.personId, req, false)
        : json(200, world.dnd.get(target.personId));
    });
  router.add('GET', '/v1/people/:personId/features/doNotDisturb', personRoute(false));
  router.add('PUT', '/v1/people/:personId/features/doNotDisturb', personRoute(true));

  const meRoute = (write: boolean) =>
    tracked((req) => {
      const g = guard(world, req, 'calls', [
        write ? SCOPES.telephonyConfigWrite : SCOPES.telephonyConfigRead,
      ]);
      if (!g.ok) return g.response;
      if (!g.caller.person.calling) return forbidden('The user is not licensed for Webex Calling.');
      const personId = g.caller.person.personId;
      return write ? applyPatch(world, personId, req, true) : json(200, world.dnd.get(personId));
    });
  router.add('GET', '/v1/telephony/config/people/me/settings/doNotDisturb', meRoute(false));
  router.add('PUT', '/v1/telephony/config/people/me/settings/doNotDisturb', meRoute(true));
}

function mayManage(world: WebexWorld, caller: Caller, personId: string, write: boolean): boolean {
  const scopes = caller.principal.scopes;
  const admin =
    world.admins.has(caller.person.personId) &&
    hasScope(scopes, write ? SCOPES.adminPeopleWrite : SCOPES.adminPeopleRead);
  const self =
    caller.person.personId === personId && hasScope(scopes, write ? SCOPES.peopleWrite : SCOPES.peopleRead);
  return admin || self;
}

function applyPatch(
  world: WebexWorld,
  personId: string,
  req: SandboxRequest,
  requireGoOverride: boolean,
): SandboxResponse {
  const patch = readDndPatch(req.body);
  if ('invalid' in patch) return badRequest(`Invalid value for ${patch.invalid}.`);
  if (requireGoOverride && patch.webexGoOverrideEnabled === undefined) {
    return badRequest('webexGoOverrideEnabled is required.');
  }
  world.dnd.update(personId, patch);
  return noContent();
}
