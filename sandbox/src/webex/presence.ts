/**
 * The Webex App status model. A user (or an app acting with their token through the JS SDK's
 * presence plugin, `presence.setStatus(status, ttl)`) may set an explicit status with a TTL;
 * otherwise the status is derived from what the person is doing: in a call, presenting, in a
 * meeting, or how long ago they were last active (Person.status enum, webex-messaging OpenAPI).
 */

/** The statuses the JS SDK presence plugin can set. */
export type AppStatus = 'active' | 'inactive' | 'ooo' | 'dnd';
export const APP_STATUSES: readonly AppStatus[] = ['active', 'inactive', 'ooo', 'dnd'];

/** Person.status as the REST API reports it. */
export type PersonStatus =
  | 'active'
  | 'call'
  | 'DoNotDisturb'
  | 'inactive'
  | 'meeting'
  | 'OutOfOffice'
  | 'pending'
  | 'presenting'
  | 'unknown';

export const PERSON_STATUSES: readonly PersonStatus[] = [
  'active',
  'call',
  'DoNotDisturb',
  'inactive',
  'meeting',
  'OutOfOffice',
  'pending',
  'presenting',
  'unknown',
];

/** Who set an explicit status: the person in a Webex client, or an app on their behalf. */
export type StatusSetter = 'user' | 'app';

export interface ExplicitStatus {
  readonly status: AppStatus;
  readonly setBy: StatusSetter;
  readonly setAt: number;
  /** Epoch ms when it lapses; undefined for no expiry. */
  readonly expiresAt: number | undefined;
}

/** What `getStatus` reports, so tests can tell a user's choice from an app's. */
export interface StatusSnapshot {
  readonly personId: string;
  readonly status: PersonStatus;
  /** The explicit status in force (expired ones are dropped). */
  readonly explicit: ExplicitStatus | undefined;
  readonly inCall: boolean;
  readonly inMeeting: boolean;
  readonly presenting: boolean;
  readonly lastActivity: number | undefined;
}

/** "active: active within the last 10 minutes" (Person.status description). */
export const ACTIVE_WINDOW_MS = 10 * 60 * 1000;

interface Entry {
  explicit: ExplicitStatus | undefined;
  inMeeting: boolean;
  presenting: boolean;
  lastActivity: number | undefined;
  readonly history: ExplicitStatus[];
}

export class PresenceModel {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number,
    private readonly isInCall: (personId: string) => boolean,
  ) {}

  /** Registers a person; `lastActivity` undefined means they never signed in (status `pending`). */
  register(personId: string, lastActivity: number | undefined): void {
    this.entries.set(personId, {
      explicit: undefined,
      inMeeting: false,
      presenting: false,
      lastActivity,
      history: [],
    });
  }

  /** Sets an explicit status; `ttlSeconds` of 0 or undefined never expires. */
  setStatus(
    personId: string,
    status: AppStatus,
    ttlSeconds: number | undefined,
    setBy: StatusSetter,
  ): ExplicitStatus {
    const entry = this.entry(personId);
    const at = this.now();
    const explicit: ExplicitStatus = {
      status,
      setBy,
      setAt: at,
      expiresAt: ttlSeconds === undefined || ttlSeconds <= 0 ? undefined : at + ttlSeconds * 1000,
    };
    entry.explicit = explicit;
    entry.history.push(explicit);
    // Setting a status is activity in the client.
    entry.lastActivity = at;
    return explicit;
  }

  clearStatus(personId: string): void {
    this.entry(personId).explicit = undefined;
  }

  setInMeeting(personId: string, inMeeting: boolean): void {
    const entry = this.entry(personId);
    entry.inMeeting = inMeeting;
    if (!inMeeting) entry.presenting = false;
  }

  /** Presenting implies being in the meeting. */
  setPresenting(personId: string, presenting: boolean): void {
    const entry = this.entry(personId);
    entry.presenting = presenting;
    if (presenting) entry.inMeeting = true;
  }

  /** Records activity now (or at `at`; `null` makes the person never-signed-in). */
  setLastActivity(personId: string, at: number | null = this.now()): void {
    this.entry(personId).lastActivity = at ?? undefined;
  }

  /** Every explicit status ever set for the person, oldest first. */
  history(personId: string): readonly ExplicitStatus[] {
    return [...this.entry(personId).history];
  }

  snapshot(personId: string): StatusSnapshot {
    const entry = this.entry(personId);
    const explicit = this.liveExplicit(entry);
    const inCall = this.isInCall(personId);
    return {
      personId,
      status: this.derive(entry, explicit, inCall),
      explicit,
      inCall,
      inMeeting: entry.inMeeting,
      presenting: entry.presenting,
      lastActivity: entry.lastActivity,
    };
  }

  status(personId: string): PersonStatus {
    return this.snapshot(personId).status;
  }

  lastActivity(personId: string): number | undefined {
    return this.entry(personId).lastActivity;
  }

  has(personId: string): boolean {
    return this.entries.has(personId);
  }

  private derive(entry: Entry, explicit: ExplicitStatus | undefined, inCall: boolean): PersonStatus {
    // A person's own "do not disturb" / "out of office" wins over anything derived.
    if (explicit?.status === 'dnd') return 'DoNotDisturb';
    if (explicit?.status === 'ooo') return 'OutOfOffice';
    if (entry.presenting) return 'presenting';
    if (inCall) return 'call';
    if (entry.inMeeting) return 'meeting';
    if (explicit !== undefined) return explicit.status;
    if (entry.lastActivity === undefined) return 'pending';
    return this.now() - entry.lastActivity <= ACTIVE_WINDOW_MS ? 'active' : 'inactive';
  }

  private liveExplicit(entry: Entry): ExplicitStatus | undefined {
    const explicit = entry.explicit;
    if (explicit?.expiresAt !== undefined && explicit.expiresAt <= this.now()) {
      entry.explicit = undefined;
      return undefined;
    }
    return explicit;
  }

  private entry(personId: string): Entry {
    const entry = this.entries.get(personId);
    if (entry === undefined) throw new Error(`unknown Webex person ${personId}`);
    return entry;
  }
}
