import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { WebexCallEvent } from '../inbox-events.js';

/**
 * What a Webex `telephony_calls` webhook delivery is and how it is checked: the signature over
 * the raw bytes, the envelope's shape, its age, and the key that makes a replay visible.
 */

export const SPARK_SIGNATURE_HEADER = 'x-spark-signature';
export const TELEPHONY_CALLS = 'telephony_calls';
/** Events older than this (or this far in the future: clock skew) are refused by default. */
export const DEFAULT_STALE_AFTER_MS = 5 * 60_000;

/** Hex HMAC-SHA1 of the exact body bytes with the webhook's secret, as Webex computes it. */
export function sparkSignature(secret: string, body: Buffer): string {
  return createHmac('sha1', secret).update(body).digest('hex');
}

/** Constant-time comparison of the header with the expected signature (case-insensitive hex). */
export function signatureMatches(secret: string, body: Buffer, header: string): boolean {
  const expected = Buffer.from(sparkSignature(secret, body), 'hex');
  const given = /^[0-9a-fA-F]{40}$/.test(header) ? Buffer.from(header, 'hex') : Buffer.alloc(0);
  // The length says only whether the header is well-formed hex, which is public.
  if (given.length !== expected.length) return false;
  return timingSafeEqual(given, expected);
}

const isoTime = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 date-time')
  .transform((s) => Date.parse(s));

/** The envelope fields CallBridge relies on (webex-messaging OpenAPI Webhook + telephony call data). */
export const webexCallDelivery = z.object({
  id: z.string().min(1).max(512),
  resource: z.literal(TELEPHONY_CALLS),
  event: z.string().min(1).max(64),
  data: z.looseObject({
    callId: z.string().min(1).max(512),
    eventType: z.string().min(1).max(64),
    eventTimestamp: isoTime,
    state: z.string().min(1).max(64).optional(),
    personality: z.string().min(1).max(64).optional(),
  }),
});
export type WebexCallDelivery = z.infer<typeof webexCallDelivery>;

/** Only the webhook id, read before the signature can be checked (the secret is per webhook). */
export const deliveryWebhookId = z.looseObject({ id: z.string().min(1).max(512) });

/**
 * Webex does not retry deliveries, so a second delivery of the same call event is a replay (or a
 * duplicate of something already stored): the key makes the inbox refuse it.
 */
export function callEventDedupeKey(delivery: WebexCallDelivery): string {
  const { callId, eventType, eventTimestamp } = delivery.data;
  return `webex-call:${callId}:${eventType}:${String(eventTimestamp)}`;
}

export function toWebexCallEvent(
  delivery: WebexCallDelivery,
  userId: string,
  receivedAt: number,
): WebexCallEvent {
  const { data } = delivery;
  return {
    type: 'webex.call',
    userId,
    webhookId: delivery.id,
    event: delivery.event,
    callId: data.callId,
    eventType: data.eventType,
    ...(data.state === undefined ? {} : { state: data.state }),
    ...(data.personality === undefined ? {} : { personality: data.personality }),
    eventTimestamp: data.eventTimestamp,
    receivedAt,
  };
}

/** Whether an event time is outside the accepted window around `now`. */
export function isStale(eventTimestamp: number, now: number, windowMs: number): boolean {
  return eventTimestamp < now - windowMs || eventTimestamp > now + windowMs;
}
