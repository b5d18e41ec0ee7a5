import type { SpeedDial } from '../../api/contract.js';

/**
 * Speed-dial changes are kept as a list of edits on top of the last set the server confirmed,
 * not as a new list. When the server answers with a set merged with another device's changes,
 * edits the user made while that save was in flight are replayed on the merged set, so nothing
 * typed during a save is lost and nothing the other device added is dropped.
 */
export type SpeedDialEdit =
  | { readonly kind: 'add'; readonly entry: SpeedDial }
  | { readonly kind: 'update'; readonly id: string; readonly label: string; readonly number: string }
  | { readonly kind: 'remove'; readonly id: string }
  /** Moves the entry to `index` in the list as it stands when the edit is applied (clamped). */
  | { readonly kind: 'move'; readonly id: string; readonly index: number };

export function applyEdits(entries: readonly SpeedDial[], edits: readonly SpeedDialEdit[]): SpeedDial[] {
  let list = [...entries];
  for (const edit of edits) list = applyEdit(list, edit);
  return list;
}

function applyEdit(list: SpeedDial[], edit: SpeedDialEdit): SpeedDial[] {
  switch (edit.kind) {
    case 'add':
      // Adding the same id twice (a replay after a merge that already holds it) is a no-op.
      return list.some((e) => e.id === edit.entry.id) ? list : [...list, edit.entry];
    case 'update':
      return list.map((e) => (e.id === edit.id ? { ...e, label: edit.label, number: edit.number } : e));
    case 'remove':
      return list.filter((e) => e.id !== edit.id);
    case 'move': {
      const from = list.findIndex((e) => e.id === edit.id);
      if (from < 0) return list;
      const next = [...list];
      const [moved] = next.splice(from, 1);
      if (moved === undefined) return list;
      next.splice(Math.max(0, Math.min(edit.index, next.length)), 0, moved);
      return next;
    }
  }
}

/** The edit that moves `id` one place up (-1) or down (+1), or undefined at either end. */
export function stepMove(list: readonly SpeedDial[], id: string, delta: -1 | 1): SpeedDialEdit | undefined {
  const from = list.findIndex((e) => e.id === id);
  const to = from + delta;
  if (from < 0 || to < 0 || to >= list.length) return undefined;
  return { kind: 'move', id, index: to };
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A new entry id: 10 characters of [A-Za-z0-9], unique among `taken`. */
export function newSpeedDialId(taken: readonly SpeedDial[], random: () => number = Math.random): string {
  for (;;) {
    let id = '';
    for (let i = 0; i < 10; i++) id += ID_ALPHABET[Math.floor(random() * ID_ALPHABET.length)] ?? 'x';
    if (!taken.some((e) => e.id === id)) return id;
  }
}

/** Speed-dial label limit from the contract; longer names are cut rather than refused. */
export const LABEL_MAX = 64;
export const NUMBER_MAX = 64;

export function speedDialFor(
  taken: readonly SpeedDial[],
  label: string,
  number: string,
  aadObjectId?: string,
): SpeedDial {
  const trimmedNumber = number.trim().slice(0, NUMBER_MAX);
  return {
    id: newSpeedDialId(taken),
    label: (label.trim() === '' ? trimmedNumber : label.trim()).slice(0, LABEL_MAX),
    number: trimmedNumber,
    ...(aadObjectId === undefined ? {} : { aadObjectId }),
  };
}
