import { randomUUID } from 'node:crypto';
import { requirePermission, type PermissionRule } from './auth.js';
import { DAY_MS, type GraphClock } from './clock.js';
import { callRecordJson, sessionJson, type StoredCallRecord } from './call-record-model.js';
import type { Directory } from './directory.js';
import { badRequest, GraphError } from './errors.js';
import { paginate } from './paging.js';
import { odata, type GraphRequest, type GraphRoute } from './route.js';

/**
 * `/communications/callRecords/{id}` with `$expand=sessions($expand=segments)`, sessions paged 60
 * at a time (`sessions@odata.nextLink`, then `/callRecords/{id}/sessions`), the 30-day retention
 * (older records are 404), and `recordCall()`, which the launcher calls when a sandbox call ends.
 */

const READ: PermissionRule = { delegated: [], application: ['CallRecords.Read.All'] };
const SESSIONS_PAGE = 60;
const RETENTION_MS = 30 * DAY_MS;

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
}

export class CallRecords {
  private readonly records = new Map<string, StoredCallRecord>();

  constructor(private readonly deps: CallRecordDeps) {}

  /** Stores a finished call and sends `created` notifications to callRecords subscriptions. */
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
    this.deps.onChange(record, 'created');
    return record;
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
