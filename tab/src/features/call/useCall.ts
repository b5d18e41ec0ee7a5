import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient, ApiError } from '../../api/client.js';
import type { CallView, DeepLinks } from '../../api/contract.js';

/** Why a call could not be placed, in the terms the UI explains. */
export type CallProblem =
  | 'invalid_number'
  | 'not_calling_enabled'
  | 'webex_relink_required'
  | 'webex_unavailable'
  | 'network'
  | 'other';

export interface EndProblem {
  readonly problem: CallProblem;
  readonly retryAfterSeconds?: number;
}

export interface CallTarget {
  readonly destination: string;
  readonly displayName?: string;
}

export type CallPanelState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'placing'; readonly target: CallTarget }
  | {
      readonly kind: 'webex';
      readonly target: CallTarget;
      readonly call: CallView;
      /** The last status poll failed; the call may well be going on. */
      readonly statusLost: boolean;
      /** Cancel or Hang up was pressed and CallBridge has not answered yet. */
      readonly ending: boolean;
      /** Why the last Cancel or Hang up failed; the call is still on. */
      readonly endProblem: EndProblem | null;
    }
  | {
      readonly kind: 'deep_link';
      readonly target: CallTarget;
      readonly links: DeepLinks;
      readonly linkWebex: boolean;
    }
  | {
      readonly kind: 'error';
      readonly target: CallTarget;
      readonly problem: CallProblem;
      readonly retryAfterSeconds?: number;
    };

export interface CallHandle {
  readonly state: CallPanelState;
  readonly place: (target: CallTarget) => void;
  /** Cancels the live call while it rings, hangs it up once answered; no-op when none is live. */
  readonly hangUp: () => void;
  readonly dismiss: () => void;
}

/** How often the live panel asks for the call's state (the contract's ~1 s). */
export const CALL_POLL_MS = 1_000;

export function isFinished(call: CallView): boolean {
  return call.state === 'ended' || call.state === 'failed';
}

/**
 * One call at a time: `POST /api/calls`, then, for a Webex click-to-dial, `GET /api/calls/{id}`
 * every second until it ends. A new call or dismiss stops the polling of the previous one.
 */
export function useCall(api: ApiClient, pollMs: number = CALL_POLL_MS): CallHandle {
  const [state, setState] = useState<CallPanelState>({ kind: 'idle' });
  const generation = useRef(0);

  useEffect(() => {
    const counter = generation;
    return () => {
      counter.current++;
    };
  }, []);

  const place = useCallback(
    (target: CallTarget) => {
      const mine = ++generation.current;
      setState({ kind: 'placing', target });
      void api.placeCall(target.destination, target.displayName).then((result) => {
        if (mine !== generation.current) return;
        if (!result.ok) {
          setState({ kind: 'error', target, ...problemFor(result.error) });
          return;
        }
        const placed = result.value;
        setState(
          placed.mode === 'webex'
            ? { kind: 'webex', target, call: placed.call, statusLost: false, ending: false, endProblem: null }
            : { kind: 'deep_link', target, links: placed.links, linkWebex: placed.linkWebex },
        );
      });
    },
    [api],
  );

  const callId = state.kind === 'webex' && !isFinished(state.call) ? state.call.id : undefined;

  useEffect(() => {
    if (callId === undefined) return;
    const mine = generation.current;
    const timer = setTimeout(() => {
      void api.call(callId).then((result) => {
        if (mine !== generation.current) return;
        setState((s) => {
          // A finished call stays finished: a poll sent before Hang up may answer after it.
          if (s.kind !== 'webex' || s.call.id !== callId || isFinished(s.call)) return s;
          if (result.ok) return { ...s, call: result.value, statusLost: false };
          // Webex no longer lists the call: it is over.
          if (result.error.kind === 'not_found') return { ...s, call: { ...s.call, state: 'ended' } };
          return { ...s, statusLost: true };
        });
      });
    }, pollMs);
    return () => {
      clearTimeout(timer);
    };
    // `state` re-arms the timer after every answer (each one is a new state object).
  }, [api, callId, pollMs, state]);

  const hangUp = useCallback(() => {
    if (callId === undefined) return;
    const mine = generation.current;
    const ending = (change: (s: CallPanelState & { kind: 'webex' }) => CallPanelState) => {
      setState((s) => (s.kind === 'webex' && s.call.id === callId ? change(s) : s));
    };
    ending((s) => ({ ...s, ending: true, endProblem: null }));
    void api.hangUp(callId).then((result) => {
      if (mine !== generation.current) return;
      ending((s) => {
        if (result.ok) return { ...s, call: result.value, statusLost: false, ending: false };
        // The server no longer knows the call: it is over all the same.
        if (result.error.kind === 'not_found')
          return { ...s, call: { ...s.call, state: 'ended' }, ending: false };
        return { ...s, ending: false, endProblem: problemFor(result.error) };
      });
    });
  }, [api, callId]);

  const dismiss = useCallback(() => {
    generation.current++;
    setState({ kind: 'idle' });
  }, []);

  return { state, place, hangUp, dismiss };
}

export function problemFor(error: ApiError): { problem: CallProblem; retryAfterSeconds?: number } {
  switch (error.kind) {
    case 'network':
      return { problem: 'network' };
    case 'unavailable':
      return {
        problem: 'webex_unavailable',
        ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
      };
    case 'http':
      switch (error.code) {
        case 'invalid_number':
        case 'not_calling_enabled':
        case 'webex_relink_required':
          return { problem: error.code };
        case 'webex_unavailable':
          return {
            problem: 'webex_unavailable',
            ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
          };
        case undefined:
        default:
          return { problem: 'other' };
      }
    case 'no_token':
    case 'consent_required':
    case 'interaction_required':
    case 'unauthorized':
    case 'not_found':
    case 'bad_response':
      return { problem: 'other' };
  }
}
