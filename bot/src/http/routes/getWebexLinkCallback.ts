import { timingSafeEqual } from 'node:crypto';
import { WebexClient } from '../../integrations/webex/webex.client.js';
import { consumeOnce } from '../../webex-link/consume-once.js';
import {
  BINDING_COOKIE,
  callbackUrl,
  WEBEX_CALLBACK_PATH,
  type WebexLinkDeps,
} from '../../webex-link/deps.js';
import { sendPage, type ResultPage } from '../../webex-link/pages.js';
import type { Route } from '../route.js';
import { sha256 } from './getWebexLinkStart.js';

const START_AGAIN = 'Start again from the Call tab.';

/**
 * `GET /auth/webex/callback?code&state` (or `?error&state`): where Webex sends the popup back.
 * Checks the state (sealed by us, unexpired, unused, same browser as the start), exchanges the
 * code with the PKCE verifier, asks Webex who signed in (`/v1/people/me`: identities come from
 * the signed-in flow, never from an email), links that person to the user the state names, and
 * stores the sealed tokens. Every outcome is a small page that reports to the tab via teams-js.
 */
export function getWebexLinkCallback(deps: WebexLinkDeps): Route {
  return {
    method: 'get',
    path: WEBEX_CALLBACK_PATH,
    handler: async (req, res) => {
      const page = await handle(deps, new URLSearchParams(req.getQuery()), req.headers.cookie);
      // The binding cookie has done its job whatever happened.
      const secure = deps.publicBaseUrl.startsWith('https:') ? '; Secure' : '';
      res.header(
        'Set-Cookie',
        `${BINDING_COOKIE}=; Path=/auth/webex; Max-Age=0; HttpOnly; SameSite=Lax${secure}`,
      );
      sendPage(res, page);
    },
  };
}

async function handle(
  deps: WebexLinkDeps,
  query: URLSearchParams,
  cookieHeader: string | undefined,
): Promise<ResultPage> {
  const fail = (status: number, outcome: string, title: string, message: string): ResultPage => ({
    status,
    outcome,
    title,
    message,
  });
  const opened = deps.states.openState(query.get('state') ?? undefined);
  if (!opened.ok) {
    return opened.error.code === 'expired'
      ? fail(400, 'expired', 'This sign-in has expired', `It took longer than 10 minutes. ${START_AGAIN}`)
      : fail(
          400,
          'invalid_state',
          'Invalid sign-in response',
          `This page was not opened by a CallBridge sign-in. ${START_AGAIN}`,
        );
  }
  const state = opened.value;
  const cookie = readCookie(cookieHeader, BINDING_COOKIE);
  if (cookie === undefined || !sameText(sha256(cookie), state.bh)) {
    deps.logger.warn({ userId: state.uid }, 'webex link callback from a browser that did not start it');
    return fail(
      400,
      'invalid_state',
      'Invalid sign-in response',
      `This sign-in was started in another browser or window. ${START_AGAIN}`,
    );
  }
  const now = deps.now();
  if (!(await consumeOnce(deps.store.leases, `state:${state.sid}`, state.exp, now))) {
    return fail(400, 'replayed', 'This sign-in response was already used', START_AGAIN);
  }

  const webexError = query.get('error');
  if (webexError !== null) {
    const denied = webexError === 'access_denied';
    deps.logger.info(
      { userId: state.uid, error: denied ? 'access_denied' : 'other' },
      'webex authorize refused',
    );
    return denied
      ? fail(
          400,
          'access_denied',
          'Webex was not linked',
          'You declined access in Webex. Start again from the Call tab to link it.',
        )
      : fail(400, 'webex_error', 'Webex was not linked', `Webex refused the sign-in request. ${START_AGAIN}`);
  }
  const code = query.get('code');
  if (code === null || code === '' || code.length > 2048) {
    return fail(
      400,
      'invalid_request',
      'Invalid sign-in response',
      `Webex sent no authorization code. ${START_AGAIN}`,
    );
  }

  const user = await deps.store.users.get(state.uid);
  if (user === undefined || user.tenantId !== state.tid) {
    return fail(
      400,
      'invalid_state',
      'Invalid sign-in response',
      `Your CallBridge account was not found. ${START_AGAIN}`,
    );
  }

  const exchanged = await deps.oauth.exchangeCode(code, state.ver, callbackUrl(deps));
  if (!exchanged.ok) {
    deps.logger.warn({ userId: user.id, code: exchanged.error.code }, 'webex code exchange failed');
    return exchanged.error.code === 'invalid_grant'
      ? fail(
          400,
          'invalid_grant',
          'Webex was not linked',
          `The sign-in could not be completed. ${START_AGAIN}`,
        )
      : fail(
          502,
          'webex_unavailable',
          'Webex was not linked',
          'Webex did not answer. Try again in a few minutes from the Call tab.',
        );
  }
  const tokens = exchanged.value;

  const webex = new WebexClient({
    baseUrl: deps.webex.baseUrl,
    getAccessToken: () => Promise.resolve(tokens.accessToken),
    policy: deps.policy,
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
  });
  const me = await webex.getMe();
  if (!me.ok || me.value.orgId === undefined || me.value.id === '') {
    deps.logger.warn(
      { userId: user.id, code: me.ok ? 'no_org' : me.error.code },
      'webex people/me failed after linking',
    );
    return fail(
      502,
      'webex_unavailable',
      'Webex was not linked',
      'Webex did not say who signed in. Try again from the Call tab.',
    );
  }

  const linked = await deps.store.users.linkWebex(user.id, { personId: me.value.id, orgId: me.value.orgId });
  if (!linked.ok) {
    if (linked.error.code === 'webex_already_linked') {
      deps.logger.info({ userId: user.id }, 'webex person already linked to another user');
      return fail(
        409,
        'webex_already_linked',
        'This Webex account is linked to someone else',
        'Another CallBridge user has linked this Webex account. Sign in to Webex as yourself, or ask them to unlink it first.',
      );
    }
    return fail(
      400,
      'invalid_state',
      'Invalid sign-in response',
      `Your CallBridge account was not found. ${START_AGAIN}`,
    );
  }
  const saved = await deps.tokens.saveGrant(linked.value, tokens);
  if (!saved.ok) {
    deps.logger.error({ userId: user.id }, 'webex tokens could not be saved after linking');
    return fail(
      500,
      'save_failed',
      'Webex was not linked',
      'Something went wrong. Try again from the Call tab.',
    );
  }
  deps.logger.info({ userId: user.id }, 'webex account linked');
  return {
    status: 200,
    outcome: 'linked',
    title: 'Webex is linked',
    message: `CallBridge can now use your Webex account${me.value.displayName === undefined ? '' : ` (${me.value.displayName})`}.`,
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
