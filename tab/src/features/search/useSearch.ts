import { useEffect, useState } from 'react';
import type { ApiClient, ApiResult } from '../../api/client.js';
import type { PeopleResult } from '../../api/contract.js';

export type SearchState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'searching'; readonly query: string; readonly previous?: PeopleResult }
  | { readonly kind: 'done'; readonly query: string; readonly result: PeopleResult }
  | { readonly kind: 'failed'; readonly query: string };

/** Long enough that typing a name is one request, short enough to feel live. */
export const SEARCH_DEBOUNCE_MS = 250;
export const SEARCH_MAX_LENGTH = 100;

interface Answer {
  readonly query: string;
  readonly attempt: number;
  readonly result: ApiResult<PeopleResult>;
}

/**
 * Debounced people search. Only the answer to the current text counts: an earlier, slower
 * answer arriving late is never shown for a newer query. `attempt` changes to search the same
 * text again (after a failure).
 */
export function useSearch(
  api: ApiClient,
  text: string,
  attempt: number,
  debounceMs = SEARCH_DEBOUNCE_MS,
): SearchState {
  const [answer, setAnswer] = useState<Answer>();
  const query = text.trim().slice(0, SEARCH_MAX_LENGTH);

  useEffect(() => {
    if (query === '') return;
    let current = true;
    const timer = setTimeout(() => {
      void api.searchPeople(query).then((result) => {
        if (current) setAnswer({ query, attempt, result });
      });
    }, debounceMs);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, query, attempt, debounceMs]);

  if (query === '') return { kind: 'idle' };
  if (answer?.query === query && answer.attempt === attempt) {
    return answer.result.ok
      ? { kind: 'done', query, result: answer.result.value }
      : { kind: 'failed', query };
  }
  // Keep the last results on screen while the next ones load, so the list doesn't flash.
  return {
    kind: 'searching',
    query,
    ...(answer?.result.ok === true ? { previous: answer.result.value } : {}),
  };
}
