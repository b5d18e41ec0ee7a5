import { createHmac } from 'node:crypto';
import type { MadeRequest, RequestMaker, RequestMakerRef } from './lib/load.js';

/**
 * What Webex and Graph send to our notification routes, made per request in the load generator
 * (see `RequestMakerRef` in lib/load.ts): bodies shaped like the ones the sandbox stand-ins
 * deliver, with a fresh event time and, for Webex, the signature over the exact body bytes.
 * Deterministic but for the time: request `i` is always the same call or the same user.
 */

export interface WebexHookSecret {
  readonly webhookId: string;
  /** The plaintext secret Webex was given; the row stores it sealed. */
  readonly secret: string;
}

export interface WebexDeliveryOptions {
  readonly hooks: readonly WebexHookSecret[];
  readonly targetUrl: string;
}

const webexId = (kind: string, name: string): string =>
  Buffer.from(`ciscospark://us/${kind}/${name}`).toString('base64url');

/**
 * One `telephony_calls` delivery per request, about 1 KB like Webex's: request `i` is call
 * `i` (so no two share a dedupe key) of webhook `i mod hooks`, answered just now, signed with
 * that webhook's secret as `X-Spark-Signature` (hex HMAC-SHA1 of the body, as Webex computes it).
 */
export function webexDeliveries(options: WebexDeliveryOptions): RequestMaker {
  const { hooks, targetUrl } = options;
  if (hooks.length === 0) throw new RangeError('webexDeliveries needs at least one webhook');
  const orgId = webexId('ORGANIZATION', 'bench');
  const appId = webexId('APPLICATION', 'callbridge-bench');
  return (i): MadeRequest => {
    const hook = hooks[i % hooks.length]!;
    const owner = webexId('PEOPLE', `bench-${String(i % hooks.length)}`);
    const now = new Date();
    const started = new Date(now.getTime() - 2_000).toISOString();
    const body = JSON.stringify({
      id: hook.webhookId,
      name: 'CallBridge presence sync',
      targetUrl,
      resource: 'telephony_calls',
      event: 'updated',
      orgId,
      createdBy: owner,
      appId,
      ownedBy: 'creator',
      status: 'active',
      created: '2026-01-01T00:00:00.000Z',
      actorId: owner,
      data: {
        callId: webexId('CALL', `bench-call-${String(i)}`),
        callSessionId: `bench-session-${String(i)}`,
        personality: 'originator',
        state: 'connected',
        remoteParty: {
          name: 'Bench Remote',
          number: '+15550100000',
          personId: webexId('PEOPLE', 'bench-remote'),
          privacyEnabled: false,
          callType: 'location',
        },
        appearance: 1,
        created: started,
        answered: now.toISOString(),
        muteCapable: true,
        muted: false,
        eventType: 'answered',
        eventTimestamp: now.toISOString(),
        completedElsewhere: false,
      },
    });
    return {
      body,
      headers: { 'x-spark-signature': createHmac('sha1', hook.secret).update(body).digest('hex') },
    };
  };
}

export interface GraphSubscriptionSecret {
  readonly subscriptionId: string;
  readonly clientState: string;
  /** Entra object ids of the subscription's members. */
  readonly aadObjectIds: readonly string[];
}

export interface GraphNotificationOptions {
  readonly tenantId: string;
  readonly subscriptions: readonly GraphSubscriptionSecret[];
}

/**
 * One presence change notification per request, as Graph posts it for a bulk
 * `/communications/presences?$filter=id in (...)` subscription without resource data: request
 * `i` names member `i mod members` of all subscriptions in turn, with that subscription's
 * clientState. Cycling through every member keeps a user from repeating within Graph's
 * coalescing window unless the rate outruns members ÷ window.
 */
export function graphPresenceNotifications(options: GraphNotificationOptions): RequestMaker {
  const members = options.subscriptions.flatMap((s) =>
    s.aadObjectIds.map((aadObjectId) => ({ subscription: s, aadObjectId })),
  );
  if (members.length === 0) throw new RangeError('graphPresenceNotifications needs at least one member');
  const expires = new Date(Date.now() + 55 * 60_000).toISOString();
  return (i): MadeRequest => {
    const { subscription, aadObjectId } = members[i % members.length]!;
    return {
      body: JSON.stringify({
        value: [
          {
            subscriptionId: subscription.subscriptionId,
            subscriptionExpirationDateTime: expires,
            changeType: 'updated',
            resource: `communications/presences?$filter=id+in+(%27${aadObjectId}%27)`,
            resourceData: {
              '@odata.type': '#Microsoft.Graph.presence',
              '@odata.id': `users/${aadObjectId}/presence`,
              id: aadObjectId,
            },
            clientState: subscription.clientState,
            tenantId: options.tenantId,
          },
        ],
      }),
    };
  };
}

/** The load spec's `requestMaker` for {@link webexDeliveries}. */
export function webexDeliveriesRef(options: WebexDeliveryOptions): RequestMakerRef {
  return { module: import.meta.url, exportName: webexDeliveries.name, options };
}

/** The load spec's `requestMaker` for {@link graphPresenceNotifications}. */
export function graphPresenceNotificationsRef(options: GraphNotificationOptions): RequestMakerRef {
  return { module: import.meta.url, exportName: graphPresenceNotifications.name, options };
}
