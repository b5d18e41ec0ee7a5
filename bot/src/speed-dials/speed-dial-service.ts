import { randomUUID } from 'node:crypto';
import type { GraphClient, GraphError } from '../integrations/graph/graph.client.js';
import { pathSegment } from '../integrations/graph/odata.js';
import { serializeError, type Logger } from '../observability/logger.js';
import { err, ok, type Result } from '../shared/result.js';
import type { LeaseRepo } from '../store/store.js';
import {
  decodeSpeedDials,
  encodeSpeedDials,
  extensionBytes,
  mergeSpeedDials,
  sameSpeedDial,
  SPEED_DIALS_EXTENSION,
  SPEED_DIALS_MAX_BYTES,
  versionOf,
  type SpeedDial,
  type StoredSpeedDials,
} from './codec.js';

/** The speed dials as the API returns them. */
export interface SpeedDials {
  readonly entries: readonly SpeedDial[];
  readonly version: string;
  readonly bytesUsed: number;
  readonly bytesMax: number;
}

export interface SavedSpeedDials extends SpeedDials {
  /** The stored set had changed since `base`: the write is a three-way merge. */
  readonly merged: boolean;
  /** Ids edited on both sides where the other edit was kept. */
  readonly conflicts: readonly string[];
}

export interface SpeedDialWrite {
  readonly entries: readonly SpeedDial[];
  /** What the client last read. */
  readonly base: { readonly version: string; readonly entries: readonly SpeedDial[] };
}

export type SpeedDialError =
  | { readonly code: 'speed_dials_full'; readonly bytesUsed: number; readonly bytesMax: number }
  /** Another write for the same user is still running (held the per-user lease too long). */
  | { readonly code: 'busy' }
  | { readonly code: 'graph'; readonly error: GraphError };

/** The Graph calls speed dials need, as the signed-in user. */
export type SpeedDialGraph = Pick<GraphClient, 'getExtension' | 'putExtension' | 'send'>;

export interface SpeedDialServiceDeps {
  /** Serialises writes per user across instances (Graph extensions have no ETag). */
  readonly leases: LeaseRepo;
  readonly logger: Logger;
  readonly sleep?: (ms: number) => Promise<void>;
}

const LEASE_TTL_MS = 15_000;
const LEASE_WAIT_MS = 50;
const LEASE_ATTEMPTS = 100;

export function speedDialsView(
  stored: Pick<StoredSpeedDials, 'entries' | 'revision' | 'version'>,
): SpeedDials {
  return {
    entries: stored.entries,
    version: stored.version,
    bytesUsed: extensionBytes(encodeSpeedDials(stored.entries, stored.revision)),
    bytesMax: SPEED_DIALS_MAX_BYTES,
  };
}

export interface SpeedDialService {
  read(graph: SpeedDialGraph, signal?: AbortSignal): Promise<Result<SpeedDials, SpeedDialError>>;
  write(
    userId: string,
    graph: SpeedDialGraph,
    input: SpeedDialWrite,
  ): Promise<Result<SavedSpeedDials, SpeedDialError>>;
}

export function createSpeedDialService(deps: SpeedDialServiceDeps): SpeedDialService {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  const load = async (
    graph: SpeedDialGraph,
    signal?: AbortSignal,
  ): Promise<Result<StoredSpeedDials, SpeedDialError>> => {
    const got = await graph.getExtension(SPEED_DIALS_EXTENSION, signal === undefined ? {} : { signal });
    if (!got.ok) return err({ code: 'graph', error: got.error });
    return ok(decodeSpeedDials(got.value));
  };

  const store = async (
    graph: SpeedDialGraph,
    exists: boolean,
    properties: ReturnType<typeof encodeSpeedDials>,
  ): Promise<Result<void, SpeedDialError>> => {
    if (!exists) {
      const created = await graph.putExtension(SPEED_DIALS_EXTENSION, properties);
      return created.ok ? ok(undefined) : err({ code: 'graph', error: created.error });
    }
    // PATCH replaces the whole property set, which is what we mean: every property is sent.
    const patched = await graph.send('PATCH', `/me/extensions/${pathSegment(SPEED_DIALS_EXTENSION)}`, {
      operation: 'extensions.update',
      body: { '@odata.type': 'microsoft.graph.openTypeExtension', ...properties },
      idempotent: true,
    });
    return patched.ok ? ok(undefined) : err({ code: 'graph', error: patched.error });
  };

  return {
    async read(graph, signal) {
      const loaded = await load(graph, signal);
      return loaded.ok ? ok(speedDialsView(loaded.value)) : loaded;
    },

    async write(userId, graph, input) {
      const lease = `speed-dials:${userId}`;
      const owner = randomUUID();
      let token: number | null = null;
      for (let attempt = 0; attempt < LEASE_ATTEMPTS && token === null; attempt += 1) {
        token = await deps.leases.tryAcquire(lease, owner, LEASE_TTL_MS);
        if (token === null) await sleep(LEASE_WAIT_MS);
      }
      if (token === null) return err({ code: 'busy' });
      try {
        const loaded = await load(graph);
        if (!loaded.ok) return loaded;
        const current = loaded.value;
        const unchangedSinceBase = current.version === input.base.version;
        const outcome = unchangedSinceBase
          ? { entries: [...input.entries], conflicts: [] }
          : mergeSpeedDials(input.base.entries, current.entries, input.entries);
        const same =
          current.exists &&
          outcome.entries.length === current.entries.length &&
          outcome.entries.every((e, i) => {
            const c = current.entries[i];
            return c !== undefined && c.id === e.id && sameSpeedDial(c, e);
          });
        const revision = same ? current.revision : current.revision + 1;
        const properties = encodeSpeedDials(outcome.entries, revision);
        const bytesUsed = extensionBytes(properties);
        if (bytesUsed > SPEED_DIALS_MAX_BYTES)
          return err({ code: 'speed_dials_full', bytesUsed, bytesMax: SPEED_DIALS_MAX_BYTES });
        if (!same) {
          const stored = await store(graph, current.exists, properties);
          if (!stored.ok) return stored;
        }
        deps.logger.info(
          {
            userId,
            entries: outcome.entries.length,
            revision,
            merged: !unchangedSinceBase,
            conflicts: outcome.conflicts.length,
            written: !same,
          },
          'speed dials saved',
        );
        return ok({
          entries: outcome.entries,
          version: versionOf(outcome.entries, revision),
          bytesUsed,
          bytesMax: SPEED_DIALS_MAX_BYTES,
          merged: !unchangedSinceBase,
          conflicts: outcome.conflicts,
        });
      } finally {
        // The save already happened or failed on its own; a lost release only delays the next
        // save until the lease expires, so it must not turn this answer into an error.
        await deps.leases.release(lease, owner, token).catch((error: unknown) => {
          deps.logger.warn({ userId, err: serializeError(error) }, 'speed dials lease not released');
        });
      }
    },
  };
}
