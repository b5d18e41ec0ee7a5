import { randomUUID } from 'node:crypto';
import { requirePermission, type PermissionRule } from './auth.js';
import { DAY_MS, type GraphClock } from './clock.js';
import { callRecordJson, sessionJson, type StoredCallRecord } from './call-record-model.js';
import type { Directory } from './directory.js';
import type { PresenceState } from './presence-state.js';
import { badRequest, GraphError } from './errors.js';
import { paginate } from './paging.js';
import { odata, type GraphRequest, type GraphRoute } from './route.js';

/**
 * `/communications/callRecords/{id}` with `$expand=sessions($expand=segments)`, sessions paged 60
 * at a time (`sessions@odata.nextLink`, then `/callRecords/{id}/sessions`), the 30-day retention
 * (older records are 404), and `recordCall()`, which the launcher calls when a sandbox call ends.
 *
 * Teams calls made in the sandbox feed it too: when a user's own Teams client session enters
 * InACall (the console's "In a call") and later leaves it (another state, or signed out), the
 * interval is recorded as a peer-to-peer audio call organised by that user.
 */

const READ: PermissionRule = { delegated: [], application: ['CallRecords.Read.All'] };
const SESSIONS_PAGE = 60;
const RETENTION_MS = 30 * DAY_MS;
/** The Teams client activity that makes a Teams call (the controls' `call` state, Busy/InACall). */
const IN_A_CALL = 'InACall';

/** What the launcher knows about a finished call. */
export interface RecordCallInput {
  /** Defaults to a new GUID. */
  readonly id?: string;
  /** Graph user ids (object ids) or userPrincipalNames. */
  readonly organizer: string;
  readonly participants: readonly string[];
  readonly startDateTime: Date | number | string;
  readonly endDateTime: Date | number | string;
  /** Defaults to peerToPeer for two participants, groupCall otherwise. */
  readonly type?: 'peerToPeer' | 'groupCall';
  readonly modalities?: readonly string[];
  /** How many sessions the record holds (default 1); more than 60 exercises session paging. */
  readonly sessionCount?: number;
  /** Delay before the record is readable (Graph: usually within 30 minutes, up to 150). Default 0. */
  readonly availableAfterMs?: number;
  readonly joinWebUrl?: string | null;
}

export interface CallRecordDeps {
  readonly directory: Directory;
  readonly clock: GraphClock;
  readonly onChange: (record: StoredCallRecord, changeType: 'created' | 'updated') => void;
  /** `availableAfterMs` of the records of Teams calls made in the sandbox. Default 0. */
  readonly teamsCallAvailableAfterMs?: number;
}

/** A call record as the console lists it (`GET /_sandbox/graph/users/{id}/call-records`). */
export interface CallRecordSummary {
  readonly id: string;
  readonly type: 'peerToPeer' | 'groupCall';
  readonly organizerId: string;
  readonly participantIds: readonly string[];
  readonly startDateTime: string;
  readonly endDateTime: string;
  readonly durationSeconds: number;
  readonly version: number;
  /** When GET /communications/callRecords/{id} starts answering 200. */
  readonly availableDateTime: string;
  readonly available: boolean;
}

export class CallRecords {
  private readonly records = new Map<string, StoredCallRecord>();
  /** Users whose Teams client session is InACall, with when it entered InACall. */
  private readonly teamsCalls = new Map<string, number>();

  constructor(private readonly deps: CallRecordDeps) {}

  /**
   * Stores a finished call and sends `created` notifications to callRecords subscriptions once the
   * record is readable (a notification for a record that still 404s would send clients chasing it).
   */
  record(input: RecordCallInput): StoredCallRecord {
    const { directory, clock } = this.deps;
    const find = (who: string): NonNullable<ReturnType<Directory['find']>> => {
      const user = directory.find(who);
      if (user === undefined) throw new Error(`recordCall: unknown user ${who}`);
      return user;
    };
    const organizer = find(input.organizer);
    const participants = [
      ...new Map([organizer, ...input.participants.map(find)].map((u) => [u.id, u])).values(),
    ];
    const start = new Date(input.startDateTime).getTime();
    const end = new Date(input.endDateTime).getTime();
    if (Number.isNaN(start) || Number.isNaN(end) || end < start) {
      throw new Error('recordCall: startDateTime and endDateTime must be valid times, start before end');
    }
    const now = clock.now();
    const record: StoredCallRecord = {
      id: input.id ?? randomUUID(),
      type: input.type ?? (participants.length > 2 ? 'groupCall' : 'peerToPeer'),
      modalities: input.modalities ?? ['audio'],
      organizer,
      participants,
      start,
      end,
      joinWebUrl: input.joinWebUrl ?? null,
      sessionCount: Math.max(1, input.sessionCount ?? 1),
      availableAt: now + (input.availableAfterMs ?? 0),
      version: 1,
      lastModified: now,
    };
    this.records.set(record.id, record);
    const created = (): void => {
      if (this.records.get(record.id) === record) this.deps.onChange(record, 'created');
    };
    if (record.availableAt > now) clock.schedule(record.availableAt - now, created);
    else created();
    return record;
  }

  /**
   * The user's own Teams client session changed (`undefined`: signed out of Teams). Entering
   * InACall starts a Teams call; leaving it records the call: peer-to-peer audio, organised by the
   * user, with the next demo user in directory order as the other party. Returns the new record.
   */
  teamsClientChanged(userId: string, state: PresenceState | undefined): StoredCallRecord | undefined {
    const now = this.deps.clock.now();
    const since = this.teamsCalls.get(userId);
    if (state?.activity === IN_A_CALL) {
      // Setting "In a call" again while in the call continues the same call.
      if (since === undefined) this.teamsCalls.set(userId, now);
      return undefined;
    }
    if (since === undefined) return undefined;
    this.teamsCalls.delete(userId);
    const peer = this.peerOf(userId);
    return this.record({
      organizer: userId,
      participants: peer === undefined ? [] : [peer],
      startDateTime: since,
      endDateTime: now,
      type: 'peerToPeer',
      modalities: ['audio'],
      availableAfterMs: this.deps.teamsCallAvailableAfterMs ?? 0,
    });
  }

  /** The records a user took part in (organizer or participant), newest first, for the console. */
  forUser(who: string): CallRecordSummary[] | undefined {
    const user = this.deps.directory.find(who);
    if (user === undefined) return undefined;
    const now = this.deps.clock.now();
    return [...this.records.values()]
      .filter((r) => r.participants.some((p) => p.id === user.id))
      .sort((a, b) => b.start - a.start || b.end - a.end)
      .map((r) => ({
        id: r.id,
        type: r.type,
        organizerId: r.organizer.id,
        participantIds: r.participants.map((p) => p.id),
        startDateTime: new Date(r.start).toISOString(),
        endDateTime: new Date(r.end).toISOString(),
        durationSeconds: Math.round((r.end - r.start) / 1000),
        version: r.version,
        availableDateTime: new Date(r.availableAt).toISOString(),
        available: r.availableAt <= now && now - r.end <= RETENTION_MS,
      }));
  }

  /** The demo user after `userId` in directory order (wrapping); undefined in a one-user org. */
  private peerOf(userId: string): string | undefined {
    const users = this.deps.directory.users;
    const index = users.findIndex((u) => u.id === userId);
    const peer = users[(index + 1) % users.length];
    return peer === undefined || peer.id === userId ? undefined : peer.id;
  }

  /** A later version of a record (Graph revises records as late client data arrives). */
  revise(id: string): StoredCallRecord | undefined {
    const record = this.records.get(id);
    if (record === undefined) return undefined;
    record.version += 1;
    record.lastModified = this.deps.clock.now();
    this.deps.onChange(record, 'updated');
    return record;
  }

  routes(): GraphRoute[] {
    return [
      {
        method: 'GET',
        template: '/communications/callRecords/:recordId',
        family: 'callRecords',
        handler: (r) => this.get(r),
      },
      {
        method: 'GET',
        template: '/communications/callRecords/:recordId/sessions',
        family: 'callRecords',
        handler: (r) => this.sessions(r),
      },
    ];
  }

  private get(r: GraphRequest): ReturnType<typeof odata> {
    requirePermission(r.caller, READ, 'teams');
    const record = this.readable(r.params.recordId ?? '');
    const tenantId = this.deps.directory.org.tenantId;
    const expand = r.query.get('$expand');
    const withSessions = expand === 'sessions' || expand === 'sessions($expand=segments)';
    if (expand !== null && !withSessions) throw badRequest(`Unsupported $expand '${expand}' on callRecord.`);
    const base = callRecordJson(record, tenantId, r.serviceRoot);
    if (!withSessions) {
      return odata(200, {
        '@odata.context': `${r.serviceRoot}/$metadata#communications/callRecords/$entity`,
        ...base,
      });
    }
    const segments = expand === 'sessions($expand=segments)';
    const first = Math.min(SESSIONS_PAGE, record.sessionCount);
    const sessions = Array.from({ length: first }, (_, i) => sessionJson(record, i, tenantId, segments));
    const more = record.sessionCount > SESSIONS_PAGE;
    const next = more ? this.sessionsLink(r, record.id, segments) : undefined;
    return odata(200, {
      '@odata.context': `${r.serviceRoot}/$metadata#communications/callRecords(${segments ? 'sessions(segments())' : 'sessions()'})/$entity`,
      ...base,
      sessions,
      ...(next === undefined ? {} : { 'sessions@odata.nextLink': next }),
    });
  }

  /**
   * The link to the second page of sessions. The documented example prefixes it with
   * `$metadata#`, which no HTTP client can follow (the fragment is dropped), so the stand-in links
   * to the followable sessions collection with the same query.
   */
  private sessionsLink(r: GraphRequest, id: string, segments: boolean): string | undefined {
    const query = new URLSearchParams(segments ? { $expand: 'segments' } : {});
    const page = paginate(
      Array.from({ length: this.readable(id).sessionCount }),
      SESSIONS_PAGE,
      query,
      `${r.serviceRoot}/communications/callRecords/${id}/sessions`,
    );
    return page.nextLink;
  }

  private sessions(r: GraphRequest): ReturnType<typeof odata> {
    requirePermission(r.caller, READ, 'teams');
    const record = this.readable(r.params.recordId ?? '');
    const expand = r.query.get('$expand');
    if (expand !== null && expand !== 'segments')
      throw badRequest(`Unsupported $expand '${expand}' on session.`);
    const indexes = Array.from({ length: record.sessionCount }, (_, i) => i);
    const page = paginate(
      indexes,
      SESSIONS_PAGE,
      r.query,
      `${r.serviceRoot}/communications/callRecords/${record.id}/sessions`,
    );
    const tenantId = this.deps.directory.org.tenantId;
    return odata(200, {
      '@odata.context': `${r.serviceRoot}/$metadata#communications/callRecords('${record.id}')/sessions${expand === null ? '' : '(segments())'}`,
      value: page.items.map((i) => sessionJson(record, i, tenantId, expand !== null)),
      ...(page.nextLink === undefined ? {} : { '@odata.nextLink': page.nextLink }),
    });
  }

  /** A record that exists, is published and is within the 30-day retention; 404 otherwise. */
  private readable(id: string): StoredCallRecord {
    const record = this.records.get(id);
    const now = this.deps.clock.now();
    if (record === undefined || record.availableAt > now || now - record.end > RETENTION_MS) {
      throw new GraphError(404, 'NotFound', `Call record '${id}' was not found.`);
    }
    return record;
  }
}
