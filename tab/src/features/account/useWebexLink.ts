import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient, ApiResult, WebexLinkStatus } from '../../api/client.js';
import { CANCELLED_BY_USER, type TeamsHost } from '../../app/TeamsHost.js';

/** The Webex sign-in popup's size (Webex's own sign-in page fits it without scrolling). */
export const WEBEX_POPUP = { width: 600, height: 700 } as const;

/** What the last link or unlink attempt left to say; cleared by the next action. */
export type WebexNotice =
  'link_cancelled' | 'link_denied' | 'link_taken' | 'link_expired' | 'link_failed' | 'unlink_failed';

export type WebexCardState =
  | { readonly kind: 'loading' }
  /** The server has no Webex linking (404): not configured for this deployment. */
  | { readonly kind: 'not_available' }
  | { readonly kind: 'load_failed' }
  | {
      readonly kind: 'ready';
      readonly status: WebexLinkStatus;
      readonly busy: 'linking' | 'unlinking' | null;
      readonly notice?: WebexNotice;
    };

export interface WebexLink {
  readonly state: WebexCardState;
  readonly link: () => void;
  readonly unlink: () => void;
  readonly reload: () => void;
}

/**
 * `initial` is the bootstrap's link state: undefined until the bootstrap (or its cache) has
 * answered, null when it had none (then the card asks `GET /api/webex/link` itself). Without
 * the argument the card loads its own state, as it did before there was a bootstrap.
 */
export function useWebexLink(
  api: ApiClient,
  host: TeamsHost,
  initial: WebexLinkStatus | null | undefined = null,
): WebexLink {
  const [state, setState] = useState<WebexCardState>(
    initial ? { kind: 'ready', status: initial, busy: null } : { kind: 'loading' },
  );
  const generation = useRef(0);

  const load = useCallback(
    async (notice?: WebexNotice) => {
      const mine = ++generation.current;
      const result = await api.webexLinkStatus();
      if (mine === generation.current) setState(cardStateFor(result, notice));
    },
    [api],
  );

  // A fresher bootstrap (network after cache) replaces what the card shows, unless a link or
  // unlink is in progress. Adjusted while rendering, as React recommends for derived state.
  const [seen, setSeen] = useState(initial);
  if (seen !== initial) {
    setSeen(initial);
    if (initial && !(state.kind === 'ready' && state.busy !== null)) {
      setState({ kind: 'ready', status: initial, busy: null });
    }
  }

  // No bootstrap answer for Webex (null): the card asks the route itself.
  useEffect(() => {
    if (initial !== null) return;
    const counter = generation;
    const mine = ++counter.current;
    void api.webexLinkStatus().then((result) => {
      if (mine === counter.current) setState(cardStateFor(result, undefined));
    });
    return () => {
      counter.current++;
    };
  }, [api, initial]);

  const link = useCallback(() => {
    if (state.kind !== 'ready' || state.busy !== null) return;
    const { status } = state;
    setState({ kind: 'ready', status, busy: 'linking' });
    const mine = ++generation.current;
    void (async () => {
      const started = await api.startWebexLink();
      if (mine !== generation.current) return;
      if (!started.ok) {
        setState({ kind: 'ready', status, busy: null, notice: 'link_failed' });
        return;
      }
      const outcome = await host.authenticate({ url: started.value.url, ...WEBEX_POPUP });
      if (mine !== generation.current) return;
      // Whatever the popup said, the server is the truth: a popup closed after the callback
      // page loaded may still have linked.
      await load(outcome.ok ? undefined : linkNotice(outcome.reason));
    })();
  }, [api, host, state, load]);

  const unlink = useCallback(() => {
    if (state.kind !== 'ready' || state.busy !== null) return;
    const { status } = state;
    setState({ kind: 'ready', status, busy: 'unlinking' });
    const mine = ++generation.current;
    void (async () => {
      const result = await api.unlinkWebex();
      if (mine !== generation.current) return;
      if (result.ok) await load();
      else setState({ kind: 'ready', status, busy: null, notice: 'unlink_failed' });
    })();
  }, [api, state, load]);

  const reload = useCallback(() => {
    setState({ kind: 'loading' });
    void load();
  }, [load]);

  return { state, link, unlink, reload };
}

function cardStateFor(result: ApiResult<WebexLinkStatus>, notice: WebexNotice | undefined): WebexCardState {
  if (result.ok)
    return { kind: 'ready', status: result.value, busy: null, ...(notice === undefined ? {} : { notice }) };
  return result.error.kind === 'not_found' ? { kind: 'not_available' } : { kind: 'load_failed' };
}

/** The link flow's result page reports these codes through `notifyFailure`. */
function linkNotice(reason: string): WebexNotice {
  switch (reason) {
    case CANCELLED_BY_USER:
      return 'link_cancelled';
    case 'access_denied':
    case 'denied':
      return 'link_denied';
    case 'webex_already_linked':
      return 'link_taken';
    case 'expired':
      return 'link_expired';
    default:
      return 'link_failed';
  }
}
