import type { DemoUser } from '../seed/org.js';
import { requirePermission, type Caller, type PermissionRule } from './auth.js';
import {
  DEFAULT_USER_PROPERTIES,
  graphUser,
  SELECTABLE_USER_PROPERTIES,
  type Directory,
} from './directory.js';
import { badRequest, GraphError } from './errors.js';
import { extensionJson, type ExtensionStore } from './extensions.js';
import { evaluateFilter, filterUsages, parseFilter, propertyPath, type FilterNode } from './odata-filter.js';
import {
  parseCount,
  parseOrderBy,
  parseSearch,
  parseSelect,
  parseTop,
  project,
  searchMatches,
  sortBy,
  type SearchClauses,
} from './odata-query.js';
import { paginate } from './paging.js';
import { headerValue, odata, type GraphRequest, type GraphRoute } from './route.js';

/**
 * `/me`, `/users/{id | userPrincipalName}` and `/users` with the directory's query rules:
 * `$select`, `$top` (1–999), `$filter` (startswith/eq/in by default; ne, not and endswith only as
 * advanced queries), `$search` (requires `ConsistencyLevel: eventual`), `$count` (counted only in
 * advanced queries, silently ignored otherwise) and `$skiptoken` paging with 100 users a page.
 */

const USER_TYPE = 'microsoft.graph.user';
const PAGE_SIZE = 100;
const MAX_TOP = 999;

const READ_SELF: PermissionRule = {
  delegated: [
    'User.Read',
    'User.ReadWrite',
    'User.ReadBasic.All',
    'User.Read.All',
    'User.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  application: [],
};
const READ_ALL: PermissionRule = {
  delegated: [
    'User.ReadBasic.All',
    'User.Read.All',
    'User.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  application: [
    'User.ReadBasic.All',
    'User.Read.All',
    'User.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
};

/** `$filter` shapes the directory serves without advanced query parameters. */
const DEFAULT_FILTERS: Readonly<Record<string, readonly string[]>> = {
  startswith: ['displayName', 'givenName', 'surname', 'mail', 'userPrincipalName', 'jobTitle'],
  eq: [
    'id',
    'displayName',
    'givenName',
    'surname',
    'mail',
    'userPrincipalName',
    'jobTitle',
    'userType',
    'accountEnabled',
  ],
  in: ['id', 'displayName', 'givenName', 'surname', 'mail', 'userPrincipalName', 'jobTitle', 'userType'],
};
/** Shapes that need `ConsistencyLevel: eventual` and `$count=true`. */
const ADVANCED_FILTERS: Readonly<Record<string, readonly string[]>> = {
  ne: DEFAULT_FILTERS.eq ?? [],
  not: [''],
  endswith: ['mail', 'userPrincipalName'],
  eq: ['department', 'officeLocation', 'companyName'],
  startswith: ['department', 'officeLocation', 'companyName'],
};
const SEARCHABLE = new Set(['displayName', 'givenName', 'surname', 'mail', 'userPrincipalName', 'jobTitle']);
/** `$orderby` works by default on these two; with `$filter` or `$search` only as an advanced query. */
const SORTABLE = new Set(['displayName', 'userPrincipalName']);

export interface UserDeps {
  readonly directory: Directory;
  readonly extensions: ExtensionStore;
}

export function userRoutes(deps: UserDeps): GraphRoute[] {
  const { directory } = deps;
  return [
    {
      method: 'GET',
      template: '/me',
      family: 'users',
      handler: (r) => {
        const user = directory.me(r.caller, 'directory');
        requirePermission(r.caller, READ_SELF, 'directory');
        return single(r, user, deps);
      },
    },
    {
      method: 'GET',
      template: '/users/:userId',
      family: 'users',
      handler: (r) => {
        const user = directory.find(r.params.userId ?? '');
        requirePermission(
          r.caller,
          user !== undefined && isSelf(r.caller, user) ? READ_SELF : READ_ALL,
          'directory',
        );
        return single(r, directory.require(r.params.userId ?? '', 'directory'), deps);
      },
    },
    {
      method: 'GET',
      template: '/users',
      family: 'users',
      handler: (r) => {
        requirePermission(r.caller, READ_ALL, 'directory');
        return list(r, deps);
      },
    },
  ];
}

function isSelf(caller: Caller, user: DemoUser): boolean {
  return caller.userId?.toLowerCase() === user.id.toLowerCase();
}

function single(r: GraphRequest, user: DemoUser, deps: UserDeps): ReturnType<typeof odata> {
  const select = parseSelect(r.query.get('$select'), USER_TYPE, SELECTABLE_USER_PROPERTIES);
  const expandExtensions = parseExpand(r.query.get('$expand'));
  const context = `${r.serviceRoot}/$metadata#${contextFragment(select, expandExtensions)}/$entity`;
  return odata(200, { '@odata.context': context, ...userJson(r, user, select, expandExtensions, deps) });
}

function list(r: GraphRequest, deps: UserDeps): ReturnType<typeof odata> {
  const advancedHeader = headerValue(r.headers, 'consistencylevel')?.toLowerCase() === 'eventual';
  const count = parseCount(r.query.get('$count'));
  const advanced = advancedHeader && count;
  const select = parseSelect(r.query.get('$select'), USER_TYPE, SELECTABLE_USER_PROPERTIES);
  const expandExtensions = parseExpand(r.query.get('$expand'));
  const top = parseTop(r.query.get('$top'));
  if (top !== undefined && (top < 1 || top > MAX_TOP)) {
    throw new GraphError(
      400,
      'Request_UnsupportedQuery',
      `Invalid page size specified: '${top}'. Must be between 1 and ${MAX_TOP} inclusive.`,
    );
  }
  if (r.query.has('$skip'))
    throw new GraphError(400, 'Request_UnsupportedQuery', "'$skip' is not supported by the service.");
  const searchText = r.query.get('$search');
  let search: SearchClauses | undefined;
  if (searchText !== null) {
    if (!advancedHeader) {
      throw new GraphError(
        400,
        'Request_UnsupportedQuery',
        "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
      );
    }
    search = parseSearch(searchText.trim());
    if (search.some((g) => g.some((t) => !SEARCHABLE.has(t.property)))) {
      throw new GraphError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
    }
  }
  const filterText = r.query.get('$filter');
  const filter = filterText === null ? undefined : parseFilter(filterText);
  if (filter !== undefined) checkFilterSupport(filter, advanced);
  if (advancedHeader && expandExtensions)
    throw new GraphError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
  const orderBy = parseOrderBy(
    r.query.get('$orderby'),
    SORTABLE,
    (p) => new GraphError(400, 'Request_UnsupportedQuery', `Sorting not supported for '${p}'.`),
  );
  // Documented: $orderby together with $filter or $search needs ConsistencyLevel and $count=true.
  if (orderBy !== undefined && (filter !== undefined || search !== undefined) && !advanced) {
    throw new GraphError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
  }

  const filtered = deps.directory.users.filter((u) => {
    const json = graphUser(u, deps.directory.org.domain);
    if (filter !== undefined && !evaluateFilter(filter, (p) => propertyPath(json, p))) return false;
    return (
      search === undefined ||
      search.some((group) => group.every((t) => searchMatches(json[t.property], t.value)))
    );
  });
  const matches = sortBy(filtered, orderBy, (u, p) => graphUser(u, deps.directory.org.domain)[p]);
  const page = paginate(matches, top ?? PAGE_SIZE, r.query, `${r.serviceRoot}/users`);
  return odata(200, {
    '@odata.context': `${r.serviceRoot}/$metadata#${contextFragment(select, expandExtensions)}`,
    ...(advancedHeader && count ? { '@odata.count': matches.length } : {}),
    ...(page.nextLink === undefined ? {} : { '@odata.nextLink': page.nextLink }),
    value: page.items.map((u) => userJson(r, u, select, expandExtensions, deps)),
  });
}

function checkFilterSupport(filter: FilterNode, advanced: boolean): void {
  for (const usage of filterUsages(filter)) {
    if (DEFAULT_FILTERS[usage.op]?.includes(usage.path) === true) continue;
    if (ADVANCED_FILTERS[usage.op]?.includes(usage.path) === true) {
      // Documented: advanced-only shapes without ConsistencyLevel and $count=true fail like this.
      if (!advanced) throw new GraphError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
      continue;
    }
    throw new GraphError(
      400,
      'Request_UnsupportedQuery',
      `Unsupported or invalid query filter clause specified for property '${usage.path || usage.op}' of resource 'User'.`,
    );
  }
}

function parseExpand(text: string | null): boolean {
  if (text === null) return false;
  if (text.trim() === 'extensions') return true;
  throw badRequest(
    `Parsing OData Select and Expand failed: Could not find a property named '${text.trim()}' on type '${USER_TYPE}'.`,
  );
}

function contextFragment(select: readonly string[] | undefined, expandExtensions: boolean): string {
  const parts = [...(select ?? []), ...(expandExtensions ? ['extensions()'] : [])];
  return parts.length === 0 ? 'users' : `users(${parts.join(',')})`;
}

function userJson(
  r: GraphRequest,
  user: DemoUser,
  select: readonly string[] | undefined,
  expandExtensions: boolean,
  deps: UserDeps,
): Record<string, unknown> {
  const json = project(graphUser(user, deps.directory.org.domain), select ?? DEFAULT_USER_PROPERTIES);
  if (!expandExtensions) return json;
  return {
    ...json,
    'extensions@odata.context': `${r.serviceRoot}/$metadata#users('${user.id}')/extensions`,
    extensions: deps.extensions.list(user.id).map(extensionJson),
  };
}
