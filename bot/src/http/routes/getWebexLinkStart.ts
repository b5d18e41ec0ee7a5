import { createHash } from 'node:crypto';
import { consumeOnce } from '../../webex-link/consume-once.js';
import { BINDING_COOKIE, callbackUrl, WEBEX_START_PATH, type WebexLinkDeps } from '../../webex-link/deps.js';
import { LINK_FLOW_TTL_MS, randomId } from '../../webex-link/link-state.js';
import { noStore, sendPage } from '../../webex-link/pages.js';
import type { Route } from '../route.js';

const START_AGAIN = 'Start again from the Call tab.';

/**
 * `GET /auth/webex/start?attempt=`: opened in the sign-in popup. Uses up the attempt, makes the
 * PKCE verifier and the OAuth `state` (sealed: tenant, user, attempt, verifier, browser binding,
 * 10-minute expiry), sets the browser-binding cookie and redirects to Webex's authorize page.
 */
export function getWebexLinkStart(deps: WebexLinkDeps): Route {
  return {
    method: 'get',
    path: WEBEX_START_PATH,
    handler: async (req, res) => {
      const query = new URLSearchParams(req.getQuery());
      const attempt = deps.states.openAttempt(query.get('attempt') ?? undefined);
      if (!attempt.ok) {
        sendPage(res, {
          status: 400,
          outcome: attempt.error.code === 'expired' ? 'expired' : 'invalid_request',
          title: attempt.error.code === 'expired' ? 'This link request has expired' : 'Invalid link request',
          message: START_AGAIN,
        });
        return;
      }
      const now = deps.now();
      const claims = attempt.value;
      if (!(await consumeOnce(deps.store.leases, `attempt:${claims.aid}`, claims.exp, now))) {
        sendPage(res, {
          status: 400,
          outcome: 'replayed',
          title: 'This link request was already used',
          message: START_AGAIN,
        });
        return;
      }
      const verifier = randomId(48);
      const browserNonce = randomId(32);
      // The state lives no longer than the attempt that started it.
      const exp = Math.min(claims.exp, now + LINK_FLOW_TTL_MS);
      const state = deps.states.sealState({
        tid: claims.tid,
        uid: claims.uid,
        aid: claims.aid,
        sid: randomId(16),
        ver: verifier,
        bh: sha256(browserNonce),
        exp,
      });
      const authorize = new URL(`${deps.webex.baseUrl}/v1/authorize`);
      authorize.search = new URLSearchParams({
        client_id: deps.webex.clientId,
        response_type: 'code',
        redirect_uri: callbackUrl(deps),
        scope: deps.scopes.join(' '),
        state,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      const secure = deps.publicBaseUrl.startsWith('https:') ? '; Secure' : '';
      const maxAge = Math.max(1, Math.ceil((exp - now) / 1000));
      noStore(res);
      res.header(
        'Set-Cookie',
        `${BINDING_COOKIE}=${browserNonce}; Path=/auth/webex; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure}`,
      );
      res.header('Location', authorize.toString());
      res.status(302);
      res.end();
    },
  };
}

export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}
