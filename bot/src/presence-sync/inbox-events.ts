import { z } from 'zod';
import type { NewInboxItem } from '../store/store.js';

/**
 * What the notification intake writes to the durable inbox and the processor reads back. Intake
 * validates and normalises at the edge (signature, clientState, who the user is), so the payload
 * is already trusted and small; the processor re-parses it with the same schema because rows
 * outlive deployments.
 *
 * Graph presence notifications carry no presence values (basic notifications), and only the
 * latest state matters, so the processor reads the current presence itself when it handles one.
 */

/** A user's Teams presence changed (Graph change notification on `communications/presences`). */
export const graphPresenceEvent = z.object({
  type: z.literal('graph.presence'),
  tenantId: z.string().min(1),
  /** Internal user id (`User.id`), also the inbox partition key. */
  userId: z.string().min(1),
  aadObjectId: z.string().min(1),
  subscriptionId: z.string().min(1),
  receivedAt: z.number().int(),
});

/** A subscription needs attention (Graph lifecycle notification). */
export const graphLifecycleEvent = z.object({
  type: z.literal('graph.lifecycle'),
  tenantId: z.string().min(1),
  subscriptionId: z.string().min(1),
  lifecycleEvent: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']),
  receivedAt: z.number().int(),
});

/** A Webex `telephony_calls` webhook delivery for one of our users (signature already verified). */
export const webexCallEvent = z.object({
  type: z.literal('webex.call'),
  /** Internal user id (`User.id`), also the inbox partition key. */
  userId: z.string().min(1),
  webhookId: z.string().min(1),
  /** Webhook `event`: created | updated | deleted. */
  event: z.string().min(1),
  callId: z.string().min(1),
  /** `data.eventType`: received | originated | answered | held | remoteHeld | resumed | disconnected. */
  eventType: z.string().min(1),
  /** `data.state` when present: alerting | connecting | connected | held | remoteHeld | disconnected. */
  state: z.string().optional(),
  /** `data.personality`: originator | terminator | clickToDial. */
  personality: z.string().optional(),
  /** `data.eventTimestamp`, epoch ms. */
  eventTimestamp: z.number().int(),
  receivedAt: z.number().int(),
});

/**
 * The engine asks itself to look at a user again (drift found by the reconciliation sweep, a
 * session due for keep-alive, enrolment switched on or off), through the inbox so that every
 * round of a user runs under that user's partition lease.
 */
export const presenceRecheckEvent = z.object({
  type: z.literal('presence.recheck'),
  /** Internal user id (`User.id`), also the inbox partition key. */
  userId: z.string().min(1),
  /** Which side to read again. */
  sides: z.array(z.enum(['teams', 'webex'])),
  reason: z.string().min(1),
  receivedAt: z.number().int(),
});

export const inboxEvent = z.discriminatedUnion('type', [
  graphPresenceEvent,
  graphLifecycleEvent,
  webexCallEvent,
  presenceRecheckEvent,
]);

export type GraphPresenceEvent = z.infer<typeof graphPresenceEvent>;
export type GraphLifecycleEvent = z.infer<typeof graphLifecycleEvent>;
export type WebexCallEvent = z.infer<typeof webexCallEvent>;
export type PresenceRecheckEvent = z.infer<typeof presenceRecheckEvent>;
export type InboxEvent = z.infer<typeof inboxEvent>;

/** The inbox row for an event: partition per user (per subscription for lifecycle) so one worker coalesces them. */
export function inboxItemFor(event: InboxEvent, dedupeKey: string): NewInboxItem {
  switch (event.type) {
    case 'graph.presence':
      return {
        source: 'graph',
        dedupeKey,
        partitionKey: event.userId,
        payload: JSON.stringify(event),
        receivedAt: event.receivedAt,
      };
    case 'graph.lifecycle':
      return {
        source: 'graph',
        dedupeKey,
        partitionKey: `subscription:${event.subscriptionId}`,
        payload: JSON.stringify(event),
        receivedAt: event.receivedAt,
      };
    case 'webex.call':
      return {
        source: 'webex',
        dedupeKey,
        partitionKey: event.userId,
        payload: JSON.stringify(event),
        receivedAt: event.receivedAt,
      };
    case 'presence.recheck':
      // The store knows two sources; rechecks ride on 'graph' with their own dedupe prefix.
      return {
        source: 'graph',
        dedupeKey: `recheck:${dedupeKey}`,
        partitionKey: event.userId,
        payload: JSON.stringify(event),
        receivedAt: event.receivedAt,
      };
  }
}

/** Parses a stored payload; a row that does not parse is a bug or an old format, and goes dead. */
export function parseInboxEvent(payload: string): InboxEvent | undefined {
  try {
    const parsed = inboxEvent.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
