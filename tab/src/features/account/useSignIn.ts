import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient, ApiError, ApiResult } from '../../api/client.js';
import { CANCELLED_BY_USER, type TeamsHost } from '../../app/TeamsHost.js';

/** The consent popup's size, from the consent endpoint's contract. */
export const CONSENT_POPUP = { width: 600, height: 535 } as const;

/** Why the last attempt to grant permission did not get the user signed in. */
export type GrantProblem = 'cancelled' | 'failed' | 'blocked' | 'still_missing';

export type SignInError = 'unavailable' | 'network' | 'no_token' | 'unauthorized' | 'other';

export type SignInState =
  | { readonly kind: 'checking' }
  | { readonly kind: 'signed_in' }
  | {
      readonly kind: 'needs_permission';
      /** `consent`: grant permission; `interaction`: sign in again with Entra's claims. */
      readonly reason: 'consent' | 'interaction';
      readonly claims?: string;
      readonly problem?: GrantProblem;
      /** The consent popup is open (or being prepared). */
      readonly granting: boolean;
    }
  | { readonly kind: 'error'; readonly error: SignInError };

export interface SignIn {
  readonly state: SignInState;
  /** Opens the consent (or interactive sign-in) popup, then checks again. */
  readonly grant: () => void;
  /** Checks again from the start (after an error). */
  readonly retry: () => void;
}

/**
 * The tab's sign-in on load: `POST /api/auth/token` enrols the server-side session. When Entra
 * needs the user (consent, or an interactive sign-in with claims) it runs the consent popup and
 * checks again. `enabled` is false until Teams has answered (no SSO token before that).
 */
export function useSignIn(api: ApiClient, host: TeamsHost, enabled: boolean): SignIn {
  const [state, setState] = useState<SignInState>({ kind: 'checking' });
  // Guards against answers arriving after unmount (strict mode) or after a newer attempt.
  const generation = useRef(0);

  const check = useCallback(
    async (afterGrant: boolean) => {
      const mine = ++generation.current;
      const result = await api.signIn();
      if (mine === generation.current) setState(signInStateFor(result, afterGrant));
    },
    [api],
  );

  useEffect(() => {
    if (!enabled) return;
    const counter = generation;
    const mine = ++counter.current;
    void api.signIn().then((result) => {
      if (mine === counter.current) setState(signInStateFor(result, false));
    });
    return () => {
      counter.current++;
    };
  }, [enabled, api]);

  const grant = useCallback(() => {
    if (state.kind !== 'needs_permission' || state.granting) return;
    const { reason, claims } = state;
    const waiting: SignInState = {
      kind: 'needs_permission',
      reason,
      ...(claims === undefined ? {} : { claims }),
      granting: true,
    };
    setState(waiting);
    const mine = ++generation.current;
    void (async () => {
      const started = await api.startConsent(claims);
      if (mine !== generation.current) return;
      if (!started.ok) {
        setState(
          started.error.kind === 'network' || started.error.kind === 'unavailable'
            ? stateFor(started.error)
            : { ...waiting, granting: false, problem: 'failed' },
        );
        return;
      }
      const outcome = await host.authenticate({ url: started.value.url, ...CONSENT_POPUP });
      if (mine !== generation.current) return;
      if (!outcome.ok) {
        setState({ ...waiting, granting: false, problem: grantProblem(outcome.reason) });
        return;
      }
      setState({ kind: 'checking' });
      await check(true);
    })();
  }, [api, host, state, check]);

  const retry = useCallback(() => {
    setState({ kind: 'checking' });
    void check(false);
  }, [check]);

  return { state, grant, retry };
}

function signInStateFor(result: ApiResult<void>, afterGrant: boolean): SignInState {
  if (result.ok) return { kind: 'signed_in' };
  const next = stateFor(result.error);
  // A popup that ended in success but left consent missing is its own message.
  return afterGrant && next.kind === 'needs_permission' ? { ...next, problem: 'still_missing' } : next;
}

export function stateFor(error: ApiError): SignInState {
  switch (error.kind) {
    case 'consent_required':
      return { kind: 'needs_permission', reason: 'consent', granting: false };
    case 'interaction_required':
      return {
        kind: 'needs_permission',
        reason: 'interaction',
        granting: false,
        ...(error.claims === undefined ? {} : { claims: error.claims }),
      };
    case 'unavailable':
      return { kind: 'error', error: 'unavailable' };
    case 'network':
      return { kind: 'error', error: 'network' };
    case 'no_token':
      return { kind: 'error', error: 'no_token' };
    case 'unauthorized':
      return { kind: 'error', error: 'unauthorized' };
    case 'not_found':
    case 'http':
    case 'bad_response':
      return { kind: 'error', error: 'other' };
  }
}

/** teams-js' failure reasons for a popup that never reported a result. */
function grantProblem(reason: string): GrantProblem {
  if (reason === CANCELLED_BY_USER) return 'cancelled';
  // Teams reports a blocked popup this way (web client with pop-ups disallowed).
  if (/popup|blocked/i.test(reason)) return 'blocked';
  return 'failed';
}
