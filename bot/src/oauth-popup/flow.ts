import { createHash, timingSafeEqual } from 'node:crypto';
import type { Response } from 'restify';
import type { TokenKeyRing } from '../auth/key-ring.js';
import type { Route } from '../http/route.js';
import type { Logger } from '../observability/logger.js';
import type { LeaseRepo, User } from '../store/store.js';
import { consumeOnce } from './consume-once.js';
import { noStore, popupAssetRoutes, sendResultPage, type ResultPage } from './pages.js';
import {
  createFlowStateSealer,
  FLOW_TTL_MS,
  randomId,
  type AttemptClaims,
  type FlowStateSealer,
  type StateClaims,
} from './sealer.js';

/**
 * The SSO-bound, one-time browser flow behind every "sign in somewhere else from the Call tab"
 * popup (Webex linking, Microsoft consent / step-up):
 *
 * 1. an SSO-authenticated API call makes a sealed, 10-minute, single-use *attempt* bound to the
 *    caller's tenant and user ({@link PopupFlow.attemptUrl}); the tab opens the URL with
 *    `authentication.authenticate` (a popup cannot carry the SSO token);
 * 2. `GET {base}/start?attempt=` uses up the attempt, makes the PKCE verifier and the OAuth
 *    `state` (sealed: tenant, user, attempt, verifier, browser binding, expiry, extras), sets the
 *    browser-binding cookie (login-CSRF defence) and redirects to the provider's authorize page;
 * 3. `GET {base}/callback` checks the state (ours, unexpired, unused, same browser), hands
 *    provider errors and the code to the flow's own handlers, and shows their result page, which
 *    reports to the tab through teams-js (`{base}/assets/*`).
 *
 * Each flow has its own paths, cookie, lease namespace and state keys (HKDF label), so a value
 * from one flow is useless in another.
 */

export interface PopupFlowOptions {
  /** Lease namespace and log wording, e.g. `webex-link`. */
  readonly name: string;
  /** HKDF label of the flow's state keys, e.g. `callbridge/webex-link-state/v1`. */
  readonly stateLabel: string;
  /** e.g. `/auth/webex`: `/start`, `/callback` and `/assets/*` live under it; so does the cookie. */
  readonly basePath: string;
  /** Name of the browser-binding cookie. */
  readonly cookieName: string;
  /** The token vault's key ring (state keys are derived from it; no extra secret). */
  readonly keyRing: TokenKeyRing;
  readonly leases: Pick<LeaseRepo, 'tryAcquire'>;
  /** `config.http.publicBaseUrl` (a trailing slash is removed). */
  readonly publicBaseUrl: string;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly text: {
    /** What the attempt is called on error pages: `link request`, `sign-in request`. */
    readonly request: string;
    /** Who sends the code back: `Webex`, `Microsoft`. */
    readonly provider: string;
    /** Appended to every error page, e.g. `Start again from the Call tab.` */
    readonly startAgain: string;
  };
}

/** What the flow's authorize-URL builder gets. */
export interface AuthorizeRequest {
  readonly attempt: AttemptClaims;
  readonly state: string;
  /** S256 PKCE challenge. */
  readonly codeChallenge: string;
  /** An OpenID Connect nonce bound to this state (see {@link CallbackContext.nonce}). */
  readonly nonce: string;
  readonly redirectUri: string;
}

/** A validated, consumed callback carrying a code. */
export interface CallbackContext {
  readonly state: StateClaims;
  readonly code: string;
  /** The PKCE code_verifier to redeem the code with. */
  readonly codeVerifier: string;
  readonly redirectUri: string;
  /** The nonce the authorize request carried: an ID token must echo it. */
  readonly nonce: string;
}

export interface CallbackHandlers {
  /** The provider redirected with `?error=` (declined, consent refused, …); the state is valid and now used. */
  onAuthorizeError(error: string, state: StateClaims): ResultPage;
  /** Redeems the code and does the flow's work; every outcome is a page. */
  complete(context: CallbackContext): Promise<ResultPage>;
}

export interface PopupFlow {
  readonly startPath: string;
  readonly callbackPath: string;
  readonly assetPath: string;
  /** `<publicBaseUrl><callbackPath>`: the redirect URI to register with the provider. */
  readonly redirectUri: string;
  readonly sealer: FlowStateSealer;
  /** The start URL the tab opens in its popup, for this user (extras travel to the state). */
  attemptUrl(user: Pick<User, 'tenantId' | 'id'>, extras?: Readonly<Record<string, string>>): string;
  startRoute(authorizeUrl: (request: AuthorizeRequest) => string): Route;
  callbackRoute(handlers: CallbackHandlers): Route;
  assetRoutes(): Route[];
  sendPage(res: Response, page: ResultPage): void;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

export function createPopupFlow(options: PopupFlowOptions): PopupFlow {
  const now = options.now ?? Date.now;
  const base = options.basePath.replace(/\/+$/, '');
  const publicBaseUrl = options.publicBaseUrl.replace(/\/+$/, '');
  const startPath = `${base}/start`;
  const callbackPath = `${base}/callback`;
  const assetPath = `${base}/assets`;
  const redirectUri = `${publicBaseUrl}${callbackPath}`;
  const secure = publicBaseUrl.startsWith('https:') ? '; Secure' : '';
  const sealer = createFlowStateSealer(options.keyRing, options.stateLabel, now);
  const { request, provider, startAgain } = options.text;
  const sendPage = (res: Response, page: ResultPage): void => {
    sendResultPage(res, page, assetPath);
  };
  const fail = (status: number, outcome: string, title: string, message: string): ResultPage => ({
    status,
    outcome,
    title,
    message,
  });
  const nonceOf = (sid: string): string => sha256(`nonce:${sid}`);

  async function checkCallback(
    query: URLSearchParams,
    cookieHeader: string | undefined,
    handlers: CallbackHandlers,
  ): Promise<ResultPage> {
    const opened = sealer.openState(query.get('state') ?? undefined);
    if (!opened.ok) {
      return opened.error.code === 'expired'
        ? fail(400, 'expired', 'This sign-in has expired', `It took longer than 10 minutes. ${startAgain}`)
        : fail(
            400,
            'invalid_state',
            'Invalid sign-in response',
            `This page was not opened by a CallBridge sign-in. ${startAgain}`,
          );
    }
    const state = opened.value;
    const cookie = readCookie(cookieHeader, options.cookieName);
    if (cookie === undefined || !sameText(sha256(cookie), state.bh)) {
      options.logger.warn(
        { userId: state.uid, flow: options.name },
        `${options.name} callback from a browser that did not start it`,
      );
      return fail(
        400,
        'invalid_state',
        'Invalid sign-in response',
        `This sign-in was started in another browser or window. ${startAgain}`,
      );
    }
    if (!(await consumeOnce(options.leases, options.name, `state:${state.sid}`, state.exp, now()))) {
      return fail(400, 'replayed', 'This sign-in response was already used', startAgain);
    }
    const providerError = query.get('error');
    if (providerError !== null) return handlers.onAuthorizeError(providerError, state);
    const code = query.get('code');
    if (code === null || code === '' || code.length > 4096) {
      return fail(
        400,
        'invalid_request',
        'Invalid sign-in response',
        `${provider} sent no authorization code. ${startAgain}`,
      );
    }
    return handlers.complete({
      state,
      code,
      codeVerifier: state.ver,
      redirectUri,
      nonce: nonceOf(state.sid),
    });
  }

  return {
    startPath,
    callbackPath,
    assetPath,
    redirectUri,
    sealer,
    sendPage,
    attemptUrl(user, extras) {
      const attempt = sealer.sealAttempt({
        tid: user.tenantId,
        uid: user.id,
        aid: randomId(16),
        exp: now() + FLOW_TTL_MS,
        ...(extras === undefined || Object.keys(extras).length === 0 ? {} : { x: { ...extras } }),
      });
      return `${publicBaseUrl}${startPath}?attempt=${encodeURIComponent(attempt)}`;
    },
    startRoute(authorizeUrl) {
      return {
        method: 'get',
        path: startPath,
        handler: async (req, res) => {
          const query = new URLSearchParams(req.getQuery());
          const attempt = sealer.openAttempt(query.get('attempt') ?? undefined);
          if (!attempt.ok) {
            const expired = attempt.error.code === 'expired';
            sendPage(
              res,
              fail(
                400,
                expired ? 'expired' : 'invalid_request',
                expired ? `This ${request} has expired` : `Invalid ${request}`,
                startAgain,
              ),
            );
            return;
          }
          const at = now();
          const claims = attempt.value;
          if (!(await consumeOnce(options.leases, options.name, `attempt:${claims.aid}`, claims.exp, at))) {
            sendPage(res, fail(400, 'replayed', `This ${request} was already used`, startAgain));
            return;
          }
          const verifier = randomId(48);
          const browserNonce = randomId(32);
          const sid = randomId(16);
          // The state lives no longer than the attempt that started it.
          const exp = Math.min(claims.exp, at + FLOW_TTL_MS);
          const state = sealer.sealState({
            tid: claims.tid,
            uid: claims.uid,
            aid: claims.aid,
            sid,
            ver: verifier,
            bh: sha256(browserNonce),
            exp,
            ...(claims.x === undefined ? {} : { x: claims.x }),
          });
          const location = authorizeUrl({
            attempt: claims,
            state,
            codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
            nonce: nonceOf(sid),
            redirectUri,
          });
          const maxAge = Math.max(1, Math.ceil((exp - at) / 1000));
          noStore(res);
          res.header(
            'Set-Cookie',
            `${options.cookieName}=${browserNonce}; Path=${base}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure}`,
          );
          res.header('Location', location);
          res.status(302);
          res.end();
        },
      };
    },
    callbackRoute(handlers) {
      return {
        method: 'get',
        path: callbackPath,
        handler: async (req, res) => {
          const page = await checkCallback(new URLSearchParams(req.getQuery()), req.headers.cookie, handlers);
          // The binding cookie has done its job whatever happened.
          res.header(
            'Set-Cookie',
            `${options.cookieName}=; Path=${base}; Max-Age=0; HttpOnly; SameSite=Lax${secure}`,
          );
          sendPage(res, page);
        },
      };
    },
    assetRoutes: () => popupAssetRoutes(assetPath),
  };
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      const value = part.slice(i + 1).trim();
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
