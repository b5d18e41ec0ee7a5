import { createLogger } from '../../../../bot/src/observability/logger.js';
import { err, ok } from '../../../../bot/src/shared/result.js';
import { openStore } from '../../../../bot/src/store/open.js';
import type { TeamsPresence, TeamsSessionState } from '../../../../bot/src/presence-sync/engine/mapping.js';
import type {
  PortError,
  PresencePorts,
  TeamsUserRef,
} from '../../../../bot/src/presence-sync/engine/ports.js';
import type { JsonValue, PresenceSyncRule, Store } from '../../../../bot/src/store/store.js';

/**
 * A deterministic stand-in for Teams and Webex at the engine's port boundary, for the
 * simulation and the benchmark: ground truth per user (their own Teams client, a preferred
 * presence they set, our app session; their Webex calls, meetings and Calling DND with who set
 * it), aggregation as Graph documents it, the Webex `Person.status` as one value in Webex's
 * precedence, and a log of every write with what justified it. Whether Webex shows Calling DND as
 * the status DoNotDisturb is unconfirmed (platform facts D4): the fake assumes the worst, it does.
 */

export type Random = () => number;

/** mulberry32: small, seedable, good enough for test schedules. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Session {
  readonly state: TeamsSessionState;
  readonly setAt: number;
  readonly expiresAt: number;
}

export interface WorldUser {
  readonly userId: string;
  readonly aad: string;
  readonly rule: PresenceSyncRule;
  client: TeamsPresence;
  clientAt: number;
  preferredDnd: boolean;
  session: Session | undefined;
  calls: Map<string, string>;
  dnd: { enabled: boolean; by: 'user' | 'app' };
  meeting: { inMeeting: boolean; presenting: boolean };
  /** The last `Person.status` read showed DoNotDisturb only because of a DND we set. */
  lastStatusFromApp: boolean;
  /** The meeting state the status reads showed (a call hides it; any DoNotDisturb shows none). */
  meetingSeen: { inMeeting: boolean; presenting: boolean };
  /** Presence sync is on for the user (the simulation switches it). */
  syncOn: boolean;
  /** What the last successful Teams read returned was decided by our own session. */
  lastReadFromApp: boolean;
  published: TeamsPresence;
}

export type WriteKind = 'teams.set' | 'teams.keepalive' | 'teams.clear' | 'webex.dnd.on' | 'webex.dnd.off';

export interface WriteRecord {
  readonly at: number;
  readonly userId: string;
  readonly kind: WriteKind;
  /**
   * An echo: a Webex DND write justified by a Teams read that showed our own session, or a Teams
   * session posted from a Webex status that showed only our own DND.
   */
  readonly echo: boolean;
  /** Turned off a DND the user set themselves. */
  readonly overrodeUser: boolean;
}

export interface FaultRates {
  readonly throttle: number;
  /** The process dies right after a write reached Teams or Webex, before the engine saved anything. */
  readonly crashAfterWrite?: number;
}

const RANK: Readonly<Record<string, number>> = { DoNotDisturb: 4, Busy: 3, Available: 2, Away: 1 };
export const TENANT = 'tenant-sim';

/** A SQLite store in `dir` on the given clock (the directory may hold one from before a restart). */
export async function openStoreIn(dir: string, now: () => number): Promise<Store> {
  const opened = await openStore(
    { dataDir: dir, databaseUrl: undefined },
    createLogger({ level: 'silent' }),
    {
      now,
    },
  );
  if (!opened.ok) throw new Error(`store did not open: ${opened.error.message}`);
  return opened.value;
}

/**
 * Creates the user in the store and in the world, enrolled in presence sync with `rule`;
 * `teamsState` pre-seeds the engine's memory. Resolves the internal user id.
 */
export async function enrolUser(
  store: Store,
  world: FakeWorld,
  aad: string,
  rule: PresenceSyncRule,
  teamsState: JsonValue = {},
): Promise<string> {
  const user = await store.users.upsert({ tenantId: TENANT, aadObjectId: aad, status: 'active' });
  world.addUser(user.id, aad, rule);
  const put = await store.presence.upsert({
    userId: user.id,
    enabled: true,
    rule,
    lastSyncedAt: null,
    lastErrorCode: null,
    lastErrorAction: null,
    teamsState,
    webexState: {},
    expectedVersion: null,
  });
  if (!put.ok) throw new Error(`could not enrol ${user.id}: ${put.error.code}`);
  return user.id;
}

export class FakeWorld {
  readonly users = new Map<string, WorldUser>();
  private readonly byAad = new Map<string, WorldUser>();
  readonly writes: WriteRecord[] = [];
  reads = 0;
  statusReads = 0;
  faults: FaultRates = { throttle: 0 };

  constructor(
    private readonly now: () => number,
    private readonly random: Random,
  ) {}

  addUser(userId: string, aad: string, rule: PresenceSyncRule): WorldUser {
    const user: WorldUser = {
      userId,
      aad,
      rule,
      client: { availability: 'Available', activity: 'Available' },
      clientAt: this.now(),
      preferredDnd: false,
      session: undefined,
      calls: new Map(),
      dnd: { enabled: false, by: 'user' },
      meeting: { inMeeting: false, presenting: false },
      lastStatusFromApp: false,
      meetingSeen: { inMeeting: false, presenting: false },
      syncOn: true,
      lastReadFromApp: false,
      published: { availability: 'Available', activity: 'Available' },
    };
    this.users.set(userId, user);
    this.byAad.set(aad, user);
    return user;
  }

  userIdByAad(aad: string): string | undefined {
    return this.byAad.get(aad)?.userId;
  }

  /** The user's presence without our session: what they are doing in Teams. */
  own(user: WorldUser): TeamsPresence {
    return user.preferredDnd ? { availability: 'DoNotDisturb', activity: 'DoNotDisturb' } : user.client;
  }

  /** Aggregated presence as Graph reports it (preferred > sessions; DND > Busy > Available > Away). */
  aggregate(user: WorldUser): { presence: TeamsPresence; fromApp: boolean } {
    const session = this.liveSession(user);
    if (user.preferredDnd) return { presence: this.own(user), fromApp: false };
    if (session === undefined) return { presence: user.client, fromApp: false };
    const app = RANK[session.state.availability] ?? 0;
    const client = RANK[user.client.availability] ?? 0;
    const appWins = app > client || (app === client && session.setAt > user.clientAt);
    const presence = appWins ? session.state : user.client;
    const differs =
      presence.availability !== user.client.availability || presence.activity !== user.client.activity;
    return { presence, fromApp: appWins && differs };
  }

  liveSession(user: WorldUser): Session | undefined {
    return user.session !== undefined && user.session.expiresAt > this.now() ? user.session : undefined;
  }

  /** Users whose aggregated presence changed since last asked (Graph would notify). */
  changedPresences(): WorldUser[] {
    const changed: WorldUser[] = [];
    for (const user of this.users.values()) {
      const { presence } = this.aggregate(user);
      if (
        presence.availability !== user.published.availability ||
        presence.activity !== user.published.activity
      ) {
        user.published = presence;
        changed.push(user);
      }
    }
    return changed;
  }

  private user(id: string): WorldUser {
    const user = this.users.get(id);
    if (user === undefined) throw new Error(`unknown user ${id}`);
    return user;
  }

  private byRef(ref: TeamsUserRef): WorldUser {
    const user = this.byAad.get(ref.aadObjectId);
    if (user === undefined) throw new Error(`unknown aad ${ref.aadObjectId}`);
    return user;
  }

  private throttled(): PortError | undefined {
    return this.random() < this.faults.throttle
      ? { code: 'throttled', transient: true, retryAfterMs: 1_000 + Math.floor(this.random() * 5_000) }
      : undefined;
  }

  /**
   * Whether posting `next` would mirror a status that showed only our own DND: a meeting state is
   * learned from a status read, and the last one showed our DND, so no DoNotDisturb/Presenting
   * (nor any other meeting state) can be justified by it.
   */
  private mirrorsOurDnd(user: WorldUser, next: TeamsSessionState): boolean {
    return user.syncOn && user.lastStatusFromApp && next.activity === 'Presenting';
  }

  /** Thrown after a write has taken effect: the round dies as a crashed process would. */
  private maybeCrash(): void {
    if (this.random() < (this.faults.crashAfterWrite ?? 0)) throw new Error('simulated crash after a write');
  }

  private record(user: WorldUser, kind: WriteKind, extra: Partial<WriteRecord> = {}): void {
    this.writes.push({
      at: this.now(),
      userId: user.userId,
      kind,
      echo: false,
      overrodeUser: false,
      ...extra,
    });
  }

  /** `Person.status`: an explicit DND first, then presenting, a call, a meeting (sandbox presence.ts). */
  personStatus(user: WorldUser): string {
    if (user.dnd.enabled) return 'DoNotDisturb';
    if (user.meeting.presenting) return 'presenting';
    if ([...user.calls.values()].some((s) => ['connected', 'held', 'remoteHeld'].includes(s))) return 'call';
    return user.meeting.inMeeting ? 'meeting' : 'active';
  }

  readonly ports: PresencePorts = {
    teams: {
      read: (ref) => {
        const fault = this.throttled();
        if (fault !== undefined) return Promise.resolve(err(fault));
        this.reads += 1;
        const user = this.byRef(ref);
        const { presence, fromApp } = this.aggregate(user);
        user.lastReadFromApp = fromApp;
        return Promise.resolve(ok(presence));
      },
      readMany: (_tenant, ids) => {
        const fault = this.throttled();
        if (fault !== undefined) return Promise.resolve(err(fault));
        if (ids.length > 650) throw new Error('more than 650 ids in one getPresencesByUserId');
        this.reads += 1;
        const map = new Map<string, TeamsPresence>();
        for (const id of ids) {
          const user = this.byAad.get(id);
          if (user !== undefined) map.set(id, this.aggregate(user).presence);
        }
        return Promise.resolve(ok(map));
      },
      setSession: (ref, state, expirationMs) => {
        const fault = this.throttled();
        if (fault !== undefined) return Promise.resolve(err(fault));
        const user = this.byRef(ref);
        const live = this.liveSession(user);
        const keepAlive =
          live !== undefined &&
          live.state.availability === state.availability &&
          live.state.activity === state.activity;
        user.session = {
          state,
          setAt: keepAlive ? live.setAt : this.now(),
          expiresAt: this.now() + expirationMs,
        };
        this.record(user, keepAlive ? 'teams.keepalive' : 'teams.set', {
          echo: !keepAlive && this.mirrorsOurDnd(user, state),
        });
        this.maybeCrash();
        return Promise.resolve(ok(undefined));
      },
      clearSession: (ref) => {
        const fault = this.throttled();
        if (fault !== undefined) return Promise.resolve(err(fault));
        const user = this.byRef(ref);
        user.session = undefined;
        this.record(user, 'teams.clear');
        this.maybeCrash();
        return Promise.resolve(ok(undefined));
      },
    },
    webexCalls: {
      list: (userId) => {
        const fault = this.throttled();
        if (fault !== undefined) return Promise.resolve(err({ ...fault, code: 'throttled_webex' }));
        this.reads += 1;
        const user = this.user(userId);
        return Promise.resolve(ok([...user.calls].map(([id, state]) => ({ id, state }))));
      },
    },
    webexPeople: {
      status: (userId) => {
        const fault = this.throttled();
        if (fault !== undefined) return Promise.resolve(err({ ...fault, code: 'throttled_webex' }));
        this.statusReads += 1;
        const user = this.user(userId);
        const status = this.personStatus(user);
        user.lastStatusFromApp = status === 'DoNotDisturb' && user.dnd.by === 'app';
        if (status === 'DoNotDisturb') user.meetingSeen = { inMeeting: false, presenting: false };
        else if (status !== 'DoNotDisturb' && status !== 'call') user.meetingSeen = { ...user.meeting };
        return Promise.resolve(ok(status));
      },
    },
    webexDnd: {
      get: (userId) => Promise.resolve(ok(this.user(userId).dnd.enabled)),
      set: (userId, enabled) => {
        const fault = this.throttled();
        if (fault !== undefined) return Promise.resolve(err({ ...fault, code: 'throttled_webex' }));
        const user = this.user(userId);
        if (enabled) this.record(user, 'webex.dnd.on', { echo: user.lastReadFromApp });
        else this.record(user, 'webex.dnd.off', { overrodeUser: user.dnd.enabled && user.dnd.by === 'user' });
        user.dnd = { enabled, by: 'app' };
        this.maybeCrash();
        return Promise.resolve(ok(undefined));
      },
    },
  };

  // --- what people do -----------------------------------------------------------------------

  setTeamsClient(userId: string, presence: TeamsPresence): void {
    const user = this.user(userId);
    user.client = presence;
    user.clientAt = this.now();
  }

  setPreferredDnd(userId: string, on: boolean): void {
    this.user(userId).preferredDnd = on;
  }

  /** The user switches Webex Calling DND themselves (only when it is not ours: see the simulation). */
  setUserDnd(userId: string, on: boolean): void {
    this.user(userId).dnd = { enabled: on, by: 'user' };
  }

  /** The user joins or leaves a Webex meeting, or starts or stops presenting in it. */
  setMeeting(userId: string, meeting: { inMeeting: boolean; presenting: boolean }): void {
    this.user(userId).meeting = {
      inMeeting: meeting.inMeeting || meeting.presenting,
      presenting: meeting.presenting,
    };
  }

  setCall(userId: string, callId: string, state: string): void {
    const user = this.user(userId);
    if (state === 'disconnected') user.calls.delete(callId);
    else user.calls.set(callId, state);
  }
}
