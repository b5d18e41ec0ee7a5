import type { GraphTokenService } from '../../auth/obo/graph-token-service.js';
import { GraphClient, type GraphError } from '../../integrations/graph/graph.client.js';
import type { HttpPolicy } from '../../integrations/http-policy.js';
import type { Logger } from '../../observability/logger.js';
import { err, ok, type Result } from '../../shared/result.js';

/**
 * Graph's `/subscriptions` calls, each made with the delegated token of the subscription's owner
 * (presence subscriptions accept delegated tokens only). Failures come back classified by what the
 * upkeep does next: find another owner, recreate, wait, or give up for this pass.
 */

export type SubscriptionApiError =
  /** The owner can no longer act in the background (token dead, consent gone, or Graph refuses them). */
  | { readonly code: 'owner_unusable'; readonly detail: string }
  /** The subscription does not exist (any more) at Graph. */
  | { readonly code: 'not_found' }
  /** Graph already has a presence subscription of this app for this owner. */
  | { readonly code: 'conflict' }
  /** Throttled (429) or Entra/Graph temporarily unavailable: wait this long. */
  | { readonly code: 'throttled'; readonly retryAfterMs: number }
  /** Anything else (validation handshake failed, 400, 5xx after retries): logged, retried next pass. */
  | { readonly code: 'failed'; readonly status: number | undefined; readonly graphCode: string };

export interface CreatedSubscription {
  readonly id: string;
  readonly expiresAt: number;
  /** When the token that authorised the call expires (Graph pauses delivery after it). */
  readonly authorizedUntil: number;
}

export interface RemoteSubscription {
  readonly id: string;
  readonly resource: string;
}

export interface NewRemoteSubscription {
  readonly resource: string;
  readonly notificationUrl: string;
  readonly lifecycleNotificationUrl: string;
  readonly clientState: string;
  readonly expiresAt: number;
}

export interface SubscriptionApi {
  create(
    ownerUserId: string,
    input: NewRemoteSubscription,
  ): Promise<Result<CreatedSubscription, SubscriptionApiError>>;
  /** PATCH `expirationDateTime`; also reauthorizes the subscription with the owner's current token. */
  renew(
    ownerUserId: string,
    id: string,
    expiresAt: number,
  ): Promise<Result<CreatedSubscription, SubscriptionApiError>>;
  reauthorize(
    ownerUserId: string,
    id: string,
  ): Promise<Result<{ authorizedUntil: number }, SubscriptionApiError>>;
  /** Succeeds also when Graph no longer has it. */
  delete(ownerUserId: string, id: string): Promise<Result<void, SubscriptionApiError>>;
  /** The owner's subscriptions of this app (to clean up one we created but failed to record). */
  listOwn(ownerUserId: string): Promise<Result<readonly RemoteSubscription[], SubscriptionApiError>>;
}

export interface SubscriptionApiDeps {
  readonly graphTokens: Pick<GraphTokenService, 'getAccessToken'>;
  /** `config.graph.baseUrl`; HTTPS. */
  readonly baseUrl: string;
  readonly policy?: HttpPolicy;
  readonly fetch?: typeof fetch;
  readonly logger: Logger;
}

/** Wait used when Graph throttles without saying how long. */
const DEFAULT_RETRY_AFTER_MS = 60_000;

export function createSubscriptionApi(deps: SubscriptionApiDeps): SubscriptionApi {
  const log = deps.logger.child({ component: 'graph-subscriptions-api' });

  /** A client bound to one owner's token, fetched first so token failures are told apart from Graph's. */
  async function clientFor(
    ownerUserId: string,
  ): Promise<Result<{ client: GraphClient; tokenExpiresAt: number }, SubscriptionApiError>> {
    const token = await deps.graphTokens.getAccessToken(ownerUserId);
    if (!token.ok) {
      const e = token.error;
      if (e.code === 'unavailable') {
        return err({ code: 'throttled', retryAfterMs: e.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS });
      }
      return err({ code: 'owner_unusable', detail: e.code === 'needs_sign_in' ? e.reason : e.code });
    }
    const access = token.value.token;
    const client = new GraphClient({
      baseUrl: deps.baseUrl,
      getAccessToken: () => Promise.resolve(access),
      logger: deps.logger,
      ...(deps.policy === undefined ? {} : { policy: deps.policy }),
      ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
    });
    return ok({ client, tokenExpiresAt: token.value.expiresAt });
  }

  function classify(error: GraphError, operation: string, ownerUserId: string): SubscriptionApiError {
    if (error.status === 404) return { code: 'not_found' };
    if (error.status === 409) return { code: 'conflict' };
    if (error.kind === 'throttled' || error.status === 429 || error.status === 503) {
      return { code: 'throttled', retryAfterMs: error.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS };
    }
    if (error.status === 401 || error.status === 403) {
      return { code: 'owner_unusable', detail: `graph_${String(error.status)}` };
    }
    // Graph's code and request-id, not its message: the message can echo what we sent (URLs, ids, names).
    log.warn(
      {
        operation,
        ownerUserId,
        status: error.status,
        graphCode: error.code,
        requestId: error.requestId,
      },
      'graph subscription call failed',
    );
    return { code: 'failed', status: error.status, graphCode: error.code };
  }

  function parseSubscription(body: unknown): { id: string; expiresAt: number; resource: string } | undefined {
    if (typeof body !== 'object' || body === null) return undefined;
    const b = body as Record<string, unknown>;
    const expiresAt = typeof b.expirationDateTime === 'string' ? Date.parse(b.expirationDateTime) : NaN;
    if (typeof b.id !== 'string' || b.id === '' || Number.isNaN(expiresAt)) return undefined;
    return { id: b.id, expiresAt, resource: typeof b.resource === 'string' ? b.resource : '' };
  }

  const unreadable = (operation: string): SubscriptionApiError => ({
    code: 'failed',
    status: undefined,
    graphCode: `unreadable_${operation}`,
  });

  return {
    async create(ownerUserId, input) {
      const bound = await clientFor(ownerUserId);
      if (!bound.ok) return bound;
      const sent = await bound.value.client.send('POST', '/subscriptions', {
        operation: 'subscriptions.create',
        body: {
          changeType: 'updated',
          resource: input.resource,
          notificationUrl: input.notificationUrl,
          lifecycleNotificationUrl: input.lifecycleNotificationUrl,
          clientState: input.clientState,
          expirationDateTime: new Date(input.expiresAt).toISOString(),
          latestSupportedTlsVersion: 'v1_2',
        },
        // Safe to resend after a network error: Graph allows one presence subscription per owner
        // per app, so a create that did land answers 409 and the upkeep removes the stray one.
        idempotent: true,
      });
      if (!sent.ok) return err(classify(sent.error, 'create', ownerUserId));
      const created = parseSubscription(sent.value.body);
      if (created === undefined) return err(unreadable('create'));
      return ok({
        id: created.id,
        expiresAt: created.expiresAt,
        authorizedUntil: bound.value.tokenExpiresAt,
      });
    },

    async renew(ownerUserId, id, expiresAt) {
      const bound = await clientFor(ownerUserId);
      if (!bound.ok) return bound;
      const sent = await bound.value.client.send('PATCH', `/subscriptions/${encodeURIComponent(id)}`, {
        operation: 'subscriptions.renew',
        body: { expirationDateTime: new Date(expiresAt).toISOString() },
        idempotent: true,
      });
      if (!sent.ok) return err(classify(sent.error, 'renew', ownerUserId));
      const renewed = parseSubscription(sent.value.body);
      if (renewed === undefined) return err(unreadable('renew'));
      return ok({
        id: renewed.id,
        expiresAt: renewed.expiresAt,
        authorizedUntil: bound.value.tokenExpiresAt,
      });
    },

    async reauthorize(ownerUserId, id) {
      const bound = await clientFor(ownerUserId);
      if (!bound.ok) return bound;
      const sent = await bound.value.client.send(
        'POST',
        `/subscriptions/${encodeURIComponent(id)}/reauthorize`,
        { operation: 'subscriptions.reauthorize', idempotent: true },
      );
      if (!sent.ok) return err(classify(sent.error, 'reauthorize', ownerUserId));
      return ok({ authorizedUntil: bound.value.tokenExpiresAt });
    },

    async delete(ownerUserId, id) {
      const bound = await clientFor(ownerUserId);
      if (!bound.ok) return bound;
      const sent = await bound.value.client.send('DELETE', `/subscriptions/${encodeURIComponent(id)}`, {
        operation: 'subscriptions.delete',
      });
      if (sent.ok) return ok(undefined);
      const error = classify(sent.error, 'delete', ownerUserId);
      return error.code === 'not_found' ? ok(undefined) : err(error);
    },

    async listOwn(ownerUserId) {
      const bound = await clientFor(ownerUserId);
      if (!bound.ok) return bound;
      const sent = await bound.value.client.send('GET', '/subscriptions', {
        operation: 'subscriptions.list',
      });
      if (!sent.ok) return err(classify(sent.error, 'list', ownerUserId));
      const body = sent.value.body as { value?: unknown } | undefined;
      if (!Array.isArray(body?.value)) return err(unreadable('list'));
      return ok(
        body.value
          .map(parseSubscription)
          .filter((s): s is NonNullable<typeof s> => s !== undefined)
          .map((s) => ({ id: s.id, resource: s.resource })),
      );
    },
  };
}
