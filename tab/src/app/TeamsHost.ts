import { app, authentication } from '@microsoft/teams-js';

/** What the shell needs from Teams, already narrowed from teams-js' much larger context. */
export interface HostContext {
  /** Teams' raw theme name; `theme.ts` decides how to draw it. */
  readonly theme: string;
  /** For display only: teams-js context is not proof of identity (tokens are, later). */
  readonly userName: string | undefined;
  /**
   * The user's Entra object id as Teams reports it: only a key for this device's cache of what
   * the tab last showed, never an identity the API trusts.
   */
  readonly userId?: string;
}

export type Connection =
  { readonly kind: 'teams'; readonly context: HostContext } | { readonly kind: 'unhosted' };

/**
 * The one place the tab talks to teams-js, so the UI can run against a fake host in tests and
 * against nothing at all when the page is opened outside Teams.
 */
export interface TeamsHost {
  /**
   * Resolves `unhosted` when teams-js cannot reach a host (it rejects at once when the page is
   * top-level with no opener, and waits forever when framed by a page that isn't a Microsoft 365
   * host, hence the timeout). Rejects when a host answered but its context could not be read:
   * that is a real failure inside Teams. Idempotent: the first call's promise is shared.
   */
  connect(): Promise<Connection>;
  /** Teams keeps one theme handler per page; a later registration replaces the earlier one. */
  onThemeChange(handler: (theme: string) => void): void;
  /** Hides Teams' own loading indicator if the manifest asks for one (`showLoadingIndicator`). */
  notifyReady(): void;
  /**
   * The Teams SSO token for our API (`authentication.getAuthToken`). Teams caches it and renews
   * it when it is near expiry, so every call may be a new token; never cache it in the tab.
   */
  getAuthToken(): Promise<TokenOutcome>;
  /**
   * Opens Teams' authentication window on `url` (same origin as the tab) and resolves with what
   * the page reported through `notifySuccess` / `notifyFailure`, or `CancelledByUser` when the
   * user closed the window. Never rejects.
   */
  authenticate(request: AuthenticateRequest): Promise<AuthenticateOutcome>;
}

export type TokenOutcome =
  { readonly ok: true; readonly token: string } | { readonly ok: false; readonly reason: string };

export interface AuthenticateRequest {
  readonly url: string;
  readonly width: number;
  readonly height: number;
}

export type AuthenticateOutcome =
  { readonly ok: true; readonly result: string } | { readonly ok: false; readonly reason: string };

/** What teams-js rejects with when the user closes the authentication window. */
export const CANCELLED_BY_USER = 'CancelledByUser';

/** Long enough for a cold Teams mobile webview, short enough that a wrong host doesn't look hung. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

export function createTeamsHost(timeoutMs: number = DEFAULT_CONNECT_TIMEOUT_MS): TeamsHost {
  let connection: Promise<Connection> | undefined;

  async function connectOnce(): Promise<Connection> {
    try {
      await withTimeout(app.initialize(), timeoutMs);
    } catch {
      return { kind: 'unhosted' };
    }
    const context = await withTimeout(app.getContext(), timeoutMs);
    return {
      kind: 'teams',
      context: {
        theme: context.app.theme,
        userName: context.user?.displayName ?? context.user?.userPrincipalName ?? context.user?.loginHint,
        ...(context.user?.id === undefined ? {} : { userId: context.user.id }),
      },
    };
  }

  return {
    connect: () => (connection ??= connectOnce()),
    onThemeChange: (handler) => {
      app.registerOnThemeChangeHandler(handler);
    },
    notifyReady: () => {
      // Teams answers with a status we have no use for; a failure here only means its loading
      // indicator (if any) times out on its own, which is not worth surfacing to the user.
      app.notifySuccess().catch(() => undefined);
    },
    getAuthToken: async () => {
      try {
        return { ok: true, token: await authentication.getAuthToken() };
      } catch (error) {
        return { ok: false, reason: reasonOf(error) };
      }
    },
    authenticate: async ({ url, width, height }) => {
      try {
        return { ok: true, result: await authentication.authenticate({ url, width, height }) };
      } catch (error) {
        return { ok: false, reason: reasonOf(error) };
      }
    },
  };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`No answer from the Teams host within ${ms} ms`));
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/** teams-js rejects with `Error(reason)` (or, from older hosts, a bare string). */
function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : 'unknown';
}
