import type { GraphNotificationReceiver } from '../../presence-sync/graph/notifications.js';
import { MAX_NOTIFICATION_BODY_BYTES } from '../../presence-sync/graph/notifications.js';
import type { Route } from '../route.js';

/**
 * `POST /api/notifications/graph/lifecycle`: Graph lifecycle notifications (reauthorizationRequired,
 * subscriptionRemoved, missed) and the validation handshake. Stores them, then 202.
 */
export function postGraphLifecycle(receiver: GraphNotificationReceiver): Route {
  return {
    method: 'post',
    path: '/api/notifications/graph/lifecycle',
    body: 'raw',
    maxBodyBytes: MAX_NOTIFICATION_BODY_BYTES,
    handler: (req, res) => receiver.receive('lifecycle', req, res),
  };
}
