import { createHash } from 'node:crypto';
import type { DemoContact } from '../seed/org.js';
import { requirePermission, type PermissionRule } from './auth.js';
import type { Directory } from './directory.js';
import { GraphError, notFound } from './errors.js';
import { evaluateFilter, filterUsages, parseFilter, propertyPath, type FilterNode } from './odata-filter.js';
import {
  parseOrderBy,
  parseSelect,
  parseTop,
  project,
  queryString,
  sortBy,
  withSelect,
} from './odata-query.js';
import { odata, type GraphRequest, type GraphRoute } from './route.js';

/**
 * Outlook personal contacts (`/me/contacts`, `/users/{id}/contacts`). Exchange serves them, so
 * the rules are Outlook's: pages of 10 by default (at most 1,000) continued with `$skip`, an
 * `@odata.etag` on every item, `ErrorAccessDenied` / `ErrorItemNotFound` errors, and only the
 * filters Exchange accepts: `startswith`/`eq` on names and an exact `eq` on
 * `emailAddresses/any(a:a/address eq '…')`.
 */

const CONTACT_TYPE = 'microsoft.graph.contact';
const DEFAULT_PAGE = 10;
const MAX_PAGE = 1000;
const READ: PermissionRule = {
  delegated: ['Contacts.Read', 'Contacts.ReadWrite'],
  application: ['Contacts.Read', 'Contacts.ReadWrite'],
};
const NAME_PROPERTIES = ['displayName', 'givenName', 'surname', 'companyName', 'jobTitle'];
const SORTABLE = new Set([...NAME_PROPERTIES, 'createdDateTime', 'lastModifiedDateTime']);
const SUPPORTED_FILTERS: Readonly<Record<string, readonly string[]>> = {
  startswith: NAME_PROPERTIES,
  eq: [...NAME_PROPERTIES, 'id'],
  'any:eq': ['emailAddresses/address'],
};
/** A fixed creation time keeps the seed's contacts byte-for-byte stable. */
const SEEDED_AT = '2025-01-06T09:00:00Z';

/** The Outlook representation of a seed contact. */
export function contactJson(contact: DemoContact): Record<string, unknown> {
  const changeKey = createHash('sha256').update(contact.id).digest('base64').slice(0, 24);
  return {
    '@odata.etag': `W/"${changeKey}"`,
    id: contact.id,
    createdDateTime: SEEDED_AT,
    lastModifiedDateTime: SEEDED_AT,
    changeKey,
    categories: [],
    parentFolderId: Buffer.from(`contacts:${contact.ownerId}`).toString('base64url'),
    birthday: null,
    fileAs: `${contact.surname}, ${contact.givenName}`,
    displayName: contact.displayName,
    givenName: contact.givenName,
    initials: null,
    middleName: null,
    nickName: null,
    surname: contact.surname,
    title: null,
    yomiGivenName: null,
    yomiSurname: null,
    yomiCompanyName: null,
    generation: null,
    imAddresses: [],
    jobTitle: contact.jobTitle,
    companyName: contact.companyName,
    department: null,
    officeLocation: null,
    profession: null,
    businessHomePage: null,
    assistantName: null,
    manager: null,
    homePhones: [...contact.homePhones],
    mobilePhone: contact.mobilePhone,
    businessPhones: [...contact.businessPhones],
    spouseName: null,
    personalNotes: '',
    children: [],
    emailAddresses: contact.emailAddresses.map((e) => ({ name: e.name, address: e.address })),
    homeAddress: {},
    businessAddress: {},
    otherAddress: {},
  };
}

const SELECTABLE = new Set(
  Object.keys(
    contactJson({
      id: '',
      ownerId: '',
      displayName: '',
      givenName: '',
      surname: '',
      companyName: '',
      jobTitle: '',
      emailAddresses: [],
      businessPhones: [],
      mobilePhone: null,
      homePhones: [],
    }),
  ).filter((k) => !k.startsWith('@')),
);

export function contactRoutes(directory: Directory): GraphRoute[] {
  const owner = (r: GraphRequest): string => {
    const user = directory.target(r.caller, r.params, 'outlook');
    // Delegated callers reach only their own mailbox (shared folders are out of scope here).
    if (r.caller.kind === 'delegated' && r.caller.userId !== user.id) {
      throw new GraphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    }
    requirePermission(r.caller, READ, 'outlook');
    return user.id;
  };
  const contactsOf = (userId: string): DemoContact[] =>
    directory.org.contacts.filter((c) => c.ownerId === userId);

  const list = (r: GraphRequest): ReturnType<typeof odata> => {
    const userId = owner(r);
    const select = parseSelect(r.query.get('$select'), CONTACT_TYPE, SELECTABLE);
    const top = Math.min(parseTop(r.query.get('$top')) ?? DEFAULT_PAGE, MAX_PAGE);
    const skip = parseTop(r.query.get('$skip')) ?? 0;
    if (r.query.has('$search')) {
      throw new GraphError(
        400,
        'ErrorInvalidUrlQuery',
        'The sandbox does not model $search on contacts; use $filter.',
      );
    }
    const filterText = r.query.get('$filter');
    const filter = filterText === null ? undefined : supportedFilter(parseFilter(filterText));
    const orderBy = parseOrderBy(
      r.query.get('$orderby'),
      SORTABLE,
      (p) => new GraphError(400, 'ErrorInvalidProperty', `The property '${p}' does not support sorting.`),
    );
    const matches = sortBy(
      contactsOf(userId)
        .map(contactJson)
        .filter((c) => filter === undefined || evaluateFilter(filter, (p) => propertyPath(c, p))),
      orderBy,
      (c, p) => c[p],
    );
    const items = top === 0 ? [] : matches.slice(skip, skip + top);
    const collection = `${r.serviceRoot}${r.path.replace(/^\/[^/]+/, '')}`;
    const nextSkip = skip + top;
    const nextLink =
      top > 0 && nextSkip < matches.length
        ? `${collection}?${queryString([...[...r.query.entries()].filter(([k]) => k !== '$skip'), ['$skip', String(nextSkip)]])}`
        : undefined;
    return odata(200, {
      '@odata.context': `${r.serviceRoot}/$metadata#${withSelect(`users('${userId}')/contacts`, select)}`,
      value: items.map((c) => project(c, select, ['id'])),
      ...(nextLink === undefined ? {} : { '@odata.nextLink': nextLink }),
    });
  };
  const read = (r: GraphRequest): ReturnType<typeof odata> => {
    const userId = owner(r);
    const select = parseSelect(r.query.get('$select'), CONTACT_TYPE, SELECTABLE);
    const contact = contactsOf(userId).find((c) => c.id === r.params.contactId);
    if (contact === undefined) throw notFound('outlook', r.params.contactId ?? '');
    return odata(200, {
      '@odata.context': `${r.serviceRoot}/$metadata#${withSelect(`users('${userId}')/contacts`, select)}/$entity`,
      ...project(contactJson(contact), select, ['id']),
    });
  };

  return [
    { method: 'GET', template: '/me/contacts', family: 'contacts', handler: list },
    { method: 'GET', template: '/users/:userId/contacts', family: 'contacts', handler: list },
    { method: 'GET', template: '/me/contacts/:contactId', family: 'contacts', handler: read },
    { method: 'GET', template: '/users/:userId/contacts/:contactId', family: 'contacts', handler: read },
  ];
}

function supportedFilter(filter: FilterNode): FilterNode {
  for (const usage of filterUsages(filter)) {
    if (SUPPORTED_FILTERS[usage.op]?.includes(usage.path) !== true) {
      throw new GraphError(
        400,
        'ErrorInvalidUrlQueryFilter',
        'The query filter contains one or more invalid nodes.',
      );
    }
  }
  return filter;
}
