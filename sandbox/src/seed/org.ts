import { createHash } from 'node:crypto';

/**
 * The deterministic demo organisation every stand-in serves: the same seed gives the same
 * people, ids, numbers, chats and Webex accounts on every machine, so tests and screenshots
 * are repeatable.
 */

export const DEMO_TENANT_ID = '00000000-0000-4000-8000-0000000000d0';
export const DEMO_DOMAIN = 'northwind.example';
export const DEMO_WEBEX_ORG_ID = 'Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi9ub3J0aHdpbmQ';

export interface DemoUser {
  /** Entra object id (`oid`), also the Graph user id. */
  readonly id: string;
  readonly displayName: string;
  readonly givenName: string;
  readonly surname: string;
  readonly userPrincipalName: string;
  readonly mail: string;
  readonly jobTitle: string;
  readonly department: string;
  readonly officeLocation: string;
  readonly businessPhones: readonly string[];
  readonly mobilePhone: string | null;
  /** Webex person, absent for users who have no Webex account. */
  readonly webex?: {
    readonly personId: string;
    /** Whether the account is Webex Calling-enabled (dial and telephony webhooks work). */
    readonly calling: boolean;
    readonly extension: string;
  };
}

export interface DemoContact {
  readonly id: string;
  readonly ownerId: string;
  readonly displayName: string;
  readonly givenName: string;
  readonly surname: string;
  readonly companyName: string;
  readonly jobTitle: string;
  readonly emailAddresses: readonly { readonly name: string; readonly address: string }[];
  readonly businessPhones: readonly string[];
  readonly mobilePhone: string | null;
  readonly homePhones: readonly string[];
}

export interface DemoChannel {
  readonly id: string;
  readonly displayName: string;
  readonly memberIds: readonly string[];
}

export interface DemoTeam {
  readonly id: string;
  readonly displayName: string;
  readonly memberIds: readonly string[];
  readonly channels: readonly DemoChannel[];
}

export interface DemoChat {
  readonly id: string;
  readonly chatType: 'oneOnOne' | 'group';
  readonly topic: string | null;
  readonly memberIds: readonly string[];
}

/** An activated Entra built-in directory role and who holds it. */
export interface DemoDirectoryRole {
  /** The tenant's directoryRole object id. */
  readonly id: string;
  /** The built-in role template id, the same in every tenant. */
  readonly roleTemplateId: string;
  readonly displayName: string;
  readonly description: string;
  readonly memberIds: readonly string[];
}

/** A security group; `memberIds` are users, `groupIds` nested groups (members transitively). */
export interface DemoGroup {
  readonly id: string;
  readonly displayName: string;
  readonly description: string;
  readonly mailNickname: string;
  readonly memberIds: readonly string[];
  readonly groupIds: readonly string[];
}

export interface DemoOrg {
  readonly tenantId: string;
  readonly domain: string;
  readonly webexOrgId: string;
  readonly users: readonly DemoUser[];
  readonly contacts: readonly DemoContact[];
  readonly teams: readonly DemoTeam[];
  readonly chats: readonly DemoChat[];
  readonly directoryRoles: readonly DemoDirectoryRole[];
  readonly groups: readonly DemoGroup[];
}

const GIVEN = [
  'Adele', 'Alex', 'Allan', 'Bianca', 'Brian', 'Camille', 'Chen', 'Dana', 'Diego', 'Eliska',
  'Emeka', 'Farah', 'Grady', 'Hana', 'Henrietta', 'Idris', 'Isaiah', 'Johanna', 'Joni', 'Kai',
  'Lee', 'Lidia', 'Lynne', 'Mateo', 'Megan', 'Miriam', 'Nestor', 'Nia', 'Omar', 'Patti',
  'Pradeep', 'Quinn', 'Raul', 'Rin', 'Sakura', 'Sam', 'Sofia', 'Tariq', 'Tomas', 'Uma',
  'Valentina', 'Wen', 'Xavier', 'Yara', 'Yusuf', 'Zainab', 'Zoe', 'Aarav', 'Beatriz', 'Cormac',
  'Dagny', 'Elif', 'Femi', 'Gwen', 'Hiro', 'Ines',
] as const;
const SURNAME = [
  'Vance', 'Wilber', 'Deyoung', 'Okafor', 'Kowalski', 'Laurent', 'Wei', 'Moreau', 'Alvarez', 'Novak',
  'Eze', 'Haddad', 'Archie', 'Sato', 'Thomas', 'Bello', 'Grant', 'Lindqvist', 'Sherman', 'Nakamura',
  'Gonzales', 'Holloway', 'Robbins', 'Rossi', 'Bowen', 'Cohen', 'Guerrero', 'Mensah', 'Farouk', 'Fernandez',
  'Patel', 'Doyle', 'Ortega', 'Takahashi', 'Ito', 'Reyes', 'Marino', 'Qureshi', 'Horvath', 'Iyer',
  'Castro', 'Zhang', 'Dubois', 'Khalil', 'Demir', 'Abubakar', 'Fischer', 'Sharma', 'Souza', 'Byrne',
  'Berg', 'Yilmaz', 'Adeyemi', 'Evans', 'Tanaka', 'Silva',
] as const;
const DEPARTMENTS = [
  { name: 'Sales', titles: ['Account Executive', 'Sales Manager', 'Sales Engineer'] },
  { name: 'Support', titles: ['Support Engineer', 'Support Lead', 'Customer Success Manager'] },
  { name: 'Engineering', titles: ['Software Engineer', 'Engineering Manager', 'Site Reliability Engineer'] },
  { name: 'Finance', titles: ['Accountant', 'Finance Manager', 'Controller'] },
  { name: 'Operations', titles: ['Operations Analyst', 'Facilities Coordinator', 'Operations Director'] },
  { name: 'Marketing', titles: ['Marketing Specialist', 'Product Marketing Manager', 'Designer'] },
] as const;
const OFFICES = ['Seattle 18/2101', 'Dublin 3/114', 'Berlin 2/210', 'Singapore 9/905'] as const;
const COMPANIES = ['Fabrikam', 'Tailspin Toys', 'Litware', 'Adventure Works', 'Wide World Importers'] as const;

/** A stable GUID from a label, so the same seed names the same ids everywhere. */
export function stableGuid(label: string): string {
  const h = createHash('sha256').update(`callbridge-demo:${label}`).digest('hex');
  const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function webexPersonId(index: number): string {
  return Buffer.from(`ciscospark://us/PEOPLE/${stableGuid(`webex:${index}`)}`).toString('base64url');
}

function pick<T>(list: readonly T[], index: number): T {
  const item = list[index % list.length];
  if (item === undefined) throw new Error('empty seed list');
  return item;
}

export function createDemoOrg(userCount = 56): DemoOrg {
  const users: DemoUser[] = [];
  for (let i = 0; i < userCount; i += 1) {
    const givenName = pick(GIVEN, i);
    const surname = pick(SURNAME, i * 7 + 3);
    const dept = pick(DEPARTMENTS, i);
    const alias = `${givenName}.${surname}`.toLowerCase();
    const ext = String(2000 + i);
    // Every 9th user has no Webex account; every 11th has Webex but no Webex Calling licence.
    const hasWebex = i % 9 !== 8;
    users.push({
      id: stableGuid(`user:${i}`),
      displayName: `${givenName} ${surname}`,
      givenName,
      surname,
      userPrincipalName: `${alias}@${DEMO_DOMAIN}`,
      mail: `${alias}@${DEMO_DOMAIN}`,
      jobTitle: pick(dept.titles, Math.floor(i / DEPARTMENTS.length)),
      department: dept.name,
      officeLocation: pick(OFFICES, i),
      businessPhones: [`+1 425 555 ${ext.padStart(4, '0')}`],
      mobilePhone: i % 3 === 0 ? null : `+1 206 555 ${String(7000 + i).padStart(4, '0')}`,
      ...(hasWebex ? { webex: { personId: webexPersonId(i), calling: i % 11 !== 10, extension: ext } } : {}),
    });
  }

  const contacts: DemoContact[] = [];
  users.forEach((owner, i) => {
    for (let c = 0; c < 4; c += 1) {
      const givenName = pick(GIVEN, i * 5 + c * 13 + 1);
      const surname = pick(SURNAME, i * 3 + c * 17 + 5);
      const company = pick(COMPANIES, i + c);
      const domain = `${company.toLowerCase().replace(/[^a-z]/g, '')}.example`;
      contacts.push({
        id: Buffer.from(`contact:${owner.id}:${c}`).toString('base64url'),
        ownerId: owner.id,
        displayName: `${givenName} ${surname}`,
        givenName,
        surname,
        companyName: company,
        jobTitle: pick(['Buyer', 'Partner Manager', 'CTO', 'Consultant', 'Office Manager'], i + c),
        emailAddresses: [{ name: `${givenName} ${surname}`, address: `${givenName}.${surname}@${domain}`.toLowerCase() }],
        businessPhones: [`+44 20 7946 ${String(100 + ((i * 4 + c) % 900)).padStart(4, '0')}`],
        mobilePhone: c % 2 === 0 ? `+44 7700 900${String((i * 4 + c) % 1000).padStart(3, '0')}` : null,
        homePhones: [],
      });
    }
  });

  const ids = users.map((u) => u.id);
  const slice = (from: number, to: number): string[] => ids.slice(from, to);
  const teams: DemoTeam[] = [
    {
      id: stableGuid('team:customer-operations'),
      displayName: 'Customer Operations',
      memberIds: slice(0, 30),
      channels: [
        { id: '19:general-customer-ops@thread.tacv2', displayName: 'General', memberIds: slice(0, 30) },
        { id: '19:escalations-customer-ops@thread.tacv2', displayName: 'Escalations', memberIds: slice(0, 8) },
        { id: '19:field-sales-customer-ops@thread.tacv2', displayName: 'Field Sales', memberIds: [...slice(10, 18), ...slice(24, 28)] },
      ],
    },
  ];

  const chats: DemoChat[] = [
    { id: '19:launch-crew-chat@thread.v2', chatType: 'group', topic: 'Launch crew', memberIds: [ids[0], ids[3], ids[5], ids[12], ids[20]].filter(isString) },
    { id: '19:quarter-close-chat@thread.v2', chatType: 'group', topic: 'Quarter close', memberIds: [ids[0], ids[9], ids[15], ids[21]].filter(isString) },
    { id: '19:oncall-chat@thread.v2', chatType: 'group', topic: null, memberIds: [ids[1], ids[2], ids[14], ids[32], ids[40]].filter(isString) },
    { id: `19:${ids[0] ?? ''}_${ids[1] ?? ''}@unq.gbl.spaces`, chatType: 'oneOnOne', topic: null, memberIds: [ids[0], ids[1]].filter(isString) },
  ];

  return {
    tenantId: DEMO_TENANT_ID,
    domain: DEMO_DOMAIN,
    webexOrgId: DEMO_WEBEX_ORG_ID,
    users,
    contacts,
    teams,
    chats,
    directoryRoles: demoDirectoryRoles(ids),
    groups: demoGroups(ids),
  };
}

/** Built-in role template ids (stable across tenants, as Entra documents them). */
export const ROLE_TEMPLATE_IDS = {
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  teamsAdministrator: '69091246-20e8-4a56-aa4d-066075b2a7a8',
  teamsCommunicationsAdministrator: 'baf37b3a-610e-45da-9e62-d9d1e5e8914b',
  userAdministrator: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
} as const;

/**
 * The first user is the Global Administrator (the Entra stand-in's admin), the third a Teams
 * Administrator; the fourth holds a role that is no Teams admin (User Administrator).
 */
function demoDirectoryRoles(ids: readonly string[]): DemoDirectoryRole[] {
  const role = (
    templateId: string,
    displayName: string,
    description: string,
    members: readonly (string | undefined)[],
  ): DemoDirectoryRole => ({
    id: stableGuid(`directory-role:${templateId}`),
    roleTemplateId: templateId,
    displayName,
    description,
    memberIds: members.filter(isString),
  });
  return [
    role(
      ROLE_TEMPLATE_IDS.globalAdministrator,
      'Global Administrator',
      'Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.',
      [ids[0]],
    ),
    role(
      ROLE_TEMPLATE_IDS.teamsAdministrator,
      'Teams Administrator',
      'Can manage the Microsoft Teams service.',
      [ids[2]],
    ),
    role(
      ROLE_TEMPLATE_IDS.userAdministrator,
      'User Administrator',
      'Can manage all aspects of users and groups, including resetting passwords for limited admins.',
      [ids[3]],
    ),
  ];
}

/**
 * "Sales" holds two sellers directly and two nested groups; "Sales EMEA" repeats a direct member
 * (transitive lists name each member once) and nests "Sales Dublin".
 */
function demoGroups(ids: readonly string[]): DemoGroup[] {
  const group = (
    key: string,
    displayName: string,
    members: readonly (string | undefined)[],
    groupKeys: readonly string[],
  ): DemoGroup => ({
    id: stableGuid(`group:${key}`),
    displayName,
    description: `${displayName} team`,
    mailNickname: key,
    memberIds: members.filter(isString),
    groupIds: groupKeys.map((k) => stableGuid(`group:${k}`)),
  });
  return [
    group('sales', 'Sales', [ids[6], ids[12]], ['sales-emea', 'sales-apac']),
    group('sales-emea', 'Sales EMEA', [ids[12], ids[18], ids[24]], ['sales-dublin']),
    group('sales-dublin', 'Sales Dublin', [ids[30], ids[36]], []),
    group('sales-apac', 'Sales APAC', [ids[42]], []),
  ];
}

function isString(value: string | undefined): value is string {
  return value !== undefined;
}
