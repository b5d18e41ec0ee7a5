import { z } from 'zod';
import type { SsoIdentity } from '../../auth/sso-validator.js';
import type { GraphClient } from '../../integrations/graph/graph.client.js';
import { err, ok, type Result } from '../../shared/result.js';

/**
 * Who is in a group, asked of Microsoft Graph with the admin's own delegated token. Whether the
 * caller is an admin is not asked of Graph: see {@link holdsAdminRole}.
 */
export interface AdminDirectory {
  /** The Entra object ids of the group's user members (transitive), one page per call of `onPage`. */
  forEachGroupMember(
    userId: string,
    groupId: string,
    onPage: (aadObjectIds: readonly string[]) => Promise<void>,
  ): Promise<Result<{ readonly pages: number }, { readonly code: string }>>;
}

/**
 * Entra built-in role template ids (stable across tenants) allowed to enable sync for others,
 * with the names Entra shows for them.
 */
export const ADMIN_ROLES: ReadonlyMap<string, string> = new Map([
  ['62e90394-69f5-4237-9190-012177145e10', 'Global Administrator'],
  ['69091246-20e8-4a56-aa4d-066075b2a7a8', 'Teams Administrator'],
  ['baf37b3a-610e-45da-9e62-d9d1e5e8914b', 'Teams Communications Administrator'],
]);

/**
 * Whether the validated SSO token says the caller holds one of {@link ADMIN_ROLES} tenant-wide.
 * The token's `wids` claim is read, not Graph's `/me/memberOf`: without RoleManagement.Read.Directory
 * (which CallBridge does not ask for) Graph lists the roles with every property null.
 */
export function holdsAdminRole(identity: Pick<SsoIdentity, 'wids'>): boolean {
  return (identity.wids ?? []).some((id) => ADMIN_ROLES.has(id.toLowerCase()));
}

const page = z.looseObject({
  value: z.array(z.looseObject({ id: z.string().optional() })),
  '@odata.nextLink': z.string().optional(),
});

/** Upper bound on pages followed, so a paging loop upstream cannot keep a request forever. */
const MAX_PAGES = 1_000;

export function graphAdminDirectory(
  graphFor: (userId: string) => Promise<Result<GraphClient, string>>,
): AdminDirectory {
  return {
    async forEachGroupMember(userId, groupId, onPage) {
      const graph = await graphFor(userId);
      if (!graph.ok) return err({ code: graph.error });
      let path: string | undefined =
        `/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user?$select=id&$top=999`;
      let count = 0;
      while (path !== undefined && count < MAX_PAGES) {
        const sent = await graph.value.send('GET', path, { operation: 'groups.members', idempotent: true });
        if (!sent.ok) return err({ code: sent.error.code });
        const parsed = page.safeParse(sent.value.body);
        if (!parsed.success) return err({ code: 'invalid_response' });
        count += 1;
        await onPage(parsed.data.value.flatMap((m) => (m.id === undefined ? [] : [m.id])));
        path = parsed.data['@odata.nextLink'];
      }
      return ok({ pages: count });
    },
  };
}
