import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ApiError, ApiResult } from '../api/client.js';

export type LoadState<T> =
  | { readonly kind: 'loading'; readonly previous?: T }
  | { readonly kind: 'ready'; readonly value: T }
  | { readonly kind: 'failed'; readonly error: ApiError };

export interface Load<T> {
  readonly state: LoadState<T>;
  readonly reload: () => void;
  /** Changes the loaded value in place (an optimistic update the server then confirms). */
  readonly update: (change: (value: T) => T) => void;
}

/** One request: a new object each time something asks for a fresh answer. */
interface Request {
  readonly load: () => Promise<unknown>;
  readonly reloadKey: string | undefined;
  readonly attempt: number;
}

/**
 * Loads one API resource, again whenever `load` or `reloadKey` changes and on reload. Only the
 * answer to the latest request counts; "loading" is simply "the latest request has no answer
 * yet", so nothing is set synchronously inside the effect.
 */
export function useLoad<T>(load: () => Promise<ApiResult<T>>, reloadKey?: string): Load<T> {
  const [attempt, setAttempt] = useState(0);
  const request = useMemo<Request>(() => ({ load, reloadKey, attempt }), [load, reloadKey, attempt]);
  const [answer, setAnswer] = useState<{ readonly request: Request; readonly result: ApiResult<T> }>();

  useEffect(() => {
    let current = true;
    void load().then((result) => {
      if (current) setAnswer({ request, result });
    });
    return () => {
      current = false;
    };
  }, [load, request]);

  const reload = useCallback(() => {
    setAttempt((n) => n + 1);
  }, []);

  const update = useCallback((change: (value: T) => T) => {
    setAnswer((a) =>
      a?.result.ok === true ? { ...a, result: { ok: true, value: change(a.result.value) } } : a,
    );
  }, []);

  let state: LoadState<T>;
  if (answer?.request === request) {
    state = answer.result.ok
      ? { kind: 'ready', value: answer.result.value }
      : { kind: 'failed', error: answer.result.error };
  } else {
    state =
      answer?.result.ok === true ? { kind: 'loading', previous: answer.result.value } : { kind: 'loading' };
  }
  return { state, reload, update };
}

/** The value to draw: the loaded one, or the previous one while reloading. */
export function loadedValue<T>(state: LoadState<T>): T | undefined {
  if (state.kind === 'ready') return state.value;
  return state.kind === 'loading' ? state.previous : undefined;
}
