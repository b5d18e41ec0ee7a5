import { parseBootstrap, type Bootstrap } from '../../api/contract.js';

/**
 * The last bootstrap answer, kept in localStorage per Teams user so the next open paints at
 * once. It holds what the page showed (names, numbers, link state), never a token. Read back
 * through the same parser as the network answer: storage is as untrusted as the wire.
 */

const PREFIX = 'callbridge.bootstrap.v1.';

/** What we store: the answer and when it arrived (to show "last updated" if ever needed). */
interface Stored {
  readonly savedAt: number;
  readonly bootstrap: Bootstrap;
}

export interface BootstrapCache {
  read(userId: string): Bootstrap | undefined;
  write(userId: string, bootstrap: Bootstrap): void;
}

export function createBootstrapCache(
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined,
  now: () => number = Date.now,
): BootstrapCache {
  return {
    read(userId) {
      if (storage === undefined) return undefined;
      try {
        const raw = storage.getItem(PREFIX + userId);
        if (raw === null) return undefined;
        const stored = JSON.parse(raw) as Partial<Stored>;
        return parseBootstrap(stored.bootstrap);
      } catch {
        // Unreadable (quota, private mode, a format from an older tab): start from the network.
        return undefined;
      }
    },
    write(userId, bootstrap) {
      if (storage === undefined) return;
      const stored: Stored = { savedAt: now(), bootstrap };
      try {
        storage.setItem(PREFIX + userId, JSON.stringify(stored));
      } catch {
        // A full or disabled storage only costs the next open its instant paint.
      }
    },
  };
}

/** localStorage when the page may use it (a sandboxed frame without storage access throws). */
export function browserStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
