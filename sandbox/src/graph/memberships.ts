import type { DemoDirectoryRole, DemoGroup, DemoUser } from '../seed/org.js';
import { requirePermission, type Caller, type PermissionRule } from './auth.js';
import {
  DEFAULT_USER_PROPERTIES,
  graphUser,
  SELECTABLE_USER_PROPERTIES,
  type Directory,
} from './directory.js';
import { GraphError, notFound } from './errors.js';
import { parseSelect, parseTop, project } from './odata-query.js';
import { paginate } from './paging.js';
import { odata, type GraphRequest, type GraphRoute } from './route.js';

/**
 * Directory memberships: `/me/memberOf`, `/users/{id}/memberOf` (direct groups and directory roles)
 * and `/groups/{id}/transitiveMembers` (users and groups, nested groups flattened, each once), with
 * their OData casts (`/microsoft.graph.directoryRole`, `/microsoft.graph.group`,
 * `/microsoft.graph.user`). Collections page with `$top` (1–999, default 100) and `$skiptoken`.
 *
 * As documented for directoryObject collections, an object of a type the token may not read comes
 * back with its `@odata.type` and `id` only, every other property `null`: with just `User.Read`,
 * `/me/memberOf` names the caller's roles but not which ones.
 */

const PAGE_SIZE = 100;
const MAX_TOP = 999;

const MY_MEMBER_OF: PermissionRule = {
  delegated: ['User.Read', 'Directory.Read.All', 'Directory.ReadWrite.All', 'GroupMember.Read.All'],
  application: [],
};
const USER_MEMBER_OF: PermissionRule = {
  delegated: ['User.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All', 'GroupMember.Read.All'],
  application: ['Directory.Read.All', 'Directory.ReadWrite.All'],
};
const GROUP_MEMBERS: PermissionRule = {
  delegated: [
    'GroupMember.Read.All',
    'Directory.Read.All',
    'Group.Read.All',
    'Group.ReadWrite.All',
    'GroupMember.ReadWrite.All',
  ],
  application: [
    'GroupMember.Read.All',
    'Directory.Read.All',
    'Group.Read.All',
    'Group.ReadWrite.All',
    'GroupMember.ReadWrite.All',
  ],
};

/** Permissions that let a caller read each object type in full inside a directoryObject collection. */
const READABLE: Readonly<Record<ObjectType, readonly string[]>> = {
  user: [
    'User.ReadBasic.All',
    'User.Read.All',
    'User.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  group: [
    'GroupMember.Read.All',
    'GroupMember.ReadWrite.All',
    'Group.Read.All',
    'Group.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  directoryRole: [
    'RoleManagement.Read.Directory',
    'RoleManagement.ReadWrite.Directory',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
};

type ObjectType = 'user' | 'group' | 'directoryRole';

type DirectoryObject =
  | { readonly type: 'user'; readonly user: DemoUser }
  | { readonly type: 'group'; readonly group: DemoGroup }
  | { readonly type: 'directoryRole'; readonly role: DemoDirectoryRole };

const GROUP_PROPERTIES = [
  'id',
  'deletedDateTime',
  'description',
  'displayName',
  'groupTypes',
  'mail',
  'mailEnabled',
  'mailNickname',
  'securityEnabled',
  'visibility',
] as const;
const ROLE_PROPERTIES = ['id', 'deletedDateTime', 'description', 'displayName', 'roleTemplateId'] as const;
const SELECTABLE = new Set<string>([...SELECTABLE_USER_PROPERTIES, ...GROUP_PROPERTIES, ...ROLE_PROPERTIES]);

export function membershipRoutes(directory: Directory): GraphRoute[] {
  const { org } = directory;
  const groupById = new Map(org.groups.map((g) => [g.id.toLowerCase(), g]));

  /** Direct memberships of a user: groups first, then directory roles. */
  const memberOf = (user: DemoUser): DirectoryObject[] => [
    ...org.groups
      .filter((g) => g.memberIds.includes(user.id))
      .map((group) => ({ type: 'group' as const, group })),
    ...org.directoryRoles
      .filter((r) => r.memberIds.includes(user.id))
      .map((role) => ({ type: 'directoryRole' as const, role })),
  ];

  /** Breadth-first over nested groups; each user and group once, however often it is nested. */
  const transitiveMembers = (root: DemoGroup): DirectoryObject[] => {
    const out: DirectoryObject[] = [];
    const seen = new Set<string>([root.id]);
    const queue = [root];
    for (let group = queue.shift(); group !== undefined; group = queue.shift()) {
      for (const id of group.memberIds) {
        const user = directory.find(id);
        if (user === undefined || seen.has(user.id)) continue;
        seen.add(user.id);
        out.push({ type: 'user', user });
      }
      for (const id of group.groupIds) {
        const nested = groupById.get(id.toLowerCase());
        if (nested === undefined || seen.has(nested.id)) continue;
        seen.add(nested.id);
        out.push({ type: 'group', group: nested });
        queue.push(nested);
      }
    }
    return out;
  };

  const userMemberOf =
    (cast: ObjectType | undefined) =>
    (r: GraphRequest): ReturnType<typeof odata> => {
      const id = r.params.userId;
      const user =
        id === undefined ? directory.me(r.caller, 'directory') : directory.require(id, 'directory');
      const self = r.caller.userId?.toLowerCase() === user.id.toLowerCase();
      requirePermission(r.caller, id === undefined || self ? MY_MEMBER_OF : USER_MEMBER_OF, 'directory');
      return collection(r, memberOf(user), cast, org.domain);
    };

  const groupTransitiveMembers =
    (cast: ObjectType | undefined) =>
    (r: GraphRequest): ReturnType<typeof odata> => {
      requirePermission(r.caller, GROUP_MEMBERS, 'directory');
      const id = r.params.groupId ?? '';
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
        throw new GraphError(400, 'Request_BadRequest', `Invalid object identifier '${id}'.`);
      }
      const group = groupById.get(id.toLowerCase());
      if (group === undefined) throw notFound('directory', id);
      return collection(r, transitiveMembers(group), cast, org.domain);
    };

  const routes: GraphRoute[] = [];
  const add = (
    template: string,
    handler: (cast: ObjectType | undefined) => GraphRoute['handler'],
    casts: readonly ObjectType[],
  ): void => {
    routes.push({ method: 'GET', template, family: 'users', handler: handler(undefined) });
    for (const cast of casts) {
      routes.push({
        method: 'GET',
        template: `${template}/microsoft.graph.${cast}`,
        family: 'users',
        handler: handler(cast),
      });
    }
  };
  add('/me/memberOf', userMemberOf, ['group', 'directoryRole']);
  add('/users/:userId/memberOf', userMemberOf, ['group', 'directoryRole']);
  add('/groups/:groupId/transitiveMembers', groupTransitiveMembers, ['user', 'group']);
  return routes;
}

function collection(
  r: GraphRequest,
  all: readonly DirectoryObject[],
  cast: ObjectType | undefined,
  domain: string,
): ReturnType<typeof odata> {
  const select = parseSelect(r.query.get('$select'), 'microsoft.graph.directoryObject', SELECTABLE);
  const top = parseTop(r.query.get('$top'));
  if (top !== undefined && (top < 1 || top > MAX_TOP)) {
    throw new GraphError(
      400,
      'Request_UnsupportedQuery',
      `Invalid page size specified: '${String(top)}'. Must be between 1 and ${String(MAX_TOP)} inclusive.`,
    );
  }
  const matching = cast === undefined ? all : all.filter((o) => o.type === cast);
  const origin = r.serviceRoot.slice(0, r.serviceRoot.length - r.version.length - 1);
  const page = paginate(matching, top ?? PAGE_SIZE, r.query, `${origin}${r.path}`);
  const entitySet = cast === undefined ? 'directoryObjects' : `${cast}s`;
  return odata(200, {
    '@odata.context': `${r.serviceRoot}/$metadata#${entitySet}${select === undefined ? '' : `(${select.join(',')})`}`,
    ...(page.nextLink === undefined ? {} : { '@odata.nextLink': page.nextLink }),
    value: page.items.map((o) => objectJson(o, r.caller, select, cast === undefined, domain)),
  });
}

function objectJson(
  object: DirectoryObject,
  caller: Caller,
  select: readonly string[] | undefined,
  annotate: boolean,
  domain: string,
): Record<string, unknown> {
  const full = fullJson(object, domain);
  const readable = READABLE[object.type].some((p) => caller.permissions.has(p));
  const shown = readable
    ? full
    : Object.fromEntries(Object.keys(full).map((k) => [k, k === 'id' ? full.id : null]));
  // Items of a cast collection are all of that type; a mixed collection tags each one.
  const typed =
    annotate || !readable ? { '@odata.type': `#microsoft.graph.${object.type}`, ...shown } : shown;
  return project(typed, select, ['id']);
}

function fullJson(object: DirectoryObject, domain: string): Record<string, unknown> {
  switch (object.type) {
    case 'user':
      // A user inside a directoryObject collection carries v1.0's default user properties.
      return project(graphUser(object.user, domain), DEFAULT_USER_PROPERTIES);
    case 'group': {
      const g = object.group;
      return {
        id: g.id,
        deletedDateTime: null,
        description: g.description,
        displayName: g.displayName,
        groupTypes: [],
        mail: null,
        mailEnabled: false,
        mailNickname: g.mailNickname,
        securityEnabled: true,
        visibility: null,
      };
    }
    case 'directoryRole': {
      const role = object.role;
      return {
        id: role.id,
        deletedDateTime: null,
        description: role.description,
        displayName: role.displayName,
        roleTemplateId: role.roleTemplateId,
      };
    }
  }
}
