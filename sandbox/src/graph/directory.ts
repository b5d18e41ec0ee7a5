import type { DemoOrg, DemoUser } from '../seed/org.js';
import type { Caller } from './auth.js';
import { signedInUser } from './auth.js';
import { notFound, type ErrorDialect } from './errors.js';

/**
 * Looks up the demo organisation's users the way Graph addresses them: `/users/{id}` takes the
 * object id or the userPrincipalName (case-insensitive), `/me` is the token's `oid`.
 */
export class Directory {
  private readonly byId = new Map<string, DemoUser>();
  private readonly byUpn = new Map<string, DemoUser>();

  constructor(readonly org: DemoOrg) {
    for (const user of org.users) {
      this.byId.set(user.id.toLowerCase(), user);
      this.byUpn.set(user.userPrincipalName.toLowerCase(), user);
    }
  }

  get users(): readonly DemoUser[] {
    return this.org.users;
  }

  find(idOrUpn: string): DemoUser | undefined {
    const key = idOrUpn.toLowerCase();
    return this.byId.get(key) ?? this.byUpn.get(key);
  }

  /** The user a path names, or the owning service's 404. */
  require(idOrUpn: string, dialect: ErrorDialect): DemoUser {
    const user = this.find(idOrUpn);
    if (user === undefined) throw notFound(dialect, idOrUpn);
    return user;
  }

  /** The signed-in user of a `/me` path (400 for app-only tokens, 404 if the oid is not in the org). */
  me(caller: Caller, dialect: ErrorDialect): DemoUser {
    return this.require(signedInUser(caller), dialect);
  }

  /** `/me/...` or `/users/{id}/...`: the `id` param when present, else the signed-in user. */
  target(caller: Caller, params: Readonly<Record<string, string>>, dialect: ErrorDialect): DemoUser {
    const id = params.userId;
    return id === undefined ? this.me(caller, dialect) : this.require(id, dialect);
  }
}

/** Properties `GET /users` returns without `$select` (v1.0's default set). */
export const DEFAULT_USER_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
] as const;

/**
 * Properties of microsoft.graph.user that `$select` accepts. The stand-in models the ones the seed
 * has and answers `null` for the rest, as Graph does for unset properties.
 */
export const SELECTABLE_USER_PROPERTIES: ReadonlySet<string> = new Set([
  ...DEFAULT_USER_PROPERTIES,
  'accountEnabled',
  'city',
  'companyName',
  'country',
  'createdDateTime',
  'department',
  'employeeId',
  'faxNumber',
  'imAddresses',
  'mailNickname',
  'otherMails',
  'postalCode',
  'proxyAddresses',
  'state',
  'streetAddress',
  'usageLocation',
  'userType',
]);

/** The full Graph representation of a seed user. */
export function graphUser(user: DemoUser, domain: string): Record<string, unknown> {
  const alias = user.userPrincipalName.split('@')[0] ?? user.userPrincipalName;
  return {
    businessPhones: [...user.businessPhones],
    displayName: user.displayName,
    givenName: user.givenName,
    jobTitle: user.jobTitle,
    mail: user.mail,
    mobilePhone: user.mobilePhone,
    officeLocation: user.officeLocation,
    preferredLanguage: 'en-US',
    surname: user.surname,
    userPrincipalName: user.userPrincipalName,
    id: user.id,
    accountEnabled: true,
    companyName: 'Northwind Traders',
    department: user.department,
    imAddresses: [user.userPrincipalName],
    mailNickname: alias,
    otherMails: [],
    proxyAddresses: [`SMTP:${user.mail}`, `smtp:${alias}@${domain}`],
    usageLocation: 'US',
    userType: 'Member',
  };
}
