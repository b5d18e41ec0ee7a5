import type { PresenceSyncPut } from '../../bot/src/store/store.js';

/** A presence-sync row to write: sync on, rule `always`, nothing synced yet, created (no version). */
export function presencePut(userId: string, overrides: Partial<PresenceSyncPut> = {}): PresenceSyncPut {
  return {
    userId,
    enabled: true,
    rule: 'always',
    lastSyncedAt: null,
    lastErrorCode: null,
    lastErrorAction: null,
    teamsState: null,
    webexState: null,
    expectedVersion: null,
    ...overrides,
  };
}
