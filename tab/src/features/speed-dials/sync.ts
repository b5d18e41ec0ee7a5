import type { ApiClient } from '../../api/client.js';
import type { SpeedDial, SpeedDials } from '../../api/contract.js';
import { applyEdits, type SpeedDialEdit } from './edits.js';

/** What the last save left to say. */
export type SpeedDialNotice =
  | { readonly kind: 'merged'; readonly conflicts: number }
  | { readonly kind: 'full'; readonly bytesMax: number }
  /** The server refused the edits as invalid (400): they are dropped, retrying cannot help. */
  | { readonly kind: 'rejected' }
  | { readonly kind: 'save_failed' };

export interface SpeedDialsSnapshot {
  /** The last set the server confirmed (what edits are based on), once known. */
  readonly base: SpeedDials | undefined;
  /** Edits not yet confirmed, oldest first. */
  readonly pending: readonly SpeedDialEdit[];
  /** What the user sees: `base` with `pending` applied. */
  readonly entries: readonly SpeedDial[];
  readonly saving: boolean;
  readonly notice: SpeedDialNotice | undefined;
  /** Loading the set on its own (`GET /api/speed-dials`) failed. */
  readonly loadFailed: boolean;
}

/** Fallback for the 413 message when the server did not say its limit. */
const GRAPH_EXTENSION_BYTES = 2048;

/**
 * The speed-dial set and its saving, outside React so the merge rules can be tested on their
 * own. Every edit shows at once; one PUT at a time carries all edits so far together with the
 * base they were made on; the answer (possibly merged with another device's changes) becomes the
 * new base, and edits made while it was in flight are replayed on it and sent next.
 */
export class SpeedDialSync {
  private base: SpeedDials | undefined;
  private pending: SpeedDialEdit[] = [];
  private inFlight = 0;
  private notice: SpeedDialNotice | undefined;
  private loadFailed = false;
  private snapshot: SpeedDialsSnapshot;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly api: Pick<ApiClient, 'saveSpeedDials' | 'speedDials'>,
    initial?: SpeedDials,
  ) {
    this.base = initial;
    this.snapshot = this.makeSnapshot();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  getSnapshot = (): SpeedDialsSnapshot => this.snapshot;

  /**
   * A set read from the server outside a save (the network bootstrap after the cached one).
   * Ignored while edits are unconfirmed: the save's own answer is fresher. Edits made before
   * any set was known are saved on top of it.
   */
  adopt(set: SpeedDials): void {
    const current = this.base;
    if (
      current !== undefined &&
      (this.inFlight > 0 || this.pending.length > 0 || current.version === set.version)
    )
      return;
    this.base = set;
    this.loadFailed = false;
    this.changed();
    this.saveNext();
  }

  edit(edit: SpeedDialEdit): void {
    this.pending.push(edit);
    // A new edit is a fresh attempt: an old "full" or "merged" note no longer applies.
    if (this.notice?.kind !== 'save_failed') this.notice = undefined;
    this.changed();
    this.saveNext();
  }

  /** Saves again after a failed save (the edits were kept). */
  retry(): void {
    this.notice = undefined;
    this.changed();
    this.saveNext();
  }

  dismissNotice(): void {
    if (this.notice === undefined || this.notice.kind === 'save_failed') return;
    this.notice = undefined;
    this.changed();
  }

  async reload(): Promise<void> {
    this.loadFailed = false;
    this.changed();
    const result = await this.api.speedDials();
    if (result.ok) {
      this.adopt(result.value);
    } else {
      this.loadFailed = true;
      this.changed();
    }
  }

  private saveNext(): void {
    const base = this.base;
    if (base === undefined || this.inFlight > 0 || this.pending.length === 0) return;
    if (this.notice?.kind === 'save_failed') return;
    const carried = this.pending.length;
    this.inFlight = carried;
    const entries = applyEdits(base.entries, this.pending);
    void this.api.saveSpeedDials(entries, { version: base.version, entries: base.entries }).then((result) => {
      this.inFlight = 0;
      if (!result.ok && result.error.kind === 'http' && result.error.status === 400) {
        this.pending = this.pending.slice(carried);
        this.notice = { kind: 'rejected' };
      } else if (!result.ok) {
        this.notice = { kind: 'save_failed' };
      } else if (result.value.kind === 'full') {
        // Nothing was written: the edits that overflowed are dropped, and the message says why.
        this.pending = this.pending.slice(carried);
        this.notice = { kind: 'full', bytesMax: result.value.bytesMax ?? GRAPH_EXTENSION_BYTES };
      } else {
        const { kind: _kind, merged, conflicts, ...saved } = result.value;
        this.base = saved;
        this.pending = this.pending.slice(carried);
        if (merged || conflicts.length > 0) this.notice = { kind: 'merged', conflicts: conflicts.length };
      }
      this.changed();
      this.saveNext();
    });
  }

  private changed(): void {
    this.snapshot = this.makeSnapshot();
    for (const listener of this.listeners) listener();
  }

  private makeSnapshot(): SpeedDialsSnapshot {
    return {
      base: this.base,
      pending: [...this.pending],
      entries: applyEdits(this.base?.entries ?? [], this.pending),
      saving: this.inFlight > 0 || (this.pending.length > 0 && this.notice?.kind !== 'save_failed'),
      notice: this.notice,
      loadFailed: this.loadFailed,
    };
  }
}
