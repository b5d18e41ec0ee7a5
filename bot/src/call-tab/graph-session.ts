import type { BackgroundTokenError, ExchangeError } from '../auth/obo/errors.js';
import type { GraphTokenService } from '../auth/obo/graph-token-service.js';
import type { RequestIdentity } from '../auth/request-identity.js';
import { GraphClient } from '../integrations/graph/graph.client.js';
import type { HttpPolicy } from '../integrations/http-policy.js';
import type { Logger } from '../observability/logger.js';
import { err, ok, type Result } from '../shared/result.js';
import { ApiProblem } from './problems.js';

/**
 * Graph clients acting as a user, built once per request from the token services: the stored
 * delegated session when there is one, else (for a tab request, where the user is present) an
 * on-behalf-of exchange of the request's Teams SSO token, which also stores the session.
 */
export interface GraphSessions {
  /** Background use (search, the bot): the stored session only. */
  forUser(userId: string): Promise<Result<GraphClient, BackgroundTokenError>>;
  /** A tab API request: stored session, else OBO; failures as the tab client expects them. */
  forRequest(identity: RequestIdentity): Promise<Result<GraphClient, ApiProblem>>;
}

export interface GraphSessionsDeps {
  readonly graphTokens: Pick<GraphTokenService, 'getAccessToken' | 'exchange'>;
  readonly baseUrl: string;
  readonly policy: HttpPolicy;
  readonly logger: Logger;
  readonly fetch?: typeof fetch;
}

export function createGraphSessions(deps: GraphSessionsDeps): GraphSessions {
  const clientFor = (userId: string): GraphClient =>
    new GraphClient({
      baseUrl: deps.baseUrl,
      policy: deps.policy,
      logger: deps.logger,
      ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
      getAccessToken: async () => {
        const token = await deps.graphTokens.getAccessToken(userId);
        if (!token.ok) throw new Error(token.error.code);
        return token.value.token;
      },
    });

  return {
    async forUser(userId) {
      const first = await deps.graphTokens.getAccessToken(userId);
      return first.ok ? ok(clientFor(userId)) : first;
    },
    async forRequest({ sso, user }) {
      const stored = await deps.graphTokens.getAccessToken(user.id);
      if (stored.ok) return ok(clientFor(user.id));
      if (stored.error.code !== 'needs_sign_in') return err(tokenProblem(stored.error));
      const exchanged = await deps.graphTokens.exchange(sso, user);
      return exchanged.ok ? ok(clientFor(user.id)) : err(tokenProblem(exchanged.error));
    },
  };
}

/** Token failures with the codes the tab client (tab/src/api/client.ts) acts on. */
function tokenProblem(error: ExchangeError | BackgroundTokenError): ApiProblem {
  switch (error.code) {
    case 'consent_required':
      return new ApiProblem(403, 'consent_required', error.message);
    case 'interaction_required':
      return new ApiProblem(403, 'interaction_required', error.message, {
        ...(error.claims === undefined ? {} : { claims: error.claims }),
      });
    case 'needs_sign_in':
      return new ApiProblem(403, 'interaction_required', error.message);
    case 'invalid_assertion':
      return new ApiProblem(401, 'invalid_token', error.message);
    case 'unavailable':
      return ApiProblem.unavailable(
        'Microsoft Entra ID could not be reached to use your Microsoft 365 account. Retry in a moment.',
        error.retryAfterMs,
      );
    case 'misconfigured':
      return new ApiProblem(
        500,
        'misconfigured',
        'Sign-in is not set up correctly on the server. Contact your administrator.',
      );
  }
}
