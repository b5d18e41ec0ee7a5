import { MINUTE_MS, type GraphClock } from './clock.js';

/**
 * Presence as the manage-presence-state documentation describes it: a user's presence is the
 * aggregate of their presence sessions (each Teams client, each app that called setPresence), and
 * a user-preferred state overrides the sessions while at least one session exists.
 *
 * - Precedence among sessions: DoNotDisturb > Busy > Available > Away.
 * - An app session set Available times out: Available/AvailableInactive after 5 minutes, then
 *   Away/Away after another 5; setting it again restarts the fade.
 * - An app session expires after its expirationDuration; with no session left the user is Offline.
 */

export interface PresenceState {
  readonly availability: string;
  readonly activity: string;
}

export const TEAMS_CLIENT_SESSION = 'teams-client';

export interface SessionView extends PresenceState {
  /** The app id for app sessions, `teams-client` for the user's own Teams client. */
  readonly id: string;
  readonly source: 'app' | 'teamsClient';
  /** The state as set, before any timeout fade. */
  readonly setState: PresenceState;
  readonly setAt: number;
  readonly expiresAt: number | undefined;
}

export interface PreferredView extends PresenceState {
  readonly expiresAt: number;
}

export interface UserPresenceView extends PresenceState {
  readonly userId: string;
  readonly sequenceNumber: string;
  readonly preferred: PreferredView | undefined;
  readonly sessions: readonly SessionView[];
}

interface Session {
  readonly source: 'app' | 'teamsClient';
  readonly state: PresenceState;
  readonly setAt: number;
  readonly expiresAt: number | undefined;
}

interface UserRecord {
  readonly sessions: Map<string, Session>;
  preferred: { state: PresenceState; expiresAt: number } | undefined;
  published: PresenceState;
  sequence: number;
  cancelTimer: (() => void) | undefined;
}

const FADE_MS = 5 * MINUTE_MS;
const OFFLINE: PresenceState = { availability: 'Offline', activity: 'Offline' };
const RANK: Readonly<Record<string, number>> = { DoNotDisturb: 4, Busy: 3, Available: 2, Away: 1 };

export class PresenceStore {
  private readonly users = new Map<string, UserRecord>();

  constructor(
    userIds: Iterable<string>,
    private readonly clock: GraphClock,
    /** Called whenever a user's aggregated presence changes, including by time passing. */
    private readonly onChange: (userId: string) => void,
  ) {
    for (const id of userIds) {
      this.users.set(id, {
        sessions: new Map(),
        preferred: undefined,
        published: OFFLINE,
        sequence: 0,
        cancelTimer: undefined,
      });
    }
  }

  has(userId: string): boolean {
    return this.users.has(userId);
  }

  userIds(): string[] {
    return [...this.users.keys()];
  }

  /** An app's session (setPresence), expiring after `durationMs`. */
  setAppSession(userId: string, appId: string, state: PresenceState, durationMs: number): void {
    this.mutate(userId, (u, now) => {
      u.sessions.set(appId, { source: 'app', state, setAt: now, expiresAt: now + durationMs });
    });
  }

  /** clearPresence: removes an app's session; false when it had none. */
  clearAppSession(userId: string, appId: string): boolean {
    let existed = false;
    this.mutate(userId, (u) => {
      existed = u.sessions.delete(appId);
    });
    return existed;
  }

  /** The user's own Teams client session (a console control); `undefined` signs the client out. */
  setTeamsClient(userId: string, state: PresenceState | undefined): void {
    this.mutate(userId, (u, now) => {
      if (state === undefined) u.sessions.delete(TEAMS_CLIENT_SESSION);
      else
        u.sessions.set(TEAMS_CLIENT_SESSION, {
          source: 'teamsClient',
          state,
          setAt: now,
          expiresAt: undefined,
        });
    });
  }

  setPreferred(userId: string, state: PresenceState, durationMs: number): void {
    this.mutate(userId, (u, now) => {
      u.preferred = { state, expiresAt: now + durationMs };
    });
  }

  clearPreferred(userId: string): void {
    this.mutate(userId, (u) => {
      u.preferred = undefined;
    });
  }

  /** Aggregated presence plus the per-session detail the console shows. */
  view(userId: string): UserPresenceView {
    const u = this.record(userId);
    const now = this.clock.now();
    const sessions = this.liveSessions(u, now);
    const preferred = u.preferred !== undefined && u.preferred.expiresAt > now ? u.preferred : undefined;
    return {
      userId,
      ...aggregate(sessions, preferred?.state),
      sequenceNumber: sequenceNumber(u.sequence),
      preferred: preferred === undefined ? undefined : { ...preferred.state, expiresAt: preferred.expiresAt },
      sessions,
    };
  }

  /** Re-evaluates every user now (for clocks advanced without firing timers). */
  refreshAll(): void {
    for (const userId of this.users.keys()) this.mutate(userId, () => undefined);
  }

  dispose(): void {
    for (const u of this.users.values()) u.cancelTimer?.();
  }

  private record(userId: string): UserRecord {
    const u = this.users.get(userId);
    if (u === undefined) throw new Error(`unknown user ${userId}`);
    return u;
  }

  /** Applies a change, publishes the new aggregate if it moved, and re-arms the fade/expiry timer. */
  private mutate(userId: string, change: (u: UserRecord, now: number) => void): void {
    const u = this.record(userId);
    const now = this.clock.now();
    change(u, now);
    for (const [id, s] of u.sessions)
      if (s.expiresAt !== undefined && s.expiresAt <= now) u.sessions.delete(id);
    if (u.preferred !== undefined && u.preferred.expiresAt <= now) u.preferred = undefined;
    const current = aggregate(this.liveSessions(u, now), u.preferred?.state);
    if (current.availability !== u.published.availability || current.activity !== u.published.activity) {
      u.published = current;
      u.sequence += 1;
      this.onChange(userId);
    }
    this.arm(userId, u, now);
  }

  private arm(userId: string, u: UserRecord, now: number): void {
    u.cancelTimer?.();
    u.cancelTimer = undefined;
    const next = nextTransition(u, now);
    if (next === undefined) return;
    u.cancelTimer = this.clock.schedule(next - now, () => {
      u.cancelTimer = undefined;
      this.mutate(userId, () => undefined);
    });
  }

  private liveSessions(u: UserRecord, now: number): SessionView[] {
    const views: SessionView[] = [];
    for (const [id, s] of u.sessions) {
      if (s.expiresAt !== undefined && s.expiresAt <= now) continue;
      views.push({
        id,
        source: s.source,
        ...faded(s, now),
        setState: s.state,
        setAt: s.setAt,
        expiresAt: s.expiresAt,
      });
    }
    return views;
  }
}

/** The timeout fade of an app session set Available. */
function faded(s: Session, now: number): PresenceState {
  if (s.source !== 'app' || s.state.availability !== 'Available') return s.state;
  const idle = now - s.setAt;
  if (idle >= 2 * FADE_MS) return { availability: 'Away', activity: 'Away' };
  if (idle >= FADE_MS) return { availability: 'Available', activity: 'AvailableInactive' };
  return s.state;
}

function aggregate(sessions: readonly SessionView[], preferred: PresenceState | undefined): PresenceState {
  // Preferred presence only takes effect while at least one session exists.
  if (sessions.length === 0) return OFFLINE;
  if (preferred !== undefined) return preferred;
  let best: SessionView | undefined;
  for (const s of sessions) {
    if (best === undefined || score(s) > score(best) || (score(s) === score(best) && s.setAt > best.setAt))
      best = s;
  }
  return best === undefined ? OFFLINE : { availability: best.availability, activity: best.activity };
}

function score(s: PresenceState): number {
  // An inactive Available session ranks below an active one but above Away.
  return (RANK[s.availability] ?? 0) - (s.activity === 'AvailableInactive' ? 0.5 : 0);
}

function nextTransition(u: UserRecord, now: number): number | undefined {
  const times: number[] = [];
  for (const s of u.sessions.values()) {
    if (s.expiresAt !== undefined) times.push(s.expiresAt);
    if (s.source === 'app' && s.state.availability === 'Available')
      times.push(s.setAt + FADE_MS, s.setAt + 2 * FADE_MS);
  }
  if (u.preferred !== undefined) times.push(u.preferred.expiresAt);
  const future = times.filter((t) => t > now);
  return future.length === 0 ? undefined : Math.min(...future);
}

/** A lexicographically sortable version stamp, like presence's `sequenceNumber`. */
function sequenceNumber(sequence: number): string {
  return `C${sequence.toString(16).toUpperCase().padStart(12, '0')}`;
}
