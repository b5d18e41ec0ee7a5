import type { TokenVault } from '../../auth/token-vault.js';
import { postWebexEvents, WEBEX_EVENTS_PATH } from '../../http/routes/postWebexEvents.js';
import type { Route } from '../../http/route.js';
import type { HttpPolicy, HttpPolicyOptions } from '../../integrations/http-policy.js';
import { WebexClient, type Webhook, type WebexError } from '../../integrations/webex/webex.client.js';
import type { UserNotifier } from '../../notifications/user-notifier.js';
import type { Logger } from '../../observability/logger.js';
import { serializeError } from '../../observability/logger.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { Store, User, WebexWebhook } from '../../store/store.js';
import type { WebexTokenService } from '../../webex-link/token-service.js';
import type { DaemonSpec } from '../../workers/daemon.js';
import { recordSyncError } from '../enrolment/sync-errors.js';
import type { NotificationIntake } from '../intake/intake.js';
import { DEFAULT_STALE_AFTER_MS, TELEPHONY_CALLS } from './delivery.js';
import { newWebhookSecret, WEBHOOK_SECRET_KIND } from './secrets.js';

export { DEFAULT_STALE_AFTER_MS } from './delivery.js';

export interface WebexCallWebhooks {
  /** POST /api/notifications/webex */
  readonly routes: readonly Route[];
  /** `webex-call-webhooks`, singleton: reconcile per-user webhooks, reactivate disabled ones and tell the user. */
  readonly daemon: DaemonSpec;
  /** Makes sure the user has exactly one active webhook now. */
  watch(userId: string): Promise<Result<void, { code: string }>>;
  /** Deletes the user's webhooks remotely (when the token still works) and locally. */
  unwatch(userId: string): Promise<void>;
}

export interface WebexCallWebhooksDeps {
  readonly store: Pick<Store, 'users' | 'webexWebhooks' | 'presence'>;
  readonly vault: TokenVault;
  /** `createWebexLinking(...).tokens`: the user's own Webex token creates their webhook. */
  readonly tokens: Pick<WebexTokenService, 'getAccessToken'>;
  /** `config.webex.baseUrl`. */
  readonly webexBaseUrl: string;
  readonly policy?: HttpPolicy | HttpPolicyOptions;
  readonly fetch?: typeof fetch;
  readonly intake: NotificationIntake;
  readonly notifier: Pick<UserNotifier, 'notifyPresenceSync'>;
  /** `config.http.publicBaseUrl`: webhooks point at `${publicBaseUrl}/api/notifications/webex`. */
  readonly publicBaseUrl: string;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Refuse events further than this from now (default 5 min). */
  readonly staleAfterMs?: number;
  /** Reconcile period (default 10 min). */
  readonly intervalMs?: number;
}

export const WEBHOOK_NAME = 'CallBridge presence sync';
/** Stored when the user's Webex grant no longer works: the tab offers "link Webex again". */
export const WEBEX_TOKEN_DEAD = 'webex_token_dead';
const DEFAULT_INTERVAL_MS = 10 * 60_000;
const PAGE = 200;

type Outcome = 'ok' | 'created' | 'reactivated' | 'removed' | 'blocked' | 'failed';

export function createWebexCallWebhooks(deps: WebexCallWebhooksDeps): WebexCallWebhooks {
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'webex-call-webhooks' });
  const targetUrl = `${deps.publicBaseUrl.replace(/\/+$/, '')}${WEBEX_EVENTS_PATH}`;
  const { store } = deps;

  function clientFor(userId: string): WebexClient {
    return new WebexClient({
      baseUrl: deps.webexBaseUrl,
      getAccessToken: async () => {
        const token = await deps.tokens.getAccessToken(userId);
        if (!token.ok) throw new Error(token.error.code);
        return token.value;
      },
      ...(deps.policy === undefined ? {} : { policy: deps.policy }),
      ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
      logger: deps.logger,
    });
  }

  const isOurs = (w: Webhook): boolean => w.resource === TELEPHONY_CALLS && w.targetUrl === targetUrl;

  /** Whether a token failure means the grant is gone (vs. Webex being briefly unavailable). */
  async function tokenDead(userId: string, error: WebexError): Promise<boolean> {
    if (error.code === 'unauthorized') return true;
    if (error.code !== 'token_unavailable') return false;
    const token = await deps.tokens.getAccessToken(userId);
    return !token.ok && (token.error.code === 'needs_relink' || token.error.code === 'not_linked');
  }

  async function block(user: User, why: string): Promise<Outcome> {
    log.warn({ userId: user.id, why }, 'webex call events blocked: the user must link Webex again');
    await recordSyncError(store, user.id, { code: WEBEX_TOKEN_DEAD, action: 'link_webex' });
    return 'blocked';
  }

  async function upstreamFailed(user: User, operation: string, error: WebexError): Promise<Outcome> {
    if (await tokenDead(user.id, error)) return block(user, error.code);
    log.warn(
      { userId: user.id, operation, code: error.code, status: error.status },
      'webex webhook call failed',
    );
    return 'failed';
  }

  async function deleteRemote(client: WebexClient, user: User, id: string): Promise<boolean> {
    const deleted = await client.deleteWebhook(id);
    if (deleted.ok || deleted.error.code === 'not_found') return true;
    log.warn(
      { userId: user.id, webhookId: id, code: deleted.error.code },
      'could not delete a webex webhook',
    );
    return false;
  }

  /** A local row we can verify signatures with (its secret opens). */
  function usable(row: WebexWebhook, user: User): boolean {
    return deps.vault.open(row.secret, {
      tenantId: user.tenantId,
      userId: user.id,
      kind: WEBHOOK_SECRET_KIND,
    }).ok;
  }

  /**
   * Brings one user's webhooks to what is wanted: exactly one active webhook we hold the secret
   * of (`want`), or none. Duplicates and webhooks we lost the secret of are deleted.
   */
  async function reconcileUser(user: User, want: boolean): Promise<Outcome> {
    const local = await store.webexWebhooks.listByUser(user.id);
    if (user.webex === null) {
      for (const row of local) await store.webexWebhooks.delete(row.id);
      return want ? block(user, 'not_linked') : 'removed';
    }
    const client = clientFor(user.id);
    const listed = await client.listWebhooks({ max: 100 });
    if (!listed.ok) {
      if (!want && (await tokenDead(user.id, listed.error))) {
        // Nothing can be deleted remotely without a token; Webex disables a webhook nobody acknowledges.
        for (const row of local) await store.webexWebhooks.delete(row.id);
        return 'removed';
      }
      return upstreamFailed(user, 'webhooks.list', listed.error);
    }
    const remote = listed.value.filter(isOurs);
    const keep = want
      ? remote.find((w) => local.some((row) => row.id === w.id && usable(row, user)))
      : undefined;
    for (const w of remote) if (w.id !== keep?.id) await deleteRemote(client, user, w.id);
    for (const row of local) if (row.id !== keep?.id) await store.webexWebhooks.delete(row.id);
    if (!want) return 'removed';

    if (keep === undefined) return create(client, user);
    if (keep.status !== 'active') return reactivate(client, user, keep);
    await recordSyncError(store, user.id, null, WEBEX_TOKEN_DEAD);
    return 'ok';
  }

  async function create(client: WebexClient, user: User): Promise<Outcome> {
    const secret = newWebhookSecret();
    const created = await client.createWebhook({
      name: WEBHOOK_NAME,
      targetUrl,
      resource: TELEPHONY_CALLS,
      event: 'all',
      secret,
    });
    if (!created.ok) return upstreamFailed(user, 'webhooks.create', created.error);
    const stored = await store.webexWebhooks.create({
      id: created.value.id,
      userId: user.id,
      resource: TELEPHONY_CALLS,
      event: 'all',
      targetUrl,
      secret: deps.vault.seal(secret, {
        tenantId: user.tenantId,
        userId: user.id,
        kind: WEBHOOK_SECRET_KIND,
      }),
    });
    if (!stored.ok) {
      // Without the row its deliveries cannot be verified: do not leave it behind.
      await deleteRemote(client, user, created.value.id);
      log.warn(
        { userId: user.id, code: stored.error.code },
        'webex webhook created but not stored; deleted it',
      );
      return 'failed';
    }
    await recordSyncError(store, user.id, null, WEBEX_TOKEN_DEAD);
    log.info({ userId: user.id, webhookId: created.value.id }, 'webex call webhook created');
    return 'created';
  }

  async function reactivate(client: WebexClient, user: User, webhook: Webhook): Promise<Outcome> {
    const updated = await client.updateWebhook(webhook.id, {
      name: webhook.name,
      targetUrl,
      status: 'active',
    });
    if (!updated.ok) return upstreamFailed(user, 'webhooks.update', updated.error);
    await store.webexWebhooks.update(webhook.id, { status: 'active' });
    await recordSyncError(store, user.id, null, WEBEX_TOKEN_DEAD);
    log.warn({ userId: user.id, webhookId: webhook.id }, 'webex had disabled a call webhook; reactivated it');
    const notified = await deps.notifier.notifyPresenceSync(user, 'webex_events_resumed');
    if (!notified.ok)
      log.warn({ userId: user.id, code: notified.error.code }, 'reactivation notice not sent');
    return 'reactivated';
  }

  async function reconcileById(userId: string, want: boolean): Promise<Outcome> {
    const user = await store.users.get(userId);
    if (user === undefined) return 'removed';
    try {
      return await reconcileUser(user, want);
    } catch (error) {
      log.error({ userId, err: serializeError(error) }, 'webex webhook reconcile failed');
      return 'failed';
    }
  }

  const daemon: DaemonSpec = {
    name: 'webex-call-webhooks',
    intervalMs: deps.intervalMs ?? DEFAULT_INTERVAL_MS,
    singleton: true,
    async tick(signal) {
      const started = now();
      const counts: Record<Outcome, number> = {
        ok: 0,
        created: 0,
        reactivated: 0,
        removed: 0,
        blocked: 0,
        failed: 0,
      };
      const enabled = new Set<string>();
      let cursor: string | null = null;
      do {
        const page = await store.presence.listEnabled({ limit: PAGE, cursor });
        for (const row of page.items) {
          if (signal.aborted) return;
          enabled.add(row.userId);
          counts[await reconcileById(row.userId, true)] += 1;
        }
        cursor = page.next;
      } while (cursor !== null);
      // Rows of users who are no longer enrolled: their webhooks go.
      const stale = new Set<string>();
      cursor = null;
      do {
        const page = await store.webexWebhooks.list({ limit: PAGE, cursor });
        for (const row of page.items) if (!enabled.has(row.userId)) stale.add(row.userId);
        cursor = page.next;
      } while (cursor !== null);
      for (const userId of stale) {
        if (signal.aborted) return;
        counts[await reconcileById(userId, false)] += 1;
      }
      log.info({ ...counts, durationMs: now() - started }, 'webex call webhooks reconciled');
    },
  };

  return {
    routes: [
      postWebexEvents({
        store,
        vault: deps.vault,
        intake: deps.intake,
        logger: deps.logger,
        now,
        staleAfterMs: deps.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
      }),
    ],
    daemon,
    async watch(userId) {
      const outcome = await reconcileById(userId, true);
      if (outcome === 'blocked') return err({ code: WEBEX_TOKEN_DEAD });
      if (outcome === 'failed' || outcome === 'removed') return err({ code: 'webex_unavailable' });
      return ok(undefined);
    },
    async unwatch(userId) {
      await reconcileById(userId, false);
    },
  };
}
