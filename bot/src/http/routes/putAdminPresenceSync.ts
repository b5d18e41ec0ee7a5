import { z } from 'zod';
import { authenticateRequest } from '../../auth/request-identity.js';
import { ADMIN_ROLES, holdsAdminRole } from '../../presence-sync/enrolment/admin-directory.js';
import type { EnrolmentRouteDeps } from '../../presence-sync/enrolment/index.js';
import { HttpError, validate, type Route } from '../route.js';

const body = z.strictObject({
  scope: z.union([z.literal('all'), z.strictObject({ groupId: z.string().min(1).max(128) })]),
  enabled: z.boolean(),
});

/**
 * `PUT /api/admin/presence-sync` (Teams SSO, tenant admins) `{ scope: 'all' | { groupId }, enabled }`
 * → 200 `{ matched, changed, unchanged, blocked: { link_webex, sign_in, admin_consent }, failed }`.
 * `all` is every CallBridge user of the admin's tenant; a group is read from Graph (transitive
 * members, paged) and its members are enrolled even before they first open CallBridge.
 * 403 `not_admin` unless the SSO token's `wids` claim names a Global, Teams or Teams Communications
 * Administrator role (no Graph call: see `holdsAdminRole`); 403 `graph_permission_required` when
 * Graph refuses to list the group (the message names the permission to grant: `GroupMember.Read.All`,
 * which CallBridge does not ask for by default); 404 `group_not_found`; 400 `invalid_group_id`;
 * 502 `upstream_unavailable` when Graph could not say.
 */
export function putAdminPresenceSync(deps: EnrolmentRouteDeps): Route {
  return {
    method: 'put',
    path: '/api/admin/presence-sync',
    body: 'json',
    maxBodyBytes: 1024,
    handler: async (req, res) => {
      const identity = await authenticateRequest(req, deps.validator, deps.store);
      if (!identity.ok) throw identity.error;
      const input = validate(body, req.body);
      if (!input.ok) throw input.error;
      const admin = identity.value.user;
      if (!holdsAdminRole(identity.value.sso)) throw new HttpError(403, 'not_admin', NOT_ADMIN_MESSAGE);
      const result = await deps.enrolment.setForMany(admin, input.value.scope, input.value.enabled);
      if (!result.ok) {
        const groupError = GROUP_ERRORS[result.error.code];
        if (groupError !== undefined) throw groupError();
        throw new HttpError(
          502,
          'upstream_unavailable',
          'Could not read the group members from Microsoft Graph; try again.',
        );
      }
      res.header('Cache-Control', 'no-store');
      res.status(200);
      res.json(result.value);
    },
  };
}

// Role changes and PIM activations reach tokens only when Teams fetches a new one.
const NOT_ADMIN_MESSAGE =
  `Only a ${new Intl.ListFormat('en', { type: 'disjunction' }).format(ADMIN_ROLES.values())} can change presence ` +
  'sync for others. If you were just given (or activated) one of these roles, sign out of Teams and ' +
  'back in, then try again.';

const GROUP_ERRORS: Readonly<Record<string, () => HttpError>> = {
  // Graph's 403 for a delegated token without the permission an endpoint needs.
  Authorization_RequestDenied: () =>
    new HttpError(
      403,
      'graph_permission_required',
      'CallBridge may not read group members. Grant it the delegated Microsoft Graph permission ' +
        'GroupMember.Read.All (or Group.Read.All, Directory.Read.All) with admin consent, then try again, ' +
        "or use scope 'all'.",
    ),
  Request_ResourceNotFound: () =>
    new HttpError(
      404,
      'group_not_found',
      "No Entra group has this id; copy the group's Object ID from Entra.",
    ),
  Request_BadRequest: () =>
    new HttpError(400, 'invalid_group_id', "The group id must be the group's Entra Object ID (a GUID)."),
};
