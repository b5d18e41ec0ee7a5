import { stableGuid, type DemoOrg, type DemoUser } from '../seed/org.js';
import { webexId } from './ids.js';

/**
 * The Webex side of the demo organisation: one entry per demo user who has a Webex account,
 * with the lookups the APIs need (by id, email, extension, phone number).
 */

/** Routing prefix of the single demo location; Webex prefixes `work_extension` numbers with it. */
export const ROUTING_PREFIX = '801';

export interface DirectoryEntry {
  readonly personId: string;
  readonly user: DemoUser;
  /** Position in the seed, used for deterministic timestamps and the occasional missing avatar. */
  readonly index: number;
  readonly email: string;
  /** Whether the person holds a Webex Calling licence. */
  readonly calling: boolean;
  /** Webex Calling extension; only for calling users (the seed's extension means nothing otherwise). */
  readonly extension: string | undefined;
  /** Work number in E.164 without separators, e.g. `+14255552000`. */
  readonly workNumberE164: string | undefined;
  readonly officeLocation: string;
  /** Webex Calling location: one per office, so colleagues in the same office are `location` calls. */
  readonly locationId: string;
}

/** Strips visual separators from a dialable number (`+1 425 555 2000` → `+14255552000`). */
export function compactNumber(raw: string): string {
  return raw.replace(/[\s\-().]/g, '');
}

export class Directory {
  readonly orgId: string;
  private readonly byId = new Map<string, DirectoryEntry>();
  private readonly byEmail = new Map<string, DirectoryEntry>();
  private readonly byNumber = new Map<string, DirectoryEntry>();

  constructor(org: DemoOrg) {
    this.orgId = org.webexOrgId;
    org.users.forEach((user, index) => {
      if (user.webex === undefined) return;
      const work = user.businessPhones[0];
      const entry: DirectoryEntry = {
        personId: user.webex.personId,
        user,
        index,
        email: user.mail.toLowerCase(),
        calling: user.webex.calling,
        extension: user.webex.calling ? user.webex.extension : undefined,
        workNumberE164: work === undefined ? undefined : compactNumber(work),
        officeLocation: user.officeLocation,
        locationId: webexId('LOCATION', stableGuid(`webex-location:${user.officeLocation}`)),
      };
      this.byId.set(entry.personId, entry);
      this.byEmail.set(entry.email, entry);
      if (entry.calling) {
        if (entry.extension !== undefined) this.byNumber.set(entry.extension, entry);
        if (entry.workNumberE164 !== undefined) this.byNumber.set(entry.workNumberE164, entry);
      }
    });
  }

  all(): DirectoryEntry[] {
    return [...this.byId.values()];
  }

  get(personId: string): DirectoryEntry | undefined {
    return this.byId.get(personId);
  }

  byEmailAddress(email: string): DirectoryEntry | undefined {
    return this.byEmail.get(email.trim().toLowerCase());
  }

  /** A Webex Calling user reachable at this extension or E.164 number. */
  byCallingNumber(number: string): DirectoryEntry | undefined {
    return this.byNumber.get(compactNumber(number));
  }
}
