import type { GraphNotificationReceiver } from '../../presence-sync/graph/notifications.js';
import { MAX_NOTIFICATION_BODY_BYTES } from '../../presence-sync/graph/notifications.js';
import type { Route } from '../route.js';

/**
 * `POST /api/notifications/graph`: Graph presence change notifications (and the validation
 * handshake Graph runs when a subscription is created). Stores them, then 202.
 */
export function postGraphNotifications(receiver: GraphNotificationReceiver): Route {
  return {
    method: 'post',
    path: '/api/notifications/graph',
    // Raw: the handshake POST is text/plain and empty; notification JSON is parsed by the receiver.
    body: 'raw',
    maxBodyBytes: MAX_NOTIFICATION_BODY_BYTES,
    handler: (req, res) => receiver.receive('change', req, res),
  };
}
