import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * The user's speed dials, stored in one open extension on their own Graph user object so they
 * follow them to every device: `com.callbridge.speedDials` with
 * - `entries`: a JSON string of `[{ id, label, number, aadObjectId? }]` (extension values must be
 *   primitives, so the list is a string);
 * - `revision`: a number raised on every write, so two reads can tell "changed since" even when
 *   the lists happen to look alike.
 * Older extensions (entries without `id`, no `revision`) still read: ids are derived from each
 * entry's content and position, and the first write stores them.
 *
 * Graph allows 2 KB per open extension including its definition, and PATCH replaces every
 * property, so the whole set is always written and measured before it is.
 */

export const SPEED_DIALS_EXTENSION = 'com.callbridge.speedDials';
/** Graph's limit for an open extension on a directory object, definition included. */
export const SPEED_DIALS_MAX_BYTES = 2048;
const OPEN_EXTENSION_TYPE = '#microsoft.graph.openTypeExtension';
/** Older or hand-edited data is read up to this many entries; more would never fit in 2 KB anyway. */
const MAX_READ_ENTRIES = 100;

export const SPEED_DIAL_ID = /^[A-Za-z0-9_-]{1,12}$/;

export const speedDialSchema = z.strictObject({
  id: z.string().regex(SPEED_DIAL_ID, 'must be 1 to 12 characters: letters, digits, _ or -'),
  label: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
  number: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
  aadObjectId: z.string().trim().min(1).max(64).optional(),
});

export type SpeedDial = z.infer<typeof speedDialSchema>;

/** A list whose ids are unique (the second use of an id is reported at its index). */
export const speedDialListSchema = z.array(speedDialSchema).superRefine((entries, ctx) => {
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    if (seen.has(entry.id))
      ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate id "${entry.id}"` });
    seen.add(entry.id);
  });
});

export interface StoredSpeedDials {
  readonly entries: readonly SpeedDial[];
  readonly revision: number;
  /** Opaque to clients: the revision and a digest of the entries. */
  readonly version: string;
  /** Whether the extension exists in Graph (decides create vs update). */
  readonly exists: boolean;
}

/** What the Graph answer holds, tolerantly: anything unreadable is skipped, never an error. */
export function decodeSpeedDials(extension: unknown): StoredSpeedDials {
  if (typeof extension !== 'object' || extension === null)
    return withVersion({ entries: [], revision: 0, exists: false });
  const record = extension as Record<string, unknown>;
  const revision =
    typeof record.revision === 'number' && Number.isSafeInteger(record.revision) && record.revision >= 0
      ? record.revision
      : 0;
  let raw: unknown = record.entries;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      raw = [];
    }
  }
  const entries: SpeedDial[] = [];
  const ids = new Set<string>();
  if (Array.isArray(raw)) {
    raw.slice(0, MAX_READ_ENTRIES).forEach((item: unknown, index) => {
      if (typeof item !== 'object' || item === null) return;
      const e = item as Record<string, unknown>;
      const number = text(e.number, 64);
      const label = text(e.label, 64) ?? number;
      if (number === undefined || label === undefined) return;
      const given = typeof e.id === 'string' && SPEED_DIAL_ID.test(e.id) ? e.id : undefined;
      let id = given ?? derivedId(index, label, number);
      for (let n = 1; ids.has(id); n += 1) id = derivedId(index + n * MAX_READ_ENTRIES, label, number);
      ids.add(id);
      const aadObjectId = text(e.aadObjectId, 64);
      entries.push({ id, label, number, ...(aadObjectId === undefined ? {} : { aadObjectId }) });
    });
  }
  return withVersion({ entries, revision, exists: true });
}

/** The extension's custom properties for a write of `entries` as revision `revision`. */
export function encodeSpeedDials(
  entries: readonly SpeedDial[],
  revision: number,
): { readonly entries: string; readonly revision: number } {
  return {
    entries: JSON.stringify(
      entries.map((e) => ({
        id: e.id,
        label: e.label,
        number: e.number,
        ...(e.aadObjectId === undefined ? {} : { aadObjectId: e.aadObjectId }),
      })),
    ),
    revision,
  };
}

/**
 * Bytes the extension takes in Graph: its properties plus its definition (`@odata.type`,
 * `extensionName`, `id`), as JSON. Counting the `id` Graph adds keeps us on the safe side.
 */
export function extensionBytes(properties: { readonly entries: string; readonly revision: number }): number {
  return Buffer.byteLength(
    JSON.stringify({
      '@odata.type': OPEN_EXTENSION_TYPE,
      extensionName: SPEED_DIALS_EXTENSION,
      id: SPEED_DIALS_EXTENSION,
      ...properties,
    }),
  );
}

export function versionOf(entries: readonly SpeedDial[], revision: number): string {
  const digest = createHash('sha256')
    .update(encodeSpeedDials(entries, revision).entries)
    .digest('base64url')
    .slice(0, 10);
  return `${String(revision)}.${digest}`;
}

export function sameSpeedDial(a: SpeedDial, b: SpeedDial): boolean {
  return a.label === b.label && a.number === b.number && a.aadObjectId === b.aadObjectId;
}

export interface MergeOutcome {
  readonly entries: SpeedDial[];
  /** Ids edited on both sides, where the stored (other client's) edit was kept. */
  readonly conflicts: string[];
}

/**
 * Three-way merge by id of what the client last read (`base`), what is stored now (`stored`, the
 * other clients' edits) and what the client wants (`proposed`): additions from both sides are
 * kept, a deletion on either side is applied, an entry changed on both sides differently keeps
 * the stored version and is reported. The client's order leads; the other side's additions
 * follow in their stored order.
 */
export function mergeSpeedDials(
  base: readonly SpeedDial[],
  stored: readonly SpeedDial[],
  proposed: readonly SpeedDial[],
): MergeOutcome {
  const baseById = new Map(base.map((e) => [e.id, e]));
  const storedById = new Map(stored.map((e) => [e.id, e]));
  const proposedIds = new Set(proposed.map((e) => e.id));
  const entries: SpeedDial[] = [];
  const conflicts: string[] = [];
  for (const mine of proposed) {
    const before = baseById.get(mine.id);
    const theirs = storedById.get(mine.id);
    if (before === undefined) {
      // Added here (or, improbably, the same new id on both sides).
      if (theirs !== undefined && !sameSpeedDial(theirs, mine)) {
        conflicts.push(mine.id);
        entries.push(theirs);
      } else entries.push(mine);
      continue;
    }
    // Deleted by the other side: the deletion is applied.
    if (theirs === undefined) continue;
    const changedHere = !sameSpeedDial(before, mine);
    const changedThere = !sameSpeedDial(before, theirs);
    if (changedHere && changedThere && !sameSpeedDial(mine, theirs)) {
      conflicts.push(mine.id);
      entries.push(theirs);
    } else entries.push(changedHere ? mine : theirs);
  }
  for (const theirs of stored) {
    // Stored, unknown to the base and not proposed: the other side added it.
    if (!proposedIds.has(theirs.id) && !baseById.has(theirs.id)) entries.push(theirs);
  }
  return { entries, conflicts };
}

function withVersion(value: Omit<StoredSpeedDials, 'version'>): StoredSpeedDials {
  return { ...value, version: versionOf(value.entries, value.revision) };
}

function text(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' || trimmed.length > max ? undefined : trimmed;
}

function derivedId(index: number, label: string, number: string): string {
  return createHash('sha256')
    .update(JSON.stringify([index, label, number]))
    .digest('base64url')
    .slice(0, 12);
}
