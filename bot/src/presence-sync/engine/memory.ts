import { z } from 'zod';
import type { JsonValue } from '../../store/store.js';

/**
 * What the engine remembers per user, kept in the presence row's `teamsState` / `webexState`
 * JSON (compare-and-swap by the row's version). It is what makes the sync echo-free: the Teams
 * session we posted and when, the state we last cleared (Graph and Teams lag), whether a Webex
 * DND or status is ours. Rows outlive deployments, so parsing is lenient: anything unreadable
 * starts from empty memory rather than failing the user.
 */

const presencePair = z.object({ availability: z.string(), activity: z.string() });

const teamsMemory = z.object({
  /** The user's ids in Graph, cached so sweeps need no user lookups. */
  aad: z.string().optional(),
  tenant: z.string().optional(),
  /** The last aggregated presence read from Graph. */
  observed: presencePair.extend({ at: z.number() }).optional(),
  /** Our app presence session as posted. `confirmed: false`: written ahead of the call, outcome unknown. */
  session: presencePair
    .extend({ setAt: z.number(), expiresAt: z.number(), confirmed: z.boolean() })
    .optional(),
  /** A session we ended, recognised as ours until `until` (Graph may still report it for a while). */
  ended: presencePair.extend({ until: z.number() }).optional(),
  /** Times of our recent writes to Teams (damping). */
  writes: z.array(z.number()).default([]),
});

const callMemory = z.object({ state: z.string(), ts: z.number() });

const webexMemory = z.object({
  /** Per call, the newest webhook state seen (by event time), to read REST answers that lag. */
  calls: z.record(z.string(), callMemory).default({}),
  /** The calls REST last listed (states only). */
  listed: z.array(z.string()).default([]),
  meeting: z.object({ inMeeting: z.boolean(), presenting: z.boolean() }).optional(),
  observedAt: z.number().optional(),
  /**
   * Webex Calling DND: `ours` we turned it on; `pending_on`/`pending_off` a write was under way
   * when we last saved; `user` it was already on when we wanted it (theirs, never touched).
   */
  dnd: z.enum(['none', 'ours', 'pending_on', 'pending_off', 'user']).default('none'),
  /** The Webex status `dnd` we set through the status port, until its TTL lapses. */
  status: z.object({ setAt: z.number(), expiresAt: z.number() }).optional(),
  writes: z.array(z.number()).default([]),
});

export type TeamsMemory = z.infer<typeof teamsMemory>;
export type WebexMemory = z.infer<typeof webexMemory>;

export interface SyncMemory {
  readonly teams: TeamsMemory;
  readonly webex: WebexMemory;
}

export function readMemory(teamsState: JsonValue, webexState: JsonValue): SyncMemory {
  const teams = teamsMemory.safeParse(teamsState ?? {});
  const webex = webexMemory.safeParse(webexState ?? {});
  return {
    teams: teams.success ? teams.data : teamsMemory.parse({}),
    webex: webex.success ? webex.data : webexMemory.parse({}),
  };
}

export function emptyMemory(): SyncMemory {
  return readMemory({}, {});
}

/** JSON for the store; undefined optionals are left out. */
export function memoryJson(memory: SyncMemory): { teamsState: JsonValue; webexState: JsonValue } {
  return {
    teamsState: JSON.parse(JSON.stringify(memory.teams)) as JsonValue,
    webexState: JSON.parse(JSON.stringify(memory.webex)) as JsonValue,
  };
}
