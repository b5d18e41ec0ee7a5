/**
 * The host side of teams-js' window.postMessage protocol, as @microsoft/teams-js 2.58 speaks it
 * (read from its src/internal/communication.ts, appHelpers.ts, handlers.ts and
 * public/authentication.ts). Pure: no DOM, no globals, so it is unit-tested in Node and the page
 * glue (host-page.ts) only moves messages between windows.
 *
 * Wire format:
 * - app → host request: `{ id: number, uuidAsString: string, func: string, args: unknown[], ... }`
 *   (teams-js serialises its UUID object to `uuidAsString`).
 * - host → app response: `{ id, uuidAsString, args }`. teams-js treats any message whose `id` is a
 *   number as a response and matches it to the request by `uuidAsString` (falling back to `id`).
 * - host → app event: `{ func, args }` with no numeric `id` (e.g. `themeChange`).
 */

/** The SDK version this host says it supports (`clientSupportedSDKVersion`). */
export const HOST_SDK_VERSION = '2.58.0';

export type FrameContext = 'content' | 'authentication';
export type TeamsTheme = 'default' | 'dark' | 'contrast';

export const TEAMS_THEMES: readonly TeamsTheme[] = ['default', 'dark', 'contrast'];

export function isTeamsTheme(value: unknown): value is TeamsTheme {
  return value === 'default' || value === 'dark' || value === 'contrast';
}

export interface AppRequest {
  readonly id: number;
  readonly uuidAsString: string | undefined;
  readonly func: string;
  readonly args: readonly unknown[];
}

export interface HostResponse {
  readonly id: number;
  readonly uuidAsString?: string;
  readonly args: readonly unknown[];
}

export interface HostEvent {
  readonly func: string;
  readonly args: readonly unknown[];
}

/** A request from teams-js, or undefined for anything else posted to the host window. */
export function parseAppRequest(data: unknown): AppRequest | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const record = data as Record<string, unknown>;
  const { id, func, args, uuidAsString } = record;
  if (typeof id !== 'number' || typeof func !== 'string') return undefined;
  return {
    id,
    uuidAsString: typeof uuidAsString === 'string' ? uuidAsString : undefined,
    func,
    args: Array.isArray(args) ? (args as unknown[]) : [],
  };
}

export function responseTo(request: AppRequest, args: readonly unknown[]): HostResponse {
  return request.uuidAsString === undefined
    ? { id: request.id, args }
    : { id: request.id, uuidAsString: request.uuidAsString, args };
}

export function themeChangeEvent(theme: TeamsTheme): HostEvent {
  return { func: 'themeChange', args: [theme] };
}

/**
 * What this host supports (runtime config v4). Only capabilities the host really answers are
 * declared, since apps gate features on `isSupported()`: `app` (with the awaited notifySuccess
 * answer) and `pages` (deep links / openLink, focus, frame context). Authentication has no
 * runtime flag in teams-js: getAuthToken and authenticate are always available.
 */
export const RUNTIME_CONFIG = {
  apiVersion: 4,
  hostVersionsInfo: { adaptiveCardSchemaVersion: { majorVersion: 1, minorVersion: 5 } },
  isLegacyTeams: false,
  isNAAChannelRecommended: false,
  supports: {
    app: { notifySuccessResponse: {} },
    pages: { appButton: {}, currentApp: {} },
    teamsCore: {},
  },
} as const;

/** `initialize` answer: [frameContext, hostClientType, runtimeConfig (JSON), clientSupportedSDKVersion]. */
export function initializeResponseArgs(frameContext: FrameContext): unknown[] {
  return [frameContext, 'web', JSON.stringify(RUNTIME_CONFIG), HOST_SDK_VERSION];
}

export interface ContextUser {
  readonly id: string;
  readonly displayName: string;
  readonly userPrincipalName: string;
}

export interface ContextInput {
  readonly user: ContextUser;
  readonly tenantId: string;
  readonly theme: TeamsTheme;
  readonly frameContext: FrameContext;
  readonly locale: string;
  /** The Teams app id (manifest `id`). */
  readonly appId: string;
  /** The static tab's entityId. */
  readonly entityId: string;
  readonly hostSessionId: string;
  readonly appSessionId: string;
}

/**
 * The legacy (flat) context Teams sends for `getContext`; teams-js turns it into `app.Context`
 * (transformLegacyContextToAppContext): `user.displayName` ← userDisplayName, `user.tenant.id` ←
 * tid, `page.id` ← entityId, `app.host.name` ← hostName, and so on.
 */
export function legacyContext(input: ContextInput, now: number = Date.now()): Record<string, unknown> {
  return {
    locale: input.locale,
    theme: input.theme,
    entityId: input.entityId,
    subEntityId: '',
    frameContext: input.frameContext,
    hostClientType: 'web',
    hostName: 'Teams',
    sessionId: input.hostSessionId,
    appSessionId: input.appSessionId,
    appLaunchId: input.appSessionId,
    ringId: 'general',
    appId: input.appId,
    manifestVersion: '1.30',
    userObjectId: input.user.id,
    userDisplayName: input.user.displayName,
    userPrincipalName: input.user.userPrincipalName,
    loginHint: input.user.userPrincipalName,
    tid: input.tenantId,
    tenantSKU: 'enterprise',
    userLicenseType: 'Unknown',
    isCallingAllowed: true,
    isPSTNCallingAllowed: true,
    isFullScreen: false,
    isMultiWindow: false,
    userClickTime: now,
    userClickTimeV2: now,
    userFileOpenPreference: 'inline',
  };
}

export type TokenResult =
  { readonly ok: true; readonly token: string } | { readonly ok: false; readonly error: string };
export type AuthResult =
  { readonly ok: true; readonly result: string } | { readonly ok: false; readonly reason: string };

export interface GetAuthTokenRequest {
  readonly resources: readonly string[] | undefined;
  readonly claims: readonly string[] | undefined;
  readonly silent: boolean | undefined;
  readonly tenantId: string | undefined;
}

export interface AuthenticateRequest {
  readonly url: string;
  readonly width: number | undefined;
  readonly height: number | undefined;
  readonly isExternal: boolean | undefined;
}

/** One line of the host page's protocol log. Never carries a token. */
export interface LogEntry {
  readonly direction: 'in' | 'out' | 'note';
  readonly frame: FrameContext | 'host';
  readonly func: string;
  readonly detail: string;
}

/** What the protocol needs from the page; injected so the protocol runs in a unit test. */
export interface HostEffects {
  context(frameContext: FrameContext): ContextInput;
  getAuthToken(request: GetAuthTokenRequest): Promise<TokenResult>;
  /** Opens the authentication window; `onClosed` fires if the user closes it before a result. */
  openAuthWindow(request: AuthenticateRequest, onClosed: () => void): boolean;
  closeAuthWindow(): void;
  /** app.openLink / executeDeepLink: true when handled. */
  openLink(url: string): boolean;
  /** appInitialization.* and app state, for the page's status line. */
  appState(state: 'loaded' | 'success' | 'failure' | 'expectedFailure', detail: string): void;
  log(entry: LogEntry): void;
}

/** Answers: an args array to post back, or undefined when teams-js expects no answer. */
export type Answer = readonly unknown[] | undefined;

/**
 * Calls the host answers as "not supported" (status-and-reason calls: the promise rejects with
 * the reason) rather than leaving the app waiting forever.
 */
const UNSUPPORTED_STATUS_CALLS = new Set([
  'chat.openChat',
  'calendar.composeMeeting',
  'navigateCrossDomain',
  'navigateBack',
  'navigateToTab',
  'pages.navigateToApp',
]);

export class TeamsHostProtocol {
  private pendingAuth: ((args: readonly unknown[]) => void) | undefined;
  private readonly registered = new Set<string>();

  constructor(private readonly effects: HostEffects) {}

  /** Handler names the app registered (`registerHandler`), e.g. `themeChange`. */
  registeredHandlers(): readonly string[] {
    return [...this.registered];
  }

  async handle(frame: FrameContext, request: AppRequest): Promise<Answer> {
    const { effects } = this;
    const log = (direction: LogEntry['direction'], detail: string): void => {
      effects.log({ direction, frame, func: request.func, detail });
    };
    const args = request.args;
    switch (request.func) {
      case 'initialize': {
        const version = typeof args[0] === 'string' ? args[0] : 'unknown';
        log('in', `teams-js ${version}`);
        log(
          'out',
          `frameContext ${frame}, hostClientType web, runtime apiVersion ${RUNTIME_CONFIG.apiVersion}`,
        );
        return initializeResponseArgs(frame);
      }
      case 'getContext': {
        const context = effects.context(frame);
        log('in', '');
        log('out', `user ${context.user.displayName}, theme ${context.theme}, page ${context.entityId}`);
        return [legacyContext(context)];
      }
      case 'appInitialization.appLoaded':
        log('in', '');
        effects.appState('loaded', '');
        return undefined;
      case 'appInitialization.success':
        log('in', '');
        effects.appState('success', '');
        // Declared `app.notifySuccessResponse`, so teams-js awaits an (empty) answer.
        return [];
      case 'appInitialization.failure':
      case 'appInitialization.expectedFailure': {
        const detail = [args[0], args[1]].filter((v) => typeof v === 'string' && v !== '').join(': ');
        log('in', detail);
        effects.appState(
          request.func === 'appInitialization.failure' ? 'failure' : 'expectedFailure',
          detail,
        );
        return undefined;
      }
      case 'registerHandler': {
        const name = typeof args[0] === 'string' ? args[0] : '';
        if (name !== '') this.registered.add(name);
        log('in', name);
        return undefined;
      }
      case 'authentication.getAuthToken': {
        const tokenRequest: GetAuthTokenRequest = {
          resources: stringArray(args[0]),
          claims: stringArray(args[1]),
          silent: typeof args[2] === 'boolean' ? args[2] : undefined,
          tenantId: typeof args[3] === 'string' ? args[3] : undefined,
        };
        log(
          'in',
          tokenRequest.resources === undefined ? '' : `resources ${tokenRequest.resources.join(' ')}`,
        );
        const result = await effects.getAuthToken(tokenRequest);
        // The token itself never goes into the log.
        log('out', result.ok ? 'token issued' : `failed: ${result.error}`);
        return result.ok ? [true, result.token] : [false, result.error];
      }
      case 'authentication.authenticate': {
        const authRequest: AuthenticateRequest = {
          url: typeof args[0] === 'string' ? args[0] : '',
          width: typeof args[1] === 'number' ? args[1] : undefined,
          height: typeof args[2] === 'number' ? args[2] : undefined,
          isExternal: typeof args[3] === 'boolean' ? args[3] : undefined,
        };
        log('in', redactUrl(authRequest.url));
        const answer = await this.beginAuthentication(authRequest);
        log('out', answer.ok ? 'success' : `failure: ${answer.reason}`);
        return answer.ok ? [true, answer.result] : [false, answer.reason];
      }
      case 'authentication.authenticate.success':
      case 'authentication.authenticate.failure': {
        const success = request.func === 'authentication.authenticate.success';
        const value = typeof args[0] === 'string' ? args[0] : '';
        // The result is whatever the auth page chose to send (often a code or a token): not logged.
        log('in', success ? 'result received' : `reason: ${value}`);
        this.finishAuth(success ? [true, value] : [false, value === '' ? 'Failed' : value]);
        effects.closeAuthWindow();
        return undefined;
      }
      case 'executeDeepLink': {
        const url = typeof args[0] === 'string' ? args[0] : '';
        log('in', redactUrl(url));
        return effects.openLink(url) ? [true] : [false, `The dev host cannot open ${redactUrl(url)}`];
      }
      case 'returnFocus':
      case 'setFrameContext':
      case 'shareDeepLink':
        log('in', '');
        return undefined;
      default:
        if (UNSUPPORTED_STATUS_CALLS.has(request.func)) {
          log('in', 'not supported by the dev host');
          return [false, `${request.func} is not supported by the CallBridge dev host`];
        }
        log('note', 'not implemented by the dev host: no answer sent');
        return undefined;
    }
  }

  /**
   * Opens the authentication window and resolves with what its page reports through
   * `authentication.notifySuccess` / `notifyFailure`, or `CancelledByUser` if it is closed first.
   * Teams keeps one authentication window: a new flow cancels the one before. Also used by the
   * compose box, where Teams (not the app) opens the window for a messaging extension's `auth`.
   */
  beginAuthentication(request: AuthenticateRequest): Promise<AuthResult> {
    this.finishAuth([false, 'CancelledByUser']);
    return new Promise<AuthResult>((resolve) => {
      this.pendingAuth = (answer) => {
        resolve(
          answer[0] === true
            ? { ok: true, result: typeof answer[1] === 'string' ? answer[1] : '' }
            : { ok: false, reason: typeof answer[1] === 'string' ? answer[1] : 'Failed' },
        );
      };
      const opened = this.effects.openAuthWindow(request, () => {
        this.finishAuth([false, 'CancelledByUser']);
      });
      if (!opened) this.finishAuth([false, 'FailedToOpenWindow']);
    });
  }

  /** Cancels an open authentication flow (e.g. the tab reloaded for another user). */
  cancelAuthentication(): void {
    if (this.pendingAuth !== undefined) {
      this.finishAuth([false, 'CancelledByUser']);
      this.effects.closeAuthWindow();
    }
  }

  private finishAuth(answer: readonly unknown[]): void {
    const pending = this.pendingAuth;
    this.pendingAuth = undefined;
    pending?.(answer);
  }
}

function stringArray(value: unknown): readonly string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

/** URLs in the log keep origin and path; queries can carry codes and state, so they are cut. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}${parsed.search === '' ? '' : '?…'}`;
  } catch {
    return url.length > 80 ? `${url.slice(0, 80)}…` : url;
  }
}
