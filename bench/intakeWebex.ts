import { WEBEX_EVENTS_PATH } from '../bot/src/http/routes/postWebexEvents.js';
import { TELEPHONY_CALLS } from '../bot/src/presence-sync/webex/delivery.js';
import { createWebexCallWebhooks } from '../bot/src/presence-sync/webex/index.js';
import { newWebhookSecret, WEBHOOK_SECRET_KIND } from '../bot/src/presence-sync/webex/secrets.js';
import { webexDeliveriesRef } from './intakeRequests.js';
import {
  BENCH_PUBLIC_BASE_URL,
  BENCH_TENANT,
  inParallel,
  noUpstream,
  type NotificationRouteUnderTest,
} from './intakeShared.js';

/** Users with a webhook; deliveries cycle through them. */
const WEBHOOKS = 200;

/**
 * `POST /api/notifications/webex` as `createWebexCallWebhooks` builds it: per request the
 * webhook row and its user are read, the sealed secret opened, the signature checked, the
 * envelope validated, then the event is stored and acknowledged.
 */
export const webexRouteUnderTest: NotificationRouteUnderTest = {
  label: `Webex POST ${WEBEX_EVENTS_PATH}`,
  path: WEBEX_EVENTS_PATH,
  everyAckStored: true,
  async seed(store, vault, users) {
    const targetUrl = `${BENCH_PUBLIC_BASE_URL}${WEBEX_EVENTS_PATH}`;
    // As `watch` stores a webhook: the secret Webex signs with, sealed for that user.
    const hooks = await inParallel(users.slice(0, WEBHOOKS), async (user, k) => {
      const secret = newWebhookSecret();
      const created = await store.webexWebhooks.create({
        id: `bench-webhook-${String(k)}`,
        userId: user.id,
        resource: TELEPHONY_CALLS,
        event: 'all',
        targetUrl,
        secret: vault.seal(secret, { tenantId: BENCH_TENANT, userId: user.id, kind: WEBHOOK_SECRET_KIND }),
      });
      if (!created.ok) throw new Error(`seeding a Webex webhook failed: ${created.error.code}`);
      return { webhookId: created.value.id, secret };
    });
    return webexDeliveriesRef({ hooks, targetUrl });
  },
  build({ store, vault, intake, logger }) {
    const webex = createWebexCallWebhooks({
      store,
      vault,
      tokens: { getAccessToken: noUpstream },
      webexBaseUrl: 'https://127.0.0.1:9',
      intake,
      notifier: { notifyPresenceSync: noUpstream },
      publicBaseUrl: BENCH_PUBLIC_BASE_URL,
      logger,
    });
    return { routes: webex.routes, close: () => undefined };
  },
};
