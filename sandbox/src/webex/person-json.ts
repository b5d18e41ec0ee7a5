import { stableGuid } from '../seed/org.js';
import { ROUTING_PREFIX, type DirectoryEntry } from './directory.js';
import { webexId } from './ids.js';
import type { PresenceModel } from './presence.js';

/**
 * The Person object (webex-messaging OpenAPI `Person`): presence fields (`status`,
 * `lastActivity`) only when the listing allows them, administrative fields (`roles`,
 * `licenses`, `invitePending`, `loginEnabled`) only for admin callers.
 */

export interface PersonView {
  readonly baseUrl: string;
  readonly orgId: string;
  /** False for `GET /people?id=` and `excludeStatus=true`. */
  readonly includePresence: boolean;
  /** Whether the caller is an admin of the person's organisation. */
  readonly admin: boolean;
  readonly isAdminPerson: (personId: string) => boolean;
}

const DAY_MS = 86_400_000;
const SEED_EPOCH = Date.UTC(2021, 2, 1, 9, 0, 0);

export const MESSAGING_LICENSE_ID = webexId('LICENSE', stableGuid('webex-license:messaging'));
export const CALLING_LICENSE_ID = webexId('LICENSE', stableGuid('webex-license:calling-professional'));
export const FULL_ADMIN_ROLE_ID = webexId('ROLE', stableGuid('webex-role:id_full_admin'));

/** Every fourth person has no avatar, so clients meet the field's absence. */
export function hasAvatar(entry: DirectoryEntry): boolean {
  return entry.index % 4 !== 3;
}

export function personJson(
  entry: DirectoryEntry,
  presence: PresenceModel,
  view: PersonView,
): Record<string, unknown> {
  const user = entry.user;
  const created = SEED_EPOCH + entry.index * DAY_MS;
  const phoneNumbers: { type: string; value: string; primary?: boolean }[] = [];
  const work = user.businessPhones[0];
  if (work !== undefined) phoneNumbers.push({ type: 'work', value: work, primary: true });
  if (entry.extension !== undefined)
    phoneNumbers.push({ type: 'work_extension', value: `${ROUTING_PREFIX}${entry.extension}` });
  if (user.mobilePhone !== null) phoneNumbers.push({ type: 'mobile', value: user.mobilePhone });
  const lastActivity = presence.lastActivity(entry.personId);
  return {
    id: entry.personId,
    emails: [entry.email],
    phoneNumbers,
    ...(entry.extension === undefined ? {} : { extension: entry.extension, locationId: entry.locationId }),
    displayName: user.displayName,
    firstName: user.givenName,
    lastName: user.surname,
    ...(hasAvatar(entry) ? { avatar: `${view.baseUrl}/_sandbox/webex/avatars/${entry.personId}` } : {}),
    orgId: view.orgId,
    ...(view.admin
      ? {
          roles: view.isAdminPerson(entry.personId) ? [FULL_ADMIN_ROLE_ID] : [],
          licenses: entry.calling ? [MESSAGING_LICENSE_ID, CALLING_LICENSE_ID] : [MESSAGING_LICENSE_ID],
        }
      : {}),
    department: user.department,
    title: user.jobTitle,
    created: new Date(created).toISOString(),
    lastModified: new Date(created + 30 * DAY_MS).toISOString(),
    ...(view.includePresence && lastActivity !== undefined
      ? { lastActivity: new Date(lastActivity).toISOString() }
      : {}),
    ...(view.includePresence ? { status: presence.status(entry.personId) } : {}),
    ...(view.admin ? { invitePending: 'false', loginEnabled: 'true' } : {}),
    type: 'person',
  };
}
