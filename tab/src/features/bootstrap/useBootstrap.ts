import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ApiClient, ApiError, ApiResult } from '../../api/client.js';
import type { Bootstrap } from '../../api/contract.js';
import type { BootstrapCache } from './cache.js';

export interface BootstrapHandle {
  /** What to draw: this session's network answer, else the cached one, else nothing yet. */
  readonly data: Bootstrap | undefined;
  /** `cache` until the network has answered this session. */
  readonly source: 'cache' | 'network' | undefined;
  /** A request is in flight. */
  readonly loading: boolean;
  /** Why the last request failed (cached or earlier data, if any, is still drawn). */
  readonly error: ApiError | undefined;
  readonly reload: () => void;
}

/**
 * First paint: the cached bootstrap for this Teams user at once, then one `GET /api/bootstrap`.
 * `enabled` is false until Teams has answered (no SSO token before that); the request runs in
 * parallel with the sign-in check, so a returning user never waits on two round trips.
 */
export function useBootstrap(
  api: ApiClient,
  cache: BootstrapCache,
  userId: string | undefined,
  enabled: boolean,
): BootstrapHandle {
  const cached = useMemo(() => (userId === undefined ? undefined : cache.read(userId)), [cache, userId]);
  const [attempt, setAttempt] = useState(0);
  const [latest, setLatest] = useState<{ readonly attempt: number; readonly result: ApiResult<Bootstrap> }>();
  const [fresh, setFresh] = useState<Bootstrap>();

  useEffect(() => {
    if (!enabled) return;
    let current = true;
    void api.bootstrap().then((result) => {
      if (!current) return;
      setLatest({ attempt, result });
      if (result.ok) {
        setFresh(result.value);
        if (userId !== undefined) cache.write(userId, result.value);
      }
    });
    return () => {
      current = false;
    };
  }, [api, cache, userId, enabled, attempt]);

  const reload = useCallback(() => {
    setAttempt((n) => n + 1);
  }, []);

  const answered = latest?.attempt === attempt;
  return {
    data: fresh ?? cached,
    source: fresh !== undefined ? 'network' : cached !== undefined ? 'cache' : undefined,
    loading: enabled && !answered,
    error: answered && !latest.result.ok ? latest.result.error : undefined,
    reload,
  };
}
