import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { ApiClient } from '../../api/client.js';
import type { SpeedDials } from '../../api/contract.js';
import type { SpeedDialEdit } from './edits.js';
import { SpeedDialSync, type SpeedDialsSnapshot } from './sync.js';

export type { SpeedDialNotice } from './sync.js';

export interface SpeedDialsHandle extends SpeedDialsSnapshot {
  readonly edit: (edit: SpeedDialEdit) => void;
  readonly retry: () => void;
  readonly reload: () => void;
  readonly dismissNotice: () => void;
}

/** The speed dials for React: one {@link SpeedDialSync} per API client, fed by the bootstrap. */
export function useSpeedDials(api: ApiClient, initial: SpeedDials | null | undefined): SpeedDialsHandle {
  const [sync] = useState(() => new SpeedDialSync(api, initial ?? undefined));
  const snapshot = useSyncExternalStore(sync.subscribe, sync.getSnapshot);

  // A fresher set from the bootstrap (network after cache) is handed to the store, which
  // decides whether it can take it; the store is an external system, so this is an effect.
  useEffect(() => {
    if (initial) sync.adopt(initial);
  }, [sync, initial]);

  return useMemo(
    () => ({
      ...snapshot,
      edit: (edit: SpeedDialEdit) => {
        sync.edit(edit);
      },
      retry: () => {
        sync.retry();
      },
      reload: () => {
        void sync.reload();
      },
      dismissNotice: () => {
        sync.dismissNotice();
      },
    }),
    [sync, snapshot],
  );
}
