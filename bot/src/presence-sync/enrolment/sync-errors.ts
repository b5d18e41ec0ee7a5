import type { PresenceSyncState, Store } from '../../store/store.js';

/** What the user (or their admin) can do about a blocked sync; the tab shows one button for it. */
export type SyncAction = 'sign_in' | 'link_webex' | 'admin_consent' | 'retry';

const CAS_ATTEMPTS = 5;

/**
 * Sets (or, with `null`, clears) the last error on a user's presence-sync row with
 * compare-and-swap, re-reading on a lost race: the engine writes the same row. A user without a
 * row (never enrolled) is left alone. `onlyIfCode` clears only an error this caller recorded.
 */
export async function recordSyncError(
  store: Pick<Store, 'presence'>,
  userId: string,
  error: { readonly code: string; readonly action: SyncAction } | null,
  onlyIfCode?: string,
): Promise<PresenceSyncState | undefined> {
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt += 1) {
    const row = await store.presence.get(userId);
    if (row === undefined) return undefined;
    if (onlyIfCode !== undefined && row.lastErrorCode !== onlyIfCode) return row;
    const code = error?.code ?? null;
    const action = error?.action ?? null;
    if (row.lastErrorCode === code && row.lastErrorAction === action) return row;
    const written = await store.presence.upsert({
      ...row,
      lastErrorCode: code,
      lastErrorAction: action,
      expectedVersion: row.version,
    });
    if (written.ok) return written.value;
    if (written.error.code === 'user_not_found') return undefined;
  }
  return undefined;
}
