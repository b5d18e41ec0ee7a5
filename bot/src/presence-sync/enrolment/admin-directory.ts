import { z } from 'zod';
import type { GraphClient } from '../../integrations/graph/graph.client.js';
import { err, ok, type Result } from '../../shared/result.js';

/**
 * Who may turn presence sync on for others, and who is in a group, asked of Microsoft Graph with
 * the admin's own delegated token. Admin consent itself is decided by Entra (only an admin can
 * grant it), so CallBridge has no admin list of its own to reuse: the directory roles are asked.
 */
export interface AdminDirectory {
  /** Whether the user holds a tenant role that may manage Teams apps for everyone. */
  isAdmin(userId: string): Promise<Result<boolean, { readonly code: string }>>;
  /** The Entra object ids of the group's user members (transitive), one page per call of `onPage`. */
  forEachGroupMember(
    userId: string,
    groupId: string,
    onPage: (aadObjectIds: readonly string[]) => Promise<void>,
  ): Promise<Result<{ readonly pages: number }, { readonly code: string }>>;
}

/**
 * Entra built-in role template ids (stable across tenants) allowed to enable sync for others:
 * Global Administrator, Teams Administrator, Teams Communications Administrator.
 */
export const ADMIN_ROLE_TEMPLATE_IDS: ReadonlySet<string> = new Set([
  '62e90394-69f5-4237-9190-012177145e10',
  '69091246-20e8-4a56-aa4d-066075b2a7a8',
  'baf37b3a-610e-45da-9e62-d9d1e5e8914b',
]);

/** `isAdmin`'s error when Graph listed the user's roles without saying which they are. */
export const ROLES_UNREADABLE = 'directory_roles_unreadable';

const page = z.looseObject({
  value: z.array(
    z.looseObject({ id: z.string().optional(), roleTemplateId: z.string().nullable().optional() }),
  ),
  '@odata.nextLink': z.string().optional(),
});

/** Upper bound on pages followed, so a paging loop upstream cannot keep a request forever. */
const MAX_PAGES = 1_000;

export function graphAdminDirectory(
  graphFor: (userId: string) => Promise<Result<GraphClient, string>>,
): AdminDirectory {
  async function pages(
    userId: string,
    firstPath: string,
    operation: string,
    onPage: (items: z.infer<typeof page>['value']) => Promise<boolean | undefined>,
  ): Promise<Result<{ pages: number }, { code: string }>> {
    const graph = await graphFor(userId);
    if (!graph.ok) return err({ code: graph.error });
    let path: string | undefined = firstPath;
    let count = 0;
    while (path !== undefined && count < MAX_PAGES) {
      const sent = await graph.value.send('GET', path, { operation, idempotent: true });
      if (!sent.ok) return err({ code: sent.error.code });
      const parsed = page.safeParse(sent.value.body);
      if (!parsed.success) return err({ code: 'invalid_response' });
      count += 1;
      if ((await onPage(parsed.data.value)) === true) break;
      path = parsed.data['@odata.nextLink'];
    }
    return ok({ pages: count });
  }

  return {
    async isAdmin(userId) {
      // An object, not two lets: the page callback sets them, which narrowing cannot see.
      const found = { admin: false, unreadable: false };
      const walked = await pages(
        userId,
        '/me/memberOf/microsoft.graph.directoryRole?$select=id,roleTemplateId',
        'directory.myRoles',
        (roles) => {
          // Without a permission to read directory roles Graph still lists them, every property
          // but the id null: "not an admin" would then be a guess.
          found.unreadable ||= roles.some((r) => r.roleTemplateId === null);
          found.admin ||= roles.some(
            (r) => typeof r.roleTemplateId === 'string' && ADMIN_ROLE_TEMPLATE_IDS.has(r.roleTemplateId),
          );
          return Promise.resolve(found.admin);
        },
      );
      if (!walked.ok) return walked;
      return !found.admin && found.unreadable ? err({ code: ROLES_UNREADABLE }) : ok(found.admin);
    },
    async forEachGroupMember(userId, groupId, onPage) {
      return pages(
        userId,
        `/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user?$select=id&$top=999`,
        'groups.members',
        async (members) => {
          await onPage(members.flatMap((m) => (m.id === undefined ? [] : [m.id])));
          return false;
        },
      );
    },
  };
}
