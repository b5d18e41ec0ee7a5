import type { PresenceSyncRule } from '../../store/store.js';
import {
  DEFAULT_MAPPING,
  meetingFromPersonStatus,
  samePresence,
  teamsTargetFor,
  teamsWantsWebexDnd,
  webexActivityOf,
  type PresenceMapping,
  type TeamsPresence,
  type TeamsSessionState,
  type WebexActivity,
  type WebexMeetingState,
} from './mapping.js';
import type { SyncMemory, TeamsMemory, WebexMemory } from './memory.js';

/**
 * The pure decision core: given what we remember about a user and what we just observed, which
 * writes to make. No I/O and no clock of its own, so the simulation and the unit tests drive it
 * directly. The executor (sync-user.ts) performs the writes and folds their outcome back with
 * the `after*` functions below.
 */

export interface EngineConfig {
  readonly mapping: PresenceMapping;
  /** Our Teams session's `expirationDuration` (Graph accepts PT5M–PT4H). */
  readonly sessionMs: number;
  /** Re-post the session (keep-alive) when it expires within this. */
  readonly keepAliveLeadMs: number;
  /** After we end or replace a session, Graph reporting that state is still us for this long. */
  readonly echoWindowMs: number;
  /** Writes per user per direction per minute; more are deferred (damping). */
  readonly maxWritesPerMinute: number;
  /** A webhook's call state beats the REST listing for this long (REST lags up to ~10 min). */
  readonly webhookTrustMs: number;
  /** TTL of the Webex status `dnd` we set; refreshed `keepAliveLeadMs` before it lapses. */
  readonly statusTtlMs: number;
}

export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  mapping: DEFAULT_MAPPING,
  sessionMs: 60 * 60_000,
  keepAliveLeadMs: 15 * 60_000,
  echoWindowMs: 5 * 60_000,
  maxWritesPerMinute: 4,
  webhookTrustMs: 10 * 60_000,
  statusTtlMs: 60 * 60_000,
};

const WINDOW_MS = 60_000;

/** A `telephony_calls` webhook reduced to what the engine needs. */
export interface CallEvent {
  readonly callId: string;
  readonly state: string;
  /** `data.eventTimestamp`: orders reordered deliveries. */
  readonly ts: number;
}

export interface WebexObservation {
  /** The user's calls as `GET /v1/telephony/calls` lists them. */
  readonly calls: readonly { readonly id: string; readonly state: string }[];
}

export interface DecideInput {
  readonly now: number;
  readonly config: EngineConfig;
  readonly rule: PresenceSyncRule;
  readonly enabled: boolean;
  readonly memory: SyncMemory;
  /** A fresh read of the user's aggregated Teams presence, when this round read it. */
  readonly teams?: TeamsPresence;
  /** A fresh read of the user's Webex calls, when this round read them. */
  readonly webex?: WebexObservation;
  /** Webex meeting state from the status port (SDK presence events), when it reports one. */
  readonly meeting?: WebexMeetingState;
  /**
   * The user's REST `Person.status` (`GET /v1/people/me`), when this round read it: meetings and
   * presenting until the status port reports them (the port wins when both are given).
   */
  readonly personStatus?: string;
  readonly callEvents?: readonly CallEvent[];
  /** Whether a Webex status port is wired (otherwise only Calling DND is written). */
  readonly statusPort: boolean;
}

export type TeamsWrite =
  | {
      readonly kind: 'set';
      readonly state: TeamsSessionState;
      readonly reason: 'start' | 'change' | 'keep_alive';
    }
  | { readonly kind: 'clear' };

export interface Decision {
  /** Memory with this round's observations folded in (before any write). */
  readonly memory: SyncMemory;
  readonly teams?: TeamsWrite;
  readonly webexDnd?: 'on' | 'off';
  readonly webexStatus?: 'dnd' | 'clear';
  /** Set when a write was held back by damping: decide again at this time. */
  readonly deferUntil?: number;
  readonly webexActivity: WebexActivity;
  /** The Teams presence we read was our own session (or one we just ended), not the user's. */
  readonly echoSuppressed: boolean;
  /** The user holds Teams DND themselves, so no session was started over it. */
  readonly yieldedToUser: boolean;
}

export function decide(input: DecideInput): Decision {
  const { now, config } = input;
  const teams = foldTeams(input.memory.teams, input.teams, now);
  const webex = foldWebex(input.memory.webex, input, now);
  const memory: SyncMemory = { teams, webex };

  const calls = effectiveCalls(webex, now, config.webhookTrustMs);
  const webexActivity = webexActivityOf(config.mapping, calls, webex.meeting);
  const target = input.enabled ? teamsTargetFor(config.mapping, webexActivity) : null;

  // The user's own Teams presence: what Graph reports unless that is our own session showing.
  const observed = teams.observed;
  const echo = observed !== undefined && isOurs(teams, observed, now);
  const own = observed === undefined || echo ? undefined : observed;
  const yieldedToUser = own?.availability === 'DoNotDisturb' && teams.session === undefined;

  let deferUntil: number | undefined;
  const defer = (writes: readonly number[]): void => {
    const at = nextSlot(writes, now, config.maxWritesPerMinute);
    deferUntil = deferUntil === undefined ? at : Math.min(deferUntil, at);
  };

  let teamsWrite: TeamsWrite | undefined;
  const session = teams.session;
  if (target !== null && !yieldedToUser) {
    if (session === undefined) teamsWrite = { kind: 'set', state: target, reason: 'start' };
    else if (!samePresence(session, target) || !session.confirmed)
      teamsWrite = { kind: 'set', state: target, reason: 'change' };
    else if (session.expiresAt - now <= config.keepAliveLeadMs)
      teamsWrite = { kind: 'set', state: target, reason: 'keep_alive' };
  } else if (target === null && session !== undefined) {
    teamsWrite = { kind: 'clear' };
  }
  // A session about to lapse is kept alive even when damped: letting it expire would flap.
  if (
    teamsWrite !== undefined &&
    !(teamsWrite.kind === 'set' && teamsWrite.reason === 'keep_alive') &&
    !hasBudget(teams.writes, now, config.maxWritesPerMinute)
  ) {
    defer(teams.writes);
    teamsWrite = undefined;
  }

  // Teams → Webex. Unknown (no read yet, or hidden behind our own session): leave Webex as it is.
  let webexDnd: 'on' | 'off' | undefined;
  let webexStatus: 'dnd' | 'clear' | undefined;
  const wantDnd = !input.enabled
    ? false
    : own === undefined
      ? undefined
      : teamsWantsWebexDnd(config.mapping, input.rule, own);
  // A write in flight when we last saved (`pending_*`) is redone: read first, then set.
  if (wantDnd === true && (webex.dnd === 'none' || webex.dnd === 'pending_on' || webex.dnd === 'pending_off'))
    webexDnd = 'on';
  if (
    wantDnd === false &&
    (webex.dnd === 'ours' || webex.dnd === 'pending_on' || webex.dnd === 'pending_off')
  )
    webexDnd = 'off';
  if (input.statusPort) {
    const status = webex.status !== undefined && webex.status.expiresAt > now ? webex.status : undefined;
    if (wantDnd === true && (status === undefined || status.expiresAt - now <= config.keepAliveLeadMs))
      webexStatus = 'dnd';
    if (wantDnd === false && status !== undefined) webexStatus = 'clear';
  }
  if (
    (webexDnd !== undefined || webexStatus !== undefined) &&
    !hasBudget(webex.writes, now, config.maxWritesPerMinute)
  ) {
    defer(webex.writes);
    webexDnd = undefined;
    webexStatus = undefined;
  }
  const settled: SyncMemory =
    wantDnd === false && webex.dnd === 'user' ? { teams, webex: { ...webex, dnd: 'none' } } : memory;

  return {
    memory: settled,
    ...(teamsWrite === undefined ? {} : { teams: teamsWrite }),
    ...(webexDnd === undefined ? {} : { webexDnd }),
    ...(webexStatus === undefined ? {} : { webexStatus }),
    ...(deferUntil === undefined ? {} : { deferUntil }),
    webexActivity,
    echoSuppressed: echo,
    yieldedToUser: yieldedToUser && target !== null,
  };
}

/** Whether Graph's aggregated presence is the session we posted or one we ended moments ago. */
export function isOurs(teams: TeamsMemory, presence: TeamsPresence, now: number): boolean {
  if (teams.session !== undefined && samePresence(teams.session, presence)) return true;
  return teams.ended !== undefined && teams.ended.until > now && samePresence(teams.ended, presence);
}

function foldTeams(memory: TeamsMemory, read: TeamsPresence | undefined, now: number): TeamsMemory {
  const ended = memory.ended !== undefined && memory.ended.until > now ? memory.ended : undefined;
  const session = memory.session !== undefined && memory.session.expiresAt > now ? memory.session : undefined;
  const { ended: _e, session: _s, ...rest } = memory;
  return {
    ...rest,
    ...(read === undefined
      ? {}
      : { observed: { availability: read.availability, activity: read.activity, at: now } }),
    ...(session === undefined ? {} : { session }),
    ...(ended === undefined ? {} : { ended }),
    writes: recent(memory.writes, now),
  };
}

function foldWebex(memory: WebexMemory, input: DecideInput, now: number): WebexMemory {
  const calls: Record<string, { state: string; ts: number }> = {};
  for (const [id, call] of Object.entries(memory.calls)) {
    if (now - call.ts < input.config.webhookTrustMs) calls[id] = call;
  }
  for (const event of input.callEvents ?? []) {
    const known = calls[event.callId];
    if (known === undefined || known.ts <= event.ts)
      calls[event.callId] = { state: event.state, ts: event.ts };
  }
  const listed =
    input.webex === undefined ? memory.listed : input.webex.calls.map((c) => `${c.id}\u0000${c.state}`);
  const { status, meeting, observedAt, ...rest } = memory;
  const freshMeeting = input.meeting ?? meetingFromStatus(input.personStatus) ?? meeting;
  const liveStatus = status !== undefined && status.expiresAt > now ? status : undefined;
  const seenAt = input.webex === undefined ? observedAt : now;
  return {
    ...rest,
    calls,
    listed,
    ...(freshMeeting === undefined ? {} : { meeting: freshMeeting }),
    ...(seenAt === undefined ? {} : { observedAt: seenAt }),
    ...(liveStatus === undefined ? {} : { status: liveStatus }),
    writes: recent(memory.writes, now),
  };
}

/**
 * The meeting state a `Person.status` read shows; undefined when it shows nothing new (no read, or
 * a call outranking the meeting in the status: calls come from telephony, the meeting holds as seen).
 *
 * A DoNotDisturb (the user's, or our Calling DND if Webex shows it as the status) hides any meeting:
 * it reads as "no meeting we can see", so it never starts or changes a session. It may end a meeting
 * session of ours; that is not an echo loop: when the DND is ours the user's own Teams presence is
 * busy (that is why we set it), so Teams goes on showing them busy, and keeping the session would
 * hide that presence from us while our DND hides the meeting's end: both sides held for good.
 */
function meetingFromStatus(personStatus: string | undefined): WebexMeetingState | undefined {
  if (personStatus === undefined) return undefined;
  const seen = meetingFromPersonStatus(personStatus);
  if (!('hiddenBy' in seen)) return seen;
  return seen.hiddenBy === 'call' ? undefined : { inMeeting: false, presenting: false };
}

/**
 * The user's calls: REST's listing, corrected by webhook states newer than `trustMs` (REST may
 * still list a call a webhook said ended, or not yet list one that started).
 */
function effectiveCalls(webex: WebexMemory, now: number, trustMs: number): { state: string }[] {
  const states = new Map<string, string>();
  for (const entry of webex.listed) {
    const cut = entry.indexOf('\u0000');
    states.set(entry.slice(0, cut), entry.slice(cut + 1));
  }
  for (const [id, call] of Object.entries(webex.calls)) {
    if (now - call.ts < trustMs) states.set(id, call.state);
  }
  return [...states.values()].map((state) => ({ state }));
}

function recent(writes: readonly number[], now: number): number[] {
  return writes.filter((t) => now - t < WINDOW_MS);
}

function hasBudget(writes: readonly number[], now: number, max: number): boolean {
  return recent(writes, now).length < max;
}

function nextSlot(writes: readonly number[], now: number, max: number): number {
  const window = recent(writes, now).sort((a, b) => a - b);
  const oldest = window[Math.max(0, window.length - max)] ?? now;
  return oldest + WINDOW_MS;
}

// ---------------------------------------------------------------------------------------------
// Folding write outcomes back into memory

/**
 * Our session as posted (`confirmed`) or about to be (`intended`: remembered before the call, so
 * a crash mid-call still knows the session may be ours; only a confirmed post counts as a write).
 */
export function withTeamsSession(
  teams: TeamsMemory,
  state: TeamsSessionState,
  now: number,
  config: EngineConfig,
  stage: 'intended' | 'confirmed',
): TeamsMemory {
  const confirmed = stage === 'confirmed';
  return {
    ...replaced(teams, now, config),
    session: { ...state, setAt: now, expiresAt: now + config.sessionMs, confirmed },
    writes: confirmed ? [...teams.writes, now] : teams.writes,
  };
}

export function afterTeamsClear(teams: TeamsMemory, now: number, config: EngineConfig): TeamsMemory {
  const { session: _s, ...rest } = replaced(teams, now, config);
  return { ...rest, writes: [...teams.writes, now] };
}

/** The session being replaced or ended stays recognisable for the echo window. */
function replaced(teams: TeamsMemory, now: number, config: EngineConfig): TeamsMemory {
  const previous = teams.session;
  if (previous === undefined) return teams;
  return {
    ...teams,
    ended: {
      availability: previous.availability,
      activity: previous.activity,
      until: now + config.echoWindowMs,
    },
  };
}

export function recordWebexWrite(webex: WebexMemory, now: number): WebexMemory {
  return { ...webex, writes: [...webex.writes, now] };
}
