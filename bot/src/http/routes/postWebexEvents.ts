import type { TokenVault } from '../../auth/token-vault.js';
import { serializeError, type Logger } from '../../observability/logger.js';
import { inboxItemFor } from '../../presence-sync/inbox-events.js';
import type { NotificationIntake } from '../../presence-sync/intake/intake.js';
import {
  SPARK_SIGNATURE_HEADER,
  callEventDedupeKey,
  deliveryWebhookId,
  isStale,
  signatureMatches,
  toWebexCallEvent,
  webexCallDelivery,
} from '../../presence-sync/webex/delivery.js';
import { WEBHOOK_SECRET_KIND } from '../../presence-sync/webex/secrets.js';
import type { Store, User, WebexWebhook } from '../../store/store.js';
import { HttpError, validate, type Route } from '../route.js';

export const WEBEX_EVENTS_PATH = '/api/notifications/webex';
/** Call webhook bodies are about 1 KB; anything far larger is not one. */
const MAX_BODY_BYTES = 64 * 1024;
const RETRY_AFTER_SECONDS = 5;

export interface WebexEventsRouteDeps {
  readonly store: Pick<Store, 'webexWebhooks' | 'users'>;
  readonly vault: Pick<TokenVault, 'open'>;
  readonly intake: NotificationIntake;
  readonly logger: Logger;
  readonly now: () => number;
  /** Events further than this from now are refused as stale. */
  readonly staleAfterMs: number;
}

/**
 * `POST /api/notifications/webex`: a signed `telephony_calls` delivery. Checked at the edge
 * (signature over the raw bytes with that webhook's secret, envelope, age, replay), stored in the
 * inbox, then acknowledged; never processed here.
 *
 * 202 stored · 400 `invalid_request` · 401 `missing_signature` · 403 `invalid_signature` (unknown
 * webhook or wrong signature) · 409 `replayed_event` (already stored: Webex does not retry, so a
 * repeat is a replay) · 422 `stale_event` · 503 `store_unavailable` (Webex may send it again).
 */
export function postWebexEvents(deps: WebexEventsRouteDeps): Route {
  const log = deps.logger.child({ route: 'webex-events' });
  return {
    method: 'post',
    path: WEBEX_EVENTS_PATH,
    body: 'raw',
    maxBodyBytes: MAX_BODY_BYTES,
    handler: async (req, res) => {
      const receivedAt = deps.now();
      const signature = req.headers[SPARK_SIGNATURE_HEADER];
      if (typeof signature !== 'string' || signature === '') {
        throw new HttpError(401, 'missing_signature', `The ${SPARK_SIGNATURE_HEADER} header is required.`);
      }
      const raw = req.rawBody ?? Buffer.alloc(0);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new HttpError(400, 'invalid_request', 'The body must be a JSON webhook notification.');
      }
      const idOnly = validate(deliveryWebhookId, body);
      if (!idOnly.ok) throw idOnly.error;

      const found = await lookUp(deps.store, idOnly.value.id).catch((error: unknown) => {
        log.error({ err: serializeError(error) }, 'webhook lookup failed: store unavailable');
        return undefined;
      });
      if (found === undefined) {
        res.header('retry-after', String(RETRY_AFTER_SECONDS));
        throw new HttpError(503, 'store_unavailable', 'The event could not be checked; send it again later.');
      }
      const { webhook, user } = found;
      const secret =
        webhook === undefined || user === undefined
          ? undefined
          : deps.vault.open(webhook.secret, {
              tenantId: user.tenantId,
              userId: webhook.userId,
              kind: WEBHOOK_SECRET_KIND,
            });
      if (webhook === undefined || user === undefined || secret === undefined || !secret.ok) {
        if (secret !== undefined && !secret.ok) {
          log.error({ webhookId: webhook?.id, code: secret.error.code }, 'webhook secret does not open');
        } else {
          log.warn({ webhookId: idOnly.value.id }, 'webex delivery for a webhook we do not know; refused');
        }
        throw new HttpError(403, 'invalid_signature', 'The signature does not match a registered webhook.');
      }
      if (!signatureMatches(secret.value, raw, signature)) {
        log.warn({ webhookId: webhook.id }, 'webex delivery with a wrong signature; refused');
        throw new HttpError(403, 'invalid_signature', 'The signature does not match a registered webhook.');
      }

      const parsed = validate(webexCallDelivery, body);
      if (!parsed.ok) throw parsed.error;
      const delivery = parsed.value;
      if (isStale(delivery.data.eventTimestamp, receivedAt, deps.staleAfterMs)) {
        log.info(
          { webhookId: webhook.id, ageMs: receivedAt - delivery.data.eventTimestamp },
          'stale webex event',
        );
        throw new HttpError(
          422,
          'stale_event',
          `eventTimestamp is more than ${String(Math.round(deps.staleAfterMs / 1000))} s from now.`,
        );
      }

      const event = toWebexCallEvent(delivery, webhook.userId, receivedAt);
      const accepted = await deps.intake.accept([inboxItemFor(event, callEventDedupeKey(delivery))]);
      if (!accepted.ok) {
        res.header('retry-after', String(RETRY_AFTER_SECONDS));
        throw new HttpError(503, 'store_unavailable', 'The event could not be stored; send it again later.');
      }
      if (accepted.value.inserted === 0) {
        log.info({ webhookId: webhook.id, userId: webhook.userId }, 'replayed webex event refused');
        throw new HttpError(409, 'replayed_event', 'This event was already received.');
      }
      res.send(202);
    },
  };
}

async function lookUp(
  store: WebexEventsRouteDeps['store'],
  webhookId: string,
): Promise<{ webhook: WebexWebhook | undefined; user: User | undefined }> {
  const webhook = await store.webexWebhooks.get(webhookId);
  const user = webhook === undefined ? undefined : await store.users.get(webhook.userId);
  return { webhook, user };
}
